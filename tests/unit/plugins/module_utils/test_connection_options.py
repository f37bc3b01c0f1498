# -*- coding: utf-8 -*-
# Unit tests of the connection option table: the argument spec and the plugin sources of each row, and
# the validation of the values (URL rules, user names, versions, numbers, ca_path). The documentation
# written from the table is checked by tests/unit/plugins/test_option_docs.py.

from __future__ import annotations

import importlib.util
import os

import pytest

from ansible.module_utils.basic import env_fallback

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import (
    CONNECTION_OPTIONS,
    OPTION_NAMES,
    connection_argument_spec,
    normalize_url,
    validate_connection_params,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import connection_params

EXPECTED = {
    'url': ('str', None, 'VEEAM_EM_URL', False),
    'username': ('str', None, 'VEEAM_EM_USERNAME', False),
    'password': ('str', None, 'VEEAM_EM_PASSWORD', True),
    'validate_certs': ('bool', True, 'VEEAM_EM_VALIDATE_CERTS', False),
    'ca_path': ('path', None, 'VEEAM_EM_CA_PATH', False),
    'timeout': ('int', 30, 'VEEAM_EM_TIMEOUT', False),
    'retries': ('int', 3, 'VEEAM_EM_RETRIES', False),
    'api_version': ('str', 'latest', 'VEEAM_EM_API_VERSION', False),
    'response_format': ('str', 'xml', 'VEEAM_EM_RESPONSE_FORMAT', False),
}


def _option_docs():
    """tools/option_docs.py, which documents the options (its helpers are no module_utils: nothing on a managed host needs them)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    spec = importlib.util.spec_from_file_location('option_docs', os.path.join(root, 'tools', 'option_docs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_argument_spec_from_the_table():
    spec = connection_argument_spec()
    assert set(spec) == set(EXPECTED)
    for name, (type_, default, env, no_log) in EXPECTED.items():
        entry = spec[name]
        assert entry['type'] == type_
        assert entry.get('default') == default
        assert entry['no_log'] is no_log
        assert entry['fallback'] == (env_fallback, [env])
    assert spec['response_format']['choices'] == ['xml', 'json']


def test_every_option_has_env_ini_and_vars_sources():
    assert OPTION_NAMES == tuple(EXPECTED)
    for option in CONNECTION_OPTIONS:
        assert _option_docs().plugin_sources(option) == {
            'env': [{'name': EXPECTED[option.name][2]}],
            'ini': [{'section': 'vbr_enterprise_manager', 'key': option.name}],
            'vars': [{'name': 'ansible_vbr_em_' + option.name}],
        }


@pytest.mark.parametrize('url, base', [
    ('https://em.example.com', 'https://em.example.com:9398'),
    ('https://EM.Example.com/', 'https://em.example.com:9398'),
    ('HTTPS://em.example.com:9398/api', 'https://em.example.com:9398'),
    ('https://em.example.com:9398/api/', 'https://em.example.com:9398'),
    ('https://em.example.com:10443', 'https://em.example.com:10443'),
    ('http://em95.example.com', 'http://em95.example.com:9399'),
    ('http://em95.example.com:9399/api', 'http://em95.example.com:9399'),
    ('https://192.0.2.10', 'https://192.0.2.10:9398'),
    ('https://[2001:db8::1]', 'https://[2001:db8::1]:9398'),
    ('  https://em.example.com  ', 'https://em.example.com:9398'),
])
def test_urls(url, base):
    assert normalize_url(url) == base


@pytest.mark.parametrize('url, message', [
    (None, 'VEEAM_EM_URL'),
    ('', 'VEEAM_EM_URL'),
    ('em.example.com', 'no scheme'),
    ('em.example.com:9398', 'no scheme'),
    ('ftp://em.example.com', 'not supported'),
    ('https://admin:secret@em.example.com', 'must not contain a user name or password'),
    ('https://admin@em.example.com', 'must not contain a user name or password'),
    ('https://em.example.com/api/query', 'path'),
    ('https://em.example.com/web', 'path'),
    ('https://em.example.com/?v=latest', 'query'),
    ('https://em.example.com/#x', 'fragment'),
    ('https://em.example.com:99999', 'not a valid URL'),
    ('https://:9398', 'no host'),
])
def test_bad_urls(url, message):
    with pytest.raises(EMInputError, match=message) as caught:
        normalize_url(url)
    assert 'secret' not in str(caught.value)


@pytest.mark.parametrize('username', ['CORP\\svc-ansible', 'svc-ansible@corp.example.com', 'localadmin', 'EM\\ansible'])
def test_usernames_pass_through_unchanged(username):
    assert validate_connection_params(connection_params(username=username))['username'] == username


@pytest.mark.parametrize('overrides, message', [
    ({'username': None}, 'VEEAM_EM_USERNAME'),
    ({'username': '  '}, 'VEEAM_EM_USERNAME'),
    ({'username': 'a:b'}, 'colon'),
    ({'password': None}, 'VEEAM_EM_PASSWORD'),
    ({'password': ''}, 'VEEAM_EM_PASSWORD'),
    ({'api_version': '1.7'}, 'api_version'),
    ({'api_version': 'v1_7&x=1'}, 'api_version'),
    ({'timeout': 0}, 'timeout'),
    ({'timeout': 'soon'}, 'timeout'),
    ({'retries': -1}, 'retries'),
    ({'response_format': 'yaml'}, 'response_format'),
    ({'ca_path': '/nonexistent/ca.pem'}, 'ca_path'),
])
def test_bad_values(overrides, message):
    with pytest.raises(EMInputError, match=message):
        validate_connection_params(connection_params(**overrides))


@pytest.mark.parametrize('name, what, overrides', [
    ('url', 'No Enterprise Manager URL given', {'url': None}),
    ('username', 'No user name given', {'username': ''}),
    ('password', 'No password given', {'password': None}),
])
def test_a_missing_value_names_every_place_it_can_be_set(name, what, overrides):
    with pytest.raises(EMInputError) as caught:
        validate_connection_params(connection_params(**overrides))
    message = str(caught.value)
    assert message.startswith(what)
    for place in ('the %s option' % name, 'the ansible_vbr_em_%s variable' % name, 'the VEEAM_EM_%s environment variable' % name.upper(),
                  '%s in the [vbr_enterprise_manager] section of ansible.cfg' % name):
        assert place in message, (place, message)


@pytest.mark.parametrize('version', ['latest', 'v1_7', 'v1_5', 'V1_6', '1_6', 'v1'])
def test_api_versions(version):
    assert validate_connection_params(connection_params(api_version=version))['api_version'] == version


def test_verify_setting(tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('x')
    assert validate_connection_params(connection_params())['verify'] is True
    assert validate_connection_params(connection_params(ca_path=str(ca)))['verify'] == str(ca)
    assert validate_connection_params(connection_params(ca_path=str(ca), validate_certs=False))['verify'] is False


def test_defaults_apply_for_missing_values():
    params = connection_params()
    for name in ('timeout', 'retries', 'api_version', 'response_format', 'validate_certs'):
        params.pop(name)
    settings = validate_connection_params(params)
    assert (settings['timeout'], settings['retries'], settings['api_version'], settings['response_format'], settings['verify']) == (
        30, 3, 'latest', 'xml', True)
