# -*- coding: utf-8 -*-
# Unit tests of the client base of controller-side plugins: connection options from a plugin's getter
# or from a plain dict (EDA source: VEEAM_EM_* fallbacks, the table's types and defaults), templated
# and vaulted values (inventory files), bad values before any request and without the password, and
# the session helper (one logon, logoff always, warnings handed on).

from __future__ import annotations

import functools

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible.template import Templar

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import OPTION_NAMES
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError, EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import em_connection
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.em_connection import (
    build_client,
    connection_params,
    connection_vars,
    em_session,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    PASSWORD,
    USERNAME,
    error_body,
    expect_logoff,
    expect_logon,
    page,
    query_with,
)

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every string is a template
    def trust_as_template(value):
        return value

ARGS = {'url': 'https://em.example.com', 'username': USERNAME, 'password': PASSWORD}
DEFAULTS = {'validate_certs': True, 'ca_path': None, 'timeout': 30, 'retries': 3, 'api_version': 'latest', 'response_format': 'xml'}


@pytest.fixture(autouse=True)
def no_em_environment(monkeypatch):
    for name in OPTION_NAMES:
        monkeypatch.delenv('VEEAM_EM_' + name.upper(), raising=False)


def test_a_dict_gets_the_table_defaults_and_ignores_other_arguments():
    params = connection_params(dict(ARGS, interval=60, results=['Failed']))
    assert params == dict(ARGS, **DEFAULTS)


def test_absent_or_none_arguments_fall_back_to_the_environment_typed(monkeypatch):
    monkeypatch.setenv('VEEAM_EM_URL', 'https://em-env.example.com')
    monkeypatch.setenv('VEEAM_EM_PASSWORD', PASSWORD)
    monkeypatch.setenv('VEEAM_EM_VALIDATE_CERTS', 'no')
    monkeypatch.setenv('VEEAM_EM_TIMEOUT', '45')
    monkeypatch.setenv('VEEAM_EM_RETRIES', '9')
    params = connection_params({'username': USERNAME, 'url': None, 'retries': 1})
    assert params['url'] == 'https://em-env.example.com' and params['password'] == PASSWORD
    # 'no' from the environment is false, as for the module (bool('no') would be true)
    assert params['validate_certs'] is False and params['timeout'] == 45
    assert params['retries'] == 1  # an argument given wins over the environment


def test_a_getter_is_read_for_every_connection_option():
    asked = []

    def get_option(name):
        asked.append(name)
        return dict(ARGS, timeout=12).get(name)
    assert connection_params(get_option) == dict(ARGS, **dict(DEFAULTS, timeout=12))
    assert tuple(asked) == OPTION_NAMES


@pytest.mark.parametrize('args, words', [
    ({'timeout': 'soon'}, "argument 'timeout' is of type"),
    ({'response_format': 'yaml'}, 'response_format must be one of: xml, json'),
    ({'validate_certs': 'maybe'}, "argument 'validate_certs'"),
    ({'url': 'em.example.com'}, 'has no scheme'),
    ({'password': ''}, 'No password given'),
    ({'retries': -1}, 'retries option must be at least 0'),
])
def test_bad_values_are_input_errors_naming_the_option(args, words):
    with pytest.raises(EMInputError) as caught:
        connection_params(dict(ARGS, **args))
    assert words in str(caught.value)


def test_the_password_never_shows_in_a_type_error():
    with pytest.raises(EMInputError) as caught:
        connection_params(dict(ARGS, timeout=PASSWORD))
    assert "argument 'timeout'" in str(caught.value) and PASSWORD not in str(caught.value)


def test_templates_are_rendered_with_the_plugins_templar():
    templar = Templar(loader=DataLoader(), variables={'em_password': PASSWORD, 'em_timeout': 25})
    args = dict(ARGS, password=trust_as_template('{{ em_password }}'), timeout=trust_as_template('{{ em_timeout }}'))
    params = connection_params(args, templar=templar)
    assert params['password'] == PASSWORD and params['timeout'] == 25


@pytest.fixture
def vaulted(monkeypatch):
    """A password as a vaulted YAML value, the way an inventory file or vars file holds it."""
    secret = VaultSecret(b'vault-password')
    try:  # ansible-core 2.19+ decrypts through a process-wide context
        from ansible.parsing.vault import VaultSecretsContext
        monkeypatch.setattr(VaultSecretsContext, '_current', VaultSecretsContext(secrets=[('default', secret)]))
    except ImportError:
        pass
    ciphertext = VaultLib([('default', secret)]).encrypt(PASSWORD).decode()
    loader = DataLoader()
    loader.set_vault_secrets([('default', secret)])
    value = loader.load('password: !vault |\n' + ''.join('  %s\n' % line for line in ciphertext.splitlines()))['password']
    assert not isinstance(value, str)  # a vault object, not yet the text
    return value


def test_a_vaulted_value_is_decrypted(vaulted):
    params = connection_params(dict(ARGS, password=vaulted))
    assert params['password'] == PASSWORD and isinstance(params['password'], str)  # text, no longer the vault object


def test_connection_vars_renders_only_the_ansible_vbr_em_variables():
    variables = {'ansible_vbr_em_url': 'https://em.example.com', 'ansible_vbr_em_password': trust_as_template('{{ pw }}'),
                 'pw': PASSWORD, 'other': trust_as_template('{{ undefined_thing }}')}
    templar = Templar(loader=DataLoader(), variables=variables)
    assert connection_vars(variables, templar) == {'ansible_vbr_em_url': 'https://em.example.com', 'ansible_vbr_em_password': PASSWORD}
    assert connection_vars(None, templar) == {}


@pytest.fixture
def fake_client(monkeypatch, em):
    monkeypatch.setattr(em_connection, 'EMClient', functools.partial(EMClient, adapter=em, sleep=lambda seconds: None))


def test_build_client_returns_the_params_and_a_client_that_logs_to_the_plugin(em, fake_client):
    lines = []
    params, client = build_client(dict(ARGS, response_format='json'), log=lines.append)
    assert params['response_format'] == 'json' and client.base_url == BASE
    assert em.calls == []  # not logged on yet
    expect_logon(em, fmt='json')
    em.expect('GET', query_with('VmDisplayName=="db01"'), **page([], fmt='json'))
    expect_logoff(em)
    with client:
        list(client.query('BackupTaskSession', filter='VmDisplayName=="db01"'))
    assert [line.split(' ', 1)[0] for line in lines] == ['POST', 'GET', 'DELETE']
    assert not any(PASSWORD in line for line in lines)


def test_em_session_logs_off_when_the_block_fails_and_hands_on_the_warnings(em, fake_client):
    warnings = []
    expect_logon(em)
    body, content_type = error_body('Query failed', 500)
    em.expect('GET', query_with('VmDisplayName=="db01"'), status=500, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(EMError, match='HTTP 500'):
        with em_session(dict(ARGS, retries=0, validate_certs=False), log=None, warn=warnings.append) as client:
            list(client.query('BackupTaskSession', filter='VmDisplayName=="db01"'))
    assert [call.method for call in em.calls] == ['POST', 'GET', 'DELETE']
    assert len(warnings) == 1 and 'validate_certs is false' in warnings[0]


def test_em_session_yields_a_logged_on_client(em, fake_client):
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01"'), **page([]))
    expect_logoff(em)
    with em_session(ARGS, log=None, warn=pytest.fail) as client:
        assert list(client.query('BackupTaskSession', filter='VmDisplayName=="db01"')) == []
