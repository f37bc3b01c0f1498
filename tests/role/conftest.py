# -*- coding: utf-8 -*-
# Fixtures for the task_session_report role tests: the collection on a private ANSIBLE_COLLECTIONS_PATH,
# ansible-playbook runs, recorded facts with hostile text, the EM simulator (a real HTTP(S) server on
# 127.0.0.1 with a bounded lifetime) and headless Chromium.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
ROLE_TESTS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SIMULATOR = REPO / 'tests' / 'em_simulator' / 'server.py'
# Screenshots and DOM dumps for a human to look at; tests/output/ is git-ignored and build-ignored.
OUTPUT = REPO / 'tests' / 'output' / 'role'
EM_USERNAME = 'EM\\ansible'
EM_PASSWORD = 'ansible-demo'
# The recorded facts below are judged as of this time (task_session_report_until), so verdicts are fixed.
RECORDED_SINCE = '2025-08-08T12:00:00Z'
RECORDED_UNTIL = '2025-08-15T12:00:00Z'
HOSTILE_REASON = 'Error: <script>alert("x")</script> & C:\\Temp\\ [a] {b} | pipe\nsecond line '
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync']


def _session(number, vm, job, start, result='Success', state='Completed', reason='', seconds=600):
    """Facts of one task session with exactly the keys issue 4 documents."""
    sid = '6f1c2a3b-0000-4000-8000-%012d' % number
    running = state in ('InProgress', 'Pending')
    began = datetime.strptime(start, '%Y-%m-%dT%H:%M:%SZ')
    end = None if running else (began + timedelta(seconds=seconds)).strftime('%Y-%m-%dT%H:%M:%SZ')
    return {
        'id': sid, 'uid': 'urn:veeam:BackupTaskSession:' + sid, 'name': '%s@%s' % (vm, start[:19].replace('T', ' ')),
        'href': 'https://em.example.com:9398/api/backupTaskSessions/%s?format=Entity' % sid, 'vm_name': vm,
        'vm_uid': 'urn:VMware:Vm:7f2d.vm-%s' % vm, 'job_name': job, 'job_session_id': 'a1b2c3d4-0000-4000-8000-%012d' % number,
        'job_session_uid': 'urn:veeam:BackupJobSession:a1b2c3d4-0000-4000-8000-%012d' % number,
        'job_session_name': '%s@%s' % (job, start[:19].replace('T', ' ')), 'backup_server_id': '7d3e5a90-1c2b-4f6e-a8d4-5b9c0e2f7a31',
        'backup_server_name': 'vbr01.example.local', 'creation_time': start, 'end_time': end,
        'duration_seconds': None if running else float(seconds), 'state': state, 'result': result, 'reason': reason,
        'total_size': 0 if result == 'Failed' else 64424509440, 'restore_point_id': None,
    }


def recorded_facts():
    """A backup_task_session_info result: good, warning, failed, fixed-by-retry and running sessions."""
    sessions = [
        _session(1, 'app01', 'Apps & <Web>', '2025-08-15T11:30:00Z', result='None', state='InProgress'),
        _session(2, 'sql01', 'Daily SQL', '2025-08-15T02:00:00Z'),
        _session(3, 'sql02', 'Daily SQL', '2025-08-15T02:05:00Z', result='Failed', reason=HOSTILE_REASON),
        _session(4, 'fs02', 'Apps & <Web>', '2025-08-15T01:40:00Z'),
        _session(5, 'fs02', 'Apps & <Web>', '2025-08-15T01:00:00Z', result='Failed', reason='Snapshot timed out'),
        _session(6, 'fs01', 'Apps & <Web>', '2025-08-15T01:00:00Z', result='Warning', reason='Changed block tracking is disabled'),
        _session(7, 'app01', 'Apps & <Web>', '2025-08-14T01:00:00Z'),
        _session(8, 'sql01', 'Daily SQL', '2025-08-14T02:00:00Z'),
        _session(9, 'sql02', 'Daily SQL', '2025-08-13T02:00:00Z'),
        _session(10, 'sql01', 'Daily SQL', '2025-08-12T02:00:00Z', result='Failed', reason='Network error'),
    ]
    summary = {'by_result': {}, 'by_state': {}}
    for item in sessions:
        summary['by_result'][item['result']] = summary['by_result'].get(item['result'], 0) + 1
        summary['by_state'][item['state']] = summary['by_state'].get(item['state'], 0) + 1
    return {'changed': False, 'backup_task_sessions': sessions, 'count': len(sessions), 'missing_ids': [], 'truncated': False,
            'summary': summary}


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    """A directory with ansible_collections/vbr/enterprise_manager pointing at this checkout."""
    root = tmp_path_factory.mktemp('collections')
    namespace = root / 'ansible_collections' / 'vbr'
    namespace.mkdir(parents=True)
    (namespace / 'enterprise_manager').symlink_to(REPO, target_is_directory=True)
    return root


@pytest.fixture(scope='session')
def ansible_env(collections_path, tmp_path_factory):
    """Environment for ansible commands: this collection only, no inherited EM or Ansible settings."""
    home = tmp_path_factory.mktemp('ansible-home')
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
    })
    return env


@pytest.fixture(scope='session')
def run_playbook(ansible_env, tmp_path_factory):
    """Run a playbook from tests/role/playbooks with extra vars (and extra environment); returns the CompletedProcess."""
    vars_dir = tmp_path_factory.mktemp('extravars')

    def run(name, extra_vars, env=None, verbosity=0, inventory=None):
        vars_file = vars_dir / ('%s-%d.json' % (name, time.monotonic_ns()))
        vars_file.write_text(json.dumps(extra_vars), encoding='utf-8')
        argv = [str(BIN / 'ansible-playbook'), str(ROLE_TESTS / 'playbooks' / name), '-e', '@%s' % vars_file]
        if inventory:
            argv += ['-i', str(ROLE_TESTS / 'playbooks' / inventory)]
        if verbosity:
            argv.append('-' + 'v' * verbosity)
        return subprocess.run(argv, env=dict(ansible_env, **(env or {})), capture_output=True, text=True, timeout=600, check=False,
                              cwd=str(ROLE_TESTS))
    return run


@pytest.fixture(scope='session')
def recorded_facts_file(tmp_path_factory):
    path = tmp_path_factory.mktemp('facts') / 'facts.json'
    path.write_text(json.dumps(recorded_facts()), encoding='utf-8')
    return path


@pytest.fixture(scope='session')
def recorded_report(run_playbook, recorded_facts_file, tmp_path_factory):
    """The role run once on the recorded facts (gate off): its report directory and the playbook run."""
    report_dir = tmp_path_factory.mktemp('recorded-report')
    result = run_playbook('report_from_facts.yml', {
        'facts_file': str(recorded_facts_file), 'report_dir': str(report_dir), 'required_vms': ['sql01', 'SQL02', 'ghost', 'fs02'],
        'since': RECORDED_SINCE, 'window_until': RECORDED_UNTIL, 'gate': False})
    assert result.returncode == 0, result.stdout + result.stderr
    return SimpleNamespace(dir=report_dir, run=result)


def _url_open(url, method='GET', cafile=None, timeout=10):
    context = ssl.create_default_context(cafile=cafile) if url.startswith('https') else None
    request = urllib.request.Request(url, method=method, data=b'' if method == 'POST' else None)
    with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # nosec - 127.0.0.1 test server
        return response.read()


@contextmanager
def em_simulator(workdir, sessions=800, seed=11, tls=False, lifetime=600, job_mix='real'):
    """Start tests/em_simulator/server.py on 127.0.0.1; always stop it (it also exits by itself after lifetime).
    The real job mix by default: backup copy, agent and NAS jobs beside the VM backups, as real EMs answer."""
    if not SIMULATOR.is_file():
        pytest.fail('The EM simulator %s is missing: these tests need it.' % SIMULATOR)
    workdir.mkdir(parents=True, exist_ok=True)
    port_file = workdir / 'port'
    argv = [sys.executable, str(SIMULATOR), '--host', '127.0.0.1', '--port', '0', '--port-file', str(port_file),
            '--sessions', str(sessions), '--seed', str(seed), '--lifetime', str(lifetime), '--job-mix', job_mix]
    if tls:
        argv += ['--tls-dir', str(workdir / 'tls')]
    url = cafile = None
    with open(workdir / 'simulator.log', 'wb') as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=str(workdir))  # pylint: disable=consider-using-with
    try:
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text(encoding='utf-8').strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail('The EM simulator did not start: %s' % (workdir / 'simulator.log').read_text(encoding='utf-8', errors='replace'))
            time.sleep(0.1)
        port = int(port_file.read_text(encoding='utf-8').strip())
        url = '%s://127.0.0.1:%d' % ('https' if tls else 'http', port)
        cafile = str(workdir / 'tls' / 'ca.pem') if tls else None

        def stats():
            return json.loads(_url_open(url + '/__simulator/stats', cafile=cafile).decode('utf-8'))

        def catalog():
            return json.loads(_url_open(url + '/__simulator/catalog', cafile=cafile).decode('utf-8'))

        stats()
        yield SimpleNamespace(url=url, cafile=cafile, stats=stats, catalog=catalog, workdir=workdir)
    finally:
        if url:
            try:
                _url_open(url + '/__simulator/shutdown', method='POST', cafile=cafile)
            except Exception:  # pylint: disable=broad-except  # already gone: terminate below
                pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope='session')
def simulator(tmp_path_factory):
    with em_simulator(tmp_path_factory.mktemp('em-sim')) as server:
        yield server


@pytest.fixture(scope='session')
def tls_simulator(tmp_path_factory):
    with em_simulator(tmp_path_factory.mktemp('em-sim-tls'), seed=23, tls=True) as server:
        yield server


@pytest.fixture(scope='session')
def em_env(simulator):
    """The connection as environment variables only (the way AWX injects a credential)."""
    return {'VEEAM_EM_URL': simulator.url, 'VEEAM_EM_USERNAME': EM_USERNAME, 'VEEAM_EM_PASSWORD': EM_PASSWORD}


def _awx_namespace(field_values, fields):
    """The template namespace AWX builds from a credential: empty strings left out, missing booleans false."""
    namespace = dict((k, v) for k, v in field_values.items() if isinstance(v, bool) or v)
    for field in fields:
        if field.get('type') == 'boolean' and field['id'] not in field_values:
            namespace[field['id']] = False
    return namespace


@pytest.fixture(scope='session')
def awx_credential_type():
    """The shipped credential type (docs/awx/*.yml) and render(values, private_data_dir) -> env, as AWX injects it."""
    yaml = pytest.importorskip('yaml')
    from jinja2.sandbox import ImmutableSandboxedEnvironment  # pylint: disable=import-outside-toplevel

    inputs = yaml.safe_load((REPO / 'docs' / 'awx' / 'credential_type_inputs.yml').read_text(encoding='utf-8'))
    injectors = yaml.safe_load((REPO / 'docs' / 'awx' / 'credential_type_injectors.yml').read_text(encoding='utf-8'))

    def render(field_values, private_data_dir):
        sandbox = ImmutableSandboxedEnvironment()
        namespace = _awx_namespace(field_values, inputs['fields'])
        env_dir = Path(private_data_dir) / 'env'
        env_dir.mkdir(parents=True, exist_ok=True)
        files = {}
        for label, template in injectors.get('file', {}).items():
            path = env_dir / ('tmp_%s' % label.split('.', 1)[-1])
            path.write_text(sandbox.from_string(template).render(**namespace), encoding='utf-8')
            path.chmod(0o600)
            files[label.split('.', 1)[1]] = str(path)
        namespace['tower'] = SimpleNamespace(filename=SimpleNamespace(**files))
        return dict((name, sandbox.from_string(template).render(**namespace)) for name, template in injectors['env'].items())

    return SimpleNamespace(inputs=inputs, injectors=injectors, render=render)


def _find_chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope='session')
def chromium(tmp_path_factory):
    """Run headless Chromium on a local HTML file: dump_dom(path) -> str, screenshot(path, png) -> Path."""
    binary = _find_chromium()
    if binary is None:
        message = 'Chromium is not installed (Debian: apt-get install -y chromium); the browser checks need it.'
        # make test sets EM_TESTS_REQUIRE_CHROMIUM: there a missing browser is a failure, not a silent skip.
        if os.environ.get('EM_TESTS_REQUIRE_CHROMIUM'):
            pytest.fail(message)
        pytest.skip(message)

    def run(extra, html_path):
        profile = tmp_path_factory.mktemp('chromium-profile')
        argv = [binary] + CHROMIUM_FLAGS + ['--user-data-dir=%s' % profile] + extra + [Path(html_path).resolve().as_uri()]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
        if result.returncode != 0:
            pytest.fail('Chromium failed (%d): %s' % (result.returncode, result.stderr[-2000:]))
        return result

    def dump_dom(html_path):
        return run(['--dump-dom'], html_path).stdout

    def screenshot(html_path, png_path, width=1280, height=2000):
        png_path = Path(png_path)
        png_path.parent.mkdir(parents=True, exist_ok=True)
        if png_path.exists():
            png_path.unlink()
        run(['--hide-scrollbars', '--window-size=%d,%d' % (width, height), '--screenshot=%s' % png_path], html_path)
        return png_path

    return SimpleNamespace(binary=binary, dump_dom=dump_dom, screenshot=screenshot)
