# The make targets a newcomer runs, as a user runs them: `make simulator` (start in the background, print
# URL, user, CA file and how to stop; a second call shows the running one; `make simulator-stop` ends it; a
# restart takes the previous port), `make build` (the tarball, and the install command it prints works) and
# what `make demo` shows (running sessions as running, why each skipped VM was skipped). They sit beside the
# simulator's tests because the simulator gate runs them and these targets are the simulator's face to people.
from __future__ import annotations

import os
import re
import ssl
import subprocess
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def make(*args, **env):
    done = subprocess.run(['make', '--no-print-directory', '-C', str(REPO)] + list(args), capture_output=True, text=True,
                          timeout=300, check=False, env=dict(os.environ, **env))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def details(output):
    found = dict((key, re.search(r'^\s*%s\s+(\S+)' % key, output, re.MULTILINE)) for key in ('URL', 'user', 'CA file'))
    assert all(found.values()), output
    pid = re.search(r'running \(pid (\d+)\)', output)
    assert pid, output
    return dict((key, match.group(1)) for key, match in found.items()), int(pid.group(1))


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return Path('/proc/%d' % pid).exists() and b'server.py' in Path('/proc/%d/cmdline' % pid).read_bytes()


def test_make_simulator_starts_prints_what_to_use_and_stops(tmp_path):
    state = tmp_path / 'state'
    first = make('simulator', SIM_DIR=str(state))
    shown, pid = details(first)
    try:
        assert shown['user'] == 'EM\\ansible' and 'ansible-demo' in first
        assert Path(shown['CA file']) == state / 'tls' / 'ca.pem' and Path(shown['CA file']).is_file()
        assert 'make simulator-stop' in first
        # HTTPS that the printed CA file verifies, at the printed URL
        context = ssl.create_default_context(cafile=shown['CA file'])
        with urllib.request.urlopen(shown['URL'] + '/api/', context=context, timeout=30) as answer:  # nosec - 127.0.0.1
            assert answer.status == 200 and b'EnterpriseManager' in answer.read()
        env_file = (state / 'env.sh').read_text(encoding='utf-8')
        assert 'export VEEAM_EM_URL=%s\n' % shown['URL'] in env_file and 'export VEEAM_EM_CA_PATH=%s\n' % shown['CA file'] in env_file
        again = make('simulator', SIM_DIR=str(state))
        assert details(again) == (shown, pid)  # the running one, not a second simulator
    finally:
        stopped = make('simulator-stop', SIM_DIR=str(state))
    assert 'stopped (pid %d)' % pid in stopped and not alive(pid)
    assert 'No EM simulator' in make('simulator-stop', SIM_DIR=str(state))
    restarted, new_pid = details(make('simulator', SIM_DIR=str(state)))
    try:
        assert restarted['URL'] == shown['URL'] and new_pid != pid  # the previous port again, where it is free
    finally:
        make('simulator-stop', SIM_DIR=str(state))
    assert not alive(new_pid)


def test_make_build_writes_a_tarball_that_the_printed_command_installs(tmp_path):
    output = make('build', DIST=str(tmp_path / 'dist'))
    tarballs = sorted((tmp_path / 'dist').glob('vbr-enterprise_manager-*.tar.gz'))
    assert len(tarballs) == 1, output
    command = re.search(r'^Install it with: (ansible-galaxy collection install (\S+))$', output, re.MULTILINE)
    assert command and Path(command.group(2)).resolve() == tarballs[0].resolve(), output
    galaxy = REPO / '.venv' / 'bin' / 'ansible-galaxy'
    installed = subprocess.run([str(galaxy), 'collection', 'install', command.group(2), '-p', str(tmp_path / 'collections')],
                               capture_output=True, text=True, timeout=300, check=False, env=dict(os.environ, ANSIBLE_HOME=str(tmp_path / 'home')))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (tmp_path / 'collections' / 'ansible_collections' / 'vbr' / 'enterprise_manager' / 'MANIFEST.json').is_file()


def test_make_demo_shows_running_sessions_as_running_and_why_vms_were_skipped():
    output = make('demo')
    rows = [line.split() for line in output.splitlines() if re.match(r'^\s+\S.*\s(InProgress|Pending)\s', line)]
    assert rows and all('running' in row and 'None' not in row for row in rows), output
    summary = re.search(r'^\s+\d+ VMs; results: (.*); states: ', output, re.MULTILINE)
    assert summary and 'running ' in summary.group(1) and 'None' not in summary.group(1), output
    skipped = output[output.index('VM(s) skipped (not in backup_ok):'):]
    reasons = re.findall(r'^\s+\S.*\s(Success|Warning|Failed|-)\s+\S+\s+(the last backup failed|stale: the last success is older '
                         r'than max_age|no backup has finished yet|the last backup ended with \w+)$', skipped, re.MULTILINE)
    assert ('Success', 'stale: the last success is older than max_age') in reasons, skipped
    assert all(result != 'Failed' or why == 'the last backup failed' for result, why in reasons), skipped
