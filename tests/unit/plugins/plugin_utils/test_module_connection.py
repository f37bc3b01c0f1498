# -*- coding: utf-8 -*-
# Unit tests of plugin_utils/module_connection.py: which source fills each connection option of a
# module run (task > ansible_vbr_em_* variables > VEEAM_EM_* environment > ansible.cfg), templates and
# vaulted variables, empty values, ansible.cfg read through Ansible's config manager, the -vvv line.

from __future__ import annotations

import pytest

from ansible.config.manager import ConfigManager
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible.template import Templar

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import OPTION_NAMES
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.module_connection import (
    LOG_KEY,
    describe_origins,
    fill_connection_args,
    ini_values,
    take_log,
)

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every string is a template
    def trust_as_template(value):
        return value

PASSWORD = 'S3cret-pass!word'
PLUGIN = 'vbr.enterprise_manager.backup_task_session_info'


def fill(args=None, variables=None, environment=None, ini=None):
    variables = variables or {}
    templar = Templar(loader=DataLoader(), variables=variables)
    ini_reads = []

    def read_ini():
        ini_reads.append(1)
        return ini or {}
    filled, origins = fill_connection_args(args or {}, variables, templar, environment or {}, ini=read_ini)
    return filled, origins, len(ini_reads)


def ini(**values):
    return dict((name, (value, 'ini: /etc/ansible/ansible.cfg [vbr_enterprise_manager] %s' % name)) for name, value in values.items())


@pytest.mark.parametrize('sources, url, origin', [
    (('task', 'var', 'env', 'ini'), 'https://task.example', 'task or module_defaults'),
    (('var', 'env', 'ini'), 'https://var.example', 'var: ansible_vbr_em_url'),
    (('env', 'ini'), 'https://env.example', 'env: VEEAM_EM_URL'),
    (('ini',), 'https://ini.example', 'ini: /etc/ansible/ansible.cfg [vbr_enterprise_manager] url'),
])
def test_each_source_beats_the_next(sources, url, origin):
    filled, origins, _reads = fill(
        args={'url': 'https://task.example'} if 'task' in sources else {},
        variables={'ansible_vbr_em_url': 'https://var.example'} if 'var' in sources else {},
        environment={'VEEAM_EM_URL': 'https://env.example'} if 'env' in sources else {},
        ini=ini(url='https://ini.example') if 'ini' in sources else {})
    assert filled['url'] == url and origins['url'] == origin


def test_options_are_filled_one_by_one_from_different_sources():
    filled, origins, reads = fill(args={'url': 'https://task.example', 'limit': 5},
                                  variables={'ansible_vbr_em_username': 'CORP\\var-user', 'unrelated': 'x'},
                                  environment={'VEEAM_EM_PASSWORD': PASSWORD, 'HOME': '/root'},
                                  ini=ini(timeout='45', password='ini-password'))
    assert filled == {'url': 'https://task.example', 'limit': 5, 'username': 'CORP\\var-user', 'password': PASSWORD, 'timeout': '45'}
    assert origins == {'url': 'task or module_defaults', 'username': 'var: ansible_vbr_em_username', 'password': 'env: VEEAM_EM_PASSWORD',
                       'timeout': 'ini: /etc/ansible/ansible.cfg [vbr_enterprise_manager] timeout'}
    assert reads == 1  # ansible.cfg is read once, and only because some option was still unset


def test_nothing_is_read_from_ansible_cfg_when_the_task_sets_every_option():
    filled, origins, reads = fill(args=dict((name, 'x') for name in OPTION_NAMES))
    assert reads == 0 and set(origins.values()) == {'task or module_defaults'}


def test_none_leaves_the_option_to_the_next_source_an_empty_value_does_not():
    # as for the lookup: an explicit empty value is a value (the module then says "No password given")
    filled, origins, _reads = fill(args={'url': None, 'password': ''}, variables={'ansible_vbr_em_url': None, 'ansible_vbr_em_ca_path': ''},
                                   environment={'VEEAM_EM_URL': 'https://env.example', 'VEEAM_EM_PASSWORD': PASSWORD,
                                                'VEEAM_EM_USERNAME': ''},
                                   ini=ini(ca_path='/etc/pki/em-ca.pem', username='CORP\\ini-user'))
    assert filled == {'url': 'https://env.example', 'password': '', 'ca_path': '', 'username': ''}
    assert origins['url'] == 'env: VEEAM_EM_URL' and origins['password'] == 'task or module_defaults'
    assert origins['ca_path'] == 'var: ansible_vbr_em_ca_path' and origins['username'] == 'env: VEEAM_EM_USERNAME'


def test_unset_everywhere_stays_out_of_the_arguments():
    # the module then applies its own fallback (the environment where it runs) and its defaults
    filled, origins, reads = fill(args={'limit': 1})
    assert filled == {'limit': 1} and origins == {} and reads == 1


def test_variables_are_rendered():
    variables = {'ansible_vbr_em_password': trust_as_template('{{ em_secret }}'), 'em_secret': PASSWORD,
                 'ansible_vbr_em_timeout': trust_as_template('{{ 20 + 5 }}')}
    filled, origins, _reads = fill(variables=variables)
    assert filled['password'] == PASSWORD and str(filled['timeout']) == '25'
    assert origins['password'] == 'var: ansible_vbr_em_password'


@pytest.fixture
def vaulted(monkeypatch):
    """A password as a vaulted YAML value (ansible-vault encrypt_string), as a vars file holds it."""
    secret = VaultSecret(b'vault-password')
    try:  # ansible-core 2.19+ decrypts through a process-wide context
        from ansible.parsing.vault import VaultSecretsContext
        monkeypatch.setattr(VaultSecretsContext, '_current', VaultSecretsContext(secrets=[('default', secret)]))
    except ImportError:
        pass
    ciphertext = VaultLib([('default', secret)]).encrypt(PASSWORD).decode()
    loader = DataLoader()
    loader.set_vault_secrets([('default', secret)])
    return loader.load('password: !vault |\n' + ''.join('  %s\n' % line for line in ciphertext.splitlines()))['password']


def test_a_vaulted_variable_reaches_the_module_as_its_text(vaulted):
    filled, _origins, _reads = fill(variables={'ansible_vbr_em_password': vaulted})
    assert filled['password'] == PASSWORD and isinstance(filled['password'], str)


def test_describe_origins_names_sources_never_values():
    line = describe_origins({'password': 'var: ansible_vbr_em_password', 'url': 'task or module_defaults'})
    assert line == 'EM connection: url from task or module_defaults, password from var: ansible_vbr_em_password'
    assert 'no option set' in describe_origins({})


def test_take_log_removes_the_private_key():
    result = {'count': 1, LOG_KEY: ['GET https://em.example.com:9398/api/query?... -> 200 (0.01s)']}
    assert take_log(result) == ['GET https://em.example.com:9398/api/query?... -> 200 (0.01s)'] and result == {'count': 1}
    assert take_log({'count': 1}) == []
    assert take_log({LOG_KEY: 'not a list'}) == []


# --- ansible.cfg through Ansible's config manager ---------------------------------------------------

def test_ini_values_reads_the_section_of_ansible_cfg(tmp_path):
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text('[defaults]\nforks = 3\n\n[vbr_enterprise_manager]\nurl = https://ini.example\npassword = %s\n'
                   'validate_certs = flase\ntimeout =\n' % PASSWORD, encoding='utf-8')
    found = ini_values(PLUGIN, config=ConfigManager(conf_file=str(cfg)))
    assert found['url'] == ('https://ini.example', 'ini: %s [vbr_enterprise_manager] url' % cfg)
    assert found['password'][0] == PASSWORD
    # passed on as text: the module's strict bool check rejects the typo instead of reading it as false
    assert found['validate_certs'][0] == 'flase'
    assert 'timeout' not in found and 'username' not in found


def test_ini_values_without_the_section(tmp_path):
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text('[defaults]\nforks = 3\n', encoding='utf-8')
    assert ini_values(PLUGIN, config=ConfigManager(conf_file=str(cfg))) == {}
