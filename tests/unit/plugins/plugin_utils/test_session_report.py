# -*- coding: utf-8 -*-
# Unit tests of the report computation behind the task_session_report filter: compliance verdicts,
# failed sessions, per-day counts, chart geometry, ordering and input validation, on hand-made session
# facts with a fixed clock.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.report_chart import chart_geometry
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.session_report import age_text, build_report

NOW = '2025-08-15T12:00:00Z'
SESSION_KEYS = (
    'id', 'uid', 'name', 'href', 'vm_name', 'vm_uid', 'job_name', 'job_session_id', 'job_session_uid',
    'job_session_name', 'job_type', 'is_retry', 'backup_server_id', 'backup_server_name', 'creation_time', 'end_time', 'duration_seconds',
    'state', 'result', 'reason', 'total_size', 'restore_point_id',
)
_COUNTER = [0]


def session(vm, start, result='Success', state='Completed', job='Job A', reason='', job_type='Backup'):
    """Facts of one task session with every documented key (issue 4)."""
    _COUNTER[0] += 1
    sid = '00000000-0000-4000-8000-%012d' % _COUNTER[0]
    running = state in ('InProgress', 'Pending')
    return {
        'id': sid, 'uid': 'urn:veeam:BackupTaskSession:' + sid, 'name': '%s@%s' % (vm, start[:19].replace('T', ' ')),
        'href': 'https://em.example:9398/api/backupTaskSessions/%s?format=Entity' % sid, 'vm_name': vm, 'vm_uid': None,
        'job_name': job, 'job_session_id': None, 'job_session_uid': None, 'job_session_name': job + '@x',
        'job_type': job_type, 'is_retry': False,
        'backup_server_id': 'b1', 'backup_server_name': 'vbr01', 'creation_time': start,
        'end_time': None if running else start, 'duration_seconds': None if running else 0.0,
        'state': state, 'result': result, 'reason': reason, 'total_size': 0, 'restore_point_id': None,
    }


def verdicts(report):
    return dict((c['vm_name'], c['status']) for c in report['compliance'])


def test_session_helper_has_exactly_the_documented_keys():
    assert tuple(session('a', NOW).keys()) == SESSION_KEYS


def test_compliance_statuses():
    sessions = [
        session('ok1', '2025-08-15T02:00:00.5Z'),
        session('old', '2025-08-13T02:00:00Z'),
        session('failed', '2025-08-15T03:00:00Z', result='Failed', reason='Disk full'),
        session('failed', '2025-08-14T01:00:00Z'),  # success, but 35 hours ago
        session('running', '2025-08-15T11:00:00Z', result='None', state='InProgress'),
        session('warn', '2025-08-15T04:00:00Z', result='Warning', reason='CBT off'),
    ]
    report = build_report({'backup_task_sessions': sessions}, required_vms=['OK1', 'old', 'failed', 'running', 'warn', 'ghost'],
                          since='7d', now=NOW)
    # the verdict's statuses (verdict.py): a warning allowed is compliant with status warning
    assert verdicts(report) == {'OK1': 'ok', 'old': 'stale', 'failed': 'failed', 'running': 'running',
                                'warn': 'warning', 'ghost': 'never'}
    by_vm = dict((c['vm_name'], c) for c in report['compliance'])
    assert 'Disk full' in by_vm['failed']['reason'] and 'ended Failed' in by_vm['failed']['reason']
    assert 'last success started 2025-08-14T01:00:00Z (1d 11h ago)' in by_vm['failed']['reason']
    assert by_vm['old']['reason'].startswith('the last successful backup (job Job A, started 2025-08-13T02:00:00Z, 2d 10h ago)')
    assert by_vm['ghost']['reason'] == 'no backup task session since 2025-08-08T12:00:00Z'
    assert by_vm['OK1']['last_success_time'] == '2025-08-15T02:00:00.500000Z'
    assert by_vm['OK1']['last_success_age_seconds'] == 35999
    # out-of-compliance VMs first, each group by name
    assert [c['vm_name'] for c in report['compliance']] == ['failed', 'ghost', 'old', 'running', 'OK1', 'warn']
    summary = report['summary']
    assert (summary['required_vms'], summary['compliant_vms'], summary['out_of_compliance_vms']) == (6, 2, 4)
    assert summary['out_of_compliance'] == ['failed', 'ghost', 'old', 'running']
    assert summary['passed'] is False


def test_warning_counts_only_when_allowed():
    sessions = [session('vm1', '2025-08-15T04:00:00Z', result='Warning', reason='CBT off')]
    allowed = build_report(sessions, required_vms=['vm1'], now=NOW)
    strict = build_report(sessions, required_vms=['vm1'], allow_warning=False, now=NOW)
    assert verdicts(allowed) == {'vm1': 'warning'} and allowed['compliance'][0]['compliant'] is True
    assert verdicts(strict) == {'vm1': 'warning'} and strict['compliance'][0]['compliant'] is False
    assert 'Warning (warnings do not count as success): CBT off' in strict['compliance'][0]['reason']
    assert strict['settings']['ok_results'] == ['Success']


def test_too_old_without_any_success_names_the_newest_result():
    report = build_report([session('vm1', '2025-08-10T00:00:00Z', result='Failed')], required_vms=['vm1'], max_age='2d', now=NOW)
    entry = report['compliance'][0]
    # the newest finished backup failed: that is the status, however old (docs/verdict.md, precedence)
    assert entry['status'] == 'failed'
    assert entry['reason'] == 'the newest backup (job Job A, started 2025-08-10T00:00:00Z, 5d 12h ago) ended Failed'


def test_max_age_boundary_is_inclusive():
    at_cutoff = build_report([session('vm1', '2025-08-14T12:00:00Z')], required_vms=['vm1'], now=NOW)
    past_cutoff = build_report([session('vm1', '2025-08-14T11:59:59Z')], required_vms=['vm1'], now=NOW)
    assert verdicts(at_cutoff) == {'vm1': 'ok'}
    assert verdicts(past_cutoff) == {'vm1': 'stale'}


def test_until_moves_the_compliance_time():
    sessions = [session('vm1', '2025-08-10T06:00:00Z')]
    report = build_report(sessions, required_vms=['vm1'], until='2025-08-10T20:00:00+02:00', now=NOW)
    assert report['as_of'] == '2025-08-10T18:00:00Z'
    assert report['window'] == {'since': None, 'until': '2025-08-10T18:00:00Z'}
    assert verdicts(report) == {'vm1': 'ok'}


def test_failed_sessions_latest_only_ignores_fixed_failures():
    sessions = [
        session('fixed', '2025-08-15T05:00:00Z'),
        session('fixed', '2025-08-15T04:00:00Z', result='Failed'),
        session('broken', '2025-08-15T05:00:00Z', result='Failed', reason='Timeout'),
        session('broken', '2025-08-15T04:00:00Z'),
        session('broken', '2025-08-15T06:00:00Z', result='None', state='InProgress'),  # a retry is running
        session('broken', '2025-08-15T03:00:00Z', result='Failed', job='Job B'),
    ]
    latest = build_report(sessions, now=NOW)
    assert [(s['vm_name'], s['job_name']) for s in latest['failed_sessions']] == [('broken', 'Job A'), ('broken', 'Job B')]
    assert latest['summary']['failed_sessions'] == 2
    assert latest['summary']['failed_vms'] == ['broken']
    every = build_report(sessions, fail_on_latest_only=False, now=NOW)
    assert [s['creation_time'] for s in every['failed_sessions']] == ['2025-08-15T05:00:00Z', '2025-08-15T04:00:00Z', '2025-08-15T03:00:00Z']
    warnings_too = build_report(sessions + [session('w', '2025-08-15T01:00:00Z', result='Warning')], fail_on_results=['Failed', 'Warning'], now=NOW)
    assert 'w' in warnings_too['summary']['failed_vms']


def test_passes_without_problems_and_counts():
    sessions = [session('vm1', '2025-08-15T01:00:00Z'), session('vm2', '2025-08-14T23:00:00Z', result='Warning', job='Job B')]
    report = build_report({'backup_task_sessions': sessions, 'truncated': False}, required_vms=['vm1', 'vm2'], now=NOW)
    summary = report['summary']
    assert summary['passed'] is True
    assert summary['by_result'] == {'Success': 1, 'Warning': 1, 'Failed': 0}
    assert summary['by_state'] == {'Completed': 2}
    assert (summary['sessions'], summary['vms'], summary['jobs'], summary['backup_servers']) == (2, 2, 2, 1)
    assert report['failed_sessions'] == []
    assert report['warnings'] == []
    assert report['generated_at'] == NOW


def test_per_day_fills_the_window_and_stacks_results():
    sessions = [
        session('a', '2025-08-15T01:00:00Z'), session('b', '2025-08-15T02:00:00Z', result='Failed'),
        session('a', '2025-08-13T23:59:59.9999Z', result='Warning'), session('c', '2025-08-15T03:00:00Z', result='None', state='InProgress'),
    ]
    report = build_report(sessions, since='2025-08-12T06:00:00Z', now=NOW)
    assert report['per_day'] == [
        {'date': '2025-08-12', 'Success': 0, 'Warning': 0, 'Failed': 0, 'Other': 0, 'total': 0},
        {'date': '2025-08-13', 'Success': 0, 'Warning': 1, 'Failed': 0, 'Other': 0, 'total': 1},
        {'date': '2025-08-14', 'Success': 0, 'Warning': 0, 'Failed': 0, 'Other': 0, 'total': 0},
        {'date': '2025-08-15', 'Success': 1, 'Warning': 0, 'Failed': 1, 'Other': 1, 'total': 3},
    ]


def test_chart_geometry_is_proportional_and_stacked():
    per_day = [
        {'date': '2025-08-14', 'Success': 30, 'Warning': 5, 'Failed': 2, 'Other': 0, 'total': 37},
        {'date': '2025-08-15', 'Success': 0, 'Warning': 0, 'Failed': 0, 'Other': 0, 'total': 0},
    ]
    chart = chart_geometry(per_day)
    assert [t['value'] for t in chart['ticks']] == [0, 10, 20, 30, 40]
    assert chart['ticks'][0]['y'] == chart['baseline']
    full, empty = chart['bars']
    assert empty['segments'] == []
    assert [seg['result'] for seg in full['segments']] == ['Success', 'Warning', 'Failed']
    scale = (chart['baseline'] - chart['ticks'][-1]['y']) / 40.0
    for seg in full['segments']:
        assert seg['height'] == pytest.approx(seg['count'] * scale, abs=0.01)
    # stacked: each segment sits on top of the previous one, the first on the baseline
    bottom = chart['baseline']
    for seg in full['segments']:
        assert seg['y'] + seg['height'] == pytest.approx(bottom, abs=0.02)
        bottom = seg['y']
    assert full['x'] + full['width'] <= empty['x']
    assert chart['width'] >= empty['x'] + empty['width']
    assert full['label'] == '08-14' and empty['label'] == '08-15'


def test_jobs_and_vms_list_failures_first():
    sessions = [
        session('good', '2025-08-15T01:00:00Z', job='Alpha'),
        session('zeta', '2025-08-15T01:00:00Z', job='Beta', result='Warning'),
        session('bad', '2025-08-15T01:00:00Z', job='Beta', result='Failed', reason='Snapshot failed'),
        session('also-good', '2025-08-15T01:00:00Z', job='Beta'),
        session('also-good', '2025-08-14T01:00:00Z', job='Beta', result='Failed', reason='Earlier'),
        session('late', '2025-08-15T05:00:00Z', job='Beta', state='InProgress', result='None'),
        session('late', '2025-08-14T05:00:00Z', job='Beta'),
    ]
    jobs = build_report(sessions, now=NOW)['jobs']
    assert [j['job_name'] for j in jobs] == ['Beta', 'Alpha']
    beta = jobs[0]
    # a running session ranks by the newest finished one (late: Success)
    assert [row['vm_name'] for row in beta['vms']] == ['bad', 'zeta', 'also-good', 'late']
    assert beta['by_result'] == {'Success': 2, 'Warning': 1, 'Failed': 2, 'Other': 1}
    also_good = beta['vms'][2]
    assert also_good['latest']['result'] == 'Success'
    assert also_good['last_problem']['reason'] == 'Earlier'
    assert beta['vms'][3]['latest']['state'] == 'InProgress'
    assert beta['vms'][3]['latest_finished']['result'] == 'Success'


def test_warnings_for_short_window_truncation_and_undated_sessions():
    undated = session('x', '2025-08-15T01:00:00Z')
    undated['creation_time'] = None
    report = build_report({'backup_task_sessions': [undated], 'truncated': True}, required_vms=['x'], since='2h', now=NOW)
    text = ' '.join(report['warnings'])
    assert 'truncated' in text
    assert '1 session(s) have no creation time' in text
    assert 'The report window starts at 2025-08-15T10:00:00Z, less than 24h before 2025-08-15T12:00:00Z' in text
    assert report['summary']['truncated'] is True


def test_filters_and_settings_are_echoed():
    report = build_report([], filters={'vm_name': ['a'], 'job_name': [], 'state': None}, max_age=5400, now=NOW, all_sessions=True)
    assert report['filters'] == {'vm_name': ['a']}
    assert report['settings']['max_age'] == '1h 30m'
    assert report['settings']['max_age_seconds'] == 5400
    assert report['jobs'] == [] and report['sessions'] == []


def test_every_session_only_on_request():
    sessions = [session('a', '2025-08-15T01:00:00Z'), session('b', '2025-08-15T03:00:00Z', result='Failed'),
                session('a', '2025-08-14T01:00:00Z', result='Warning')]
    compact = build_report({'backup_task_sessions': sessions}, required_vms=['a'], now=NOW)
    full = build_report({'backup_task_sessions': sessions}, required_vms=['a'], now=NOW, all_sessions='true')
    assert 'sessions' not in compact and compact['settings']['all_sessions'] is False
    assert [s['id'] for s in full['sessions']] == [sessions[1]['id'], sessions[0]['id'], sessions[2]['id']]
    assert full['settings']['all_sessions'] is True
    # the counts and the detail of what needs attention do not depend on it
    for key in ('summary', 'compliance', 'failed_sessions', 'per_day', 'jobs'):
        assert compact[key] == full[key]
    assert compact['summary']['by_result'] == {'Success': 1, 'Warning': 1, 'Failed': 1}
    assert [s['vm_name'] for s in compact['failed_sessions']] == ['b']
    with pytest.raises(EMInputError, match="all_sessions must be true or false, not 'all'"):
        build_report(sessions, now=NOW, all_sessions='all')


@pytest.mark.parametrize('value, seconds', [('24h', 86400), ('30m', 1800), ('7d', 604800), ('2W', 1209600), (' 45 s ', 45), ('90', 90), (90, 90)])
def test_max_age_forms(value, seconds):
    assert build_report([], max_age=value, now=NOW)['settings']['max_age_seconds'] == seconds


@pytest.mark.parametrize('value', ['', '0h', '-1h', '1y', 'soon', True, None])
def test_bad_max_age_is_rejected(value):
    with pytest.raises(EMInputError, match='max_age'):
        build_report([], max_age=value, now=NOW)


@pytest.mark.parametrize('seconds, text', [(0, '0s'), (59, '59s'), (60, '1m'), (3600, '1h'), (3660, '1h 1m'), (86400, '1d'), (93600, '1d 2h')])
def test_age_text(seconds, text):
    assert age_text(seconds) == text


@pytest.mark.parametrize('data', [{'count': 0}, 'text', 5, [1]])
def test_rejects_input_that_is_not_module_facts(data):
    with pytest.raises(EMInputError):
        build_report(data, now=NOW)


@pytest.mark.parametrize('kwargs', [{'since': '2025-08-15T10:00:00'}, {'until': 'yesterday'}, {'required_vms': ['a', ' ']}, {'now': 'later'}])
def test_rejects_bad_options(kwargs):
    with pytest.raises(EMInputError):
        build_report([], **dict({'now': NOW}, **kwargs))


def test_required_vms_are_deduplicated_without_case():
    report = build_report([], required_vms=['dc01', 'DC01', ' dc02 '], now=NOW)
    assert report['settings']['required_vms'] == ['dc01', 'dc02']


def test_string_inputs_from_surveys():
    sessions = [session('vm1', '2025-08-15T04:00:00Z', result='Warning'), session('vm2', '2025-08-15T04:00:00Z', result='Failed')]
    report = build_report(sessions, required_vms='vm1, vm2', allow_warning='false', fail_on_latest_only='no', fail_on_results='Failed,Warning',
                          now=NOW)
    assert report['settings']['required_vms'] == ['vm1', 'vm2']
    assert report['settings']['allow_warning'] is False and report['settings']['fail_on_latest_only'] is False
    assert verdicts(report) == {'vm1': 'warning', 'vm2': 'failed'}
    assert [c['compliant'] for c in report['compliance']] == [False, False]
    assert report['summary']['failed_vms'] == ['vm1', 'vm2']
    assert build_report([], required_vms='', now=NOW)['settings']['required_vms'] == []
    with pytest.raises(EMInputError):
        build_report([], allow_warning='maybe', now=NOW)


def test_a_copy_after_a_failed_backup_never_makes_the_vm_compliant():
    # the headline case: db01's backup failed, a copy job succeeded after it (TotalSize 0); web01's copy failed
    sessions = [
        session('db01', '2025-08-15T05:00:00Z', job='Copy\\Job A', job_type='BackupCopy'),
        session('web01', '2025-08-15T04:30:00Z', job='S3\\Job A', job_type='ImmediateBackupCopyWorker', result='Failed',
                reason='Repository offline'),
        session('db01', '2025-08-15T03:00:00Z', result='Failed', reason='VSS error'),
        session('web01', '2025-08-15T03:00:00Z'),
        session('agent01', '2025-08-15T03:00:00Z', job='Agents', job_type='AgentBackup'),
        session('db01', '2025-08-14T03:00:00Z'),  # 33 hours ago: too old
    ]
    report = build_report({'backup_task_sessions': sessions}, required_vms=['db01', 'web01', 'agent01'], max_age='24h', now=NOW)
    assert verdicts(report) == {'db01': 'failed', 'web01': 'ok', 'agent01': 'ok'}
    db01 = report['compliance'][0]
    assert db01['vm_name'] == 'db01' and 'VSS error' in db01['reason']
    assert db01['latest_session']['job_type'] == 'Backup' and db01['latest_copy_session']['job_type'] == 'BackupCopy'
    assert report['compliance'][2]['latest_copy_session']['result'] == 'Failed'  # web01
    failed = [(s['vm_name'], s['job_type']) for s in report['failed_sessions']]
    assert failed == [('web01', 'ImmediateBackupCopyWorker'), ('db01', 'Backup')]
    assert [(row['vm_name'], row['job_type'], row['latest']['result']) for row in report['copies']] == [
        ('web01', 'ImmediateBackupCopyWorker', 'Failed'), ('db01', 'BackupCopy', 'Success')]
    summary = report['summary']
    assert (summary['passed'], summary['copy_sessions'], summary['failed_copy_sessions']) == (False, 2, 1)
    assert summary['out_of_compliance'] == ['db01']
    assert report['settings']['copy_job_types'] == ['BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker']


def test_a_vm_with_only_copies_has_no_backup_session():
    report = build_report([session('db01', '2025-08-15T05:00:00Z', job='Copy', job_type='BackupCopy')], required_vms=['db01'],
                          now=NOW)
    assert verdicts(report) == {'db01': 'never'}
    assert report['compliance'][0]['latest_copy_session']['result'] == 'Success'


def test_sessions_without_a_job_type_count_as_backups():
    old_facts = dict(session('db01', '2025-08-15T05:00:00Z'))
    del old_facts['job_type']
    assert verdicts(build_report([old_facts], required_vms=['db01'], now=NOW)) == {'db01': 'ok'}


def test_the_gate_judges_the_required_vms_and_the_rest_only_when_asked():
    sessions = [session('db01', '2025-08-15T05:00:00Z'), session('other', '2025-08-15T05:00:00Z', result='Failed'),
                session('copy', '2025-08-15T05:00:00Z', job='Copy', job_type='BackupCopy', result='Failed')]
    required = build_report(sessions, required_vms=['db01'], now=NOW)
    strict = build_report(sessions, required_vms=['db01'], now=NOW, gate_on_failed_sessions='true')
    estate = build_report(sessions, now=NOW)
    assert required['summary']['passed'] is True  # the failures of VMs nobody required are reported ...
    assert required['summary']['failed_vms'] == ['copy', 'other'] and required['compliance'][0]['status'] == 'ok'
    assert strict['summary']['passed'] is False  # ... and fail the gate only with the option
    assert strict['settings']['gate_on_failed_sessions'] is True
    assert estate['summary']['passed'] is False  # no required VMs: the failed sessions are the gate
    assert required['summary']['by_status'] == {'never': 0, 'running': 0, 'failed': 0, 'warning': 0, 'stale': 0,
                                                'no_restore_point': 0, 'ok': 1}


def test_compliance_from_a_backup_vm_info_result_with_its_restore_points():
    sessions = [session('db01', '2025-08-15T05:00:00Z'), session('web01', '2025-08-15T05:00:00Z')]
    vm_info = {'vms': {
        'DB01': {'protected': False, 'status': 'no_restore_point', 'copy_failed': False, 'reason': 'no restore point',
                 'last_success_time': '2025-08-15T05:00:00.000000Z', 'age_seconds': 25200, 'last_restore_point_time': None,
                 'latest': sessions[0], 'latest_copy': None},
        'web01': {'protected': True, 'status': 'ok', 'copy_failed': True, 'reason': 'fine',
                  'last_success_time': '2025-08-15T05:00:00.000000Z', 'age_seconds': 25200,
                  'last_restore_point_time': '2025-08-15T05:01:00.000000Z', 'latest': sessions[1], 'latest_copy': None},
    }, 'settings': {'require_restore_point': True, 'fail_on_copy': False}}
    report = build_report(sessions, required_vms=['db01', 'web01'], now=NOW, verdicts=vm_info)
    by_vm = dict((c['vm_name'], c) for c in report['compliance'])
    assert [c['vm_name'] for c in report['compliance']] == ['db01', 'web01']
    assert (by_vm['db01']['status'], by_vm['db01']['compliant'], by_vm['db01']['reason']) == ('no_restore_point', False, 'no restore point')
    assert by_vm['web01']['last_restore_point_time'] == '2025-08-15T05:01:00.000000Z' and by_vm['web01']['copy_failed'] is True
    assert by_vm['web01']['last_success_time'] == '2025-08-15T05:00:00Z'
    assert by_vm['db01']['latest_session']['id'] == sessions[0]['id']
    assert report['settings']['require_restore_point'] is True
    assert report['summary']['out_of_compliance'] == ['db01']
    with pytest.raises(EMInputError, match='no verdict of the required VM'):
        build_report(sessions, required_vms=['db01', 'fs01'], now=NOW, verdicts=vm_info)
    with pytest.raises(EMInputError, match='result of backup_vm_info'):
        build_report(sessions, required_vms=['db01'], now=NOW, verdicts={'count': 0})
