# -*- coding: utf-8 -*-
# The task_session_report role on recorded backup_task_session_info facts (no EM needed): the verdicts in
# the JSON report, escaping and self-containment of the HTML, the Markdown, the published facts and the gate.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import re
from pathlib import Path

ROLE = Path(__file__).resolve().parents[2] / 'roles' / 'task_session_report'
TIME = re.compile(r'\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(.)')


def _read(report_dir, suffix):
    return (Path(report_dir) / ('task_session_report.' + suffix)).read_text(encoding='utf-8')


def test_html_template_escapes_every_expression():
    """Ansible templates do not autoescape: each expression outside the helper macros must end in `| e`."""
    text = (ROLE / 'templates' / 'task_session_report.html.j2').read_text(encoding='utf-8')
    outside_macros = re.sub(r'{%-?\s*macro.*?endmacro\s*-?%}', '', text, flags=re.S)
    expressions = re.findall(r'{{(.*?)}}', outside_macros, flags=re.S)
    assert len(expressions) > 50
    unescaped = [e.strip() for e in expressions if not re.search(r'\|\s*e\s*$', e)]
    assert unescaped == []


def test_json_report_verdicts(recorded_report):
    report = json.loads(_read(recorded_report.dir, 'json'))
    verdicts = dict((c['vm_name'], (c['compliant'], c['status'])) for c in report['compliance'])
    assert verdicts == {'sql01': (True, 'ok'), 'SQL02': (False, 'failed'), 'ghost': (False, 'never'), 'fs02': (True, 'ok')}
    by_vm = dict((c['vm_name'], c) for c in report['compliance'])
    assert by_vm['ghost']['reason'] == 'no backup task session since 2025-08-08T12:00:00Z'
    assert 'ended Failed: Error: <script>alert("x")</script> & C:\\Temp\\ [a] {b} | pipe' in by_vm['SQL02']['reason']
    # fs02 failed at 01:00 and succeeded at 01:40; sql01 failed three days earlier: only sql02 is a failed session now
    assert [(s['vm_name'], s['job_name']) for s in report['failed_sessions']] == [('sql02', 'Daily SQL')]
    summary = report['summary']
    assert summary['passed'] is False
    assert summary['sessions'] == 10
    assert summary['by_result'] == {'Success': 5, 'Warning': 1, 'Failed': 3, 'None': 1}
    assert summary['out_of_compliance'] == ['ghost', 'SQL02']
    assert report['as_of'] == '2025-08-15T12:00:00Z'
    assert report['window'] == {'since': '2025-08-08T12:00:00Z', 'until': '2025-08-15T12:00:00Z'}
    assert [d['date'] for d in report['per_day']][0] == '2025-08-08' and report['per_day'][-1]['date'] == '2025-08-15'
    assert 'chart' not in report
    # the full list of sessions only on request (task_session_report_all_sessions)
    assert 'sessions' not in report and report['settings']['all_sessions'] is False
    assert report['warnings'] == []


def test_json_times_are_utc_iso8601(recorded_report):
    text = _read(recorded_report.dir, 'json')
    suffixes = [m.group(1) for m in TIME.finditer(text)]
    assert len(suffixes) > 20
    assert set(suffixes) == {'Z'}


def test_html_is_escaped_and_self_contained(recorded_report):
    html = _read(recorded_report.dir, 'html')
    assert html.startswith('<!DOCTYPE html>')
    assert '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; C:\\Temp\\ [a] {b} | pipe' in html
    assert 'Apps &amp; &lt;Web&gt;' in html
    assert re.search(r'<script', html, flags=re.I) is None
    assert re.search(r'<link|<img|<iframe|<object|\bsrc\s*=|\bhref\s*=|url\(|@import', html, flags=re.I) is None
    assert re.findall(r'https?://[^"\s<]*', html) == ['http://www.w3.org/2000/svg']
    for section in ('summary', 'compliance', 'failed-sessions', 'per-day', 'jobs'):
        assert 'id="%s"' % section in html
    assert html.count('<rect ') >= 6
    assert '<svg class="chart"' in html


def test_html_lists_failures_first(recorded_report):
    html = _read(recorded_report.dir, 'html')
    jobs = html[html.index('id="jobs"'):]
    # Daily SQL holds the failed VM, so it comes before Apps & <Web>; inside it sql02 (Failed) before sql01
    assert jobs.index('Daily SQL') < jobs.index('Apps &amp; &lt;Web&gt;')
    daily = jobs[jobs.index('Daily SQL'):jobs.index('Apps &amp; &lt;Web&gt;')]
    assert daily.index('>sql02<') < daily.index('>sql01<')
    apps = jobs[jobs.index('Apps &amp; &lt;Web&gt;'):]
    # fs01's newest result is Warning: before app01 and fs02 (Success); app01 is running, shown by its state
    assert apps.index('>fs01<') < apps.index('>fs02<') and apps.index('>fs01<') < apps.index('>app01<')
    assert '>InProgress<' in apps
    assert 'Earlier: Failed at 2025-08-15T01:00:00Z: Snapshot timed out' in apps


def test_markdown_summary(recorded_report):
    text = _read(recorded_report.dir, 'md')
    assert text.startswith('# Backup task session report: FAILED\n')
    rows = [line for line in text.splitlines() if line.startswith('| 2025-08-15T02:05:00Z |')]
    assert rows == ['| 2025-08-15T02:05:00Z | sql02 | Daily SQL | vbr01.example.local | Failed | Error: \\<script\\>alert("x")\\</script\\> '
                    '\\& C:\\\\Temp\\\\ \\[a\\] {b} \\| pipe second line |']
    assert '| ghost | never | - | no backup task session since 2025-08-08T12:00:00Z |' in text
    assert '- Required VMs compliant: 2 of 4 (max age 24h, Success or Warning)' in text


def test_play_sees_the_summary(recorded_report):
    seen = json.loads((recorded_report.dir / 'facts_seen_by_play.json').read_text(encoding='utf-8'))['summary']
    assert seen['passed'] is False
    assert seen['out_of_compliance_reasons']['ghost'] == 'no backup task session since 2025-08-08T12:00:00Z'
    assert seen['files'] == ['%s/task_session_report.%s' % (recorded_report.dir, ext) for ext in ('html', 'json', 'md')]
    assert seen['failed_vms'] == ['sql02']
    assert 'FAILED: 10 backup task sessions of 5 VMs' in recorded_report.run.stdout


def test_gate_fails_and_lists_the_problems(run_playbook, recorded_facts_file, tmp_path):
    result = run_playbook('report_from_facts.yml', {
        'facts_file': str(recorded_facts_file), 'report_dir': str(tmp_path), 'required_vms': ['sql01', 'SQL02', 'ghost'],
        'since': '2025-08-08T12:00:00Z', 'window_until': '2025-08-15T12:00:00Z', 'gate': True})
    assert result.returncode == 2, result.stdout
    out = result.stdout
    assert 'Backup task session report gate FAILED as of 2025-08-15T12:00:00Z' in out
    assert '2 of 3 required VMs out of compliance' in out
    assert '- ghost: no backup task session since 2025-08-08T12:00:00Z' in out
    assert '- SQL02: the newest backup (job Daily SQL, started 2025-08-15T02:05:00Z, 9h 55m ago) ended Failed: Error:' in out
    # the message once; the failure itself is one short line
    assert out.count('Backup task session report gate FAILED as of') == 1
    assert 'gate FAILED: 2 of 3 required VMs out of compliance, 1 failed sessions judged (listed above).' in out
    assert '1 failed sessions (result Failed, newest finished session per VM and job)' in out
    assert '- sql02 in job Daily SQL on vbr01.example.local, started 2025-08-15T02:05:00Z: Failed: Error:' in out
    # the reports were written before the gate failed, and nothing ran after it
    assert (tmp_path / 'task_session_report.html').is_file()
    assert not (tmp_path / 'facts_seen_by_play.json').exists()


def test_gate_passes_when_nothing_is_wrong(run_playbook, recorded_facts_file, tmp_path):
    result = run_playbook('report_from_facts.yml', {
        'facts_file': str(recorded_facts_file), 'report_dir': str(tmp_path), 'required_vms': ['sql01', 'fs02'], 'fail_on_results': [],
        'since': '2025-08-08T12:00:00Z', 'window_until': '2025-08-15T12:00:00Z', 'gate': True, 'formats': ['json']})
    assert result.returncode == 0, result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ['facts_seen_by_play.json', 'task_session_report.json']
    assert json.loads(_read(tmp_path, 'json'))['summary']['passed'] is True
    assert 'PASSED: 10 backup task sessions' in result.stdout


def test_invalid_input_is_refused_by_the_argument_spec(run_playbook, recorded_facts_file, tmp_path):
    result = run_playbook('report_from_facts.yml', {
        'facts_file': str(recorded_facts_file), 'report_dir': str(tmp_path), 'required_vms': ['sql01'],
        'since': '7d', 'window_until': '2025-08-15T12:00:00Z', 'gate': False, 'formats': ['pdf']})
    assert result.returncode == 2
    assert 'task_session_report_formats' in result.stdout and 'pdf' in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_short_window_is_an_ansible_warning_and_in_the_gate_message(run_playbook, recorded_facts_file, tmp_path):
    """A window shorter than max_age: the report's warning is a [WARNING] of the play and a line of the gate message."""
    result = run_playbook('report_from_facts.yml', {
        'facts_file': str(recorded_facts_file), 'report_dir': str(tmp_path), 'required_vms': ['sql01'],
        'since': '2025-08-15T10:00:00Z', 'window_until': '2025-08-15T12:00:00Z', 'gate': True, 'formats': ['json', 'md'],
        'gate_on_failed_sessions': True})  # sql01 is fine: sql02's failed session, not required, fails this gate
    assert result.returncode == 2, result.stdout
    warning = ('The report window starts at 2025-08-15T10:00:00Z, less than 24h before 2025-08-15T12:00:00Z: '
               'older successful sessions were not read.')
    output = result.stdout + result.stderr
    # ansible-core wraps long warnings on 2.16-2.18: compare without line breaks
    assert '[WARNING]: task_session_report: ' + warning in ' '.join(output.split())
    assert output.count('[WARNING]') == 1  # this one only, once
    assert 'Warnings:\n  - ' + warning in result.stdout or 'Warnings:\\n  - ' + warning in result.stdout
    assert json.loads(_read(tmp_path, 'json'))['warnings'] == [warning]
    assert '- Warning: ' in _read(tmp_path, 'md')


def test_no_required_vms_is_not_zero_of_zero(run_playbook, recorded_facts_file, tmp_path):
    result = run_playbook('report_from_facts.yml', {
        'facts_file': str(recorded_facts_file), 'report_dir': str(tmp_path), 'required_vms': [],
        'since': '2025-08-08T12:00:00Z', 'window_until': '2025-08-15T12:00:00Z', 'gate': False, 'formats': ['md']})
    assert result.returncode == 0, result.stdout
    assert 'no required VMs' in result.stdout
    text = _read(tmp_path, 'md')
    assert '- Required VMs: none given (task_session_report_required_vms), no compliance check' in text
    assert '0 of 0' not in result.stdout + text
    assert '[WARNING]' not in result.stdout + result.stderr


def test_gate_with_required_vms_judges_them_only(run_playbook, recorded_facts_file, tmp_path):
    """sql02's failed session is reported, but only the required sql01 decides the gate (issue 21)."""
    result = run_playbook('report_from_facts.yml', {
        'facts_file': str(recorded_facts_file), 'report_dir': str(tmp_path), 'required_vms': ['sql01'],
        'since': '2025-08-08T12:00:00Z', 'window_until': '2025-08-15T12:00:00Z', 'gate': True, 'formats': ['json']})
    assert result.returncode == 0, result.stdout
    report = json.loads(_read(tmp_path, 'json'))
    assert report['summary']['passed'] is True
    assert report['summary']['failed_vms'] == ['sql02'] and report['gate_failed_sessions'] == []
    assert report['compliance'][0]['status'] == 'ok'
