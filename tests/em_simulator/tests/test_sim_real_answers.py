# What real EM 12/13 servers send beyond the documentation: session names with fractional seconds in EM 13
# style, the null sibling lists of a JSON QueryResult and the null href/type of /api, the documented
# Name==""Backup"" quoting, bare GUIDs as UID filter values, a silent page size cap (--max-page-size) and the
# status of a filter EM cannot parse (--bad-filter-status); and sessions made while the simulator runs
# (POST /__simulator/task-sessions).
from __future__ import annotations

import datetime
import re
import time

import pytest
import requests

from sim_helpers import query, query_all, xml

ENTITY_LISTS = 50  # list members under Entities in a real EM 12/13 answer


def _stamp(text):
    """'2025-10-12T13:59:58.0401Z' -> '2025-10-12 13:59:58.0401'."""
    return text[:-1].replace('T', ' ')


def test_em13_names_carry_the_fraction_of_the_creation_time(sim_factory):
    camel = sim_factory('--json-keys', 'camel', sessions=300)
    token, logon = camel.logon()
    tasks = query(camel, token, 'application/json', type='BackupTaskSession', format='Entities', pageSize=300).json()
    tasks = tasks['entities']['backupTaskSessions']['backupTaskSessions']
    fractions = 0
    for task in tasks:
        assert task['name'] == '%s@%s' % (task['vmDisplayName'], _stamp(task['creationTimeUTC']))
        fraction = re.search(r'\d\d:\d\d:\d\d\.(\d+)$', task['name'])
        if fraction:
            fractions += 1
            assert len(fraction.group(1)) <= 7 and not fraction.group(1).endswith('0')
        up = [link for link in task['links'] if link['type'] == 'BackupJobSessionReference'][0]
        assert re.match(r'^.+@\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d*[1-9])?$', up['name'])
    assert fractions > len(tasks) // 2
    # A name filter finds a session by its EM 13 name; XML carries the same names.
    sample = [task for task in tasks if '.' in task['name'].split('@')[1]][0]
    found = query(camel, token, 'application/json', type='BackupTaskSession', filter='Name=="%s"' % sample['name']).json()
    assert [ref['uid'] for ref in found['refs']['refs']] == [sample['uid']]
    entity = xml(camel.get('/api/backupTaskSessions/%s?format=Entity' % sample['uid'].rsplit(':', 1)[1], token))
    assert entity['BackupTaskSession']['@Name'] == sample['name']
    camel.logoff(token, logon)


def test_em12_names_stop_at_the_seconds(sim, admin):
    for task in query_all(sim, admin, pageSize=500)[:500]:
        assert task['Name'] == '%s@%s' % (task['VmDisplayName'], task['CreationTimeUTC'][:19].replace('T', ' '))


def test_json_query_result_has_the_null_sibling_lists_real_servers_send(sim, admin):
    body = query(sim, admin, 'application/json', type='BackupTaskSession', format='Entities', pageSize=2).json()
    entities = body['Entities']
    assert len(entities) == ENTITY_LISTS
    assert [key for key, value in entities.items() if value is not None] == ['BackupTaskSessions']
    assert list(entities).index('BackupJobSessions') < list(entities).index('BackupTaskSessions') < list(entities).index('BackupServers')
    jobs = query(sim, admin, 'application/json', type='BackupJobSession', format='Entities', pageSize=2).json()['Entities']
    assert [key for key, value in jobs.items() if value is not None] == ['BackupJobSessions'] and len(jobs) == ENTITY_LISTS
    root = sim.get('/api/', accept='application/json').json()
    assert list(root) == ['SupportedVersions', 'Links', 'Href', 'Type'] and root['Href'] is None and root['Type'] is None
    logon = requests.post(sim.url('/api/sessionMngr/?v=latest'), auth=('EM\\ansible', 'ansible-demo'),
                          headers={'Accept': 'application/json'}, timeout=30)
    links = logon.json()['Links']
    assert all(set(link) == {'Rel', 'Href', 'Name', 'Type'} for link in links) and any(link['Name'] is None for link in links)
    sim.request('DELETE', '/api/logonSessions/' + logon.json()['SessionId'], logon.headers['X-RestSvcSessionId'])


def test_uid_filters_take_a_bare_guid_like_the_urn(sim, admin, catalog):
    task_id = catalog['samples']['task_session_ids_by_result']['Failed'][0]
    urn = query_all(sim, admin, filter='UID=="urn:veeam:BackupTaskSession:%s"' % task_id)
    bare = query_all(sim, admin, filter='UID==%s' % task_id.upper())
    assert [item['UID'] for item in urn] == [item['UID'] for item in bare] == ['urn:veeam:BackupTaskSession:' + task_id]
    job_session = urn[0]['JobSessionUid']
    by_urn = query_all(sim, admin, filter='JobSessionUid=="%s"' % job_session)
    assert by_urn == query_all(sim, admin, filter='JobSessionUid==%s' % job_session.rsplit(':', 1)[1]) and len(by_urn) > 1
    server = catalog['backup_servers'][0]
    assert len(query_all(sim, admin, filter='BackupServerUid==%s' % server['id'])) == server['task_sessions']


def test_the_documented_doubled_quotes_form(sim, admin, catalog):
    job = 'SQL "Prod" Daily'
    quoted = query_all(sim, admin, filter='JobName=="SQL ""Prod"" Daily"')
    assert quoted and all(item['Links'][1]['Name'].startswith(job + '@') for item in quoted)
    # Name==""Backup"" is the name "Backup", quotes included (EM's example); no session has it here.
    response = query(sim, admin, 'application/json', type='BackupTaskSession', filter='JobName==""Backup""')
    assert response.status_code == 200 and response.json()['Refs'] == {'Refs': []}
    assert query(sim, admin, type='BackupTaskSession', filter='JobName=="""Backup"""').status_code == 200


def test_doubled_quotes_find_a_quoted_name(sim_factory):
    live = sim_factory(sessions=100, seed=11)
    created = requests.post(live.url('/__simulator/task-sessions'), json={'vm_name': 'q01', 'job_name': '"Nightly"'}, timeout=30)
    assert created.status_code == 201
    token, logon = live.logon()
    found = query_all(live, token, filter='JobName==""Nightly""')
    assert [item['UID'] for item in found] == [created.json()['uid']]
    assert query_all(live, token, filter='JobName=="""Nightly"""') == found
    live.logoff(token, logon)


def test_max_page_size_caps_silently_and_paging_info_tells_the_size(sim_factory):
    capped = sim_factory('--max-page-size', '40', sessions=300)
    token, logon = capped.logon()
    body = query(capped, token, 'application/json', type='BackupTaskSession', format='Entities', pageSize=1000).json()
    info = body['PagingInfo']
    assert (info['PageSize'], info['PagesCount'], info['PageNum']) == (40, 8, 1)
    assert len(body['Entities']['BackupTaskSessions']['BackupTaskSessions']) == 40
    next_link = [link['Href'] for link in info['Links'] if link['Rel'] == 'Next'][0]
    assert 'pageSize=40&page=2' in next_link
    seen = []
    url = capped.url('/api/query?type=BackupTaskSession&pageSize=1000')
    while url:  # walking EM's own links covers every row once
        page = requests.get(url, headers={'X-RestSvcSessionId': token, 'Accept': 'application/json'}, timeout=30).json()
        seen.extend(ref['UID'] for ref in page['Refs']['Refs'])
        url = ([link['Href'] for link in page['PagingInfo']['Links'] if link['Rel'] == 'Next'] or [None])[0]
    assert len(seen) == len(set(seen)) == 300
    small = xml(query(capped, token, type='BackupTaskSession', pageSize=7))['QueryResult']['PagingInfo']
    assert small['@PageSize'] == '7'  # below the cap nothing changes
    default = xml(query(capped, token, type='BackupTaskSession'))['QueryResult']['PagingInfo']
    assert default['@PageSize'] == '40'
    capped.logoff(token, logon)


@pytest.mark.parametrize('status', [400, 500])
def test_bad_filter_status(sim_factory, status):
    server = sim_factory('--bad-filter-status', str(status), sessions=100)
    token, logon = server.logon()
    for bad in ('Result=Failed', 'Nope==1', 'CreationTime>=yesterday', '(Result==Failed'):
        response = query(server, token, type='BackupTaskSession', filter=bad)
        assert response.status_code == status, bad
        error = xml(response)['Error']
        assert error['@StatusCode'] == str(status) and error['@Message']
        body = query(server, token, 'application/json', type='BackupTaskSession', filter=bad).json()
        assert body['StatusCode'] == status and body['Message'] == error['@Message']
    assert query(server, token, type='BackupTaskSession', sortAsc='Nope').status_code == 400  # not a filter
    assert query(server, token, type='BackupTaskSession', filter='Result==Failed').status_code == 200
    server.logoff(token, logon)


# --- sessions made while the simulator runs ------------------------------------------------------------

def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _create(server, **body):
    return requests.post(server.url('/__simulator/task-sessions'), json=body, timeout=30)


@pytest.fixture(scope='module')
def live(sim_factory):
    return sim_factory(sessions=200, seed=12)


def test_a_finished_session_is_served_like_generated_ones(live):
    before = _utc_now()
    created = _create(live, vm_name='app01', job_name='Nightly', result='Failed', run_seconds=0)
    after = _utc_now()
    assert created.status_code == 201 and created.headers['Content-Type'] == 'application/json'
    answer = created.json()
    assert set(answer) == {'id', 'uid', 'job_session_id', 'creation_time', 'end_time'}
    assert answer['uid'] == 'urn:veeam:BackupTaskSession:' + answer['id']
    assert before[:19] <= answer['creation_time'][:19] <= after[:19]  # the real clock, not --now
    assert answer['end_time'] == answer['creation_time']
    token, logon = live.logon()
    entity = live.get('/api/backupTaskSessions/%s?format=Entity' % answer['id'], token, 'application/json').json()
    assert (entity['State'], entity['Result'], entity['VmDisplayName']) == ('Completed', 'Failed', 'app01')
    assert entity['CreationTimeUTC'] == answer['creation_time'] and entity['EndTimeUTC'] == answer['end_time'] and entity['Reason']
    assert entity['Name'] == 'app01@' + answer['creation_time'][:19].replace('T', ' ')
    found = query_all(live, token, filter='VmDisplayName==app01;Result==Failed;EndTime>="%s"' % answer['creation_time'])
    assert [item['UID'] for item in found] == [answer['uid']]
    newest = query(live, token, 'application/json', type='BackupTaskSession', format='Entities', sortDesc='CreationTime',
                   pageSize=1).json()['Entities']['BackupTaskSessions']['BackupTaskSessions']
    assert newest[0]['UID'] == answer['uid']
    assert answer['uid'] in [ref['UID'] for ref in live.get('/api/backupTaskSessions', token, 'application/json').json()['Refs']]
    job_session = live.get('/api/backupSessions/%s?format=Entity' % answer['job_session_id'], token, 'application/json').json()
    assert (job_session['JobName'], job_session['JobType'], job_session['State'], job_session['Result']) == (
        'Nightly', 'Backup', 'Stopped', 'Failed')
    listed = live.get('/api/backupSessions/%s/taskSessions' % answer['job_session_id'], token, 'application/json').json()
    assert [ref['UID'] for ref in listed['Refs']] == [answer['uid']]
    sessions = query_all(live, token, 'BackupJobSession', filter='JobName==Nightly')
    assert [item['UID'].rsplit(':', 1)[1] for item in sessions] == [answer['job_session_id']]
    live.logoff(token, logon)


def test_a_running_session_finishes_after_run_seconds(live):
    answer = _create(live, vm_name='sqldb-prod01', job_name='Ad hoc', result='Warning', run_seconds=1).json()
    token, logon = live.logon()
    url = '/api/backupTaskSessions/%s?format=Entity' % answer['id']
    first = live.get(url, token, 'application/json').json()
    deadline = time.monotonic() + 30
    entity = first
    while entity['State'] != 'Completed' and time.monotonic() < deadline:
        time.sleep(0.2)
        entity = live.get(url, token, 'application/json').json()
    assert first['State'] in ('InProgress', 'Completed')
    if first['State'] == 'InProgress':
        assert first['EndTimeUTC'] is None and first['Result'] == 'None'
    assert (entity['State'], entity['Result'], entity['EndTimeUTC']) == ('Completed', 'Warning', answer['end_time'])
    assert answer['end_time'] > answer['creation_time']
    live.logoff(token, logon)


def test_a_long_session_is_in_progress(live):
    answer = _create(live, vm_name='web-new01', job_name='Long', run_seconds=3600, job_type='AgentBackup').json()
    token, logon = live.logon()
    running = query_all(live, token, filter='State==InProgress;VmDisplayName==web-new01')
    assert [item['UID'] for item in running] == [answer['uid']] and running[0]['EndTimeUTC'] is None
    session = live.get('/api/backupSessions/%s?format=Entity' % answer['job_session_id'], token, 'application/json').json()
    assert (session['State'], session['Result'], session['JobType'], session['EndTimeUTC']) == ('Working', 'None', 'AgentBackup', None)
    live.logoff(token, logon)


@pytest.mark.parametrize('body', [
    'not json', '[]', '{"job_name": "x"}', '{"vm_name": "", "job_name": "x"}', '{"vm_name": "a", "job_name": "x", "result": "Maybe"}',
    '{"vm_name": "a", "job_name": "x", "run_seconds": -1}', '{"vm_name": "a", "job_name": "x", "run_seconds": "5"}',
    '{"vm_name": "a", "job_name": "x", "job_type": "Replica"}', '{"vm_name": "a", "job_name": "x", "colour": "red"}',
])
def test_bad_bodies_get_400(live, body):
    response = requests.post(live.url('/__simulator/task-sessions'), data=body, timeout=30)
    assert response.status_code == 400 and response.json()['error']


def test_stats_tell_open_logon_sessions_and_all_logons(live):
    start = live.stats()
    token, logon = live.logon()
    live.reset_stats()
    during = live.stats()
    assert during['active_sessions'] == start['active_sessions'] + 1
    assert during['logons'] == 0 and during['logons_total'] == start['logons_total'] + 1
    live.logoff(token, logon)
    end = live.stats()
    assert end['active_sessions'] == start['active_sessions'] and end['logoffs_total'] == start['logoffs_total'] + 1
