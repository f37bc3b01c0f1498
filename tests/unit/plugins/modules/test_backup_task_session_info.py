# -*- coding: utf-8 -*-
# Unit tests of the backup_task_session_info module through AnsibleModule, with the strict fake EM
# transport: results, check mode, environment fallbacks, failures without secrets, missing libraries.

from __future__ import annotations

import contextlib
import functools
import json
import sys

import pytest

from ansible.module_utils import basic

from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import expect_job_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils import info_module  # main() runs through it
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.modules import backup_task_session_info as module_under_test
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    PASSWORD,
    SESSION_ID,
    TOKEN,
    USERNAME,
    error_body,
    expect_logoff,
    expect_logon,
    page,
    query_url_path,
    task_session,
)

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    patch_module_args = None


class ModuleExit(Exception):
    def __init__(self, result, failed):
        super(ModuleExit, self).__init__(result)
        self.result = result
        self.failed = failed


@contextlib.contextmanager
def module_args(args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    previous = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = previous


@pytest.fixture
def run_module(monkeypatch, em):
    """Run the module's main() with args; returns (result, failed); warnings land in result['warnings']."""
    warned = []

    def exit_json(self, **kwargs):
        kwargs['warnings'] = list(warned)
        raise ModuleExit(self._redacted(kwargs), False)

    def fail_json(self, msg, **kwargs):
        kwargs['msg'] = msg
        kwargs['warnings'] = list(warned)
        raise ModuleExit(self._redacted(kwargs), True)

    def redacted(self, result):
        # what AnsibleModule would print: no_log values masked everywhere
        text = json.dumps(result)
        for secret in self.no_log_values:
            text = text.replace(secret, '********')
        return json.loads(text)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(basic.AnsibleModule, '_redacted', redacted, raising=False)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warned.append(text))
    monkeypatch.setattr(info_module, 'EMClient', functools.partial(EMClient, adapter=em, sleep=lambda seconds: None))
    for name in ('URL', 'USERNAME', 'PASSWORD', 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT', 'RETRIES', 'API_VERSION', 'RESPONSE_FORMAT'):
        monkeypatch.delenv('VEEAM_EM_' + name, raising=False)

    def run(args):
        del warned[:]
        with module_args(args):
            with pytest.raises(ModuleExit) as caught:
                module_under_test.main()
        return caught.value.result, caught.value.failed
    return run


ARGS = {'url': 'https://em.example.com', 'username': USERNAME, 'password': PASSWORD}


def assert_no_secrets(result):
    text = json.dumps(result)
    for secret in (PASSWORD, TOKEN, SESSION_ID):
        assert secret not in text


@pytest.mark.parametrize('fmt', ['xml', 'json'])
def test_returns_facts(em, run_module, fmt):
    expect_logon(em, fmt='json' if fmt == 'json' else 'xml')
    em.expect('GET', BASE + query_url_path(1, 1000, 'Result%3D%3DFailed'),
              **page([task_session(1, result='Failed', reason='Disk full ', total_size=0, restore_point=None)], fmt='camel' if fmt == 'json' else 'xml'))
    expect_job_sessions(em)
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, result='failed', response_format=fmt))
    assert not failed
    assert result['changed'] is False
    assert result['count'] == 1 and result['truncated'] is False and result['missing_ids'] == []
    session = result['backup_task_sessions'][0]
    assert session['reason'] == 'Disk full ' and session['total_size'] == 0 and session['restore_point_id'] is None
    assert result['summary']['by_result']['Failed'] == 1
    assert_no_secrets(result)


def test_check_mode_reads_the_same(em, run_module):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1000), **page([task_session(1)]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, _ansible_check_mode=True))
    assert not failed and result['count'] == 1 and result['changed'] is False


def test_connection_from_the_environment(em, run_module, monkeypatch):
    monkeypatch.setenv('VEEAM_EM_URL', 'https://em.example.com:9398/api')
    monkeypatch.setenv('VEEAM_EM_USERNAME', USERNAME)
    monkeypatch.setenv('VEEAM_EM_PASSWORD', PASSWORD)
    monkeypatch.setenv('VEEAM_EM_VALIDATE_CERTS', 'false')
    monkeypatch.setenv('VEEAM_EM_RETRIES', '0')
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1000), status=503)
    expect_logoff(em)
    result, failed = run_module({})
    assert failed and 'HTTP 503' in result['msg']
    assert em.calls[0].verify is False
    assert [w for w in result['warnings'] if 'validate_certs is false' in w]
    assert_no_secrets(result)


def test_failure_is_clear_and_secret_free(em, run_module):
    body, content_type = error_body('Unauthorized', 401)
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=401, body=body, content_type=content_type)
    result, failed = run_module(dict(ARGS))
    assert failed
    assert 'Portal Administrator' in result['msg'] and result['error']['kind'] == 'authentication'
    assert_no_secrets(result)


def test_token_and_session_id_are_masked_if_they_ever_reach_the_output(em, run_module):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1000), **page([task_session(1, reason='echo %s %s' % (TOKEN, SESSION_ID))]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, failed = run_module(dict(ARGS))
    assert not failed
    assert result['backup_task_sessions'][0]['reason'] == 'echo ******** ********'


def test_invalid_option_fails_without_any_request(em, run_module):
    result, failed = run_module(dict(ARGS, id=['12345']))
    assert failed and "'12345' is not a valid ID" in result['msg']
    assert em.calls == []


def test_missing_url_names_the_environment_variable(em, run_module):
    result, failed = run_module({'username': 'u', 'password': 'p'})
    assert failed and 'VEEAM_EM_URL' in result['msg']
    assert em.calls == []


def test_fields_choices_are_enforced_by_ansible(em, run_module):
    result, failed = run_module(dict(ARGS, fields=['vm_name', 'nope']))
    assert failed and 'nope' in result['msg']
    assert em.calls == []


def test_missing_requests(monkeypatch, em, run_module):
    monkeypatch.setattr(info_module, 'HAS_REQUESTS', False)
    result, failed = run_module(dict(ARGS))
    assert failed and 'requests' in result['msg'] and 'Failed to import' in result['msg']


def test_missing_xmltodict(monkeypatch, em, run_module):
    monkeypatch.setattr(info_module, 'HAS_XMLTODICT', False)
    for response_format in ('xml', 'json'):  # a requirement of the collection, whatever the format
        result, failed = run_module(dict(ARGS, response_format=response_format))
        assert failed and 'requests and xmltodict' in result['msg'] and 'Failed to import' in result['msg']


def test_an_expected_error_carries_no_traceback(em, monkeypatch, capsys):
    """The real fail_json at -vvvv: ansible-core attaches the traceback of a pending exception (2.16 at
    verbosity 3+), so an EMError must be reported once no exception is being handled."""
    pending = []
    real_fail_json = basic.AnsibleModule.fail_json

    def fail_json(self, *args, **kwargs):
        pending.append(sys.exc_info()[1])
        real_fail_json(self, *args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(info_module, 'EMClient', functools.partial(EMClient, adapter=em, sleep=lambda seconds: None))
    for name in ('URL', 'USERNAME', 'PASSWORD', 'RETRIES', 'RESPONSE_FORMAT'):
        monkeypatch.delenv('VEEAM_EM_' + name, raising=False)
    expect_logon(em)
    body, content_type = error_body('Filter is not valid', 400)
    em.expect('GET', BASE + query_url_path(1, 1000, encode_filter('(TotalSize>=x)')), status=400, body=body, content_type=content_type)
    expect_logoff(em)
    with module_args(dict(ARGS, filter='TotalSize>=x', _ansible_verbosity=4, _ansible_debug=True)):
        with pytest.raises(SystemExit):
            module_under_test.main()
    result = json.loads(capsys.readouterr().out)
    assert result['failed'] is True and 'Filter is not valid' in result['msg'] and result['error']['kind'] == 'query'
    assert pending == [None]
    assert 'exception' not in result


# --- the request log for the action plugin (-vvv) ----------------------------------------------------

def test_at_vvv_the_request_log_is_returned_in_the_private_key_without_secrets(em, run_module):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1000), status=503)
    em.expect('GET', BASE + query_url_path(1, 1000), **page([task_session(1)]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, _ansible_verbosity=3))
    assert not failed and result['count'] == 1
    lines = result['_vbr_em_log']
    assert [line.split(' ', 1)[0] for line in lines] == ['POST', 'GET', 'GET', 'GET', 'DELETE']  # the third: the job sessions
    assert lines[1].endswith('-> 503 (%s)' % lines[1].rsplit('(', 1)[1][:-1]) and lines[2].endswith('[retry 1 of 3]')
    assert 'type=BackupJobSession' in lines[3]
    assert lines[4].startswith('DELETE %s/api/logonSessions/*' % BASE) and ' -> 204 ' in lines[4]
    assert_no_secrets(lines)


def test_a_failure_at_vvv_returns_the_request_log_too(em, run_module):
    body, content_type = error_body('Query failed', 500)
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1000), status=500, body=body, content_type=content_type)
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, retries=0, _ansible_verbosity=4))
    assert failed and [line.split(' ', 1)[0] for line in result['_vbr_em_log']] == ['POST', 'GET', 'DELETE']
    assert_no_secrets(result)


@pytest.mark.parametrize('verbosity', [0, 2])
def test_below_vvv_no_request_log_is_returned(em, run_module, verbosity):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1000), **page([task_session(1)]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, _ansible_verbosity=verbosity))
    assert not failed and '_vbr_em_log' not in result
