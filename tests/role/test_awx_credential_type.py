# -*- coding: utf-8 -*-
# The AWX custom credential type shipped in docs/awx/: its input schema follows what AWX accepts, and its
# injectors, rendered the way AWX renders them (Jinja sandbox, file injector), give the VEEAM_EM_* variables.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re
from pathlib import Path

PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGUgZm9yIHRlc3Rz\n-----END CERTIFICATE-----\n'
# Keys AWX allows on an input field of a custom credential type.
AWX_FIELD_KEYS = {'id', 'label', 'type', 'help_text', 'multiline', 'secret', 'ask_at_runtime', 'choices', 'format', 'default'}


def test_input_fields(awx_credential_type):
    fields = dict((f['id'], f) for f in awx_credential_type.inputs['fields'])
    assert list(fields) == ['url', 'username', 'password', 'validate_certs', 'ca_cert']
    for field in fields.values():
        assert set(field) <= AWX_FIELD_KEYS
        assert re.match(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$', field['id']) and field['label']
        assert field['type'] in ('string', 'boolean')
    assert fields['password']['secret'] is True
    assert fields['validate_certs']['type'] == 'boolean' and fields['validate_certs']['default'] is True
    assert fields['ca_cert']['multiline'] is True and fields['ca_cert']['secret'] is False
    assert not any(fields[name].get('secret') for name in ('url', 'username', 'ca_cert'))
    assert awx_credential_type.inputs['required'] == ['url', 'username', 'password', 'validate_certs']


def test_injectors_use_only_defined_fields(awx_credential_type):
    ids = set(f['id'] for f in awx_credential_type.inputs['fields']) | {'tower'}
    injectors = awx_credential_type.injectors
    assert set(injectors) == {'env', 'file'}
    assert sorted(injectors['env']) == ['VEEAM_EM_CA_PATH', 'VEEAM_EM_PASSWORD', 'VEEAM_EM_URL', 'VEEAM_EM_USERNAME', 'VEEAM_EM_VALIDATE_CERTS']
    assert list(injectors['file']) == ['template.ca_cert']
    for template in list(injectors['env'].values()) + list(injectors['file'].values()):
        for name in re.findall(r'\b([a-z_]+)\b', ' '.join(re.findall(r'{[{%](.*?)[}%]}', template))):
            assert name in ids | {'if', 'endif', 'filename', 'ca_cert'}, name


def test_rendered_with_ca(awx_credential_type, tmp_path):
    env = awx_credential_type.render({'url': 'https://em.example.com', 'username': 'CORP\\svc', 'password': 's3cr3t!',
                                      'validate_certs': True, 'ca_cert': PEM}, tmp_path)
    assert env['VEEAM_EM_URL'] == 'https://em.example.com'
    assert env['VEEAM_EM_USERNAME'] == 'CORP\\svc'
    assert env['VEEAM_EM_PASSWORD'] == 's3cr3t!'
    assert env['VEEAM_EM_VALIDATE_CERTS'] == 'True'
    ca_path = Path(env['VEEAM_EM_CA_PATH'])
    assert ca_path.parent == tmp_path / 'env'
    assert ca_path.read_text(encoding='utf-8') == PEM


def test_rendered_without_ca_and_without_verification(awx_credential_type, tmp_path):
    env = awx_credential_type.render({'url': 'https://em.example.com', 'username': 'svc@corp', 'password': 'pw',
                                      'validate_certs': False, 'ca_cert': ''}, tmp_path)
    assert env['VEEAM_EM_CA_PATH'] == ''
    assert env['VEEAM_EM_VALIDATE_CERTS'] == 'False'
