# -*- coding: utf-8 -*-
# Unit tests of the job query types on the reader (job_facts.JOBS, JOB_RUNS), backup_job_info's Selection
# (job_info.JOB_SELECTION) and the VM name resolution of quick_backup (quick_backup_targets.resolve_names), against
# the fake query client: which filters EM is asked, which rows are kept, and the warning for rows EM should not have sent.

from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import JOBS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_info import JOB_SELECTION
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_lookup import find_jobs, job_selection, recent_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.quick_backup_targets import resolve_names
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import build_selection
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import SERVER_ID, SERVER_NAME, task_session
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_jobs_stub import guid, job_entity, session_entity
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_restore_points import hierarchy_ref, restore_point
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.fake_query_client import FakeQueryClient


def selection(**values):
    return build_selection(JOB_SELECTION, values)


def test_the_job_selection_is_canonical_and_checked_before_any_request():
    chosen = selection(name=['Nightly', 'Nightly'], job_type=['backupcopy', 'AGENTBACKUP'], schedule_enabled=False,
                       id=['urn:veeam:Job:%s' % guid(7).upper()])
    assert chosen.job_names == ['Nightly']
    assert chosen.job_types == ['BackupCopy', 'AgentBackup']
    assert chosen.schedule_enabled is False and chosen.schedule_states == ['false']
    assert chosen.ids == [guid(7)]
    with pytest.raises(EMInputError, match='job_type'):
        selection(job_type=['Copy'])
    with pytest.raises(EMInputError, match='backup_server_name'):
        selection(backup_server_name=['vbr01', ''])


def test_the_job_filter_asks_only_for_what_the_query_type_job_covers():
    text = JOBS.filter_text(selection(name=['A', 'B'], backup_server_name=['vbr01'], job_type=['Backup', 'AgentBackup'],
                                      schedule_enabled=True))
    assert text == '(Name=="A",Name=="B");BackupServerName=="vbr01";JobType==Backup;ScheduleEnabled==true'
    assert JOBS.filter_text(selection()) == ''


def test_a_job_em_should_not_have_returned_is_left_out_with_a_warning():
    rows = [job_entity(guid(1), name='Nightly'), job_entity(guid(2), name='Weekly'),
            job_entity(guid(3), name='Nightly', schedule_enabled=False)]
    client = FakeQueryClient(lambda type_name, filter_text: rows)
    found = find_jobs(client, job_selection(['nightly'], job_types=['Backup'], schedule_enabled=True))
    assert [job['id'] for job in found] == [guid(1)]
    assert found[0]['_entity'] is rows[0]  # the action links stay with the facts
    assert client.queries == [('Job', 'Name=="nightly";JobType==Backup;ScheduleEnabled==true', 'Name', 100, None)]
    assert len(client.warnings) == 1
    assert 'returned 2 job(s)' in client.warnings[0] and 'Weekly' in client.warnings[0]


def test_recent_sessions_read_the_newest_runs_of_the_job_by_its_uid():
    job = {'id': guid(1), 'uid': 'urn:veeam:Job:%s' % guid(1)}
    entity = job_entity(guid(1))
    runs = [session_entity(guid(20 + n), entity, '2025-10-12T1%d:00:00Z' % n) for n in (3, 2)]
    client = FakeQueryClient(lambda type_name, filter_text: runs)
    sessions = recent_sessions(client, job, count=2)
    assert [s['id'] for s in sessions] == [guid(23), guid(22)]
    assert client.queries == [('BackupJobSession', 'JobUid=="urn:veeam:Job:%s"' % guid(1), 'CreationTime', 3, 2)]


def test_vm_names_resolve_to_the_vm_uid_of_their_newest_task_session_else_of_their_newest_restore_point():
    rows = [task_session(1, vm='db01', vm_uid='urn:VMware:Vm:x.vm-2'), task_session(2, vm='DB01', vm_uid='urn:VMware:Vm:x.vm-1'),
            task_session(3, vm='web01', vm_uid=None), task_session(4, vm='app01', vm_uid=None)]
    points = [restore_point(5, vm='web01', created='2025-03-14T02:17:55Z'), restore_point(6, vm='web01', created='2025-03-13T02:17:55Z')]
    client = FakeQueryClient(lambda type_name, filter_text: points if type_name == 'VmRestorePoint' else rows)
    db, web, app, gone = resolve_names(client, ['db01', 'web01', 'app01', 'gone01'])
    assert (db.vm_ref, db.error) == ('urn:VMware:Vm:x.vm-2', None)
    assert (web.vm_ref, web.server_name, web.error, web.done) == (hierarchy_ref('web01'), SERVER_NAME, None, False)
    assert web.server_id == SERVER_ID
    assert app.vm_ref is None and app.done and 'neither a task session with a VM reference (VmUid) nor a VM restore point' in app.error
    assert gone.done and 'gone01' in gone.error
    # Restore points only for the names no task session resolved, OR'd in one filter.
    assert [query[:2] for query in client.queries] == [
        ('BackupTaskSession', '(VmDisplayName=="app01",VmDisplayName=="db01",VmDisplayName=="gone01",VmDisplayName=="web01")'),
        ('VmRestorePoint', '(VmDisplayName=="app01",VmDisplayName=="gone01",VmDisplayName=="web01")')]
    assert client.warnings == []


def test_vm_names_all_resolved_by_task_sessions_read_no_restore_point():
    client = FakeQueryClient(lambda type_name, filter_text: [task_session(1, vm='db01', vm_uid='urn:VMware:Vm:x.vm-2')])
    (db,) = resolve_names(client, ['DB01'])
    assert (db.name, db.vm_ref) == ('DB01', 'urn:VMware:Vm:x.vm-2')
    assert [query[0] for query in client.queries] == ['BackupTaskSession']
