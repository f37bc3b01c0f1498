# -*- coding: utf-8 -*-
# The task_session_report role against the EM simulator through the real backup_task_session_info module, with
# the connection only in VEEAM_EM_* variables, from a play over two inventory hosts. The verdicts are checked
# against the sessions the module returned, with the rule written the other way round ("did the newest finished
# backup of the VM succeed within max_age, with a restore point?"), and the password must not show up even at -vvv.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

EM_PASSWORD = 'ansible-demo'
COPY_JOB_TYPES = ('BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker')
EM_USERNAME = 'EM\\ansible'


def _utc(text):
    return datetime.strptime(text[:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=timezone.utc)


def latest_per_vm(run_playbook, em_env, out_file):
    """The module's newest task session of every VM (since 7d), read through a playbook."""
    result = run_playbook('latest_per_vm.yml', {'out_file': str(out_file)}, env=em_env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(out_file.read_text(encoding='utf-8'))


@pytest.fixture(scope='module')
def em_report(run_playbook, em_env, simulator, tmp_path_factory):
    latest = latest_per_vm(run_playbook, em_env, tmp_path_factory.mktemp('latest') / 'latest.json')
    failed = sorted(s['vm_name'] for s in latest if s['result'] == 'Failed')[:3]
    succeeded = sorted(s['vm_name'] for s in latest if s['result'] == 'Success')[:3]
    assert failed and succeeded, 'the simulator data should hold VMs whose latest session failed and succeeded'
    # the headline case of the real job mix: the newest backup failed, a copy job succeeded after it
    headline = simulator.catalog()['samples']['copy_after_failed_backup']
    required = failed + succeeded + [headline['vm_name'], 'no-such-vm-x2']
    report_dir = tmp_path_factory.mktemp('em-report')
    logons_before = simulator.stats()['logons']
    result = run_playbook('report_from_em.yml', {'required_vms': required, 'since': '7d', 'max_age': '24h', 'report_dir': str(report_dir),
                                                 'gate': True, 'all_sessions': True, 'gate_on_failed_sessions': True},
                          env=em_env, inventory='inventory.ini', verbosity=3)
    report = json.loads((report_dir / 'task_session_report.json').read_text(encoding='utf-8'))
    stats = simulator.stats()
    return {'dir': report_dir, 'run': result, 'report': report, 'required': required, 'stats': stats,
            'logons': stats['logons'] - logons_before, 'catalog': simulator.catalog()}


def test_compliance_matches_the_sessions(em_report):
    report = em_report['report']
    assert report['settings']['all_sessions'] is True  # the full list, asked for: the checks below read it
    as_of = _utc(report['as_of'])
    cutoff = as_of - timedelta(hours=24)
    by_vm = dict((c['vm_name'], c) for c in report['compliance'])
    expected = {}
    for vm in em_report['required']:
        # a VM's own backups only: a backup copy job's session never makes it compliant; the newest finished one
        # decides (docs/verdict.md), and its restore point must be within max_age too
        own = [s for s in report['sessions'] if s['vm_name'].lower() == vm.lower() and s['job_type'] not in COPY_JOB_TYPES
               and s['state'] == 'Completed']
        point = by_vm[vm]['last_restore_point_time']
        expected[vm] = bool(own) and own[0]['result'] in ('Success', 'Warning') and _utc(own[0]['creation_time']) >= cutoff \
            and point is not None and _utc(point) >= cutoff
    verdicts = dict((c['vm_name'], c['compliant']) for c in report['compliance'])
    assert verdicts == expected
    assert verdicts['no-such-vm-x2'] is False
    assert by_vm['no-such-vm-x2']['status'] == 'never'
    assert by_vm[em_report['catalog']['samples']['copy_after_failed_backup']['vm_name']]['status'] == 'failed'
    for entry in report['compliance']:
        assert entry['reason']
        assert (entry['status'] in ('ok', 'warning')) == entry['compliant']


def test_failed_sessions_are_the_newest_finished_failures(em_report):
    report = em_report['report']
    newest = {}
    for session in report['sessions']:  # newest first
        if session['state'] in ('InProgress', 'Pending'):
            continue
        newest.setdefault((session['job_name'].lower(), session['vm_name'].lower()), session)
    expected = sorted(s['id'] for s in newest.values() if s['result'] == 'Failed')
    assert sorted(s['id'] for s in report['failed_sessions']) == expected
    assert report['summary']['failed_sessions'] == len(expected)


def test_counts_match_the_module_result(em_report):
    report = em_report['report']
    sessions = report['sessions']
    assert report['summary']['sessions'] == len(sessions) > 0
    for result in ('Success', 'Warning', 'Failed'):
        assert report['summary']['by_result'][result] == sum(1 for s in sessions if s['result'] == result)
    assert sum(day['total'] for day in report['per_day']) == len(sessions)
    assert len(report['per_day']) == 8  # since=7d: seven days back plus today, UTC
    assert sum(row['sessions'] for job in report['jobs'] for row in job['vms']) == len(sessions)


def test_gate_failed_once_for_all_hosts(em_report):
    run = em_report['run']
    out = run.stdout
    assert run.returncode == 2
    assert 'Backup task session report gate FAILED' in out
    assert '- no-such-vm-x2: no backup task session since' in out
    for session in em_report['report']['failed_sessions'][:5]:
        started = session['creation_time'][:19] + 'Z'
        kind = 'backup copy job' if session['job_type'] in COPY_JOB_TYPES else 'job'
        line = '- %s in %s %s on %s, started %s: Failed' % (session['vm_name'], kind, session['job_name'], session['backup_server_name'],
                                                            started)
        # ansible-core 2.16 prints the message only JSON-encoded (a job name may hold a backslash)
        assert line in out or json.dumps(line)[1:-1] in out
    # the modules ran once each (run_once + delegate_to) although the play has two hosts, and logged off: the task
    # sessions of the report, and the verdicts of the required VMs (backup_vm_info)
    assert em_report['logons'] == 2
    assert em_report['stats']['active_sessions'] == 0


def test_password_never_shown(em_report):
    run = em_report['run']
    assert EM_PASSWORD not in run.stdout and EM_PASSWORD not in run.stderr
    for path in em_report['dir'].iterdir():
        assert EM_PASSWORD not in path.read_text(encoding='utf-8')


def test_connection_as_role_variables_at_high_verbosity(run_playbook, simulator, tmp_path):
    """No VEEAM_EM_* at all: the task_session_report_em_* variables carry the connection; -vvvv shows no password."""
    result = run_playbook('report_from_em.yml', {
        'required_vms': [], 'since': '2d', 'max_age': '24h', 'report_dir': str(tmp_path), 'gate': False,
        'task_session_report_em_url': simulator.url, 'task_session_report_em_username': 'EM\\ansible',
        'task_session_report_em_password': EM_PASSWORD, 'task_session_report_em_timeout': 20},
        inventory='inventory.ini', verbosity=4)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    report = json.loads((tmp_path / 'task_session_report.json').read_text(encoding='utf-8'))
    assert report['summary']['sessions'] > 0
    # by default the JSON report carries counts and rows per job and VM, not every session
    assert 'sessions' not in report and report['settings']['all_sessions'] is False
    assert sum(row['sessions'] for job in report['jobs'] for row in job['vms']) == report['summary']['sessions']
    # no required VMs: nothing about "0 of 0 compliant"
    assert 'no required VMs' in result.stdout and '0 of 0' not in result.stdout
    assert EM_PASSWORD not in result.stdout and EM_PASSWORD not in result.stderr
    # both inventory hosts got the facts of the one run
    seen = [json.loads((tmp_path / ('facts_seen_by_%s.json' % host)).read_text(encoding='utf-8')) for host in ('vm-a', 'vm-b')]
    assert [s['host'] for s in seen] == ['vm-a', 'vm-b']
    assert seen[0]['summary'] == seen[1]['summary']
    assert seen[0]['summary']['sessions'] == report['summary']['sessions']


def test_a_misspelled_connection_variable_fails_naming_it(run_playbook, simulator, tmp_path):
    """Every task_session_report_em_* variable set reaches the module, so a typo is an error, not a silent default."""
    result = run_playbook('report_from_em.yml', {
        'required_vms': [], 'since': '2d', 'max_age': '24h', 'report_dir': str(tmp_path), 'gate': False,
        'task_session_report_em_url': simulator.url, 'task_session_report_em_username': 'EM\\ansible',
        'task_session_report_em_password': EM_PASSWORD, 'task_session_report_em_timout': 20},
        inventory='inventory.ini')
    assert result.returncode != 0
    assert 'Unsupported parameters' in result.stdout and 'timout' in result.stdout, result.stdout[-3000:]
    assert EM_PASSWORD not in result.stdout and EM_PASSWORD not in result.stderr


def test_a_copy_after_a_failed_backup_leaves_the_vm_out_of_compliance(em_report):
    samples = em_report['catalog']['samples']
    headline = samples['copy_after_failed_backup']
    report = em_report['report']
    entry = dict((c['vm_name'], c) for c in report['compliance'])[headline['vm_name']]
    assert entry['compliant'] is False and entry['status'] == 'failed'
    assert entry['latest_session']['id'] == headline['newest_primary']['id'] and entry['latest_session']['result'] == 'Failed'
    assert entry['latest_copy_session']['id'] == headline['copy_after_it']['id']
    assert entry['latest_copy_session']['result'] == 'Success' and entry['latest_copy_session']['job_type'] == 'BackupCopy'
    assert headline['vm_name'] in report['summary']['out_of_compliance']
    out = em_report['run'].stdout
    newest = headline['newest_primary']
    line = '- %s: the newest backup (job %s, started %sZ' % (headline['vm_name'], newest['job_name'], newest['creation_time'][:19])
    assert line in out or json.dumps(line)[1:-1] in out


def test_a_failed_copy_job_is_a_failed_session_and_reported_with_the_copies(em_report):
    failed_copy = em_report['catalog']['samples']['failed_copy']
    report = em_report['report']
    failed = [s for s in report['failed_sessions'] if s['id'] in failed_copy['task_session_ids']]
    assert failed and all(s['job_type'] == failed_copy['job_type'] for s in failed)
    assert report['summary']['failed_copy_sessions'] >= len(failed)
    assert report['summary']['copy_sessions'] == sum(1 for s in report['sessions'] if s['job_type'] in COPY_JOB_TYPES) > 0
    rows = [row for row in report['copies'] if row['latest']['id'] in failed_copy['task_session_ids']]
    assert rows and all(row['latest']['result'] == 'Failed' for row in rows)
    line = '- %s in backup copy job %s on' % (failed[0]['vm_name'], failed[0]['job_name'])
    assert line in em_report['run'].stdout or json.dumps(line)[1:-1] in em_report['run'].stdout
    markdown = (em_report['dir'] / 'task_session_report.md').read_text(encoding='utf-8')
    assert '## Backup copy jobs' in markdown


def test_connection_as_ansible_vbr_em_variables_only(run_playbook, simulator, tmp_path):
    """The collection-wide ansible_vbr_em_* variables configure the role too (through the module's action plugin),
    over a wrong VEEAM_EM_PASSWORD; -vvvv shows where each option came from and the EM requests, never the password."""
    result = run_playbook('report_from_em.yml', {
        'required_vms': [], 'since': '2d', 'max_age': '24h', 'report_dir': str(tmp_path), 'gate': False,
        'ansible_vbr_em_url': simulator.url, 'ansible_vbr_em_username': EM_USERNAME, 'ansible_vbr_em_password': EM_PASSWORD},
        env={'VEEAM_EM_PASSWORD': 'wrong-password-role'}, inventory='inventory.ini', verbosity=4)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    report = json.loads((tmp_path / 'task_session_report.json').read_text(encoding='utf-8'))
    assert report['summary']['sessions'] > 0
    assert ('EM connection: url from var: ansible_vbr_em_url, username from var: ansible_vbr_em_username, '
            'password from var: ansible_vbr_em_password') in result.stdout
    assert 'GET %s/api/query?type=BackupTaskSession' % simulator.url in result.stdout
    for secret in (EM_PASSWORD, 'wrong-password-role'):
        assert secret not in result.stdout and secret not in result.stderr
