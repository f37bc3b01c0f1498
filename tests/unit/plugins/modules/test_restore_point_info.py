# -*- coding: utf-8 -*-
# Unit tests of the restore_point_info module through AnsibleModule, with the strict fake EM transport:
# facts, both kinds, latest_per_vm with its early stop, limit, unmatched names, rows not asked for, check mode,
# bad options before any request, failures without secrets.

from __future__ import annotations

import contextlib
import functools
import json

import pytest

from ansible.module_utils import basic

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
from ansible_collections.vbr.enterprise_manager.plugins.modules import restore_point_info as module_under_test
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    PASSWORD,
    SESSION_ID,
    TOKEN,
    USERNAME,
    error_body,
    expect_logoff,
    expect_logon,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_restore_points import (
    point_guid,
    points_page,
    query_url,
    restore_point,
)

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    patch_module_args = None

ARGS = {'url': 'https://em.example.com', 'username': USERNAME, 'password': PASSWORD}


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
    """Run main() with args; returns (result, failed), warnings in result['warnings'], no_log values masked."""
    warned = []

    def finish(self, failed, kwargs):
        kwargs['warnings'] = list(warned)
        text = json.dumps(kwargs)
        for secret in self.no_log_values:
            text = text.replace(secret, '********')
        raise ModuleExit(json.loads(text), failed)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', lambda self, **kwargs: finish(self, False, kwargs))
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', lambda self, msg, **kwargs: finish(self, True, dict(kwargs, msg=msg)))
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warned.append(text))
    monkeypatch.setattr(module_under_test, 'EMClient', functools.partial(EMClient, adapter=em, sleep=lambda seconds: None))
    for name in ('URL', 'USERNAME', 'PASSWORD', 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT', 'RETRIES', 'API_VERSION', 'RESPONSE_FORMAT'):
        monkeypatch.delenv('VEEAM_EM_' + name, raising=False)

    def run(args):
        del warned[:]
        with module_args(args):
            with pytest.raises(ModuleExit) as caught:
                module_under_test.main()
        return caught.value.result, caught.value.failed
    return run


def _no_secrets(result):
    text = json.dumps(result)
    return not any(secret in text for secret in (PASSWORD, TOKEN, SESSION_ID))


@pytest.mark.parametrize('fmt', ['xml', 'json'])
def test_both_kinds_newest_first(em, run_module, fmt):
    expect_logon(em, fmt=fmt)
    em.expect('GET', query_url('vm', 'VmDisplayName=="db01"'),
              **points_page([restore_point(1, 'db01', created='2025-03-14T02:00:00Z'),
                             restore_point(2, 'db01', created='2025-03-13T02:00:00Z', point_type='Full', algorithm='Full')],
                            fmt='camel' if fmt == 'json' else 'xml'))
    em.expect('GET', query_url('agent', 'ComputerName=="db01"'),
              **points_page([restore_point(3, 'db01', kind='agent', created='2025-03-13T12:00:00Z')], 'agent', fmt='camel' if fmt == 'json' else 'xml'))
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, vm_name=['db01'], response_format=fmt))
    assert not failed and result['changed'] is False and _no_secrets(result)
    assert [point['id'] for point in result['restore_points']] == [point_guid(1), point_guid(3), point_guid(2)]
    assert result['restore_points'][0]['creation_time'] == '2025-03-14T02:00:00.000000Z'
    assert result['count'] == 3 and result['truncated'] is False and result['unmatched'] == []
    assert result['summary'] == {'by_kind': {'vm': 2, 'agent': 1}, 'by_point_type': {'Full': 1, 'Increment': 2, 'ReverseIncrement': 0}}
    assert result['warnings'] == []


def test_latest_per_vm_without_a_name_seen_reads_every_page_and_names_it(em, run_module):
    text = '(VmDisplayName=="db01",VmDisplayName=="web01",VmDisplayName=="nope01")'
    expect_logon(em)
    first = [restore_point(1, 'db01', created='2025-03-14T03:00:00Z'), restore_point(2, 'web01', created='2025-03-14T02:00:00Z'),
             restore_point(3, 'DB01', created='2025-03-13T03:00:00Z')]
    em.expect('GET', query_url('vm', text), **points_page(first, page=1, pages=3, filter_text=text))
    em.expect('GET', query_url('vm', text, page=2),
              **points_page([restore_point(4, 'web01', created='2025-03-13T02:00:00Z')], page=2, pages=3, filter_text=text))
    em.expect('GET', query_url('vm', text, page=3), **points_page([], page=3, pages=3, filter_text=text))
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, vm_name=['db01', 'web01', 'nope01'], kind=['vm'], latest_per_vm=True))
    # nope01 is never seen, so every page is read; the newest of each VM is kept
    assert not failed and [point['id'] for point in result['restore_points']] == [point_guid(1), point_guid(2)]
    assert result['unmatched'] == ['nope01'] and "'nope01'" in result['warnings'][0]


def test_latest_per_vm_stops_at_the_page_where_every_name_was_seen(em, run_module):
    text = '(VmDisplayName=="db01",VmDisplayName=="web01")'
    expect_logon(em)
    points = [restore_point(1, 'web01'), restore_point(2, 'db01')]
    em.expect('GET', query_url('vm', text), **points_page(points, page=1, pages=9, filter_text=text))
    expect_logoff(em)  # pages 2 to 9 are never asked for
    result, failed = run_module(dict(ARGS, vm_name=['db01', 'web01'], kind='vm', latest_per_vm=True))
    assert not failed and result['count'] == 2 and result['unmatched'] == [] and result['truncated'] is False


def test_point_type_and_limit(em, run_module):
    expect_logon(em)
    em.expect('GET', query_url('vm', 'Type==ReverseIncrement', page_size=3),
              **points_page([restore_point(n, 'vm%d' % n, point_type='ReverseIncrement') for n in (1, 2, 3)], page=1, pages=2, page_size=3))
    expect_logoff(em)  # agent points have no ReverseIncrement: no agent query at all
    result, failed = run_module(dict(ARGS, point_type=['reverseincrement'], limit=2))
    assert not failed and result['count'] == 2 and result['truncated'] is True and result['unmatched'] == []


def test_rows_not_asked_for_are_left_out_with_a_warning(em, run_module):
    expect_logon(em)
    em.expect('GET', query_url('vm', 'BackupServerName=="vbr01"'),
              **points_page([restore_point(1, 'db01', server_name='vbr01'), restore_point(2, 'db02', server_name='vbr02')]))
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, kind='vm', backup_server_name='vbr01'))
    assert not failed and [point['id'] for point in result['restore_points']] == [point_guid(1)]
    assert result['warnings'][0].startswith('Enterprise Manager returned 1 restore point(s) that do not satisfy')


def test_check_mode_reads_the_same(em, run_module):
    expect_logon(em)
    em.expect('GET', query_url('agent'), **points_page([restore_point(1, 'pc1', kind='agent')], 'agent'))
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, kind=['agent'], _ansible_check_mode=True))
    assert not failed and result['count'] == 1 and result['restore_points'][0]['kind'] == 'agent'


@pytest.mark.parametrize('args, message', [
    ({'since': '2025-03-01T00:00:00'}, 'has no time zone'),
    ({'since': '2d', 'until': '3d'}, 'is before since'),
    ({'point_type': ['Differential']}, 'point_type value'),
    ({'vm_name': ['']}, 'empty value'),
    ({'limit': 0}, 'at least 1'),
])
def test_bad_options_fail_before_any_request(em, run_module, args, message):
    result, failed = run_module(dict(ARGS, **args))
    assert failed and message in result['msg']


def test_an_em_error_fails_without_secrets_and_logs_off(em, run_module):
    expect_logon(em)
    em.expect('GET', query_url('vm', 'VmDisplayName=="db01"'), status=400,
              **dict(zip(('body', 'content_type'), error_body('Field VmDisplayName is unknown.', 400))))
    expect_logoff(em)
    result, failed = run_module(dict(ARGS, vm_name='db01', kind='vm'))
    assert failed and 'VmDisplayName is unknown' in result['msg'] and _no_secrets(result)
