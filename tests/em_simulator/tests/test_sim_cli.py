# The command line: start from any directory, the port file, --lifetime, determinism, --sessions, errors.
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time

import requests

from sim_helpers import NOW, SERVER, Sim


def test_runs_as_a_script_from_another_directory(tmp_path):
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    sim = Sim(str(tmp_path / 'sim'), [], sessions=200, cwd=str(elsewhere), lifetime=30)
    try:
        with open(sim.port_file, encoding='ascii') as handle:
            text = handle.read()
        assert text.strip().isdigit() and text.endswith('\n')
        assert sim.port > 0
        assert sim.get('/api/').status_code == 200
        line = 'EM simulator listening on http://127.0.0.1:%d: 200 task sessions (seed 7, now %s) built in ' % (sim.port, NOW)
        assert sim.stdout().startswith(line)
        assert re.match(r'^\d+\.\d\d s, ready in \d+\.\d\d s\n$', sim.stdout()[len(line):])
    finally:
        sim.stop()
    assert sim.proc.returncode == 0


def test_lifetime_ends_the_process(tmp_path):
    sim = Sim(str(tmp_path), [], sessions=50, lifetime=1)
    assert sim.get('/api/').status_code == 200
    assert sim.proc.wait(timeout=20) == 0
    try:
        requests.get(sim.url('/api/'), timeout=2)
        answered = True
    except requests.ConnectionError:
        answered = False
    assert not answered


def test_shutdown_endpoint_ends_the_process(tmp_path):
    sim = Sim(str(tmp_path), [], sessions=50, lifetime=60)
    response = sim.request('POST', '/__simulator/shutdown')
    assert response.status_code == 200 and response.json() == {'shutting_down': True}
    assert sim.proc.wait(timeout=20) == 0


def test_sessions_is_the_exact_total(sim_factory):
    for count in (1, 45, 777):
        sim = sim_factory(sessions=count, seed=3)
        assert sim.catalog()['total'] == count


def _snapshot(sim):
    """Some documents fetched with a fixed Host header, so hrefs do not depend on the port."""
    token, logon = sim.logon()
    headers = {'Host': 'em.example:9398'}
    bodies = [sim.get('/__simulator/catalog').content]
    for path in ('/api/backupTaskSessions?format=Entity',
                 '/api/query?type=BackupTaskSession&format=Entities&pageSize=500&sortDesc=Name',
                 '/api/backupSessions?format=Entity'):
        bodies.append(sim.get(path, token, headers=headers).content)
        bodies.append(sim.get(path, token, 'application/json', headers=headers).content)
    sim.logoff(token, logon)
    return bodies


def test_same_seed_and_now_give_byte_identical_data(tmp_path):
    first = Sim(str(tmp_path / 'a'), [], sessions=1500, seed=11, lifetime=60)
    second = Sim(str(tmp_path / 'b'), [], sessions=1500, seed=11, lifetime=60)
    third = Sim(str(tmp_path / 'c'), [], sessions=1500, seed=12, lifetime=60)
    try:
        one, two, other = _snapshot(first), _snapshot(second), _snapshot(third)
    finally:
        for sim in (first, second, third):
            sim.stop()
    assert one == two
    assert one[0] != other[0]
    assert json.loads(one[0])['now'] == NOW


def test_default_clock_is_the_current_hour(tmp_path):
    sim = Sim(str(tmp_path), [], sessions=100, now=None, lifetime=30)
    try:
        now = sim.catalog()['now']
    finally:
        sim.stop()
    assert now == time.strftime('%Y-%m-%dT%H:00:00Z', time.gmtime()) or now == time.strftime('%Y-%m-%dT%H:00:00Z', time.gmtime(time.time() - 60))


def test_hundred_thousand_sessions_start_and_serve(tmp_path):
    # How fast is a benchmark figure, not a test: the start line prints it ("ready in ... s"), README.md lists it.
    sim = Sim(str(tmp_path), [], sessions=100000, seed=5, lifetime=120)
    try:
        assert '100000 task sessions' in sim.stdout() and 'ready in' in sim.stdout()
        assert sim.catalog()['total'] == 100000
        token, logon = sim.logon()
        response = sim.get('/api/query?type=BackupTaskSession&format=Entities&pageSize=1000&page=100', token, 'application/json')
        assert response.status_code == 200
        body = response.json()
        assert body['PagingInfo']['PagesCount'] == 100
        assert len(body['Entities']['BackupTaskSessions']['BackupTaskSessions']) == 1000
        xml_page = sim.get('/api/query?type=BackupTaskSession&format=Entities&pageSize=1000&page=3', token)
        assert xml_page.status_code == 200 and xml_page.content.count(b'<BackupTaskSession ') == 1000
        sim.logoff(token, logon)
    finally:
        sim.stop()


def test_option_defaults():
    spec = importlib.util.spec_from_file_location('em_simulator_server', SERVER)
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    args = server.parse_args([])
    assert (args.host, args.port, args.sessions, args.seed, args.json_keys) == ('127.0.0.1', 0, 1000, 1, 'pascal')
    assert args.idle_timeout == 900 and args.expire_after_requests == 0 and args.users is None and args.tls_dir is None
    assert (args.latency_ms, args.fail_rate, args.fail_every, args.reset_every, args.stall_every) == (0, 0, 0, 0, 0)
    assert server.parse_args(['--json-keys', 'camel', '--idle-timeout', '1.5']).idle_timeout == 1.5
    assert (args.job_mix, args.vms, args.max_page_size, args.bad_filter_status) == ('basic', None, 0, 400)
    chosen = server.parse_args(['--job-mix', 'real', '--vms', '75', '--max-page-size', '250', '--bad-filter-status', '500'])
    assert (chosen.job_mix, chosen.vms, chosen.max_page_size, chosen.bad_filter_status) == ('real', 75, 250, 500)


def test_help_lists_every_option():
    result = subprocess.run([sys.executable, SERVER, '--help'], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    for option in ('--job-mix', '--vms', '--max-page-size', '--bad-filter-status', '--json-keys', '--sessions'):
        assert option in result.stdout


def _run(args, tmp_path):
    return subprocess.run([sys.executable, SERVER, '--port-file', str(tmp_path / 'port'), '--lifetime', '5'] + args,
                          capture_output=True, text=True, timeout=60, check=False)


def test_bad_options_exit_with_a_message(tmp_path):
    bad_users = tmp_path / 'users.json'
    bad_users.write_text(json.dumps([{'username': 'CORP\\', 'password': 'x', 'role': 'PortalUser'}]))
    result = _run(['--users', str(bad_users)], tmp_path)
    assert result.returncode == 2 and 'DOMAIN\\user' in result.stderr
    result = _run(['--now', '2025-10-12T14:00:00'], tmp_path)
    assert result.returncode == 2 and 'ending in Z' in result.stderr
    result = _run(['--fail-rate', '1.5'], tmp_path)
    assert result.returncode == 2 and 'between 0 and 1' in result.stderr
    result = _run(['--sessions', '0'], tmp_path)
    assert result.returncode == 2 and '--sessions' in result.stderr
    for bad in (['--job-mix', 'mixed'], ['--vms', '0'], ['--bad-filter-status', '404'], ['--max-page-size', '-1']):
        result = _run(bad, tmp_path)
        assert result.returncode == 2 and bad[0] in result.stderr, bad
    assert not os.path.exists(str(tmp_path / 'port'))
