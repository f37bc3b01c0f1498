# -*- coding: utf-8 -*-
# Fixtures of the reliability suite: accounts with random passwords, the collection on a private
# collections path, an Ansible runner, servers started per scenario (stopped at the end), and the
# report: every test is one scenario row of docs/reliability.md, written after a full run.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

import pytest

import rel_report
from rel_ansible import Ansible
from rel_servers import REPO, FakeEM, Issued, Simulator


class Accounts:
    """The simulator's accounts (--users), with passwords made up for this test session only."""

    def __init__(self, directory):
        def password(kind):
            return 'Rel-%s!%s#Pw' % (kind, secrets.token_hex(6))
        self.admin = ('EM\\rel-admin', password('adm'))
        self.restore_operator = ('CORP\\rel-restore', password('ro'))
        self.no_role = ('CORP\\rel-norole', password('none'))
        # a colon, a space and non-ASCII letters: all legal in a password sent with Basic authentication
        self.utf8 = ('CORP\\rel-utf8', 'Pä:ss wörd-%s' % secrets.token_hex(6))
        self.wrong_password = password('wrong')
        self.users_file = Path(directory) / 'users.json'
        self.users_file.write_text(json.dumps([
            {'username': self.admin[0], 'password': self.admin[1], 'role': 'PortalAdministrator'},
            {'username': self.restore_operator[0], 'password': self.restore_operator[1], 'role': 'RestoreOperator'},
            {'username': self.no_role[0], 'password': self.no_role[1], 'role': 'None'},
            {'username': self.utf8[0], 'password': self.utf8[1], 'role': 'PortalUser'},
        ]), encoding='utf-8')

    @property
    def passwords(self):
        """For the playbooks' em_passwords: password_key -> password."""
        return {'admin': self.admin[1], 'restore_operator': self.restore_operator[1], 'no_role': self.no_role[1],
                'utf8': self.utf8[1], 'wrong': self.wrong_password}

    @property
    def secrets(self):
        values = list(self.passwords.values())
        for user, password in (self.admin, self.restore_operator, self.no_role, self.utf8, (self.admin[0], self.wrong_password)):
            values.append(base64.b64encode(('%s:%s' % (user, password)).encode('utf-8')).decode('ascii'))
        return values

    def env(self, url):
        """The connection of a run through the VEEAM_EM_* environment (the admin account)."""
        return {'VEEAM_EM_URL': url, 'VEEAM_EM_USERNAME': self.admin[0], 'VEEAM_EM_PASSWORD': self.admin[1]}


@pytest.fixture(scope='session')
def accounts(tmp_path_factory):
    return Accounts(tmp_path_factory.mktemp('accounts'))


@pytest.fixture(scope='session')
def issued():
    return Issued()


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    """ansible_collections/vbr/enterprise_manager pointing at this checkout."""
    root = tmp_path_factory.mktemp('collections')
    namespace = root / 'ansible_collections' / 'vbr'
    namespace.mkdir(parents=True)
    (namespace / 'enterprise_manager').symlink_to(REPO, target_is_directory=True)
    return root


@pytest.fixture(scope='session')
def ansible(collections_path, tmp_path_factory):
    return Ansible(collections_path, tmp_path_factory.mktemp('ansible'))


class Servers:
    """Starts simulators and fakes for scenarios; all are stopped when the session ends."""

    def __init__(self, issued, accounts, tmp_path_factory):
        self.issued = issued
        self.accounts = accounts
        self.tmp = tmp_path_factory
        self.started = []

    def simulator(self, *options, tls=False, mismatch_host=None):
        tls_dir = self.tmp.mktemp('tls') if tls else None
        sim = Simulator(options, self.issued, tls_dir=tls_dir, users_file=self.accounts.users_file, mismatch_host=mismatch_host)
        sim.tls_dir = tls_dir
        self.started.append(sim)
        return sim

    def fake(self, mode):
        fake = FakeEM(mode, self.issued)
        self.started.append(fake)
        return fake

    def stop_all(self):
        for server in self.started:
            server.stop()


@pytest.fixture(scope='session')
def servers(issued, accounts, tmp_path_factory):
    registry = Servers(issued, accounts, tmp_path_factory)
    yield registry
    registry.stop_all()


# --- the report ------------------------------------------------------------------------------------

@pytest.fixture
def observe(request):
    """observe(text): what this scenario really did, for the report (set it before asserting)."""
    def record(text):
        request.node.stash[rel_report.OBSERVED] = rel_report.normalize(text)
    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    rel_report.collect(item, report)
    return report


def pytest_sessionfinish(session, exitstatus):
    rel_report.write_if_complete(session)
