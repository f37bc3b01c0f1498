# Resources and representations: references and entities, collections, the 30-day window, job sessions,
# errors (404/405), content negotiation, hrefs from the Host header, XML namespace and layout variation.
from __future__ import annotations

import calendar
import re
import time

import pytest

from sim_helpers import GUID, NS, TIME_RE, all_elements_in_em_namespace, query, xml

TASK_ELEMENTS = ['Links', 'JobSessionUid', 'CreationTimeUTC', 'EndTimeUTC', 'State', 'Result', 'Reason', 'TotalSize', 'VmUid']


def elements(node):
    return [key for key in node if not key.startswith('@') and key != '#text']


def links_by_rel(node):
    return [(link['@Rel'], link.get('@Type')) for link in node['Links']['Link']]


def test_reference_form(sim, admin, catalog):
    task_id = catalog['samples']['task_session_ids_by_result']['Success'][0]
    response = sim.get('/api/backupTaskSessions/' + task_id, admin)
    assert response.status_code == 200 and response.headers['Content-Type'] == 'application/xml'
    assert all_elements_in_em_namespace(response.content)
    ref = xml(response)['EntityRef']
    assert ref['@Type'] == 'BackupTaskSessionReference'
    assert ref['@Href'] == sim.url('/api/backupTaskSessions/' + task_id)
    assert ref['@UID'] == 'urn:veeam:BackupTaskSession:' + task_id
    assert elements(ref) == ['Links']
    assert links_by_rel(ref) == [('Up', 'BackupServerReference'), ('Up', 'BackupJobSessionReference'), ('Alternate', 'BackupTaskSession')]
    assert ref['Links']['Link'][2]['@Href'] == sim.url('/api/backupTaskSessions/%s?format=Entity' % task_id)
    assert int(response.headers['Content-Length']) == len(response.content)


def test_entity_form_and_links(sim, admin, catalog):
    task_id = catalog['samples']['task_session_ids_by_result']['Success'][0]
    for fmt in ('Entity', 'entity', 'ENTITY'):
        response = sim.get('/api/backupTaskSessions/%s?format=%s' % (task_id, fmt), admin)
        assert response.status_code == 200
    entity = xml(response)['BackupTaskSession']
    assert set(key for key in entity if key.startswith('@')) == {'@Href', '@Type', '@Name', '@UID', '@VmDisplayName'}
    assert entity['@Href'] == sim.url('/api/backupTaskSessions/%s?format=Entity' % task_id)
    assert elements(entity) == TASK_ELEMENTS
    assert links_by_rel(entity) == [('Up', 'BackupServerReference'), ('Up', 'BackupJobSessionReference'),
                                    ('Alternate', 'BackupTaskSessionReference'), ('Related', 'VmRestorePoint')]
    alternate = entity['Links']['Link'][2]
    assert alternate['@Href'] == sim.url('/api/backupTaskSessions/' + task_id) and alternate['@Name'] == entity['@Name']
    assert re.match(r'^%s/api/vmRestorePoints/%s\?format=Entity$' % (re.escape(sim.base), GUID), entity['Links']['Link'][3]['@Href'])
    # Follow the Up links.
    server_link, session_link = entity['Links']['Link'][:2]
    server = xml(sim.get(server_link['@Href'][len(sim.base):], admin))['EntityRef']
    assert server['@Type'] == 'BackupServerReference' and server['@Name'] == server_link['@Name']
    job_session = xml(sim.get(session_link['@Href'][len(sim.base):] + '?format=Entity', admin))['BackupJobSession']
    assert job_session['@Name'] == session_link['@Name'] and job_session['@UID'] == entity['JobSessionUid']
    assert elements(job_session) == ['Links', 'JobUid', 'JobName', 'JobType', 'CreationTimeUTC', 'EndTimeUTC', 'State', 'Result',
                                     'Progress', 'FailureMessage', 'IsRetry'] or \
        elements(job_session) == ['Links', 'JobUid', 'JobName', 'JobType', 'CreationTimeUTC', 'EndTimeUTC', 'State', 'Result',
                                  'Progress', 'IsRetry']
    assert job_session['State'] == 'Stopped' and job_session['IsRetry'] in ('true', 'false')
    down = [link for link in job_session['Links']['Link'] if link['@Rel'] == 'Down'][0]
    assert down['@Type'] == 'BackupTaskSessionReferenceList'
    refs = xml(sim.get(down['@Href'][len(sim.base):], admin))['EntityReferences']['Ref']
    assert entity['@UID'] in [ref['@UID'] for ref in refs]
    server_entity = xml(sim.get(server_link['@Href'][len(sim.base):] + '?format=Entity', admin))['BackupServer']
    assert elements(server_entity) == ['Links', 'Description', 'Port', 'Version']


@pytest.mark.parametrize('state', ['InProgress', 'Pending'])
def test_running_task_session_entity(sim, admin, catalog, state):
    task_id = catalog['samples']['task_session_ids_by_state'][state][0]
    response = sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin)
    entity = xml(response)['BackupTaskSession']
    assert 'EndTimeUTC' not in entity and '<EndTimeUTC' not in response.text
    assert entity['State'] == state and entity['Result'] == 'None' and '<Reason />' in response.text
    assert elements(entity) == [name for name in TASK_ELEMENTS if name != 'EndTimeUTC']
    assert [pair[0] for pair in links_by_rel(entity)] == ['Up', 'Up', 'Alternate']
    body = sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin, 'application/json').json()
    assert 'EndTimeUTC' in body and body['EndTimeUTC'] is None and body['Reason'] == '' and body['TotalSize'] == 0
    running = catalog['samples']['running_job_session']
    job_session = xml(sim.get('/api/backupSessions/%s?format=Entity' % running['id'], admin))['BackupJobSession']
    assert 'EndTimeUTC' not in job_session and job_session['State'] == 'Working' and job_session['Result'] == 'None'
    assert 'Stop' in [link['@Rel'] for link in job_session['Links']['Link']]


def test_empty_reason_is_an_empty_element(sim, admin, catalog):
    task_id = catalog['samples']['task_session_ids_by_result']['Success'][0]
    text = sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin).text
    assert re.search(r'<Result>Success</Result>\s*<Reason />\s*<TotalSize>', text)


def test_xml_times_have_0_to_7_fractional_digits(sim, admin):
    text = sim.get('/api/query?type=BackupTaskSession&format=Entities&pageSize=3000', admin).text
    stamps = re.findall(r'<(?:CreationTimeUTC|EndTimeUTC)>([^<]*)<', text)
    assert len(stamps) > 3000 and all(TIME_RE.match(stamp) for stamp in stamps)
    assert set(len(stamp[:-1].partition('.')[2]) for stamp in stamps) == set(range(8))
    assert not [stamp for stamp in stamps if re.search(r'\.\d*0Z$', stamp)]  # trailing zeros are dropped


def test_failed_task_session_entity(sim, admin, catalog):
    task_id = catalog['samples']['task_session_ids_by_result']['Failed'][0]
    body = sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin, 'application/json').json()
    assert body['Result'] == 'Failed' and body['TotalSize'] == 0 and body['Reason']
    assert [link['Rel'] for link in body['Links']] == ['Up', 'Up', 'Alternate']


def test_json_entity_and_reference(sim, admin, catalog):
    task_id = catalog['samples']['task_session_ids_by_result']['Success'][0]
    response = sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin, 'application/json')
    assert response.headers['Content-Type'] == 'application/json'
    body = response.json()
    assert list(body) == ['JobSessionUid', 'CreationTimeUTC', 'EndTimeUTC', 'State', 'Result', 'Reason', 'TotalSize', 'VmUid',
                          'VmDisplayName', 'Name', 'UID', 'Links', 'Href', 'Type']
    assert body['Reason'] == '' and isinstance(body['TotalSize'], int) and body['TotalSize'] > 0
    assert all(list(link) == ['Rel', 'Href', 'Name', 'Type'] for link in body['Links'])
    assert body['Type'] == 'BackupTaskSession' and TIME_RE.match(body['CreationTimeUTC'])
    ref = sim.get('/api/backupTaskSessions/' + task_id, admin, 'application/json').json()
    assert list(ref) == ['Links', 'UID', 'Name', 'Href', 'Type'] and ref['Type'] == 'BackupTaskSessionReference'
    assert ref['Name'] == body['Name'] and ref['UID'] == body['UID']


def test_unknown_ids_get_404_error_bodies(sim, admin):
    for path in ('/api/backupTaskSessions/00000000-0000-4000-8000-000000000000', '/api/backupTaskSessions/not-a-guid',
                 '/api/backupTaskSessions/urn:veeam:BackupTaskSession:00000000-0000-4000-8000-000000000000?format=Entity',
                 '/api/backupSessions/00000000-0000-4000-8000-000000000000', '/api/backupServers/nope',
                 '/api/backupSessions/00000000-0000-4000-8000-000000000000/taskSessions', '/api/noSuchThing'):
        response = sim.get(path, admin)
        assert response.status_code == 404, path
        error = xml(response)['Error']
        assert error['@StatusCode'] == '404' and error['@Message']
        assert all_elements_in_em_namespace(response.content)
        body = sim.get(path, admin, 'application/json').json()
        assert list(body) == ['FirstChanceExceptionMessage', 'Message', 'StackTrace', 'Status', 'StatusCode']
        assert body['StatusCode'] == 404 and body['Message'] == error['@Message']


def test_outside_api_is_a_plain_404(sim):
    response = sim.get('/index.html')
    assert response.status_code == 404 and response.headers['Content-Type'] == 'text/html'


@pytest.mark.parametrize('method,path,allowed', [
    ('POST', '/api/backupTaskSessions', 'GET'), ('DELETE', '/api/query?type=BackupTaskSession', 'GET'),
    ('GET', '/api/sessionMngr/?v=latest', 'POST'), ('PUT', '/api/logonSessions', 'GET'), ('POST', '/api/', 'GET'),
    ('PATCH', '/api/logonSessions/00000000-0000-4000-8000-000000000000', 'DELETE, GET'),
])
def test_wrong_methods_get_405(sim, admin, method, path, allowed):
    response = sim.request(method, path, admin)
    assert response.status_code == 405 and response.headers['Allow'] == allowed
    assert xml(response)['Error']['@StatusCode'] == '405'


def _ticks(stamp):
    whole, unused, fraction = stamp[:-1].partition('.')
    seconds = calendar.timegm(time.strptime(whole, '%Y-%m-%dT%H:%M:%S'))
    return seconds * 10 ** 7 + int(fraction.ljust(7, '0') or 0)


def test_collection_is_limited_to_30_days(sim, admin, catalog):
    # The oracle: every task session the query service knows (it sees all ages), cut at now minus 30 days.
    everything = query(sim, admin, 'application/json', type='BackupTaskSession', format='Entities', pageSize=100000).json()
    everything = everything['Entities']['BackupTaskSessions']['BackupTaskSessions']
    limit = _ticks(catalog['now']) - 30 * 86400 * 10 ** 7
    recent = [item['UID'] for item in everything if _ticks(item['CreationTimeUTC']) >= limit]
    assert 0 < len(recent) < len(everything)
    refs = xml(sim.get('/api/backupTaskSessions', admin))['EntityReferences']['Ref']
    assert [ref['@UID'] for ref in refs] == recent
    assert all(ref['@Type'] == 'BackupTaskSessionReference' for ref in refs)
    entities = sim.get('/api/backupTaskSessions?format=Entity', admin, 'application/json').json()['BackupTaskSessions']
    assert [item['UID'] for item in entities] == recent
    old_id = catalog['samples']['task_session_id_outside_30_days']
    assert 'urn:veeam:BackupTaskSession:' + old_id not in recent
    assert sim.get('/api/backupTaskSessions/' + old_id, admin).status_code == 200
    json_refs = sim.get('/api/backupTaskSessions', admin, 'application/json').json()
    assert list(json_refs) == ['Refs'] and [item['UID'] for item in json_refs['Refs']] == recent


def test_job_session_task_sessions(sim, admin, catalog):
    sample = catalog['samples']['job_session']
    refs = xml(sim.get('/api/backupSessions/%s/taskSessions' % sample['id'], admin))['EntityReferences']['Ref']
    assert len(refs) == sample['task_count'] > 1
    for ref in refs:
        assert ref['Links']['Link'][1]['@Href'] == sim.url('/api/backupSessions/' + sample['id'])
    entities = sim.get('/api/backupSessions/%s/taskSessions?format=Entity' % sample['id'], admin, 'application/json').json()
    assert set(item['JobSessionUid'] for item in entities['BackupTaskSessions']) == {sample['uid']}
    old = catalog['samples']['job_session_outside_30_days']
    empty = sim.get('/api/backupSessions/%s/taskSessions' % old['id'], admin)
    assert empty.status_code == 200 and not xml(empty)['EntityReferences']
    assert sim.get('/api/backupSessions/%s/taskSessions' % old['id'], admin, 'application/json').json() == {'Refs': []}
    assert xml(sim.get('/api/backupSessions/%s?format=Entity' % old['id'], admin))['BackupJobSession']['@Name'] == old['name']


def test_job_session_collection_and_reference(sim, admin, catalog):
    refs = xml(sim.get('/api/backupSessions', admin))['EntityReferences']['Ref']
    assert refs and all(ref['@Type'] == 'BackupJobSessionReference' for ref in refs)
    sample = catalog['samples']['job_session']
    ref = xml(sim.get('/api/backupSessions/' + sample['id'], admin))['EntityRef']
    assert ref['@UID'] == sample['uid'] and links_by_rel(ref) == [('Up', 'BackupServerReference'), ('Alternate', 'BackupJobSession')]
    servers = sim.get('/api/backupServers', admin, 'application/json').json()['Refs']
    assert sorted(item['Name'] for item in servers) == sorted(item['name'] for item in catalog['backup_servers'])


@pytest.mark.parametrize('accept,is_json', [
    (None, False), ('application/xml', False), ('*/*', False), ('text/xml', False), ('application/json', True),
    ('application/xml, text/xml, application/json, */*', True), ('Application/JSON;q=0.1, application/xml', True),
])
def test_accept_negotiation(sim, admin, accept, is_json):
    response = sim.get('/api/backupServers', admin, accept)
    assert response.headers['Content-Type'] == ('application/json' if is_json else 'application/xml')
    if is_json:
        assert 'Refs' in response.json()
    else:
        assert 'EntityReferences' in xml(response)


def test_hrefs_follow_the_host_header(sim, admin, catalog):
    task_id = catalog['samples']['task_session_ids_by_result']['Success'][0]
    headers = {'Host': 'em.example:9398'}
    entity = xml(sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin, headers=headers))['BackupTaskSession']
    assert entity['@Href'] == 'http://em.example:9398/api/backupTaskSessions/%s?format=Entity' % task_id
    assert all(link['@Href'].startswith('http://em.example:9398/api/') for link in entity['Links']['Link'])
    page = sim.get('/api/query?type=BackupTaskSession&pageSize=2', admin, 'application/json', headers={'Host': 'localhost:1'}).json()
    assert all(link['Href'].startswith('http://localhost:1/api/query?') for link in page['PagingInfo']['Links'])


def test_literal_path_segments_are_case_insensitive(sim, admin, catalog):
    task_id = catalog['samples']['task_session_ids_by_result']['Success'][0]
    assert sim.get('/api/BackupTaskSessions/%s/' % task_id.upper(), admin).status_code == 200
    assert sim.get('/API/QUERY?type=BackupTaskSession&pageSize=1', admin).status_code == 200


def test_xml_layout_varies_deterministically(sim, admin):
    paths = ['/api/query?type=BackupTaskSession&format=Entities&pageSize=60&page=%d' % page for page in range(1, 13)]
    bodies = [sim.get(path, admin).text for path in paths]
    assert bodies[0] == sim.get(paths[0], admin).text
    declarations = set(body.startswith('<?xml version="1.0" encoding="utf-8"?>') for body in bodies)
    assert declarations == {True, False}
    roots = set(re.search(r'<QueryResult[^>]*>', body).group(0) for body in bodies)
    assert len(roots) >= 3
    assert any('xmlns:xsi=' in root for root in roots) and any('xmlns:xsi=' not in root for root in roots)
    assert all('xmlns="%s"' % NS in root for root in roots)
    paging = set(re.search(r'<PagingInfo ([A-Za-z]+)=', body).group(1) for body in bodies)
    assert paging == {'PageNum', 'PagesCount'}
    orders = set()
    link_orders = set()
    for body in bodies:
        for start in re.findall(r'<BackupTaskSession ([^>]*)>', body):
            orders.add(tuple(re.findall(r'(\w+)="', start)))
        for start in re.findall(r'<Link ([^>]*)/>', body):
            link_orders.add(tuple(name for name in re.findall(r'(\w+)="', start) if name != 'Name'))
    assert len(orders) >= 3 and all(sorted(order) == ['Href', 'Name', 'Type', 'UID', 'VmDisplayName'] for order in orders)
    assert len(link_orders) >= 2


def test_camel_case_json_keys(sim_factory):
    sim = sim_factory('--json-keys', 'camel', sessions=300)
    token, logon = sim.logon(accept='application/json')
    assert set(logon.json()) == {'userName', 'sessionId', 'links', 'href', 'type'}
    catalog = sim.catalog()
    task_id = catalog['samples']['task_session_ids_by_result']['Success'][0]
    body = sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, token, 'application/json').json()
    assert list(body) == ['jobSessionUid', 'creationTimeUTC', 'endTimeUTC', 'state', 'result', 'reason', 'totalSize', 'vmUid',
                          'vmDisplayName', 'name', 'uid', 'links', 'href', 'type']
    assert list(body['links'][0]) == ['rel', 'href', 'name', 'type'] and body['type'] == 'BackupTaskSession'
    page = query(sim, token, 'application/json', type='BackupTaskSession', format='Entities', pageSize=2).json()
    assert list(page) == ['refs', 'entities', 'resources', 'links', 'pagingInfo']
    assert list(page['pagingInfo']) == ['links', 'pageNum', 'pageSize', 'pagesCount']
    assert len(page['entities']['backupTaskSessions']['backupTaskSessions']) == 2
    refs = query(sim, token, 'application/json', type='BackupTaskSession', pageSize=2).json()
    assert len(refs['refs']['refs']) == 2 and refs['entities'] is None
    assert list(sim.get('/api/backupTaskSessions', token, 'application/json').json()) == ['refs']
    error = sim.get('/api/backupTaskSessions/nope', token, 'application/json').json()
    assert list(error) == ['firstChanceExceptionMessage', 'message', 'stackTrace', 'status', 'statusCode']
    root = sim.get('/api/', accept='application/json').json()
    assert [item['name'] for item in root['supportedVersions']['supportedVersions']] == ['v1_5', 'v1_6', 'v1_7']
    assert 'BackupTaskSession' in xml(sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, token))  # XML unchanged
    assert sim.request('DELETE', '/api/logonSessions/' + logon.json()['sessionId'], token).status_code == 204
