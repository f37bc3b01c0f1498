# -*- coding: utf-8 -*-
# Fixtures shaped like real EM 12 (PascalCase) and EM 13 (camelCase) answers, with the null sibling lists and
# null href/type members real servers send (see fixtures/README.md): the JSON bodies give exactly the facts
# of the XML bodies of the same answers, and both versions the same facts but for EM 13's fractional names.

from __future__ import annotations

import os

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import parse_response
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS, normalize_task_session

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
CONTENT_TYPES = {'json': 'application/json; charset=utf-8', 'xml': 'application/xml; charset=utf-8'}


def _parse(name):
    with open(os.path.join(FIXTURES, name), 'rb') as handle:
        return parse_response(handle.read(), CONTENT_TYPES[name.rsplit('.', 1)[1]])


def _entities(document):
    """The task session entities of a parsed QueryResult (canonical shape: the wrapper holds the list)."""
    wrapped = document.data['Entities']['BackupTaskSessions']
    return wrapped['BackupTaskSessions'] if isinstance(wrapped, dict) else wrapped


def _facts(name):
    return [TASK_SESSIONS.export(normalize_task_session(entity)) for entity in _entities(_parse(name))]


EXPECTED_EM12 = [
    {
        'id': 'c41e7a02-9b5d-4f38-a1c6-3e8d2b7f5a90', 'uid': 'urn:veeam:BackupTaskSession:c41e7a02-9b5d-4f38-a1c6-3e8d2b7f5a90',
        'name': 'fin-app01@2026-03-02 04:13:05',
        'href': 'https://em-prod.example.org:9398/api/backupTaskSessions/c41e7a02-9b5d-4f38-a1c6-3e8d2b7f5a90?format=Entity',
        'vm_name': 'fin-app01', 'vm_uid': 'urn:VMware:Vm:8f3e2a91-47c6-4d0b-b5e8-1a6c9d2f7e30.vm-40417',
        'job_name': 'Offsite Copy\\Finance Nightly', 'job_session_id': '7b2f9d14-5e3a-4c81-b6d0-92a4e7c1f358',
        'job_session_uid': 'urn:veeam:BackupJobSession:7b2f9d14-5e3a-4c81-b6d0-92a4e7c1f358',
        'job_session_name': 'Offsite Copy\\Finance Nightly@2026-03-02 04:12:31',
        'backup_server_id': '2d4c8e1a-6b3f-4a57-9e02-7c1f5d9a3b64', 'backup_server_name': 'vbr-hq01.example.org',
        'state': 'Completed', 'result': 'Success', 'reason': '', 'total_size': 0, 'restore_point_id': None,
    },
    {
        'id': '5a9c3e71-2d48-4b6f-8e1a-c07b4d2f9e63', 'name': 'fin-app01@2026-03-02 02:03:17', 'vm_name': 'fin-app01',
        'job_name': 'Finance Nightly', 'job_session_name': 'Finance Nightly@2026-03-02 01:58:44', 'result': 'Success',
        'reason': '', 'total_size': 85899345920, 'restore_point_id': 'f06b2c9d-8a1e-4d73-b5c4-2e9f7a3d1b86',
    },
    {
        'id': '0d7e4b93-c2a5-4f16-9b8e-51a3c6d2e7f4', 'name': 'Fin DB 02@2026-03-02 01:59:08', 'vm_name': 'Fin DB 02',
        'vm_uid': 'urn:VMware:Vm:8f3e2a91-47c6-4d0b-b5e8-1a6c9d2f7e30.vm-40533', 'job_name': 'Finance Nightly',
        'result': 'Failed', 'total_size': 0, 'restore_point_id': None,
        'reason': 'Processing Fin DB 02 Error: The guest agent of [Fin DB 02] did not answer; application-aware processing '
                  '{SQL} stopped (code 0x80070005). ',
    },
]


@pytest.mark.parametrize('version', ['em12', 'em13'])
def test_json_gives_exactly_the_facts_of_the_xml(version):
    from_xml = _facts('%s_query_task_sessions.xml' % version)
    from_json = _facts('%s_query_task_sessions.json' % version)
    assert len(from_xml) == 3
    assert from_json == from_xml


def test_em12_facts():
    facts = _facts('em12_query_task_sessions.json')
    for expected, actual in zip(EXPECTED_EM12, facts):
        assert dict((key, actual[key]) for key in expected) == expected
    assert facts[0]['creation_time'].startswith('2026-03-02T04:13:05') and facts[0]['end_time'].startswith('2026-03-02T04:13:49')
    assert facts[2]['creation_time'].startswith('2026-03-02T01:59:08') and facts[2]['duration_seconds'] is not None


def test_em13_differs_from_em12_only_in_fractional_names():
    em12, em13 = _facts('em12_query_task_sessions.json'), _facts('em13_query_task_sessions.json')
    names = ('name', 'job_session_name')
    for old, new in zip(em12, em13):
        assert dict((key, value) for key, value in old.items() if key not in names) == \
            dict((key, value) for key, value in new.items() if key not in names)
    assert [fact['name'] for fact in em13] == ['fin-app01@2026-03-02 04:13:05.204817', 'fin-app01@2026-03-02 02:03:17.4410592',
                                               'Fin DB 02@2026-03-02 01:59:08']
    assert em13[0]['job_session_name'] == 'Offsite Copy\\Finance Nightly@2026-03-02 04:12:31.58'
    assert em13[0]['job_name'] == em12[0]['job_name'] == 'Offsite Copy\\Finance Nightly'


@pytest.mark.parametrize('version', ['em12', 'em13'])
def test_null_siblings_and_paging(version):
    document = _parse('%s_query_task_sessions.json' % version)
    assert 'Entities' in document.keys and 'Refs' in document.keys and 'Resources' in document.keys
    assert 'Refs' not in document.data and 'Resources' not in document.data and 'Links' not in document.data
    assert list(document.data['Entities']) == ['BackupTaskSessions']  # the 49 null lists are dropped
    info = document.data['PagingInfo']
    assert (info['PageNum'], info['PageSize'], info['PagesCount']) == ('1', '100', '1')
    assert [link['Rel'] for link in info['Links']] == ['First', 'Last'] and all('Type' not in link for link in info['Links'])
    xml_info = _parse('%s_query_task_sessions.xml' % version).data['PagingInfo']
    assert xml_info == info


def test_logon_bodies_of_both_versions():
    em12, em13 = _parse('em12_logon.json'), _parse('em13_logon.json')
    assert em12.data == em13.data and not em12.is_error
    body = em12.data
    assert body['UserName'] == 'svc-report' and body['Type'] == 'LogonSession'
    assert body['SessionId'] == '3e91c7d5-0a48-4b2f-86ed-d5f20b7c9a14'
    delete = [link for link in body['Links'] if link['Rel'] == 'Delete']
    assert delete == [{'Rel': 'Delete', 'Href': 'https://em-prod.example.org:9398/api/logonSessions/' + body['SessionId']}]
    assert body['Href'] == delete[0]['Href']
    summary = [link for link in body['Links'] if link.get('Type') == 'Report']
    assert summary[0]['Name'] == 'Summary'
