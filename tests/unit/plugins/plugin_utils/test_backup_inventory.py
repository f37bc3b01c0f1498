# -*- coding: utf-8 -*-
# Unit tests of what the backup_vms inventory computes (plugin_utils/backup_inventory.py): the options
# checked before any request, vbr_em per VM as the verdict (a copy job's success after a failed backup never
# protects a VM; restore points read only where they can change it), exactly one state group per host, host
# names without silent merges, and the cache entry (no secret, other options are a miss).

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import COPY_JOB_TYPES, JOB_TYPES, is_copy
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import parse_em_time
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import backup_inventory as bi

NOW = datetime(2025, 3, 14, 12, 0, 0, tzinfo=timezone.utc)
URL = 'https://EM01.example.com'


def settings(**options):
    return bi.prepare_inventory(options, url=URL, username='CORP\\svc', now=NOW)


def fact(n, vm='db01', created='2025-03-14T02:00:00.000000Z', result='Success', state='Completed', job='Nightly', job_type=None,
         vm_uid='urn:VMware:Vm:1', server='vbr01'):
    # facts as the selection gives them inside the collection: times as datetimes
    return {'id': 'id-%d' % n, 'vm_name': vm, 'vm_uid': vm_uid, 'job_name': job, 'job_type': job_type, 'creation_time': parse_em_time(created),
            'result': result, 'state': state, 'backup_server_name': server}


class Points(object):
    """A restore point reader for read_vms: each machine asked for has a point `hours_ago` before NOW (None: none)."""

    def __init__(self, hours_ago=1):
        self.hours_ago = hours_ago
        self.asked = []

    def __call__(self, client, vm_names, computer_names, rules, every):
        self.asked.append((list(vm_names), list(computer_names), rules.since, every))
        if self.hours_ago is None:
            return []
        return [{'vm_name': name, 'creation_time': NOW - timedelta(hours=self.hours_ago), 'kind': 'vm'} for name in vm_names]


def vms_of(sessions, points=None, **options):
    """read_vms over these sessions (the search returns them), with a restore point reader."""
    ordered = sorted(sessions, key=lambda facts: facts['creation_time'], reverse=True)

    def search(client, selection, **_kwargs):
        return {'backup_task_sessions': ordered}
    original = bi.search_task_sessions
    bi.search_task_sessions = search
    try:
        return bi.read_vms(None, settings(**options), points or Points())
    finally:
        bi.search_task_sessions = original


def one_vm(*sessions, **options):
    vms = vms_of(sessions, **options)
    assert len(vms) == 1
    return vms[0]


# --- job types ---------------------------------------------------------------------------------------

def test_copy_types_are_exactly_the_three_copy_jobs_in_any_case():
    assert [t for t in JOB_TYPES if is_copy(t)] == list(COPY_JOB_TYPES)
    assert is_copy('immediatebackupcopyworker') and not is_copy(None) and not is_copy('SomethingNew') and not is_copy('AgentBackup')


# --- settings ----------------------------------------------------------------------------------------

def test_defaults_are_seven_days_24_hours_and_warnings_allowed():
    s = settings()
    assert s.search.since == datetime(2025, 3, 7, 12, 0, 0, tzinfo=timezone.utc)
    assert (s.search.max_age, s.search.allow_warning, s.search.job_types, s.em_host) == (86400, True, [], 'em01.example.com')
    assert (s.search.rules.require_restore_point, s.search.rules.fail_on_copy) == (True, False)
    assert s.search.filters == ['CreationTime>="2025-03-07T12:00:00Z"']


def test_narrowing_options_reach_the_em_filter_and_job_type_is_normalised():
    s = settings(job_name=['SQL'], vm_name=['db01'], backup_server_name=['vbr01'], job_type=['backup', 'BACKUPCOPY', 'Backup'])
    assert s.search.job_types == ['Backup', 'BackupCopy']
    assert 'JobName=="SQL"' in s.search.filters[0] and 'VmDisplayName=="db01"' in s.search.filters[0]
    assert 'BackupServerName=="vbr01"' in s.search.filters[0]


@pytest.mark.parametrize('options, words', [
    ({'since': 'yesterday'}, "since value 'yesterday' is not a time"),
    ({'job_type': ['Copy']}, "job_type value 'Copy' is not a job type"),
    ({'max_age': 'a day'}, "max_age 'a day' is not an age"),
    ({'max_age': '0h'}, 'max_age must be longer than zero'),
    ({'allow_warning': 'maybe'}, 'allow_warning.*not a valid boolean'),
    ({'vm_name': ['']}, 'vm_name option contains an empty value'),
])
def test_bad_options_fail_before_any_request(options, words):
    with pytest.raises(EMInputError, match=words):
        settings(**options)


def test_fingerprint_has_no_password_and_survives_json():
    s = settings(job_name=['SQL'])
    assert json.loads(json.dumps(s.fingerprint)) == s.fingerprint
    assert s.fingerprint['url'] == 'https://em01.example.com:9398' and 'password' not in s.fingerprint


# --- vbr_em and the groups ---------------------------------------------------------------------------

def test_newest_success_within_max_age_with_a_restore_point_is_ok_and_protected():
    vm = one_vm(fact(2, created='2025-03-14T02:00:00.000000Z'), fact(1, created='2025-03-13T02:00:00.000000Z', result='Failed'))
    assert (vm['status'], vm['protected'], vm['backed_up']) == ('ok', True, True)
    assert vm['latest']['id'] == 'id-2' and vm['last_success_time'] == '2025-03-14T02:00:00.000000Z'
    assert vm['last_restore_point_time'] == '2025-03-14T11:00:00.000000Z' and vm['age_seconds'] == 10 * 3600
    assert (vm['sessions'], vm['jobs'], vm['backup_servers'], vm['enterprise_manager']) == (2, ['Nightly'], ['vbr01'], 'em01.example.com')
    assert vm['synced_at'] == '2025-03-14T12:00:00.000000Z' and vm['latest_copy'] is None
    assert bi.host_groups(vm) == ['backup_ok', 'backup_protected', 'vbr_em_synced']


def test_a_success_without_a_restore_point_is_not_protected():
    vm = one_vm(fact(1), points=Points(None))
    assert (vm['status'], vm['protected']) == ('no_restore_point', False)
    assert bi.host_groups(vm) == ['backup_no_restore_point', 'vbr_em_synced']
    assert one_vm(fact(1), points=Points(None), require_restore_point=False)['status'] == 'ok'


def test_restore_points_are_read_only_for_the_vms_the_sessions_would_protect():
    points = Points()
    vms = vms_of([fact(1, vm='good', vm_uid='u1'), fact(2, vm='bad', vm_uid='u2', result='Failed')], points=points)
    assert points.asked == [(['good'], [], datetime(2025, 3, 7, 12, 0, 0, tzinfo=timezone.utc), True)]
    assert [vm['status'] for vm in vms] == ['failed', 'ok']


def test_failed_primary_backup_stays_failed_whatever_a_copy_job_did_afterwards():
    vm = one_vm(fact(3, created='2025-03-14T04:00:00.000000Z', job='Copy', job_type='ImmediateBackupCopyWorker'),
                fact(2, created='2025-03-14T02:00:00.000000Z', result='Failed', job_type='Backup'),
                fact(1, created='2025-03-13T20:00:00.000000Z', job_type='Backup'))
    assert vm['latest']['id'] == 'id-2' and vm['latest_copy']['id'] == 'id-3'
    assert vm['backed_up'] is False and vm['last_result'] == 'Failed' and vm['status'] == 'failed'
    assert vm['job_types'] == ['Backup', 'ImmediateBackupCopyWorker']
    assert bi.host_groups(vm) == ['backup_failed', 'vbr_em_synced']  # exactly one state group


def test_failed_copy_is_visible_beside_a_good_backup():
    vm = one_vm(fact(2, created='2025-03-14T04:00:00.000000Z', result='Failed', job_type='BackupCopy'), fact(1, job_type='Backup'))
    assert bi.host_groups(vm) == ['backup_ok', 'backup_protected', 'backup_copy_failed', 'vbr_em_synced']
    assert bi.host_groups(one_vm(fact(2, created='2025-03-14T04:00:00.000000Z', result='Failed', job_type='BackupCopy'),
                                 fact(1, job_type='Backup'), fail_on_copy=True)) == ['backup_failed', 'backup_copy_failed', 'vbr_em_synced']


def test_a_vm_with_copies_only_is_never_backed_up():
    vm = one_vm(fact(1, job_type='BackupCopy'))
    assert vm['latest']['id'] == 'id-1' and vm['latest_copy']['id'] == 'id-1'
    assert (vm['backed_up'], vm['last_result'], vm['last_success_time'], vm['status']) == (False, None, None, 'never')
    assert bi.host_groups(vm) == ['backup_never', 'vbr_em_synced']


def test_running_backup_keeps_the_restore_point_of_the_one_before():
    vm = one_vm(fact(2, created='2025-03-14T11:00:00.000000Z', result='None', state='InProgress'), fact(1))
    assert vm['latest']['id'] == 'id-2' and vm['running'] is True and vm['last_result'] == 'Success'
    assert bi.host_groups(vm) == ['backup_ok', 'backup_protected', 'vbr_em_synced']
    first = one_vm(fact(1, created='2025-03-14T11:00:00.000000Z', result='None', state='InProgress'))
    assert bi.host_groups(first) == ['backup_running', 'vbr_em_synced']


def test_old_success_is_stale_and_max_age_moves_the_line():
    old = fact(1, created='2025-03-12T11:00:00.000000Z')
    assert bi.host_groups(one_vm(old, points=Points(49))) == ['backup_stale', 'vbr_em_synced']
    assert bi.host_groups(one_vm(old, points=Points(49), max_age='3d')) == ['backup_ok', 'backup_protected', 'vbr_em_synced']


def test_warning_is_protected_unless_allow_warning_is_false():
    warned = fact(1, result='Warning')
    assert bi.host_groups(one_vm(warned)) == ['backup_warning', 'backup_protected', 'vbr_em_synced']
    assert bi.host_groups(one_vm(warned, allow_warning=False)) == ['backup_warning', 'vbr_em_synced']


def test_every_status_is_one_state_group():
    assert bi.STATE_GROUPS == ('backup_ok', 'backup_no_restore_point', 'backup_stale', 'backup_warning', 'backup_failed',
                               'backup_running', 'backup_never')


def test_vms_are_told_apart_by_uid_and_sorted():
    vms = vms_of([fact(1, vm='web', vm_uid='u2'), fact(2, vm='app', vm_uid='u3'), fact(3, vm='web', vm_uid='u1'),
                  fact(4, vm='agent', vm_uid=None)])
    assert [(vm['vm_name'], vm['vm_uid']) for vm in vms] == [('agent', None), ('app', 'u3'), ('web', 'u1'), ('web', 'u2')]


def test_job_type_reaches_the_selection_normalised(monkeypatch):
    asked = []
    monkeypatch.setattr(bi, 'search_task_sessions', lambda client, search, **_kwargs: asked.append(search) or {'backup_task_sessions': []})
    assert bi.read_vms(None, settings(job_type=['backup', 'IMMEDIATEBACKUPCOPY'])) == []
    assert asked[0].job_types == ['Backup', 'ImmediateBackupCopy']


# --- host names --------------------------------------------------------------------------------------

def _names(*templates):
    return lambda vm: [name for name in (t(vm) for t in templates) if name]


def test_first_non_empty_name_wins():
    vms = [{'vm_name': 'db01', 'vm_uid': 'u1'}, {'vm_name': '', 'vm_uid': 'u2'}]
    warnings = []
    hosts = bi.assign_host_names(vms, _names(lambda vm: vm['vm_name'], lambda vm: 'vm-' + vm['vm_uid']), warnings.append)
    assert [name for name, _vm in hosts] == ['db01', 'vm-u2'] and warnings == []


def test_duplicate_names_are_never_merged():
    vms = [{'vm_name': 'web', 'vm_uid': 'u1'}, {'vm_name': 'web', 'vm_uid': 'u2'}, {'vm_name': 'web', 'vm_uid': 'u3'}]
    warnings = []
    hosts = bi.assign_host_names(vms, _names(lambda vm: vm['vm_name'], lambda vm: vm['vm_name'] + '_2'), warnings.append)
    assert [(name, vm['vm_uid']) for name, vm in hosts] == [('web', 'u1'), ('web_2', 'u2')]
    assert "would both be host 'web'; the second one is host 'web_2'" in warnings[0]
    assert "VM 'web' (vm_uid u3) is left out: its host name 'web' is taken by VM 'web' (vm_uid u1)" in warnings[1]
    assert 'hostnames' in warnings[1]


def test_vm_without_any_name_is_left_out_with_a_warning():
    warnings = []
    assert bi.assign_host_names([{'vm_name': None, 'vm_uid': 'u1'}], lambda vm: [], warnings.append) == []
    assert warnings == ["VM None (vm_uid u1) is left out: no hostnames template gave it a name."]


# --- cache -------------------------------------------------------------------------------------------

def test_cache_entry_is_used_only_with_the_same_options():
    vms = vms_of([fact(1)])
    entry = json.loads(json.dumps(bi.cache_entry(settings(), vms)))
    assert bi.cached_vms(entry, settings()) == vms
    assert bi.cached_vms(entry, settings(max_age='2d')) is None
    assert bi.cached_vms(entry, bi.prepare_inventory({}, url=URL, username='other', now=NOW)) is None
    assert bi.cached_vms(dict(entry, format=0), settings()) is None
    assert bi.cached_vms('garbage', settings()) is None


@pytest.mark.parametrize('value, shown, quoted', [
    (datetime(2025, 9, 12, 14, 0, tzinfo=timezone.utc), '2025-09-12T14:00:00Z', 'since: "2025-09-12T14:00:00Z"'),
    (datetime(2025, 9, 12, 14, 0), '2025-09-12T14:00:00', 'since: "2025-09-12T14:00:00Z"'),  # no zone: UTC, as EM's times
    (datetime(2025, 9, 12).date(), '2025-09-12', 'since: "2025-09-12T00:00:00Z"'),  # a date alone: a complete time
])
def test_an_unquoted_time_is_named_with_the_quoted_value(value, shown, quoted):
    error = bi.unquoted_time_error({'plugin': 'vbr.enterprise_manager.backup_vms', 'max_age': '24h', 'since': value})
    assert isinstance(error, EMInputError)
    assert 'The since value %s in the inventory source is unquoted' % shown in error.full_message
    assert 'Quote it: %s.' % quoted in error.full_message


def test_an_unquoted_date_in_a_list_keeps_its_text():
    error = bi.unquoted_time_error({'job_name': ['Nightly', datetime(2024, 1, 1).date()]})
    assert 'Quote it: job_name: "2024-01-01".' in error.full_message


@pytest.mark.parametrize('config', [{'since': '2025-09-12T14:00:00Z', 'job_name': ['2024'], 'timeout': 30}, None, ['since']])
def test_no_unquoted_time_no_explanation(config):
    assert bi.unquoted_time_error(config) is None
