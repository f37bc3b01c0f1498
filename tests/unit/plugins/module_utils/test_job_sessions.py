# -*- coding: utf-8 -*-
# Unit tests of job types: the job_type values, which types are copies, and how task sessions get the
# job type and retry flag of their job sessions (one window query, UID filters for the rest), the
# job_type selection, latest_per_vm per VM and job type, and the early stop for named VMs.

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import COPY_JOB_TYPES, JOB_TYPES, is_copy, normalize_job_types
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    expect_logoff,
    expect_logon,
    guid,
    page,
    query_url_path,
    query_with,
    task_session,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import (
    expect_job_sessions,
    job_session,
)

NOW = datetime(2025, 3, 15, 0, 0, 0, tzinfo=timezone.utc)
JS = 'urn:veeam:BackupJobSession:'


def parent(n):
    return guid(n, prefix='b82e6d04')


def session(n, minute, job_session_n=None, **kwargs):
    kwargs.setdefault('vm_uid', 'urn:VMware:Vm:x.' + kwargs.get('vm', 'ledgerdb01').lower())
    kwargs.setdefault('created', '2025-03-14T01:%02d:00Z' % minute)
    kwargs.setdefault('ended', '2025-03-14T01:%02d:30Z' % minute)
    return task_session(n, job_session=parent(job_session_n or n), **kwargs)


def run(make_client, criteria):
    with make_client() as client:
        return search_task_sessions(client, criteria, now=NOW)


def test_job_type_values_in_any_letter_case():
    assert normalize_job_types(['backupcopy', 'BACKUP', 'BackupCopy', ' agentbackup ']) == ['BackupCopy', 'Backup', 'AgentBackup']
    with pytest.raises(EMInputError) as caught:
        normalize_job_types(['Replica'])
    assert "job_type value 'Replica'" in str(caught.value)
    for name in JOB_TYPES:
        assert name in str(caught.value)
    assert 'cannot be selected' in str(caught.value)
    with pytest.raises(EMInputError, match="job_type value 'copy'"):
        task_session_selection({'job_type': ['Backup', 'copy']})


def test_copies_are_exactly_the_three_copy_types():
    assert [name for name in JOB_TYPES if is_copy(name)] == list(COPY_JOB_TYPES)
    assert is_copy('immediatebackupcopyworker') and not is_copy(None) and not is_copy('Replica') and not is_copy('AgentBackup')


def test_a_window_gets_its_job_sessions_in_one_query_and_earlier_parents_by_uid(em, make_client):
    # the job of session 2 started before the window (23:59 for a task of 00:01): found by its UID
    window = 'CreationTime>="2025-03-14T00:00:00Z"'
    expect_logon(em)
    em.expect('GET', query_with(window), **page([session(1, 9), session(2, 1)]))
    expect_job_sessions(em, [job_session(parent(1), 'BackupCopy', is_retry=True)], check=lambda text: _is(text, window))
    expect_job_sessions(em, [job_session(parent(2), 'Backup', created='2025-03-13T23:59:00Z')],
                        check=lambda text: _is(text, 'UID=="%s%s"' % (JS, parent(2))))
    expect_logoff(em)
    result = run(make_client, {'since': '2025-03-14T00:00:00Z'})
    assert [(s['id'], s['job_type'], s['is_retry']) for s in result['backup_task_sessions']] == [
        (guid(1), 'BackupCopy', True), (guid(2), 'Backup', False)]


def _is(text, expected):
    assert text == expected


def test_a_selection_by_id_reads_the_job_sessions_by_uid_only(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('UID=="urn:veeam:BackupTaskSession:%s"' % guid(1)), **page([session(1, 9)]))
    expect_job_sessions(em, [job_session(parent(1), 'AgentBackup')], check=lambda text: _is(text, 'UID=="%s%s"' % (JS, parent(1))))
    expect_logoff(em)
    assert run(make_client, {'id': [guid(1)]})['backup_task_sessions'][0]['job_type'] == 'AgentBackup'


def test_a_parent_em_does_not_return_gives_null_and_a_warning(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None), **page([session(1, 9, vm='db01'), session(2, 8, vm='web01')]))
    expect_job_sessions(em, [job_session(parent(1), 'Backup')])
    expect_job_sessions(em, [], check=lambda text: _is(text, 'UID=="%s%s"' % (JS, parent(2))))
    expect_logoff(em)
    with make_client() as client:
        result = search_task_sessions(client, {}, now=NOW)
        warnings = list(client.warnings)
        del client.warnings[:]
    assert [s['job_type'] for s in result['backup_task_sessions']] == ['Backup', None]
    assert result['backup_task_sessions'][1]['is_retry'] is None
    assert len(warnings) == 1
    assert 'did not return the job session of 1 task session(s)' in warnings[0]
    assert 'web01 (id %s, job session %s)' % (guid(2), parent(2)) in warnings[0] and 'primary backups' in warnings[0]


def test_job_type_filters_the_job_session_queries_and_keeps_the_matching_task_sessions(em, make_client):
    window = 'CreationTime>="2025-03-14T00:00:00Z"'
    types = '(JobType==BackupCopy,JobType==ImmediateBackupCopyWorker)'
    expect_logon(em)
    em.expect('GET', query_with(window), **page([session(1, 9), session(2, 8), session(3, 7)]))
    expect_job_sessions(em, [job_session(parent(1), 'BackupCopy')], check=lambda text: _is(text, window + ';' + types))
    # the others may have started before the window: asked for by UID, with the same job types
    expect_job_sessions(em, [], check=lambda text: _is(text, '(UID=="%s%s",UID=="%s%s");%s' % (JS, parent(2), JS, parent(3), types)))
    expect_logoff(em)
    result = run(make_client, {'since': '2025-03-14T00:00:00Z', 'job_type': ['backupcopy', 'IMMEDIATEBACKUPCOPYWORKER']})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1)]  # no warning: not selected
    assert result['count'] == 1


def test_job_type_with_a_limit_reads_pages_until_enough_were_selected(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None, 2, 1), **page([session(1, 9), session(2, 8)], page=1, pages=3, page_size=2))
    expect_job_sessions(em, [job_session(parent(1), 'BackupCopy'), job_session(parent(2), 'BackupCopy')])
    em.expect('GET', query_with(None, 2, 2), **page([session(3, 7), session(4, 6)], page=2, pages=3, page_size=2))
    expect_job_sessions(em, [job_session(parent(3), 'Backup'), job_session(parent(4), 'Backup')])
    em.expect('GET', query_with(None, 2, 3), **page([session(5, 5)], page=3, pages=3, page_size=2))
    expect_job_sessions(em, [job_session(parent(5), 'Backup')])
    expect_logoff(em)
    result = run(make_client, {'job_type': ['Backup'], 'limit': 2, 'page_size': 2})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(3), guid(4)]
    assert result['truncated'] is True


def test_latest_per_vm_keeps_the_failed_backup_beside_the_later_copy(em, make_client):
    # the headline case: the backup failed, a copy job succeeded after it; both are returned, so
    # "every latest result is Success" fails, and a failed copy of another VM is there too
    window = 'CreationTime>="2025-03-14T00:00:00Z"'
    expect_logon(em)
    em.expect('GET', query_with(window), **page([
        session(1, 30, vm='db01', result='Success', total_size=0, restore_point=None, job='Copy\\Nightly'),
        session(2, 20, vm='web01', result='Failed', job='Copy\\Nightly', job_session_n=1),
        session(3, 10, vm='db01', result='Failed'), session(4, 9, vm='web01', job_session_n=3),
        session(5, 5, vm='db01', job_session_n=9)]))
    expect_job_sessions(em, [job_session(parent(1), 'BackupCopy', job_name='Copy\\Nightly'), job_session(parent(3), 'Backup'),
                             job_session(parent(9), 'Backup')])
    expect_logoff(em)
    result = run(make_client, {'since': '2025-03-14T00:00:00Z', 'latest_per_vm': True})
    latest = [(s['vm_name'], s['job_type'], s['result']) for s in result['backup_task_sessions']]
    assert latest == [('db01', 'BackupCopy', 'Success'), ('web01', 'BackupCopy', 'Failed'), ('db01', 'Backup', 'Failed'),
                      ('web01', 'Backup', 'Success')]
    assert result['summary']['by_result']['Failed'] == 2


def test_named_vms_stop_after_the_page_where_each_had_a_primary_backup(em, make_client):
    # newest first: the first page holds only db01's copies, the second its backup; the third is not read
    names = 'VmDisplayName=="db01"'
    expect_logon(em)
    em.expect('GET', query_with(names, 2, 1), **page([session(1, 9, vm='db01'), session(2, 8, vm='db01', job_session_n=1)],
                                                     page=1, pages=3, page_size=2, next_path=query_url_path(2, 2, encode_filter(names))))
    expect_job_sessions(em, [job_session(parent(1), 'ImmediateBackupCopyWorker')])
    em.expect('GET', query_with(names, 2, 2), **page([session(3, 7, vm='DB01', result='Failed'), session(4, 6, vm='db01')],
                                                     page=2, pages=3, page_size=2, next_path=query_url_path(3, 2, encode_filter(names))))
    expect_job_sessions(em, [job_session(parent(3), 'Backup'), job_session(parent(4), 'Backup')])
    expect_logoff(em)
    result = run(make_client, {'vm_name': ['db01'], 'latest_per_vm': True, 'page_size': 2})
    assert [(s['id'], s['job_type']) for s in result['backup_task_sessions']] == [(guid(1), 'ImmediateBackupCopyWorker'),
                                                                                  (guid(3), 'Backup')]
    assert result['truncated'] is False


def test_named_vms_with_copy_job_types_wait_for_a_copy(em, make_client):
    names = 'VmDisplayName=="db01"'
    expect_logon(em)
    em.expect('GET', query_with(names, 2, 1), **page([session(1, 9, vm='db01'), session(2, 8, vm='db01')], page=1, pages=2,
                                                     page_size=2))
    expect_job_sessions(em, [job_session(parent(1), 'BackupCopy')], check=lambda text: ';JobType==BackupCopy;' in text)
    expect_job_sessions(em, [], check=lambda text: text.startswith('UID=="%s%s"' % (JS, parent(2))))
    expect_logoff(em)
    result = run(make_client, {'vm_name': ['db01'], 'latest_per_vm': True, 'page_size': 2, 'job_type': ['BackupCopy']})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1)]
