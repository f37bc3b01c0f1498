# -*- coding: utf-8 -*-
# The module's connection from the sources its action plugin reads (ansible_vbr_em_* host variables,
# a vaulted one, the [vbr_enterprise_manager] section of ansible.cfg), all at -vvvv: the module works,
# shows its EM requests (the -vvv request log), and the password, token and session ID appear nowhere.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.parsing.vault import VaultLib, VaultSecret

from rel_checks import assert_clean, assert_no_sessions, failure, success
from rel_report import Case

VAULT_PASSWORD = 'rel-vault-key-0f3c'
CREDENTIALS_HINT = ('password', 'role', 'DOMAIN\\user')

CASES = [
    Case('password_from_variable', 'config', 'password in the ansible_vbr_em_password host variable, none in the task',
         'works; the -vvvv output shows the EM requests, never the password', source='var', count=100),
    Case('password_from_vault', 'config', 'password in a vaulted ansible_vbr_em_password host variable',
         'works (decrypted on the controller); the password is shown nowhere', source='vault', count=100),
    Case('wrong_password_from_variable', 'config', 'a wrong password in ansible_vbr_em_password',
         'HTTP 401 once; a message about credentials, role and account format; neither password shown', source='wrong',
         says=CREDENTIALS_HINT),
    Case('password_from_ini', 'config', 'url, username and password in [vbr_enterprise_manager] of ansible.cfg, none in the task',
         'works; the password is shown nowhere', source='ini', count=100),
]


def vaulted(text):
    """A host variable value as ansible-vault encrypt_string makes it, in the JSON inventory's form."""
    ciphertext = VaultLib([('default', VaultSecret(VAULT_PASSWORD.encode()))]).encrypt(text).decode()
    return {'__ansible_vault': ciphertext}


def host_entry(case, url, accounts):
    password = {'var': accounts.admin[1], 'vault': vaulted(accounts.admin[1]), 'wrong': accounts.wrong_password}.get(case.source)
    hostvars = {'ansible_vbr_em_url': url, 'ansible_vbr_em_username': accounts.admin[0]}
    if password is not None:
        hostvars['ansible_vbr_em_password'] = password
    else:
        hostvars = {}
    return {'name': case.id, 'args': {}, 'hostvars': hostvars}


@pytest.fixture(scope='module')
def config_runs(ansible, servers, accounts, tmp_path_factory):
    """{case id: (run, simulator)}: one playbook run for the variables, one for ansible.cfg."""
    work = tmp_path_factory.mktemp('config')
    vault_file = work / 'vault-password'
    vault_file.write_text(VAULT_PASSWORD + '\n', encoding='utf-8')
    started = dict((case.id, servers.simulator('--sessions', '100')) for case in CASES)
    var_cases = [case for case in CASES if case.source != 'ini']
    run = ansible.playbook('module_cases.yml', [host_entry(case, started[case.id].url, accounts) for case in var_cases],
                           env={'ANSIBLE_VAULT_PASSWORD_FILE': str(vault_file)})
    runs = dict((case.id, (run, started[case.id])) for case in var_cases)
    for case in CASES:
        if case.source == 'ini':
            cfg = work / ('%s.cfg' % case.id)
            cfg.write_text('[vbr_enterprise_manager]\nurl = %s\nusername = %s\npassword = %s\n'
                           % (started[case.id].url, accounts.admin[0], accounts.admin[1]), encoding='utf-8')
            runs[case.id] = (ansible.playbook('module_cases.yml', [host_entry(case, None, accounts)], env={'ANSIBLE_CONFIG': str(cfg)}),
                             started[case.id])
    return runs


@pytest.mark.parametrize('case', CASES, ids=repr)
def test_connection_source(case, config_runs, accounts, issued, observe):
    run, sim = config_runs[case.id]
    record = run.item(case.id)
    stats = sim.stats()
    if case.get('count') is not None:
        result = success(record)
        observe('ok: %d sessions; logons %d, active sessions %d' % (result['count'], stats['logons'], stats['active_sessions']))
        assert result['count'] == case.count
        assert '_vbr_em_log' not in result
        # the request log of this case's simulator, shown by the action plugin at -vvv
        assert '%s/api/query?type=BackupTaskSession' % sim.url in run.stdout
    else:
        msg, _error = failure(record)
        observe('failed: %s; logons %d, active sessions %d' % (msg, stats['logons'], stats['active_sessions']))
        for word in case.says:
            assert word.lower() in msg.lower(), 'the message does not say %r: %s' % (word, msg)
        assert stats['routes'] == {'POST /api/sessionMngr': 1}, stats['routes']
    assert_no_sessions(sim)
    assert_clean(run, accounts, issued, extra=(VAULT_PASSWORD,))
