# -*- coding: utf-8 -*-
# Real Ansible runs for the reliability suite: ansible-playbook or ad hoc `ansible` from the venv that
# runs pytest, always at -vvvv with ANSIBLE_LOG_PATH set, the collection on a private collections path,
# and a callback (callback_plugins/reliability_results.py) that writes every result as a JSON line.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PLAYBOOKS = HERE / 'playbooks'


class Run:
    """One finished Ansible command: its output, its log file and the results the callback recorded."""

    def __init__(self, argv, completed, log_text, results):
        self.argv = argv
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.log = log_text
        self.results = results

    def texts(self):
        """Every place a secret could leak to, by name."""
        return {'stdout': self.stdout, 'stderr': self.stderr, 'ANSIBLE_LOG_PATH file': self.log,
                'callback results': json.dumps([r['result'] for r in self.results], sort_keys=True)}

    def item(self, host, task=None):
        """The one result of `task` (default: the only task) on inventory host `host` (one host per case)."""
        found = [r for r in self.results if r['host'] == host and (task is None or r['task'] == task)]
        assert len(found) == 1, 'expected one result for %r, got %d:\n%s' % (host, len(found), self.tail())
        return found[0]

    def tail(self, lines=60):
        return '\n'.join((self.stdout + '\n' + self.stderr).splitlines()[-lines:])


class Ansible:
    """Runs Ansible commands with a clean environment (nothing inherited from ANSIBLE_* or VEEAM_EM_*)."""

    def __init__(self, collections_path, workdir):
        self.workdir = Path(workdir)
        self.counter = 0
        home = self.workdir / 'ansible-home'
        home.mkdir(parents=True, exist_ok=True)
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'VEEAM_EM_')))
        env.update({
            'PATH': os.pathsep.join([str(BIN), env.get('PATH', '')]),
            'ANSIBLE_COLLECTIONS_PATH': str(collections_path),
            'ANSIBLE_HOME': str(home),
            'ANSIBLE_LOCAL_TEMP': str(home / 'tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_LOCALHOST_WARNING': 'False',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
            'ANSIBLE_RETRY_FILES_ENABLED': 'False',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_CALLBACK_PLUGINS': str(HERE / 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'reliability_results',
            'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',
        })
        self.env = env

    def _run(self, argv, env, timeout):
        self.counter += 1
        log_path = self.workdir / ('run-%03d.log' % self.counter)
        results_path = self.workdir / ('run-%03d.jsonl' % self.counter)
        full_env = dict(self.env, ANSIBLE_LOG_PATH=str(log_path), RELIABILITY_RESULTS=str(results_path))
        full_env.update(env or {})
        completed = subprocess.run(argv, env=full_env, capture_output=True, text=True, timeout=timeout, check=False,
                                   cwd=str(self.workdir), stdin=subprocess.DEVNULL)
        log_text = log_path.read_text(encoding='utf-8', errors='replace') if log_path.exists() else ''
        results = []
        if results_path.exists():
            for line in results_path.read_text(encoding='utf-8').splitlines():
                results.append(json.loads(line))
        run = Run(argv, completed, log_text, results)
        # The log must really have been written, or "nothing leaked into it" proves nothing.
        assert log_text.strip(), 'ANSIBLE_LOG_PATH stayed empty:\n' + run.tail()
        return run

    def playbook(self, name, cases, extra_vars=None, env=None, timeout=300):
        """Run playbook `name` with one inventory host per case (named by its `name`, the case in the host
        variable `case`), all on the local connection and in parallel (independent scenarios, mostly
        waiting on the network), so a batch takes as long as its slowest case."""
        self.counter += 1
        hosts = {}
        for case in cases:
            hosts[case['name']] = dict(case.get('hostvars') or {}, ansible_connection='local', case=case)
        inventory = self.workdir / ('inventory-%03d.json' % self.counter)
        inventory.write_text(json.dumps({'all': {'hosts': hosts}}), encoding='utf-8')
        vars_file = self.workdir / ('vars-%03d.json' % self.counter)
        vars_file.write_text(json.dumps(extra_vars or {}), encoding='utf-8')
        argv = [str(BIN / 'ansible-playbook'), '-i', str(inventory), '-f', str(max(1, len(cases))), str(PLAYBOOKS / name),
                '-e', '@%s' % vars_file, '-vvvv']
        return self._run(argv, env, timeout)

    def adhoc(self, module_args, module='vbr.enterprise_manager.backup_task_session_info', env=None, timeout=300):
        argv = [str(BIN / 'ansible'), 'localhost', '-m', module, '-a', module_args, '-vvvv']
        return self._run(argv, env, timeout)
