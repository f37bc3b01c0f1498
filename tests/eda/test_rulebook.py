# -*- coding: utf-8 -*-
# The example rulebook extensions/eda/rulebooks/failed_task_sessions.yml run by the real ansible-rulebook against
# the EM simulator while task sessions finish (created through the simulator's POST /__simulator/task-sessions,
# stamped with the current time): each newly failed session triggers the rule once, throttle makes one run of a
# job's failures, nothing from before the start is replayed, one logon serves every poll, and no logon session is
# left once the rulebook ends through a shutdown action.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import EM_PASSWORD, EM_USERNAME, REPO, em_simulator, http  # pylint: disable=import-error

RULEBOOK = REPO / 'extensions' / 'eda' / 'rulebooks' / 'failed_task_sessions.yml'
STOP_VM = 'eda-stop'
# The playbook the example rulebook runs: one file per event, named after the session, holding its facts.
PLAYBOOK = '''---
- name: Record the failed task session
  hosts: all
  gather_facts: false
  tasks:
    - name: Write the facts of the event
      ansible.builtin.copy:
        content: "{{ ansible_eda.event.vbr_em | to_json }}"
        dest: "%s/{{ ansible_eda.event.vbr_em.id }}.json"
        mode: "0644"
      delegate_to: localhost
'''


def finish(sim, vm_name, job_name, result='Failed'):
    status, _body = http(sim.url + '/__simulator/task-sessions', method='POST',
                         payload={'vm_name': vm_name, 'job_name': job_name, 'result': result, 'run_seconds': 0})
    if status == 404:
        pytest.fail('The simulator has no POST /__simulator/task-sessions (the control endpoint this test needs, '
                    'which creates a task session that ends now).')
    assert 200 <= status < 300, 'POST /__simulator/task-sessions answered HTTP %d' % status
    return time.time()


def wait_for(what, predicate, process, bound=180):
    """Poll predicate() until it holds; the bound only guards against a hang (no timing is asserted)."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process.poll() is not None:
            pytest.fail('ansible-rulebook ended (rc %s) while waiting for %s' % (process.returncode, what))
        time.sleep(0.2)
    pytest.fail('gave up waiting for %s' % what)


def rulebook_for_test(path):
    """The example rulebook with one rule in front: a session of the VM eda-stop shuts the rulebook down."""
    rulebook = yaml.safe_load(RULEBOOK.read_text(encoding='utf-8'))
    rulebook[0]['rules'].insert(0, {'name': 'Stop the test', 'condition': 'event.vbr_em.vm_name == "%s"' % STOP_VM,
                                    'action': {'shutdown': {'delay': 0, 'message': 'test over'}}})
    path.write_text(yaml.safe_dump(rulebook, sort_keys=False), encoding='utf-8')
    return path


def recorded(records):
    return dict((p.stem, json.loads(p.read_text(encoding='utf-8'))) for p in records.glob('*.json'))


def test_the_example_rulebook_reacts_once_per_failed_session_and_logs_off(eda_tools, installed_collection, tmp_path):
    vms = ['eda-vm-%d' % n for n in range(1, 7)]
    records = tmp_path / 'records'
    records.mkdir()
    (tmp_path / 'failed_task_session.yml').write_text(PLAYBOOK % records, encoding='utf-8')
    (tmp_path / 'inventory.ini').write_text(''.join('%s ansible_connection=local ansible_python_interpreter=%s\n' % (vm, eda_tools.python)
                                                    for vm in vms + ['eda-before', STOP_VM]), encoding='utf-8')
    rulebook = rulebook_for_test(tmp_path / 'rulebook.yml')
    with em_simulator(tmp_path / 'sim') as sim:
        # the extra variables as the EDA credential type injects them (strings), the poll interval as a rulebook var
        (tmp_path / 'vars.yml').write_text(yaml.safe_dump({
            'veeam_em_url': sim.url, 'veeam_em_username': EM_USERNAME, 'veeam_em_password': EM_PASSWORD,
            'veeam_em_validate_certs': 'True', 'veeam_em_ca_path': '', 'veeam_em_poll_interval': 1}), encoding='utf-8')
        finish(sim, 'eda-before', 'EDA before the start')  # ended before the rulebook started: never an event
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'VEEAM_EM_')))
        env.update({'PATH': os.pathsep.join([str(eda_tools.bin), env.get('PATH', '')]),
                    'ANSIBLE_COLLECTIONS_PATH': str(installed_collection),
                    'ANSIBLE_HOME': str(tmp_path / 'ansible-home'), 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp')})
        started = time.time()
        with open(tmp_path / 'rulebook.log', 'wb') as log:
            argv = [str(eda_tools.rulebook), '-r', str(rulebook), '-i', str(tmp_path / 'inventory.ini'), '--vars', str(tmp_path / 'vars.yml'), '-v']
            process = subprocess.Popen(argv, cwd=str(tmp_path), env=env, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        try:
            wait_for('the first poll', lambda: sim.stats()['routes'].get('GET /api/query', 0) >= 1, process)
            first_poll = time.time() - started
            finished = {}
            # three jobs fail for one VM each: three runs; one job fails for three VMs: throttle makes it one run
            for vm, job in zip(vms, ['EDA job A', 'EDA job B', 'EDA job C', 'EDA job D', 'EDA job D', 'EDA job D']):
                finished[vm] = finish(sim, vm, job)
            finish(sim, 'eda-vm-ok', 'EDA job A', result='Success')  # not Failed: not an event
            runs = wait_for('four playbook runs', lambda: len(recorded(records)) >= 4 and recorded(records), process)
            polls_before = sim.stats()['routes'].get('GET /api/query', 0)
            # let several polls re-read the overlap window: nothing may run twice
            wait_for('three more polls', lambda: sim.stats()['routes'].get('GET /api/query', 0) >= polls_before + 3, process)
            finish(sim, STOP_VM, 'EDA stop')
            process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        output = (tmp_path / 'rulebook.log').read_text(encoding='utf-8', errors='replace')
        stats = sim.stats()

    assert process.returncode == 0, output[-4000:]
    runs = recorded(records)
    by_vm = dict((facts['vm_name'], facts) for facts in runs.values())
    assert sorted(by_vm) == ['eda-vm-1', 'eda-vm-2', 'eda-vm-3', 'eda-vm-4'], sorted(by_vm)  # D's first failure only
    assert len(runs) == 4 and 'eda-before' not in by_vm
    for facts in runs.values():
        assert facts['result'] == 'Failed' and facts['state'] == 'Completed' and facts['end_time'].endswith('Z')
    assert stats['logons'] == 1, stats  # one logon served every poll
    assert stats['active_sessions'] == 0 and stats['logoffs'] == 1, stats  # logged off at the shutdown
    assert EM_PASSWORD not in output  # -v shows the source's requests and the events, never the password
    delays = ['%.1f' % (Path(records / ('%s.json' % facts['id'])).stat().st_mtime - finished[vm]) for vm, facts in sorted(by_vm.items())]
    print('ansible-rulebook: first poll %.1f s after the start; session end to playbook done: %s s; %d polls'
          % (first_poll, ', '.join(delays), stats['routes'].get('GET /api/query', 0)))


def test_a_source_that_cannot_log_on_says_so_in_one_line_without_stack_frames(eda_tools, installed_collection, tmp_path):
    source = {'url': '{{ url }}', 'username': EM_USERNAME, 'password': 'not-the-password'}
    rulebook = [{'name': 'Wrong password', 'hosts': 'all', 'sources': [{'vbr.enterprise_manager.task_sessions': source}],
                 'rules': [{'name': 'Never', 'condition': 'event.vbr_em is defined', 'action': {'debug': None}}]}]
    (tmp_path / 'rulebook.yml').write_text(yaml.safe_dump(rulebook, sort_keys=False), encoding='utf-8')
    (tmp_path / 'inventory.ini').write_text('localhost ansible_connection=local\n', encoding='utf-8')
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'VEEAM_EM_')))
    env.update({'PATH': os.pathsep.join([str(eda_tools.bin), env.get('PATH', '')]), 'ANSIBLE_COLLECTIONS_PATH': str(installed_collection),
                'ANSIBLE_HOME': str(tmp_path / 'ansible-home')})
    with em_simulator(tmp_path / 'sim') as sim:
        (tmp_path / 'vars.yml').write_text(yaml.safe_dump({'url': sim.url}), encoding='utf-8')
        runs = dict((verbosity, subprocess.run(
            [str(eda_tools.rulebook), '-r', str(tmp_path / 'rulebook.yml'), '-i', str(tmp_path / 'inventory.ini'),
             '--vars', str(tmp_path / 'vars.yml')] + ([verbosity] if verbosity else []),
            cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)) for verbosity in ('', '-vv'))
        stats = sim.stats()
    default = runs[''].stdout + runs[''].stderr
    assert runs[''].returncode != 0, default
    errors = [line for line in default.splitlines() if ' - ERROR - ' in line]
    # ansible-rulebook's own lines around it, then the source's error once, with what to fix, and no frame lines
    assert [line for line in errors if 'ansible_rulebook.app' in line and 'EMAuthenticationError: ' in line], default
    assert 'rejected the logon of user EM\\ansible (HTTP 401)' in default and 'Check the username and password' in default
    assert not [line for line in errors if '.py:' in line], default
    debug = runs['-vv'].stdout + runs['-vv'].stderr
    assert runs['-vv'].returncode != 0 and [line for line in debug.splitlines() if 'session_poller.py:' in line], debug
    assert 'not-the-password' not in default  # (at -vv ansible-rulebook itself prints the rulebook, arguments and all)
    assert stats['active_sessions'] == 0
