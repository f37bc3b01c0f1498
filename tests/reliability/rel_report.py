# -*- coding: utf-8 -*-
# docs/reliability.md from the actual run: one row per scenario (test) with what was expected, what
# was observed and the outcome. Only a complete run of tests/reliability writes the file, and the
# content is deterministic (no timings, ports, paths or random values), so it changes only when the
# behaviour does.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DOC = HERE.parents[1] / 'docs' / 'reliability.md'
OBSERVED = pytest.StashKey[str]()
ROWS = {}

AREAS = (
    ('faults', 'Transient faults'),
    ('auth', 'Credentials and rights'),
    ('endpoint', 'Wrong endpoints'),
    ('tls', 'TLS'),
    ('body', 'Broken answers'),
    ('xml', 'Hostile XML'),
    ('input', 'Bad input (module)'),
    ('escaping', 'Legitimate values that need escaping (module)'),
    ('lookup', 'Lookup plugin'),
    ('answers', 'What EM returns (capped pages, refused filters, name comparison)'),
    ('config', 'Connection from variables, vault and ansible.cfg (module)'),
)


class Case(object):
    """One scenario: its report row (area, scenario, expected) plus whatever the test needs."""

    def __init__(self, id, area, scenario, expected, **data):  # pylint: disable=redefined-builtin
        self.id = id
        self.area = area
        self.scenario = scenario
        self.expected = expected
        self.__dict__.update(data)

    def get(self, name, default=None):
        return self.__dict__.get(name, default)

    def __repr__(self):
        return self.id


_PORT = re.compile(r'((?:127\.0\.0\.[12]|localhost|\[::1\]):)\d{2,5}')
_TMP = re.compile(r'/tmp/[^\s\'",)]*')
# ansible-core lists the valid booleans from a set, in a different order on every run
_BOOLEANS = re.compile(r'(Valid booleans include: )[^;]*')


def normalize(text):
    """Observed text without what changes from run to run (ports, temporary paths, set order)."""
    text = _PORT.sub(r'\1<port>', str(text))
    text = _BOOLEANS.sub(r'\1...', text)
    return _TMP.sub('<tmp>', text)


def collect(item, report):
    callspec = getattr(item, 'callspec', None)
    case = callspec.params.get('case') if callspec is not None else None
    if case is None:
        return
    row = ROWS.setdefault(item.nodeid, {'case': case, 'status': None, 'observed': None})
    row['observed'] = item.stash.get(OBSERVED, row['observed'])
    if report.when == 'setup' and report.failed:
        row['status'] = 'ERROR'
    elif report.when == 'call':
        if hasattr(report, 'wasxfail'):
            row['status'] = 'known bug' if report.skipped else 'FAIL (xfail passed)'
        elif report.passed:
            row['status'] = 'pass'
        elif report.skipped:
            row['status'] = 'skipped'
        else:
            row['status'] = 'FAIL'


def _complete(session):
    option = session.config.option
    if os.environ.get('RELIABILITY_WRITE_DOCS', '1') == '0':
        return False
    if getattr(option, 'keyword', '') or getattr(option, 'markexpr', '') or getattr(option, 'deselect', None):
        return False
    for arg in session.config.args:
        if '::' in arg:
            return False
        path = Path(arg).resolve()
        if path != HERE and HERE not in path.parents and path not in HERE.parents:
            return False
        if path != HERE and HERE in path.parents:
            return False  # one file only
    items = [item for item in session.items if getattr(item, 'callspec', None) is not None and 'case' in item.callspec.params]
    return bool(items) and all(item.nodeid in ROWS and ROWS[item.nodeid]['status'] for item in items)


def _cell(text):
    text = '' if text is None else str(text)
    return text.replace('\\', '\\\\').replace('|', '\\|').replace('\n', ' ').replace('`', "'").strip()


# Written by hand (not observed in this run): what a user must know about passwords on the command line.
PASSWORDS = [
    '## Passwords on the command line',
    '',
    'Pass the password through the environment (`VEEAM_EM_PASSWORD`), a vaulted variable (`ansible_vbr_em_password`, or',
    '`password: "{{ vault_em_password }}"` in `module_defaults`, the value made with `ansible-vault encrypt_string`) or the',
    'AWX credential, never as `-a password=...` or `-e ansible_vbr_em_password=...` on an ad hoc command line: the command',
    'line stays in the shell history and any local user sees it in `ps` while it runs, and when ansible-core cannot split',
    'the `-a` string (a quote, `{{` or `{%` in the password) its error repeats the whole string, password included.',
    'Checked with ansible-core 2.21.5 and the simulator: `[ERROR]: failed at splitting arguments, either an unbalanced',
    'jinja2 block or quotes: url=... username=... password=<the password>`. Once the module has its arguments the',
    'password is masked: a wrong password, an unknown option, a wrong type and a refused connection showed it at no',
    'verbosity from none to `-vvvv`; nor did a run at `-vvvv` with the password in `ansible_vbr_em_password`, vaulted or',
    'not, or in `ansible.cfg` (the scenarios below).',
    '',
    '`-a` and `-e key=value` also decode backslash escapes, so `username=EM\\ansible` arrives with a control character',
    '(the logon error then says so); write `username=EM\\\\ansible`, or put the value in a vars file.',
]


def render(session):
    order = dict((item.nodeid, index) for index, item in enumerate(session.items))
    rows = sorted(ROWS.items(), key=lambda pair: order.get(pair[0], 0))
    counts = {}
    for _nodeid, row in rows:
        counts[row['status']] = counts.get(row['status'], 0) + 1
    lines = [
        '# Reliability and security',
        '',
        '<!-- Generated by tests/reliability (the reliability session of make test); do not edit by hand. -->',
        '',
        'Every scenario below is a real Ansible run (`ansible-playbook` or ad hoc `ansible`) of this collection against the',
        'EM simulator (tests/em_simulator) or, for answers EM never sends, a small EM look-alike. Every run is made at',
        '`-vvvv` with `ANSIBLE_LOG_PATH` set, and each scenario also checks that:',
        '',
        '- the password, the EM logon token and the logon session ID appear nowhere in stdout, stderr, the log or the',
        '  registered results (the suite knows every token and session ID the servers issued);',
        '- no Python traceback reaches the output;',
        '- the server reports zero active logon sessions afterwards.',
        '',
        'Status `known bug` marks a scenario whose expected outcome is not met yet (a strict xfail in the suite).',
        '',
        'Summary: %d scenarios; %s.' % (len(rows), ', '.join('%s: %d' % (status, counts[status]) for status in sorted(counts))),
        '',
    ] + PASSWORDS
    for area, title in AREAS:
        selected = [row for _nodeid, row in rows if row['case'].area == area]
        if not selected:
            continue
        lines += ['', '## %s' % title, '', '| Scenario | Expected | Observed | Status |', '| --- | --- | --- | --- |']
        for row in selected:
            case = row['case']
            cells = (case.scenario, case.expected, row['observed'] or '(not recorded)', row['status'])
            lines.append('| %s |' % ' | '.join(_cell(cell) for cell in cells))
    return '\n'.join(lines) + '\n'


def write_if_complete(session):
    if not _complete(session):
        return
    text = render(session)
    if not DOC.exists() or DOC.read_text(encoding='utf-8') != text:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding='utf-8')
