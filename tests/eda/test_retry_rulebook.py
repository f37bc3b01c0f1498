# -*- coding: utf-8 -*-
# The example rulebook extensions/eda/rulebooks/retry_failed_jobs.yml with the collection's playbook
# vbr.enterprise_manager.retry_failed_job, run by the real ansible-rulebook against the EM simulator: two jobs whose
# runs fail for several VMs (set with POST /__simulator/job-plan, started through the API) get exactly one retry
# request each (the simulator's job_actions), the retried runs exist, their own failures start no further retry, and
# neither a job that succeeded nor a failed backup copy task is retried.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import signal
import subprocess
import time

import requests
import yaml

from conftest import EM_PASSWORD, EM_USERNAME, REPO, em_simulator, http  # pylint: disable=import-error
from test_rulebook import STOP_VM, finish, wait_for  # pylint: disable=import-error

RULEBOOK = REPO / 'extensions' / 'eda' / 'rulebooks' / 'retry_failed_jobs.yml'
TOKEN = 'X-RestSvcSessionId'


class Api:
    """A logon to the simulator's EM API, to start the jobs and read their runs as a user would."""

    def __init__(self, url):
        self.url = url
        answer = requests.post(url + '/api/sessionMngr/?v=latest', auth=(EM_USERNAME, EM_PASSWORD), headers={'Accept': 'application/json'},
                               timeout=30)
        assert answer.status_code == 201, answer.text
        self.headers = {TOKEN: answer.headers[TOKEN], 'Accept': 'application/json'}
        self.logoff_href = next(link['Href'] for link in answer.json()['Links'] if link['Rel'] == 'Delete')

    def get(self, path, **params):
        answer = requests.get(self.url + path, headers=self.headers, params=params, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def start(self, job_id):
        answer = requests.post(self.url + '/api/jobs/%s?action=start' % job_id, headers=self.headers, timeout=30)
        assert answer.status_code == 202, answer.text

    def runs(self, job_id):
        """The job's runs (job sessions), oldest first."""
        found = self.get('/api/query', type='BackupJobSession', format='Entities', filter='JobUid==%s' % job_id, pageSize=1000)
        return found['Entities']['BackupJobSessions']['BackupJobSessions']

    def vms(self, job_id):
        return [item['Name'] for item in self.get('/api/jobs/%s/includes' % job_id)['ObjectsInJob']]

    def logoff(self):
        requests.delete(self.logoff_href, headers=self.headers, timeout=30)


def plan(sim, **body):
    status, answer = http(sim.url + '/__simulator/job-plan', method='POST', payload=body)
    assert status == 200, answer


def rulebook_for_test(path):
    """The example rulebook with a rule in front (a session of the VM eda-stop shuts the rulebook down) and the
    playbook's poll interval at 1 second."""
    rulebook = yaml.safe_load(RULEBOOK.read_text(encoding='utf-8'))
    rulebook[0]['rules'].insert(0, {'name': 'Stop the test', 'condition': 'event.vbr_em.vm_name == "%s"' % STOP_VM,
                                    'action': {'shutdown': {'delay': 0, 'message': 'test over'}}})
    rulebook[0]['rules'][-1]['action']['run_playbook']['extra_vars']['retry_wait_sleep'] = 1
    path.write_text(yaml.safe_dump(rulebook, sort_keys=False), encoding='utf-8')
    return path


def test_the_retry_rulebook_retries_each_failed_job_once(eda_tools, installed_collection, tmp_path):
    (tmp_path / 'inventory.ini').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % eda_tools.python,
                                            encoding='utf-8')
    rulebook = rulebook_for_test(tmp_path / 'rulebook.yml')
    with em_simulator(tmp_path / 'sim', sessions=1000) as sim:
        catalog = http(sim.url + '/__simulator/catalog')[1]
        running = (catalog['samples'].get('running_job_session') or {}).get('job_name')
        jobs = [job for job in catalog['jobs'] if job['job_type'] == 'Backup' and job['vms'] >= 3 and job['name'] != running]
        assert len(jobs) >= 3, catalog['jobs']
        all_failed, some_failed, good = jobs[:3]
        api = Api(sim.url)
        failing = api.vms(some_failed['id'])[:2]
        plan(sim, job_id=all_failed['id'], result='Failed', run_seconds=3)  # fails for its every VM, its retries too
        plan(sim, job_id=some_failed['id'], result='Success', vm_results=dict((vm, 'Failed') for vm in failing), run_seconds=3)
        plan(sim, job_id=good['id'], result='Success', run_seconds=2)
        (tmp_path / 'vars.yml').write_text(yaml.safe_dump({
            'veeam_em_url': sim.url, 'veeam_em_username': EM_USERNAME, 'veeam_em_password': EM_PASSWORD,
            'veeam_em_validate_certs': 'True', 'veeam_em_ca_path': '', 'veeam_em_poll_interval': 1}), encoding='utf-8')
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'VEEAM_EM_')))
        env.update({'PATH': os.pathsep.join([str(eda_tools.bin), env.get('PATH', '')]),
                    'ANSIBLE_COLLECTIONS_PATH': str(installed_collection),
                    'ANSIBLE_HOME': str(tmp_path / 'ansible-home'), 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp')})
        with open(tmp_path / 'rulebook.log', 'wb') as log:
            argv = [str(eda_tools.rulebook), '-r', str(rulebook), '-i', str(tmp_path / 'inventory.ini'), '--vars', str(tmp_path / 'vars.yml'), '-v']
            process = subprocess.Popen(argv, cwd=str(tmp_path), env=env, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        try:
            wait_for('the first poll', lambda: http(sim.url + '/__simulator/stats')[1]['routes'].get('GET /api/query', 0) >= 2, process)
            before = set(run['UID'] for job in (all_failed, some_failed, good) for run in api.runs(job['id']))
            for job in (all_failed, some_failed, good):
                api.start(job['id'])
            # a backup copy task that fails: its job is the copy job, which EM cannot retry, and it is not retried
            http(sim.url + '/__simulator/task-sessions', method='POST',
                 payload={'vm_name': failing[0], 'job_name': 'EDA copy job', 'result': 'Failed', 'job_type': 'BackupCopy'})

            def retried():
                retries = [run for job in (all_failed, some_failed) for run in api.runs(job['id']) if run['IsRetry'] and run['UID'] not in before]
                return len(retries) >= 2 and all(run['State'] == 'Stopped' for run in retries) and retries

            wait_for('the two retried runs to end', retried, process)
            polls = http(sim.url + '/__simulator/stats')[1]['routes'].get('GET /api/query', 0)
            # the retries fail again (the plan): let the source see those failures; they must start nothing
            wait_for('ten more polls', lambda: http(sim.url + '/__simulator/stats')[1]['routes'].get('GET /api/query', 0) >= polls + 10, process)
            finish(sim, STOP_VM, 'EDA stop')
            process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        output = (tmp_path / 'rulebook.log').read_text(encoding='utf-8', errors='replace')
        runs = dict((job['name'], [run for run in api.runs(job['id']) if run['UID'] not in before]) for job in (all_failed, some_failed, good))
        api.logoff()
        time.sleep(0.5)
        stats = http(sim.url + '/__simulator/stats')[1]

    assert process.returncode == 0, output[-6000:]
    # one start each (the test's), one retry request for each failed job, none for the good one or the copy job
    assert stats['job_actions'] == {all_failed['name']: {'retry': 1, 'start': 1}, some_failed['name']: {'retry': 1, 'start': 1},
                                    good['name']: {'start': 1}}, stats['job_actions']
    for job in (all_failed, some_failed):
        # the test's run, which failed, then the one retry (which failed again: it started no other)
        assert [(run['IsRetry'], run['Result']) for run in runs[job['name']]] == [(False, 'Failed'), (True, 'Failed')], runs[job['name']]
    assert [(run['IsRetry'], run['Result']) for run in runs[good['name']]] == [(False, 'Success')], runs[good['name']]
    assert output.count('Retried job ') == 2, output[-6000:]
    assert stats['active_sessions'] == 0 and stats['logoffs'] == stats['logons'], stats  # every playbook task logged off
    assert EM_PASSWORD not in output
