# -*- coding: utf-8 -*-
# EM wire bodies for unit tests, built from one data model so XML, JSON (EM 12 PascalCase) and JSON
# (EM 13 camelCase) carry the same data: logon sessions, BackupTaskSession entities, query result
# pages and Error bodies, shaped as in the EM REST API research notes.

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import encode_filter

NS = 'http://www.veeam.com/ent/v1.0'
XSD = 'http://www.w3.org/2001/XMLSchema'
XSI = 'http://www.w3.org/2001/XMLSchema-instance'
EM_HOST = 'https://em01.corp.example:9398'  # EM writes its own name into links
XML = 'application/xml; charset=utf-8'
JSON = 'application/json; charset=utf-8'

SERVER_ID = '3b1c7f5e-a08d-4e62-9c47-d2f6a1e85b09'
SERVER_NAME = 'em01.corp.example'

# What the tests configure and what the fake EM hands out.
BASE = 'https://em.example.com:9398'
PASSWORD = 'S3cret-pass!word'
USERNAME = 'CORP\\svc-ansible'
TOKEN = 'tK4vZr8+Yw2nQe7LbX1sHA=='
SESSION_ID = 'e5d8a3f0-62c1-4b9e-87d4-1a0c9f6b2e73'
LOGON_URL = BASE + '/api/sessionMngr/?v=latest'
LOGOFF_URL = BASE + '/api/logonSessions/' + SESSION_ID


def connection_params(**overrides):
    params = {
        'url': 'https://em.example.com',
        'username': USERNAME,
        'password': PASSWORD,
        'validate_certs': True,
        'ca_path': None,
        'timeout': 30,
        'retries': 3,
        'api_version': 'latest',
        'response_format': 'xml',
    }
    params.update(overrides)
    return params


def expect_logon(em, fmt='xml', token=TOKEN, session_id=SESSION_ID, status=201, url=LOGON_URL, token_header='X-RestSvcSessionId'):
    """The logon exchange; checks the request carries basic auth and no session header."""
    def check(request):
        assert request.headers['Authorization'].startswith('Basic ')
        assert 'X-RestSvcSessionId' not in request.headers
        assert 'Cookie' not in request.headers
    body, content_type = logon_body(session_id, fmt='json' if fmt == 'json' else fmt)
    headers = {token_header: token, 'Set-Cookie': 'X-RestSvcSessionId=%s; Path=/api' % token, 'Content-Type': content_type}
    em.expect('POST', url, status=status, body=body, headers=headers, check=check)


def expect_logoff(em, session_id=SESSION_ID, token=TOKEN, status=204):
    def check(request):
        assert request.headers['X-RestSvcSessionId'] == token
    em.expect('DELETE', BASE + '/api/logonSessions/' + session_id, status=status, check=check)


def guid(n, prefix='f3a91c2e'):
    return '%s-7c41-4d2e-9b60-%012x' % (prefix, n)


def task_session(n=1, vm='ledgerdb01', job='Nightly SQL', job_session=None, created='2025-03-14T02:17:41.38Z',
                 ended='2025-03-14T02:19:05.91Z', state='Completed', result='Success', reason='', total_size=9663676416,
                 vm_uid='urn:VMware:Vm:7a93d0c4-5e16-4f28-a9b1-c4e87f2d5036.vm-3051', restore_point='d6c2a815-4e9f-4b03-8c7a-0f51e93b26d4',
                 server=(SERVER_ID, SERVER_NAME), host=EM_HOST, name_time='2025-03-14 02:17:41'):
    """The data of one task session entity (JSON-typed values; None means absent)."""
    sid = guid(n)
    jsid = job_session or guid(n, prefix='b82e6d04')
    links = []
    if server:
        links.append({'Rel': 'Up', 'Type': 'BackupServerReference', 'Href': '%s/api/backupServers/%s' % (host, server[0]), 'Name': server[1]})
    if job is not None:
        links.append({'Rel': 'Up', 'Type': 'BackupJobSessionReference', 'Href': '%s/api/backupSessions/%s' % (host, jsid),
                      'Name': '%s@2025-03-14 02:16:58' % job})
    links.append({'Rel': 'Alternate', 'Type': 'BackupTaskSessionReference', 'Href': '%s/api/backupTaskSessions/%s' % (host, sid),
                  'Name': '%s@%s' % (vm, name_time)})
    if restore_point:
        links.append({'Rel': 'Related', 'Type': 'VmRestorePoint', 'Href': '%s/api/vmRestorePoints/%s?format=Entity' % (host, restore_point),
                      'Name': '%s@2025-03-14 02:18:59' % vm})
    return {
        'Href': '%s/api/backupTaskSessions/%s?format=Entity' % (host, sid),
        'Type': 'BackupTaskSession',
        'Name': '%s@%s' % (vm, name_time),
        'UID': 'urn:veeam:BackupTaskSession:%s' % sid,
        'VmDisplayName': vm,
        'Links': links,
        'JobSessionUid': 'urn:veeam:BackupJobSession:%s' % jsid,
        'CreationTimeUTC': created,
        'EndTimeUTC': ended,
        'State': state,
        'Result': result,
        'Reason': reason,
        'TotalSize': total_size,
        'VmUid': vm_uid,
    }


_ATTRIBUTES = ('Href', 'Type', 'Name', 'UID', 'VmDisplayName')
_ELEMENTS = ('JobSessionUid', 'CreationTimeUTC', 'EndTimeUTC', 'State', 'Result', 'Reason', 'TotalSize', 'VmUid')


def _attrs(data, names):
    return ''.join(' %s=%s' % (k, quoteattr(str(data[k]))) for k in names if data.get(k) is not None)


def _links_xml(links, indent='    '):
    if not links:
        return ''
    items = ''.join('%s  <Link%s />\n' % (indent, _attrs(link, ('Href', 'Name', 'Type', 'Rel'))) for link in links)
    return '%s<Links>\n%s%s</Links>\n' % (indent, items, indent)


def entity_xml(data, root=False, indent='  '):
    """One <BackupTaskSession> (root=True: with the namespace declarations)."""
    ns = ' xmlns:xsd="%s" xmlns:xsi="%s" xmlns="%s"' % (XSD, XSI, NS) if root else ''
    parts = ['%s<BackupTaskSession%s%s>\n' % (indent, _attrs(data, _ATTRIBUTES), ns), _links_xml(data.get('Links'), indent + '  ')]
    for name in _ELEMENTS:
        value = data.get(name)
        if value is None:
            continue
        if value == '':
            parts.append('%s  <%s />\n' % (indent, name))
        else:
            parts.append('%s  <%s>%s</%s>\n' % (indent, name, escape(str(value)), name))
    parts.append('%s</BackupTaskSession>\n' % indent)
    return ''.join(parts)


def entity_body(data, fmt='xml'):
    """(body, content type) of a single entity answer."""
    if fmt == 'xml':
        return '<?xml version="1.0" encoding="utf-8"?>\n' + entity_xml(data, root=True, indent=''), XML
    return json.dumps(_json_entity(data, fmt)), JSON


def _json_entity(data, fmt):
    out = dict(data)
    out['Reason'] = data.get('Reason') or ''
    out['EndTimeUTC'] = data.get('EndTimeUTC')  # null while running (EM serialises unset members as null)
    return camel(out) if fmt == 'camel' else out


def camel(value):
    """EM 13's camelCase JSON keys (UID -> uid, VmUid -> vmUid, CreationTimeUTC -> creationTimeUTC)."""
    if isinstance(value, dict):
        return dict((('uid' if k == 'UID' else k[:1].lower() + k[1:]), camel(v)) for k, v in value.items())
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def query_url_path(page, page_size, filter_text=None, type_name='BackupTaskSession'):
    path = '/api/query?type=%s&format=Entities&sortDesc=CreationTime&pageSize=%d&page=%d' % (type_name, page_size, page)
    if filter_text:
        path += '&filter=' + filter_text
    return path


def query_page(entities, page=1, pages=1, page_size=1000, fmt='xml', next_path=None, host=EM_HOST, with_links=True):
    """(body, content type) of a QueryResult page in format=Entities; next_path: the Next link's path."""
    links = []
    if with_links:
        links.append({'Rel': 'First', 'Href': host + query_url_path(1, page_size)})
        if next_path is None and page < pages:
            next_path = query_url_path(page + 1, page_size)
        if next_path:
            links.append({'Rel': 'Next', 'Href': host + next_path})
        links.append({'Rel': 'Last', 'Href': host + query_url_path(pages, page_size)})
    if fmt == 'xml':
        inner = ''.join(entity_xml(e, indent='      ') for e in entities)
        link_xml = ''.join('      <Link%s />\n' % _attrs(link, ('Rel', 'Href')) for link in links)
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<QueryResult xmlns="%s" xmlns:xsd="%s" xmlns:xsi="%s">\n'
                '  <Entities>\n    <BackupTaskSessions>\n%s    </BackupTaskSessions>\n  </Entities>\n'
                '  <PagingInfo PagesCount="%d" PageSize="%d" PageNum="%d">\n    <Links>\n%s    </Links>\n  </PagingInfo>\n'
                '</QueryResult>\n') % (NS, XSD, XSI, inner, pages, page_size, page, link_xml)
        return body, XML
    result = {
        'Refs': None,
        'Entities': {'BackupTaskSessions': {'BackupTaskSessions': [_json_entity(e, 'pascal') for e in entities]}},
        'Resources': None,
        'Links': None,
        'PagingInfo': {'Links': [dict(link, Name=None, Type=None) for link in links], 'PageNum': page, 'PageSize': page_size,
                       'PagesCount': pages},
    }
    return json.dumps(camel(result) if fmt == 'camel' else result), JSON


def logon_body(session_id='e5d8a3f0-62c1-4b9e-87d4-1a0c9f6b2e73', fmt='xml', host=EM_HOST, user='CORP\\svc-ansible', with_session_id=True):
    links = [
        {'Rel': 'Up', 'Type': 'EnterpriseManager', 'Href': host + '/api/'},
        {'Rel': 'Down', 'Type': 'QueryService', 'Href': host + '/api/querySvc'},
        {'Rel': 'Delete', 'Type': 'LogonSession', 'Href': '%s/api/logonSessions/%s' % (host, session_id)},
    ]
    if fmt == 'xml':
        return ('<?xml version="1.0" encoding="utf-8"?>\n<LogonSession xmlns:xsd="%s" xmlns:xsi="%s" Type="LogonSession" '
                'Href="%s/api/logonSessions/%s" xmlns="%s">\n%s  <UserName>%s</UserName>\n%s</LogonSession>\n'
                % (XSD, XSI, host, session_id, NS, _links_xml(links, '  '), escape(user),
                   '  <SessionId>%s</SessionId>\n' % session_id if with_session_id else '')), XML
    data = {'Links': links, 'UserName': user, 'SessionId': session_id if with_session_id else None,
            'Href': '%s/api/logonSessions/%s' % (host, session_id), 'Type': 'LogonSession'}
    return json.dumps(camel(data) if fmt == 'camel' else data), JSON


def error_body(message, status, fmt='xml'):
    if fmt == 'xml':
        return ('<?xml version="1.0" encoding="utf-8"?>\n<Error Message=%s StatusCode="%d" xmlns="%s" xmlns:xsd="%s" xmlns:xsi="%s">\n'
                '  <FirstChanceExceptionMessage>%s</FirstChanceExceptionMessage>\n</Error>\n'
                % (quoteattr(message), status, NS, XSD, XSI, escape(message))), XML
    data = {'FirstChanceExceptionMessage': None, 'Message': message, 'StackTrace': None, 'Status': None, 'StatusCode': status}
    return json.dumps(camel(data) if fmt == 'camel' else data), JSON


def page(entities, **kwargs):
    """A query page as keyword arguments of FakeTransport.expect (body and content type)."""
    body, content_type = query_page(entities, **kwargs)
    return {'body': body, 'content_type': content_type}


def query_with(filter_text, page_size=1000, page_number=1, base=BASE):
    """The full URL of a task session query page with this (unencoded) filter, or none."""
    return base + query_url_path(page_number, page_size, encode_filter(filter_text) if filter_text else None)
