# -*- coding: utf-8 -*-
# The EDA source's poller (plugins/plugin_utils/session_poller.py) without the loop: the arguments, the memory
# of the sessions seen, the watermark, the filters of a poll, and the job_type and is_retry of the sessions a poll
# finds (plugins/module_utils/job_sessions.py, with the job_type selection on top and a bounded cache). The loop, through
# main(queue, args) and the strict HTTP mock, is tested in tests/unit/plugins/event_source/.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import logging

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import MAX_FILTER_LENGTH, encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import parse_em_time
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import session_poller
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import guid

SINCE = '2025-03-14T02:00:00Z'


def test_since_defaults_to_the_start_and_accepts_an_age():
    now = session_poller.utc_now()
    assert session_poller.parse_arguments({}, now).start == now
    assert (now - session_poller.parse_arguments({'since': '2h'}, now).start).total_seconds() == 7200


def test_only_the_sessions_inside_the_window_are_remembered(monkeypatch):
    selection = session_poller.parse_arguments({'since': SINCE, 'overlap': 600}, session_poller.utc_now())
    poller = session_poller.TaskSessionPoller(None, selection)
    for n, ended in ((1, '2025-03-14T02:01:00Z'), (2, '2025-03-14T02:20:00Z'), (3, '2025-03-14T02:30:00Z')):
        poller.remember({'id': guid(n), 'uid': None, 'end_time': ended}, parse_em_time(ended))
    poller.advance(parse_em_time('2025-03-14T02:30:00Z'))
    assert session_poller.format_utc(poller.window_start()) == '2025-03-14T02:20:00Z'
    assert [key[0] for key in poller.seen] == [guid(2), guid(3)]  # session 1 can never come back: forgotten
    monkeypatch.setattr(session_poller, 'MAX_REMEMBERED', 2)
    poller.remember({'id': guid(4), 'uid': None, 'end_time': '2025-03-14T02:31:00Z'}, parse_em_time('2025-03-14T02:31:00Z'))
    assert [key[0] for key in poller.seen] == [guid(3), guid(4)]  # the cap drops the oldest


def test_a_bogus_future_end_time_cannot_move_the_window_past_the_local_clock():
    selection = session_poller.parse_arguments({'since': SINCE, 'overlap': 120}, session_poller.utc_now())
    poller = session_poller.TaskSessionPoller(None, selection)
    poller.advance(parse_em_time('2099-01-01T00:00:00Z'))
    assert poller.window_start() <= session_poller.utc_now()


def test_job_type_takes_the_seven_documented_types_in_any_letter_case():
    selection = session_poller.parse_arguments({'job_type': ['backupcopy', 'NASBACKUP', 'BackupCopy']}, session_poller.utc_now())
    assert selection.job_types == ['BackupCopy', 'NasBackup']
    with pytest.raises(EMInputError) as failure:
        session_poller.parse_arguments({'job_type': 'Replica'}, session_poller.utc_now())
    assert failure.value.hint.startswith('Use one or more of (any letter case): Backup, BackupCopy, ImmediateBackupCopy, '
                                         'ImmediateBackupCopyWorker, AgentBackup, AgentManagement, NasBackup.')


def test_a_long_name_list_is_split_over_filters_that_each_fit_and_keep_the_window():
    names = ['vm-%04d-%s' % (n, 'x' * 30) for n in range(300)]
    selection = session_poller.parse_arguments({'since': SINCE, 'vm_name': names, 'results': 'Failed'}, session_poller.utc_now())
    filters = session_poller.poll_filters(selection, selection.start)
    assert len(filters) > 1
    assert all(len(encode_filter(text)) <= MAX_FILTER_LENGTH for text in filters)
    assert all(text.endswith(';Result==Failed;EndTime>="2025-03-14T02:00:00Z"') for text in filters)
    assert sum(text.count('VmDisplayName==') for text in filters) == len(names)


def test_connection_arguments_are_the_connection_options_an_empty_one_absent():
    given = {'url': 'https://em.example.com', 'ca_path': '', 'password': None, 'interval': 5, 'eda_source': 'x'}
    assert session_poller.connection_arguments(given) == {'url': 'https://em.example.com', 'password': None}


class JobSessionQueries(object):
    """A client whose BackupJobSession queries answer from a dict GUID -> JobType, recording each filter."""

    def __init__(self, job_types):
        self.job_types = job_types
        self.filters = []

    def query(self, type_name, filter=None, **_paging):  # pylint: disable=redefined-builtin
        assert type_name == 'BackupJobSession'
        self.filters.append(filter)
        return OnePage([{'UID': 'urn:veeam:BackupJobSession:' + uid, 'JobType': job_type, 'IsRetry': 'false'}
                        for uid, job_type in self.job_types.items() if uid in filter])


class OnePage(object):
    """A query answered in one page (what the reader asks of a QueryPager)."""

    truncated = False

    def __init__(self, entities):
        self.entities = entities

    def iter_pages(self):
        yield self.entities


def sessions_of(*parents):
    """(ended, facts) pairs of finished task sessions, one per parent job session GUID given."""
    ended = parse_em_time(SINCE)
    return [(ended, {'id': guid(n), 'uid': None, 'vm_name': 'vm%d' % n, 'job_session_id': parent, 'end_time': SINCE,
                     'job_type': None, 'is_retry': None})
            for n, parent in enumerate(parents, 1)]


def poller_for(client, **arguments):
    return session_poller.TaskSessionPoller(client, session_poller.parse_arguments(dict(arguments, since=SINCE), session_poller.utc_now()))


def seen_ids(poller):
    return [key[0] for key in poller.seen]


def test_job_type_reads_each_job_session_once_and_asks_again_for_an_unknown_one(caplog):
    copy, backup, unknown = guid(1, prefix='b82e6d04'), guid(2, prefix='b82e6d04'), guid(3, prefix='b82e6d04')
    client = JobSessionQueries({copy: 'BackupCopy', backup: 'Backup'})
    poller = poller_for(client, job_type=['backupcopy'])
    kept = poller.typed(sessions_of(copy, backup, unknown, copy))
    assert [facts['id'] for _ended, facts in kept] == [guid(1), guid(4)]
    assert [(facts['job_type'], facts['is_retry']) for _ended, facts in kept] == [('BackupCopy', False)] * 2
    assert seen_ids(poller) == [guid(2)]  # of another type: dropped for good; the unknown one is asked for again
    assert len(client.filters) == 1 and client.filters[0].count('UID==') == 3
    assert 'did not return the job session of 1 new task session' in caplog.text and guid(3) in caplog.text
    assert 'the next poll asks again' in caplog.text
    kept = poller.typed(sessions_of(copy, unknown))
    assert [facts['id'] for _ended, facts in kept] == [guid(1)]
    assert client.filters[1] == 'UID=="urn:veeam:BackupJobSession:%s"' % unknown  # only the one not known yet


def test_without_job_type_every_session_is_kept_with_its_job_type_an_unknown_parent_as_null(caplog):
    backup, unknown = guid(1, prefix='b82e6d04'), guid(2, prefix='b82e6d04')
    client = JobSessionQueries({backup: 'Backup'})
    poller = poller_for(client)
    caplog.set_level(logging.WARNING, logger='vbr.enterprise_manager.task_sessions')
    kept = poller.typed(sessions_of(backup, unknown))
    typed = [(facts['id'], facts['job_type'], facts['is_retry']) for _ended, facts in kept]
    assert typed == [(guid(1), 'Backup', False), (guid(2), None, None)]
    assert 'They are events with job_type null' in caplog.text and guid(2) in caplog.text
    assert poller.typed(sessions_of(backup, unknown))[1][1]['job_type'] is None
    assert len(client.filters) == 1  # the missing one is not asked for again: it was an event already
    assert poller.types.unreadable == {}  # nothing kept for the warning once it is logged


def test_the_job_session_cache_starts_afresh_past_its_bound(monkeypatch):
    parents = [guid(n, prefix='b82e6d04') for n in range(1, 4)]
    client = JobSessionQueries(dict((uid, 'Backup') for uid in parents))
    poller = poller_for(client)
    monkeypatch.setattr(session_poller, 'MAX_JOB_SESSIONS', 2)
    poller.typed(sessions_of(*parents))
    first = poller.types
    assert len(first.known) == 3
    poller.typed(sessions_of(parents[0]))
    assert poller.types is not first and list(poller.types.known) == [parents[0]]
    assert client.filters[-1] == 'UID=="urn:veeam:BackupJobSession:%s"' % parents[0]  # read again into the fresh cache


def test_job_type_splits_many_job_sessions_over_queries_that_fit():
    parents = [guid(n, prefix='b82e6d04') for n in range(1, 201)]
    client = JobSessionQueries(dict((uid, 'Backup') for uid in parents))
    kept = poller_for(client, job_type=['Backup']).typed(sessions_of(*parents))
    assert len(kept) == 200 and len(client.filters) > 1
    assert all(len(encode_filter(text)) <= MAX_FILTER_LENGTH for text in client.filters)
