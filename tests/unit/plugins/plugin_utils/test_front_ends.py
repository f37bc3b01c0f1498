# -*- coding: utf-8 -*-
# One selection, four front-ends: the module, the lookup, the backup_vms inventory and the EDA source build
# their Selection from the same option table rows and read through the same reader, so the same options
# give the same EM requests (recorded by a client without HTTP).

from __future__ import annotations

from datetime import datetime, timezone

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import backup_inventory, session_poller
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.lookup_resolution import prepare_lookup, resolve_terms
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import guid, task_session
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import parents_of
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.fake_query_client import FakeQueryClient

NOW = datetime(2025, 3, 15, 0, 0, 0, tzinfo=timezone.utc)
SINCE = '2025-03-14T00:00:00Z'
OPTIONS = {'vm_name': ['db01'], 'job_name': ['Nightly SQL'], 'job_type': ['backup'], 'since': SINCE}


def client():
    sessions = [task_session(1, vm='db01', job_session=guid(1, prefix='b82e6d04'), result='Failed')]
    parents = parents_of(sessions)
    return FakeQueryClient(lambda type_name, text: sessions if type_name == 'BackupTaskSession' else parents)


def asked(fake, type_name):
    """(type, filter, sort) of each query of that type: what the options decide (a lookup asks for fewer rows)."""
    return [query[:3] for query in fake.of_type(type_name)]


def test_the_same_options_give_the_same_em_requests_in_every_front_end():
    module, lookup, inventory, source = client(), client(), client(), client()
    assert search_task_sessions(module, task_session_selection(OPTIONS, now=NOW))['count'] == 1
    options = dict(OPTIONS)
    lookup_terms = options.pop('vm_name')
    assert resolve_terms(lookup, prepare_lookup(lookup_terms, now=NOW, **options))[0][1]['id'] == guid(1)
    settings = backup_inventory.prepare_inventory(dict(OPTIONS), url='https://em.example.com', username='svc', now=NOW)
    assert len(backup_inventory.read_sessions(inventory, settings)) == 1

    expected = ('BackupTaskSession', 'VmDisplayName=="db01";JobName=="Nightly SQL";CreationTime>="%s"' % SINCE, 'CreationTime')
    assert asked(module, 'BackupTaskSession') == asked(lookup, 'BackupTaskSession') == asked(inventory, 'BackupTaskSession') == [expected]
    jobs = asked(module, 'BackupJobSession')
    assert jobs == asked(lookup, 'BackupJobSession') == asked(inventory, 'BackupJobSession')
    assert jobs == [('BackupJobSession', 'CreationTime>="%s";JobType==Backup' % SINCE, 'CreationTime')]

    # the source's since is where its polls start (by end time), and it selects results by default
    poller = session_poller.TaskSessionPoller(source, session_poller.parse_arguments(dict(OPTIONS, results=['Failed']), NOW))
    fresh, _newest = poller.poll()
    assert [facts['id'] for _ended, facts in fresh] == [guid(1)]
    assert asked(source, 'BackupTaskSession') == [
        ('BackupTaskSession', 'VmDisplayName=="db01";JobName=="Nightly SQL";Result==Failed;EndTime>="%s"' % SINCE, 'CreationTime')]
    module_failed = client()
    search_task_sessions(module_failed, task_session_selection(dict(OPTIONS, result=['failed'], since=None), now=NOW))
    assert asked(source, 'BackupTaskSession')[0][1] == asked(module_failed, 'BackupTaskSession')[0][1] + ';EndTime>="%s"' % SINCE
