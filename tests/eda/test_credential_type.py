# -*- coding: utf-8 -*-
# The EDA custom credential type of extensions/eda/credential_type/: the same inputs as the AWX one (docs/awx/), and
# injectors that, rendered the way EDA renders them (Jinja sandbox, eda.filename for the file injector), give every
# extra variable the example rulebook passes to the task_sessions source, and nothing else.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import yaml
from jinja2.sandbox import SandboxedEnvironment

from conftest import REPO  # pylint: disable=import-error

CREDENTIAL_TYPE = REPO / 'extensions' / 'eda' / 'credential_type'
PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGUgZm9yIHRlc3Rz\n-----END CERTIFICATE-----\n'


def load(path):
    return yaml.safe_load(path.read_text(encoding='utf-8'))


def render(inputs, ca_file='/tmp/eda/ca_cert'):
    injectors = load(CREDENTIAL_TYPE / 'injectors.yml')
    env = SandboxedEnvironment()
    context = dict(inputs, eda={'filename': {'ca_cert': ca_file}})
    return dict((name, env.from_string(template).render(context)) for name, template in injectors['extra_vars'].items())


def test_the_inputs_are_the_awx_credential_types():
    assert load(CREDENTIAL_TYPE / 'inputs.yml') == load(REPO / 'docs' / 'awx' / 'credential_type_inputs.yml')


def test_the_injectors_give_exactly_what_the_example_rulebook_reads():
    injectors = load(CREDENTIAL_TYPE / 'injectors.yml')
    assert set(injectors) == {'extra_vars', 'file'} and list(injectors['file']) == ['template.ca_cert']
    assert not [name for name in injectors['extra_vars'] if name.lower().startswith(('eda_', 'ansible_'))]  # reserved by EDA
    rulebook = (REPO / 'extensions' / 'eda' / 'rulebooks' / 'failed_task_sessions.yml').read_text(encoding='utf-8')
    read = set(re.findall(r'\{\{\s*(veeam_em_\w+)', rulebook)) - {'veeam_em_poll_interval'}
    assert read == set(injectors['extra_vars'])


def test_rendered_with_and_without_a_ca():
    values = render({'url': 'https://em.example.com', 'username': 'CORP\\svc', 'password': 's3cr3t!', 'validate_certs': True, 'ca_cert': PEM})
    assert values == {'veeam_em_url': 'https://em.example.com', 'veeam_em_username': 'CORP\\svc', 'veeam_em_password': 's3cr3t!',
                      'veeam_em_validate_certs': 'True', 'veeam_em_ca_path': '/tmp/eda/ca_cert'}
    values = render({'url': 'https://em.example.com', 'username': 'svc@corp', 'password': 'pw', 'validate_certs': False, 'ca_cert': ''})
    assert values['veeam_em_ca_path'] == '' and values['veeam_em_validate_certs'] == 'False'
