# -*- coding: utf-8 -*-
# Fixtures of the Event-Driven Ansible tests: the EDA toolchain (.venv-eda: ansible-rulebook with ansible-core, as
# in a decision environment), the collection built and installed into a private collections path the way users
# install it, and the EM simulator on 127.0.0.1 with a bounded lifetime.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'tests' / 'em_simulator' / 'tests'))
from sim_helpers import Sim  # noqa: E402  pylint: disable=import-error,wrong-import-position

EDA_VENV = Path(os.environ.get('EM_EDA_VENV') or REPO / '.venv-eda')
EM_USERNAME = 'EM\\ansible'
EM_PASSWORD = 'ansible-demo'


def http(url, method='GET', payload=None, timeout=10):
    """(status, parsed JSON or None) of a request to the simulator's control endpoints (plain HTTP, 127.0.0.1)."""
    data = json.dumps(payload).encode('utf-8') if payload is not None else (b'' if method == 'POST' else None)
    request = urllib.request.Request(url, method=method, data=data, headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec - the test's own server on 127.0.0.1
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    try:
        return status, json.loads(body.decode('utf-8')) if body else None
    except ValueError:
        return status, None


@pytest.fixture(scope='session')
def eda_tools():
    """The ansible-rulebook toolchain; a missing one fails (make venv builds it), it is never skipped."""
    rulebook = EDA_VENV / 'bin' / 'ansible-rulebook'
    if not rulebook.is_file():
        pytest.fail('%s is missing: run tools/venv.sh eda (part of make test) to build .venv-eda from tests/requirements-eda.txt.' % rulebook)
    version = subprocess.run([str(rulebook), '--version'], capture_output=True, text=True, timeout=120, check=False,
                             env=dict(os.environ, PATH=os.pathsep.join([str(EDA_VENV / 'bin'), os.environ.get('PATH', '')])))
    if version.returncode != 0 or 'Java version' not in version.stdout:
        pytest.fail('ansible-rulebook --version failed (a Java 17 runtime is needed: tools/system-deps.sh): %s%s'
                    % (version.stdout, version.stderr))
    return SimpleNamespace(bin=EDA_VENV / 'bin', rulebook=rulebook, python=EDA_VENV / 'bin' / 'python', version=version.stdout)


@pytest.fixture(scope='session')
def installed_collection(eda_tools, tmp_path_factory):
    """The collection built from this checkout and installed with ansible-galaxy into its own collections path."""
    work = tmp_path_factory.mktemp('collection')
    galaxy = str(eda_tools.bin / 'ansible-galaxy')
    env = dict(os.environ, ANSIBLE_HOME=str(work / 'home'))
    build = subprocess.run([galaxy, 'collection', 'build', '--output-path', str(work / 'dist'), '--force', str(REPO)],
                           capture_output=True, text=True, timeout=300, check=False, env=env)
    assert build.returncode == 0, build.stdout + build.stderr
    tarball = sorted((work / 'dist').glob('vbr-enterprise_manager-*.tar.gz'))[-1]
    install = subprocess.run([galaxy, 'collection', 'install', '--force', '-p', str(work / 'installed'), str(tarball)],
                             capture_output=True, text=True, timeout=300, check=False, env=env)
    assert install.returncode == 0, install.stdout + install.stderr
    return work / 'installed'


@contextmanager
def em_simulator(workdir, sessions=300, lifetime=900):
    """tests/em_simulator/server.py on 127.0.0.1 with the real clock (its tests' Sim), always stopped afterwards (it
    also exits by itself after lifetime)."""
    sim = Sim(str(workdir), [], sessions=sessions, seed=16, now=None, lifetime=lifetime)
    try:
        yield SimpleNamespace(url=sim.base, stats=sim.stats, workdir=workdir)
    finally:
        sim.stop()
