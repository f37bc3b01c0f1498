# -*- coding: utf-8 -*-
# Unit tests of the backup_task_session lookup, loaded through Ansible's plugin loader (so its
# documentation, fragments and option sources are the real ones), with the strict fake EM transport:
# the logon/query/logoff sequence, option sources (direct, env, vars), output, on_missing, failures
# with logoff and without secrets, and the -vvv request log.

from __future__ import annotations

import base64
import functools
import sys

import pytest

from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSION_KEYS
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import em_connection
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    PASSWORD,
    SESSION_ID,
    TOKEN,
    USERNAME,
    error_body,
    expect_logoff,
    expect_logon,
    guid,
    page,
    query_with,
    task_session,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import expect_job_sessions

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every string is a template
    def trust_as_template(value):
        return value

URN = 'urn:veeam:BackupTaskSession:'
CONNECTION = {'url': 'https://em.example.com', 'username': USERNAME, 'password': PASSWORD}
ENV_NAMES = ('URL', 'USERNAME', 'PASSWORD', 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT', 'RETRIES', 'API_VERSION', 'RESPONSE_FORMAT')


def session(n, minute, vm='db01', **kwargs):
    kwargs.setdefault('created', '2025-03-14T01:%02d:00Z' % minute)
    kwargs.setdefault('name_time', '2025-03-14 01:%02d:00' % minute)
    return task_session(n, vm=vm, **kwargs)


class Recorder(object):
    def __init__(self):
        self.lines = []

    def __call__(self, text, *args, **kwargs):
        self.lines.append(str(text))


@pytest.fixture
def lookup(monkeypatch, em):
    """The plugin as Ansible loads it, its EM client on the fake transport; warnings and -vvv lines recorded."""
    loader = DataLoader()
    plugin = lookup_loader.get('vbr.enterprise_manager.backup_task_session', loader=loader, templar=Templar(loader=loader))
    assert plugin is not None
    module = sys.modules[type(plugin).__module__]
    # the client is built by plugin_utils/em_connection.py, as for every controller-side plugin
    monkeypatch.setattr(em_connection, 'EMClient', functools.partial(EMClient, adapter=em, sleep=lambda seconds: None))
    plugin.warnings = Recorder()
    plugin.vvv = Recorder()
    monkeypatch.setattr(module.display, 'warning', plugin.warnings)
    monkeypatch.setattr(module.display, 'vvv', plugin.vvv)
    for name in ENV_NAMES:
        monkeypatch.delenv('VEEAM_EM_' + name, raising=False)
    return plugin


def methods(em):
    return [call.method for call in em.calls]


def test_one_logon_for_all_terms_ids_and_names_in_one_query_vms_in_another(em, lookup):
    expect_logon(em)
    em.expect('GET', query_with('(UID=="{0}{1}",Name=="web01@2025-03-14 01:07:00")'.format(URN, guid(1))),
              **page([session(2, 7, vm='web01'), session(1, 3, vm='app01')]))
    expect_job_sessions(em)
    em.expect('GET', query_with('(VmDisplayName=="db01",VmDisplayName=="Finance Share 02")', 9),
              **page([session(3, 9, vm='Finance Share 02'), session(4, 8, vm='DB01'), session(5, 6, vm='db01')]))
    expect_job_sessions(em)
    expect_logoff(em)
    values = lookup.run(['db01', URN + guid(1), ['web01@2025-03-14 01:07:00', 'Finance Share 02']], variables={}, **CONNECTION)
    assert values == [guid(4), guid(1), guid(2), guid(3)]
    assert methods(em) == ['POST', 'GET', 'GET', 'GET', 'GET', 'DELETE']  # each task session query, then its job sessions
    assert lookup.warnings.lines == []


def test_fifty_vm_names_in_one_logon_one_query_one_logoff(em, lookup):
    names = ['srv%02d' % n for n in range(50)]
    expect_logon(em)
    em.expect('GET', query_with('(' + ','.join('VmDisplayName=="%s"' % name for name in names) + ')', 201),
              **page([session(n + 1, 59 - n, vm=name) for n, name in enumerate(names)]))
    expect_job_sessions(em)
    expect_logoff(em)
    assert lookup.run(names, variables={}, **CONNECTION) == [guid(n + 1) for n in range(50)]
    assert methods(em) == ['POST', 'GET', 'GET', 'DELETE']  # the task sessions, their job sessions


@pytest.mark.parametrize('output, expected', [('id', guid(7)), ('uid', URN + guid(7))])
def test_output_id_and_uid(em, lookup, output, expected):
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01"', 5), **page([session(7, 9)]))
    expect_job_sessions(em)
    expect_logoff(em)
    assert lookup.run(['db01'], variables={}, output=output, **CONNECTION) == [expected]


def test_output_facts_are_the_info_module_items(em, lookup):
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01";Result==Failed;CreationTime>="2025-03-10T00:00:00Z"', 5),
              **page([session(7, 9, result='Failed', reason='Disk full', restore_point=None, total_size=0)]))
    expect_job_sessions(em)
    expect_logoff(em)
    values = lookup.run(['db01'], variables={}, output='facts', result='FAILED', since='2025-03-10T02:00:00+02:00', **CONNECTION)
    assert len(values) == 1 and sorted(values[0]) == sorted(TASK_SESSION_KEYS)
    assert (values[0]['id'], values[0]['result'], values[0]['reason'], values[0]['restore_point_id']) == (guid(7), 'Failed', 'Disk full', None)


def test_connection_from_the_environment(em, lookup, monkeypatch):
    monkeypatch.setenv('VEEAM_EM_URL', 'https://em-env.example.com:9443')
    monkeypatch.setenv('VEEAM_EM_USERNAME', USERNAME)
    monkeypatch.setenv('VEEAM_EM_PASSWORD', PASSWORD)
    monkeypatch.setenv('VEEAM_EM_RESPONSE_FORMAT', 'json')
    env_base = 'https://em-env.example.com:9443'
    expect_logon(em, fmt='json', url=env_base + '/api/sessionMngr/?v=latest')
    em.expect('GET', query_with('UID=="%s%s"' % (URN, guid(1)), base=env_base), **page([session(1, 1)], fmt='json'))
    expect_job_sessions(em, base=env_base)
    em.expect('DELETE', env_base + '/api/logonSessions/' + SESSION_ID, status=204)
    assert lookup.run([guid(1)], variables={}) == [guid(1)]
    assert em.calls[1].headers['Accept'] == 'application/json'


def test_connection_from_ansible_vbr_em_variables_beats_the_environment(em, lookup, monkeypatch):
    monkeypatch.setenv('VEEAM_EM_URL', 'https://em-env.example.com')
    monkeypatch.setenv('VEEAM_EM_PASSWORD', 'wrong-password')
    # as in a play: the variables arrive unrendered, a password usually from a vault variable
    variables = {'ansible_vbr_em_url': 'https://em-vars.example.com', 'ansible_vbr_em_username': USERNAME,
                 'ansible_vbr_em_password': trust_as_template('{{ vault_em_password }}'), 'vault_em_password': PASSWORD,
                 'ansible_vbr_em_api_version': 'v1_7'}
    lookup._templar.available_variables = variables
    vars_base = 'https://em-vars.example.com:9398'

    def check(request):
        assert request.headers['Authorization'] == 'Basic ' + base64.b64encode(('%s:%s' % (USERNAME, PASSWORD)).encode()).decode()
    expect_logon(em, url=vars_base + '/api/sessionMngr/?v=v1_7')
    em.expectations[-1].check = check
    em.expect('GET', query_with('VmDisplayName=="db01"', 5, base=vars_base), **page([session(2, 9)]))
    expect_job_sessions(em, base=vars_base)
    em.expect('DELETE', vars_base + '/api/logonSessions/' + SESSION_ID, status=204)
    assert lookup.run(['db01'], variables=variables) == [guid(2)]


def test_no_terms_no_request(em, lookup):
    assert lookup.run([], variables={}, **CONNECTION) == []
    assert em.calls == []


def test_bad_input_fails_before_any_request(em, lookup):
    with pytest.raises(AnsibleLookupError, match='not a valid ID'):
        lookup.run(['urn:veeam:BackupTaskSession:1234'], variables={}, **CONNECTION)
    with pytest.raises(AnsibleLookupError, match="state value 'done' is not known"):
        lookup.run(['db01'], variables={}, state='done', **CONNECTION)
    with pytest.raises(AnsibleLookupError, match='No Enterprise Manager URL given'):
        lookup.run(['db01'], variables={}, username=USERNAME, password=PASSWORD)
    assert em.calls == []


@pytest.mark.parametrize('option, value, valid', [('output', 'guid', 'id, uid, facts'), ('output', 'UID', 'id, uid, facts'),
                                                  ('output', 'fact', 'id, uid, facts'), ('on_missing', 'never', 'error, warn, ignore')])
def test_a_value_outside_the_choices_fails_before_any_request(em, lookup, option, value, valid):
    # ansible-core 2.19+ says only "Invalid value": the lookup lists the valid values itself
    with pytest.raises(AnsibleLookupError, match=r"%s='%s' is not one of %s\." % (option, value, valid)):
        lookup.run(['db01'], variables={}, **dict(CONNECTION, **{option: value}))
    assert em.calls == []


def test_misspelled_options_fail_naming_each_with_the_closest_option(em, lookup):
    with pytest.raises(AnsibleLookupError) as caught:
        lookup.run(['DC05'], variables={}, reslt='Failed', sinse='1h', xyzzy=1, **CONNECTION)
    message = str(caught.value)
    assert "unknown option 'reslt' (did you mean result?)" in message
    assert "unknown option 'sinse' (did you mean since?)" in message
    assert "unknown option 'xyzzy'." in message and 'Its options are: api_version, ca_path, job_name, job_type, on_missing, output,' in message
    assert 'Failed' not in message and '1h' not in message  # names only, no values
    assert em.calls == []


def test_a_misspelled_connection_option_shows_no_value(em, lookup):
    with pytest.raises(AnsibleLookupError, match=r"unknown option 'pasword' \(did you mean password\?\)") as caught:
        lookup.run(['db01'], variables={}, pasword=PASSWORD, url='https://em.example.com', username=USERNAME)
    assert PASSWORD not in str(caught.value)
    assert em.calls == []


def expect_missing_round(em):
    expect_logon(em)
    em.expect('GET', query_with('UID=="%s%s"' % (URN, guid(9))), **page([]))
    em.expect('GET', query_with('(VmDisplayName=="db01",VmDisplayName=="gone01")', 9), **page([session(1, 9)]))
    expect_job_sessions(em)
    expect_logoff(em)


def test_on_missing_error_names_the_terms_after_logoff(em, lookup):
    expect_missing_round(em)
    with pytest.raises(AnsibleLookupError) as caught:
        lookup.run(['db01', 'gone01', guid(9)], variables={}, **CONNECTION)
    message = str(caught.value)
    assert "2 of 3 term(s): 'gone01' (VM name), '%s' (task session ID)" % guid(9) in message
    assert 'on_missing=warn' in message
    assert methods(em)[-1] == 'DELETE'


def test_on_missing_warn_leaves_the_items_out_with_a_warning(em, lookup):
    expect_missing_round(em)
    assert lookup.run(['db01', 'gone01', guid(9)], variables={}, on_missing='warn', **CONNECTION) == [guid(1)]
    assert len(lookup.warnings.lines) == 1 and "'gone01' (VM name)" in lookup.warnings.lines[0]


def test_on_missing_ignore_is_silent(em, lookup):
    expect_missing_round(em)
    assert lookup.run(['db01', 'gone01', guid(9)], variables={}, on_missing='ignore', **CONNECTION) == [guid(1)]
    assert lookup.warnings.lines == []


def test_an_em_failure_logs_off_and_shows_no_secret(em, lookup):
    expect_logon(em)
    body, content_type = error_body('Query failed for session %s' % SESSION_ID, 500)
    em.expect('GET', query_with('VmDisplayName=="db01"', 5), status=500, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(AnsibleLookupError) as caught:
        lookup.run(['db01'], variables={}, retries=0, **CONNECTION)
    message = str(caught.value)
    assert 'HTTP 500' in message
    for secret in (PASSWORD, TOKEN, SESSION_ID):
        assert secret not in message
    assert methods(em) == ['POST', 'GET', 'DELETE']


def test_a_rejected_logon_is_a_lookup_error_without_the_password(em, lookup):
    body, content_type = error_body('Authentication failed', 401)
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=401, body=body,
              headers={'WWW-Authenticate': 'Basic Realm=RestSvc', 'Content-Type': content_type})
    with pytest.raises(AnsibleLookupError, match=r'rejected the logon of user CORP\\svc-ansible \(HTTP 401\)') as caught:
        lookup.run(['db01'], variables={}, **CONNECTION)
    assert PASSWORD not in str(caught.value)


def test_the_request_log_at_vvv_has_no_secrets(em, lookup):
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01"', 5), **page([session(1, 9)]))
    expect_job_sessions(em)
    expect_logoff(em)
    lookup.run(['db01'], variables={}, validate_certs=False, **CONNECTION)
    assert [line.split(' ', 1)[0] for line in lookup.vvv.lines] == ['POST', 'GET', 'GET', 'DELETE']
    for line in lookup.vvv.lines:
        for secret in (PASSWORD, TOKEN, SESSION_ID):
            assert secret not in line
    assert len(lookup.warnings.lines) == 1 and 'validate_certs is false' in lookup.warnings.lines[0]
