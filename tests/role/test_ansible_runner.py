# -*- coding: utf-8 -*-
# The role the way AWX runs it: ansible-runner with a private data dir, the credentials present only as the
# environment variables the shipped AWX credential type injects (CA file included, TLS verification on),
# the collection on ANSIBLE_COLLECTIONS_PATH, against the EM simulator over HTTPS. Checks the runner's
# artifacts (status, rc, stdout, the set_stats data AWX shows) and the reports, and that no secret leaks.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROLE_TESTS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
EM_PASSWORD = 'ansible-demo'


@pytest.fixture(scope='module')
def runner_job(tls_simulator, awx_credential_type, ansible_env, tmp_path_factory):
    yaml = pytest.importorskip('yaml')
    pdd = tmp_path_factory.mktemp('private-data-dir')
    (pdd / 'project').mkdir()
    (pdd / 'inventory').mkdir()
    shutil.copy(ROLE_TESTS / 'playbooks' / 'runner_site.yml', pdd / 'project' / 'site.yml')
    (pdd / 'inventory' / 'hosts').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable,
                                             encoding='utf-8')
    ca_pem = Path(tls_simulator.cafile).read_text(encoding='utf-8')
    credential_env = awx_credential_type.render({'url': tls_simulator.url, 'username': 'EM\\ansible', 'password': EM_PASSWORD,
                                                 'validate_certs': True, 'ca_cert': ca_pem}, pdd)
    envvars = dict(credential_env, ANSIBLE_COLLECTIONS_PATH=ansible_env['ANSIBLE_COLLECTIONS_PATH'], ANSIBLE_HOME=ansible_env['ANSIBLE_HOME'],
                   ANSIBLE_NOCOLOR='1')
    (pdd / 'env' / 'envvars').write_text(yaml.safe_dump(envvars), encoding='utf-8')
    report_dir = pdd / 'reports'
    (pdd / 'env' / 'extravars').write_text(yaml.safe_dump({'required_vms': ['no-such-vm-x3'], 'gate': True, 'report_dir': str(report_dir)}),
                                           encoding='utf-8')
    # nothing EM- or Ansible-related in the runner's own environment: the credential comes from env/envvars only
    env = dict((k, v) for k, v in ansible_env.items() if not k.startswith(('ANSIBLE_', 'VEEAM_EM_')))
    result = subprocess.run([str(BIN / 'ansible-runner'), 'run', str(pdd), '-p', 'site.yml', '--ident', 'job1'],
                            env=env, capture_output=True, text=True, timeout=600, check=False)
    artifacts = pdd / 'artifacts' / 'job1'
    assert artifacts.is_dir(), result.stdout + result.stderr
    events = [json.loads(p.read_text(encoding='utf-8')) for p in sorted((artifacts / 'job_events').glob('*.json'))]
    return {'pdd': pdd, 'artifacts': artifacts, 'result': result, 'events': events, 'reports': report_dir,
            'credential_env': credential_env, 'stats': tls_simulator.stats()}


def test_job_failed_on_the_gate(runner_job):
    artifacts = runner_job['artifacts']
    assert (artifacts / 'status').read_text(encoding='utf-8').strip() == 'failed'
    assert (artifacts / 'rc').read_text(encoding='utf-8').strip() == '2'
    stdout = (artifacts / 'stdout').read_text(encoding='utf-8')
    assert 'Backup task session report gate FAILED' in stdout
    assert 'no-such-vm-x3: no backup task session since' in stdout
    # the always: section ran after the gate and printed the Markdown summary
    assert '# Backup task session report: FAILED' in stdout


def test_set_stats_reach_the_job_artifacts(runner_job):
    stats = [e for e in runner_job['events'] if e.get('event') == 'playbook_on_stats']
    assert len(stats) == 1
    data = stats[0]['event_data']['artifact_data']['task_session_report']
    report = json.loads((runner_job['reports'] / 'task_session_report.json').read_text(encoding='utf-8'))
    assert data['passed'] is False
    assert data['out_of_compliance'] == ['no-such-vm-x3']
    assert data['sessions'] == report['summary']['sessions'] > 0
    assert data['by_result'] == report['summary']['by_result']
    assert data['failed_vms'] == report['summary']['failed_vms']
    assert data['files'] == [str(runner_job['reports'] / ('task_session_report.' + ext)) for ext in ('html', 'json', 'md')]
    assert data['as_of'].endswith('Z') and data['generated_at'].endswith('Z')


def test_reports_written_over_verified_tls(runner_job):
    env = runner_job['credential_env']
    assert env['VEEAM_EM_URL'].startswith('https://') and env['VEEAM_EM_VALIDATE_CERTS'] == 'True'
    assert Path(env['VEEAM_EM_CA_PATH']).is_file()
    for ext in ('html', 'json', 'md'):
        assert (runner_job['reports'] / ('task_session_report.' + ext)).stat().st_size > 500
    assert runner_job['stats']['active_sessions'] == 0


def test_no_secret_in_job_output_events_or_reports(runner_job):
    # artifacts/<ident>/command is ansible-runner's record of the environment it was handed (the injected
    # credential included, as in env/envvars); AWX stores a sanitized copy instead. Everything Ansible
    # produced must be free of the password.
    artifacts = runner_job['artifacts']
    produced = [artifacts / 'stdout'] + sorted((artifacts / 'job_events').glob('*.json')) + sorted(runner_job['reports'].glob('*'))
    assert len(produced) > 10
    for path in produced:
        assert EM_PASSWORD not in path.read_text(encoding='utf-8', errors='replace'), path
