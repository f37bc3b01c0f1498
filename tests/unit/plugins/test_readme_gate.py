# -*- coding: utf-8 -*-
# The README's gate is the shipped example examples/backup_gate.yml, word for word (the integration target
# backup_vm_info runs that file through ansible-playbook), and its status table names every status of the verdict.

from __future__ import annotations

import os
import re

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict import STATUS_NAMES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _read(*path):
    with open(os.path.join(ROOT, *path), encoding='utf-8') as handle:
        return handle.read()


def test_the_readme_gate_is_the_tested_example():
    example = _read('examples', 'backup_gate.yml')
    play = example[example.index('- name:'):]
    readme = _read('README.md')
    section = readme[readme.index('## A backup gate'):readme.index('<!-- END gate example -->')]
    assert '```yaml\n' + play + '```' in section


def test_the_readme_table_has_every_status_once():
    readme = _read('README.md')
    section = readme[readme.index('## A backup gate'):readme.index('<!-- END gate example -->')]
    rows = re.findall(r'^\| `([a-z_]+)` \|', section, flags=re.M)
    assert sorted(rows) == sorted(STATUS_NAMES)
