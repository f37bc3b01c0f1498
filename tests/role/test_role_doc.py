# -*- coding: utf-8 -*-
# ansible-doc -t role shows the role's examples (the `examples` of its argument spec's entry point), and they are
# plays that name the role and only variables its argument spec declares.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import subprocess

import yaml

from conftest import BIN, REPO  # pylint: disable=import-error

ROLE = 'vbr.enterprise_manager.task_session_report'


def test_ansible_doc_shows_the_roles_examples(ansible_env):
    done = subprocess.run([str(BIN / 'ansible-doc'), '-t', 'role', ROLE], env=ansible_env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'EXAMPLES:' in done.stdout, done.stdout
    shown = done.stdout[done.stdout.index('EXAMPLES:') + len('EXAMPLES:'):]
    plays = yaml.safe_load(shown)
    spec = yaml.safe_load((REPO / 'roles' / 'task_session_report' / 'meta' / 'argument_specs.yml').read_text(encoding='utf-8'))
    declared = set(spec['argument_specs']['main']['options'])
    used = set()
    for play in plays:
        for role in play.get('roles', []):
            assert role['role'] == ROLE
            used.update(role['vars'])
        for task in play.get('tasks', []):
            if 'ansible.builtin.include_role' in task:
                assert task['ansible.builtin.include_role']['name'] == ROLE
                used.update(task['vars'])
    assert used and used <= declared, used - declared
