# VmRestorePoint and AgentRestorePoint: a point per finished Success/Warning primary backup task (none for
# copies), retention per job, the scenario VM whose last success has no point left, the query fields EM 13
# documents (and the ones it does not), entities and references in XML and both JSON key styles, paging,
# the /vmRestorePoints/{ID} and /agents/agentRestorePoints/{ID} resources, and live sessions.
from __future__ import annotations

import collections
import json
import os
import re
import sys

import pytest

from sim_helpers import GUID, TIME_RE, query, query_all, xml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from emsim import dataset as em_dataset  # noqa: E402
from emsim.restore_points import job_policy, store_of  # noqa: E402
from emsim.timefmt import parse_now  # noqa: E402

PRIMARY = ('Backup', 'AgentBackup')


@pytest.fixture(scope='module')
def real(sim_factory):
    return sim_factory('--job-mix', 'real')


@pytest.fixture(scope='module')
def token(real):
    token, response = real.logon()
    yield token
    real.logoff(token, response)


@pytest.fixture(scope='module')
def data(real, token):
    """(catalog, task sessions, job types by job session UID, VM points, agent points) of the real mix."""
    job_types = dict((item['UID'], item['JobType']) for item in query_all(real, token, 'BackupJobSession'))
    return (real.catalog(), query_all(real, token), job_types, query_all(real, token, 'VmRestorePoint'),
            query_all(real, token, 'AgentRestorePoint'))


def _point_id(entity):
    return entity['UID'].rsplit(':', 1)[1]


def _related(task):
    links = [link for link in task['Links'] if link['Rel'] == 'Related']
    return links[0]['Href'].rsplit('/', 1)[1].split('?')[0] if links else None


def _link(entity, kind):
    return [link for link in entity['Links'] if link['Type'] == kind][0]


def test_every_point_comes_from_a_successful_primary_backup_task(data):
    catalog, tasks, job_types, vm_points, agent_points = data
    by_point = dict((_related(task), task) for task in tasks if _related(task))
    assert vm_points and agent_points
    for point, kind in [(item, 'Backup') for item in vm_points] + [(item, 'AgentBackup') for item in agent_points]:
        task = by_point[_point_id(point)]
        assert job_types[task['JobSessionUid']] == kind
        assert task['Result'] in ('Success', 'Warning') and task['State'] == 'Completed'
        assert point['Name'].split('@')[0] == task['VmDisplayName']
        assert point['CreationTimeUTC'] >= task['CreationTimeUTC'] and TIME_RE.match(point['CreationTimeUTC'])
    copies = [task for task in tasks if job_types[task['JobSessionUid']] not in PRIMARY]
    assert copies and not [task for task in copies if _related(task)]
    section = catalog['restore_points']
    assert section['vm'] == len(vm_points) and section['agent'] == len(agent_points)
    produced = [task for task in tasks if job_types[task['JobSessionUid']] in PRIMARY and _related(task)]
    deleted = section['vm_without_restore_point']
    # Every point a primary task made is served, removed by retention, or one of the scenario VM's.
    assert deleted['deleted'] > 0
    assert len(produced) == len(vm_points) + len(agent_points) + section['removed_by_retention'] + deleted['deleted']


def test_retention_keeps_a_count_per_job_and_vm(real, token, data):
    catalog, tasks, job_types, vm_points, agent_points = data
    section = catalog['restore_points']
    assert section['removed_by_retention'] > 0
    per_vm = collections.defaultdict(list)
    for point in vm_points + agent_points:
        per_vm[point['Name'].split('@')[0]].append(point)
    for name, points in per_vm.items():
        points.sort(key=lambda item: item['CreationTimeUTC'])
        longest = max(section['retained_per_job'].values())
        assert len(points) <= longest + 7, name  # a forward chain keeps back to its full: at most a week more
        if all(point['Algorithm'] != 'ReversedIncremental' for point in points):
            assert points[0]['PointType'] == 'Full', name  # the oldest kept point of a forward chain is a full
        else:
            assert [point['PointType'] for point in points][-1] == 'Full'  # reverse: the newest is the .vbk
            assert set(point['PointType'] for point in points[:-1]) <= {'ReverseIncrement'}
    case = section['vm_with_retention']
    removed = case['removed_task_point']
    assert removed['result'] in ('Success', 'Warning') and removed['creation_time'] < case['oldest_restore_point']['creation_time']
    gone = real.get('/api/vmRestorePoints/%s?format=Entity' % removed['restore_point_id'], token)
    assert gone.status_code == 404 and 'was not found' in xml(gone)['Error']['@Message']
    # The task session still links the point it made (the task session data does not change).
    task = real.get('/api/backupTaskSessions/%s?format=Entity' % removed['id'], token, 'application/json').json()
    assert _related(task) == removed['restore_point_id']
    points = query_all(real, token, 'VmRestorePoint', filter='VmDisplayName=="%s"' % case['vm_name'])
    assert len(points) <= case['retained'] + 7 and min(point['CreationTimeUTC'] for point in points) == \
        case['oldest_restore_point']['creation_time']


def test_scenario_vm_has_a_last_success_but_no_restore_point(real, token, data):
    catalog, tasks, job_types = data[:3]
    case = catalog['restore_points']['vm_without_restore_point']
    assert case['restore_points'] == 0 and case['last_success']['result'] == 'Success'
    mine = [task for task in tasks if task['VmDisplayName'] == case['vm_name'] and task['State'] == 'Completed'
            and job_types[task['JobSessionUid']] in PRIMARY]
    assert mine[-1]['UID'].endswith(case['last_success']['id']) and mine[-1]['Result'] == 'Success'
    assert query_all(real, token, 'VmRestorePoint', filter='VmDisplayName=="%s"' % case['vm_name']) == []
    assert real.get('/api/vmRestorePoints/%s' % case['last_success']['restore_point_id'], token).status_code == 404


def test_basic_mix_has_the_scenario_and_only_vm_points(sim, admin, catalog):
    section = catalog['restore_points']
    assert section['agent'] == 0 and section['vm'] > 0
    case = section['vm_without_restore_point']
    assert case['vm_name'] in catalog['vm_names'] and case['last_success']['job_type'] == 'Backup'
    assert query_all(sim, admin, 'VmRestorePoint', filter='VmDisplayName=="%s"' % case['vm_name']) == []
    assert len(query_all(sim, admin, 'VmRestorePoint')) == section['vm']


def test_vm_restore_point_entity_xml(real, token, data):
    point = data[3][-1]
    response = query(real, token, type='VmRestorePoint', format='Entities', pageSize=1, sortDesc='CreationTime')
    assert response.status_code == 200
    entity = xml(response)['QueryResult']['Entities']['VmRestorePoints']['VmRestorePoint']
    assert entity['@UID'] == point['UID'] and entity['@Type'] == 'VmRestorePoint'
    assert entity['@VmDisplayName'] == point['VmDisplayName'] == point['VmName']
    assert list(key for key in entity if not key.startswith('@')) == [
        'Links', 'CreationTimeUTC', 'VmName', 'Algorithm', 'PointType', 'HierarchyObjRef']
    assert entity['HierarchyObjRef'].startswith('urn:VMware:Vm:')
    links = entity['Links']['Link']
    assert [(link['@Rel'], link.get('@Type')) for link in links] == [
        ('Restore', None), ('Up', 'BackupServerReference'), ('Up', 'RestorePointReference'), ('Up', 'BackupFileReference'),
        ('Alternate', 'VmRestorePointReference'), ('Down', 'VmRestorePointMountList')]
    assert links[3]['@Name'].endswith(('.vbk', '.vib', '.vrb')) and not [link for link in links if '/backups/' in link['@Href']]


def test_references_and_resources(real, token, data):
    point = data[3][0]
    refs = xml(query(real, token, type='VmRestorePoint', pageSize=1, sortAsc='CreationTime'))['QueryResult']['Refs']['Ref']
    assert refs[0]['@Type'] == 'VmRestorePointReference' and refs[0]['@UID'] == point['UID']
    assert 'CreationTimeUTC' not in refs[0]
    guid = _point_id(point)
    entity = real.get('/api/vmRestorePoints/%s?format=Entity' % guid.upper(), token, 'application/json').json()
    assert entity == point
    ref = xml(real.get('/api/vmRestorePoints/%s/' % guid, token))['EntityRef']
    assert ref['@Type'] == 'VmRestorePointReference' and ref['Links']['Link'][-1]['@Rel'] == 'Alternate'
    agent = data[4][0]
    assert real.get('/api/vmRestorePoints/%s' % _point_id(agent), token).status_code == 404
    found = real.get('/api/agents/agentRestorePoints/%s?format=Entity' % _point_id(agent), token, 'application/json').json()
    assert found == agent and set(found) == {'CreationTimeUTC', 'Algorithm', 'PointType', 'Name', 'UID', 'Links', 'Href', 'Type'}
    assert real.get('/api/agents/agentRestorePoints/%s' % guid, token).status_code == 404
    assert real.get('/api/vmRestorePoints/%s' % guid).status_code == 401


@pytest.mark.parametrize('field', ['VmName', 'HierarchyObjRef', 'JobUid', 'PointType', 'BackupUid', 'ComputerName'])
def test_fields_em_does_not_document_for_vm_points_are_refused(real, token, field):
    response = query(real, token, type='VmRestorePoint', filter='%s==x' % field)
    assert response.status_code == 400 and field in xml(response)['Error']['@Message']


@pytest.mark.parametrize('field', ['VmDisplayName', 'VmName', 'PointType', 'JobUid'])
def test_fields_em_does_not_document_for_agent_points_are_refused(real, token, field):
    assert query(real, token, type='AgentRestorePoint', filter='%s==x' % field).status_code == 400


def test_vm_point_filters(real, token, data):
    points = data[3]
    first, last = points[0], points[-1]

    def names(**params):
        return [item['UID'] for item in query_all(real, token, 'VmRestorePoint', **params)]
    pair = '(VmDisplayName=="%s",VmDisplayName=="%s")' % (first['VmDisplayName'], last['VmDisplayName'].upper())
    wanted = (first['VmDisplayName'], last['VmDisplayName'])
    assert set(names(filter=pair)) == set(item['UID'] for item in points if item['VmDisplayName'] in wanted)
    assert names(filter='Type==Full') == [item['UID'] for item in points if item['PointType'] == 'Full']
    assert names(filter='type==increment;algorithm==Incremental') == [
        item['UID'] for item in points if item['PointType'] == 'Increment' and item['Algorithm'] == 'Incremental']
    assert names(filter='UID==%s' % _point_id(last)) == names(filter='UID=="%s"' % last['UID']) == [last['UID']]
    assert names(filter='Name=="%s"' % last['Name']) == [last['UID']]
    assert names(filter='CreationTime>="%s"' % last['CreationTimeUTC']) == [last['UID']]
    assert names(filter='CreationTimeUTC<"%s"' % last['CreationTimeUTC']) == [item['UID'] for item in points[:-1]]
    server = _link(last, 'BackupServerReference')
    by_server = names(filter='BackupServerName=="%s"' % server['Name'])
    assert last['UID'] in by_server and by_server == names(filter='BackupServerUid==%s' % server['Href'].rsplit('/', 1)[1])
    assert set(by_server) == set(item['UID'] for item in points if _link(item, 'BackupServerReference')['Name'] == server['Name'])
    run = _link(last, 'RestorePointReference')
    same_run = names(filter='RestorePointId==%s' % run['Href'].rsplit('/', 1)[1])
    assert last['UID'] in same_run and same_run == [
        item['UID'] for item in points if _link(item, 'RestorePointReference')['Href'] == run['Href']]
    assert query(real, token, type='VmRestorePoint', filter='Type==Differential').status_code == 400


def test_agent_point_filters(real, token, data):
    agents = data[4]
    point = agents[-1]
    computer = point['Name'].split('@')[0]

    def uids(text):
        return [item['UID'] for item in query_all(real, token, 'AgentRestorePoint', filter=text)]
    assert uids('ComputerName=="%s"' % computer.lower()) == [item['UID'] for item in agents if item['Name'].startswith(computer + '@')]
    catalog = data[0]
    assert uids('BackupName=="%s"' % catalog['samples']['agent_backup']['job_name']) == [item['UID'] for item in agents]
    backup_file = _link(point, 'BackupFileReference')
    assert uids('BackupFileName=="%s"' % backup_file['Name']) == uids('BackupFileUid==%s' % backup_file['Href'].rsplit('/', 1)[1]) \
        == [point['UID']]
    assert set(item['PointType'] for item in agents) <= {'Full', 'Increment'}
    assert uids('BackupUid==%s' % _point_id(point)) == []  # a point's ID is not its backup's


def test_paging_and_sort(real, token, data):
    points = data[3]
    seen = []
    page = 1
    while True:
        body = query(real, token, 'application/json', type='VmRestorePoint', format='Entities', pageSize=150, page=page,
                     sortDesc='CreationTime').json()
        seen.extend(item['UID'] for item in body['Entities']['VmRestorePoints']['VmRestorePoints'])
        if page >= body['PagingInfo']['PagesCount']:
            break
        page += 1
    assert page == -(-len(points) // 150)
    assert len(seen) == len(set(seen)) == len(points) and set(seen) == set(item['UID'] for item in points)
    by_uid = dict((item['UID'], parse_now(item['CreationTimeUTC'])) for item in points)
    assert [by_uid[uid] for uid in seen] == sorted(by_uid.values(), reverse=True)
    ascending = [parse_now(item['CreationTimeUTC']) for item in query_all(real, token, 'VmRestorePoint', sortAsc='creationtime')]
    assert ascending == sorted(by_uid.values())
    # Without a sort the points come oldest first, as the other query types.
    assert [parse_now(item['CreationTimeUTC']) for item in points] == sorted(by_uid.values())


def test_camel_keys(sim_factory):
    camel = sim_factory('--json-keys', 'camel', '--job-mix', 'real')
    token, unused = camel.logon()
    body = query(camel, token, 'application/json', type='VmRestorePoint', format='Entities', pageSize=1).json()
    entity = body['entities']['vmRestorePoints']['vmRestorePoints'][0]
    assert set(entity) == {'creationTimeUTC', 'vmName', 'algorithm', 'pointType', 'hierarchyObjRef', 'vmDisplayName', 'name',
                           'uid', 'links', 'href', 'type'}
    assert entity['name'] == '%s@%s' % (entity['vmDisplayName'], entity['creationTimeUTC'][:19].replace('T', ' '))
    agents = query(camel, token, 'application/json', type='AgentRestorePoint', pageSize=1).json()
    assert agents['refs']['refs'][0]['links'][-1]['type'] == 'AgentRestorePoint' and agents['entities'] is None


def test_live_sessions_make_points(sim_factory):
    live = sim_factory('--sessions', '500')
    token, unused = live.logon()
    before = len(query_all(live, token, 'VmRestorePoint'))
    made = live.request('POST', '/__simulator/task-sessions', json={'vm_name': 'live-rp-01', 'job_name': 'Live RP'}).json()
    failed = live.request('POST', '/__simulator/task-sessions',
                          json={'vm_name': 'live-rp-02', 'job_name': 'Live RP', 'result': 'Failed'}).json()
    points = query_all(live, token, 'VmRestorePoint', filter='(VmDisplayName==live-rp-01,VmDisplayName==live-rp-02)')
    assert len(points) == 1 and points[0]['VmDisplayName'] == 'live-rp-01' and points[0]['PointType'] == 'Full'
    task = live.get('/api/backupTaskSessions/%s?format=Entity' % made['id'], token, 'application/json').json()
    assert _related(task) == _point_id(points[0]) and failed['id']
    assert len(query_all(live, token, 'VmRestorePoint')) == before + 1


def test_data_and_task_sessions_do_not_change_with_restore_points():
    """The points are derived afterwards: the task sessions are the ones built without them."""
    now = parse_now('2025-10-12T14:00:00Z')
    data = em_dataset.build(2000, 5, now, 'real')
    snapshot = [(task.id, task.result, task.restore_point) for task in data.tasks]
    store = store_of(data).refresh()
    assert [(task.id, task.result, task.restore_point) for task in data.tasks] == snapshot
    again = store_of(em_dataset.build(2000, 5, now, 'real')).refresh()
    assert [(point.id, point.algorithm, point.point_type, point.file_id) for point in store.by_kind['vm']] == \
        [(point.id, point.algorithm, point.point_type, point.file_id) for point in again.by_kind['vm']]
    for point in store.by_kind['vm'] + store.by_kind['agent']:
        assert job_policy(point.job)[1] in (7, 10, 14, 21, 30)
        assert re.match('^%s$' % GUID, point.file_id) and re.match('^%s$' % GUID, point.point_id)
        assert point.file_uid == 'urn:veeam:BackupFile:' + point.file_id


def test_restore_operators_get_403_and_portal_users_read_points(sim_factory, tmp_path_factory):
    path = tmp_path_factory.mktemp('rp-users') / 'users.json'
    path.write_text(json.dumps([{'username': 'CORP\\viewer', 'password': 'view-pass', 'role': 'PortalUser'},
                                {'username': 'restore@CORP', 'password': 'restore-pass', 'role': 'RestoreOperator'}]), encoding='utf-8')
    users = sim_factory('--users', str(path), sessions=300)
    viewer, unused = users.logon('CORP\\viewer', 'view-pass')
    point = query_all(users, viewer, 'VmRestorePoint')[0]
    assert users.get('/api/vmRestorePoints/%s' % _point_id(point), viewer).status_code == 200
    operator, unused = users.logon('restore@CORP', 'restore-pass')
    for path in ('/api/vmRestorePoints/%s' % _point_id(point), '/api/query?type=VmRestorePoint'):
        denied = users.get(path, operator)
        assert denied.status_code == 403 and xml(denied)['Error']['@StatusCode'] == '403'


@pytest.mark.parametrize('type_name, text', [
    ('BackupTaskSession', '(VmDisplayName=="{vm0}",vmdisplayname=="{VM1}",VmDisplayName=="nope")'),
    ('BackupTaskSession', '(Result==Failed,result==warning)'),
    ('BackupTaskSession', '(JobSessionUid=="urn:veeam:BackupJobSession:{session}",JobSessionUid=={session})'),
    ('VmRestorePoint', '(Type==Full,Type==ReverseIncrement)'),
    ('VmRestorePoint', '(VmDisplayName=="{vm0}",BackupServerName=="{server}")'),  # two fields: no set lookup
])
def test_an_or_of_equalities_answers_as_the_comparisons_one_by_one(type_name, text):
    from emsim.filter_parser import parse
    from emsim.query_fields import compile_filter
    from emsim.query_service import QUERY_TYPES
    data = em_dataset.build(1500, 4, parse_now('2025-10-12T14:00:00Z'), 'real')
    tree = parse(text.format(vm0=data.vms[0].name, VM1=data.vms[1].name.upper(), session=[item for item in data.job_sessions if item.tasks][-3].id,
                             server=data.servers[0].name))
    query_type = QUERY_TYPES[type_name.lower()]
    records = data.tasks if type_name == 'BackupTaskSession' else store_of(data).points('vm')
    each = [compile_filter(child, query_type) for child in tree.children]
    together = compile_filter(tree, query_type)
    expected = [record for record in records if any(match(record) for match in each)]
    assert expected and [record for record in records if together(record)] == expected


def test_without_task_vm_uid_task_sessions_carry_none_and_restore_points_keep_the_reference(sim, admin, sim_factory):
    old = sim_factory('--without-task-vm-uid', sessions=300)
    token, logon = old.logon()
    try:
        tasks = query_all(old, token)
        points = query_all(old, token, 'VmRestorePoint')
        assert tasks and not [task for task in tasks if task.get('VmUid')]
        assert points and all(point['HierarchyObjRef'].startswith('urn:VMware:Vm:') for point in points)
        # Without the flag, every VM task session has one.
        assert all(task.get('VmUid', '').startswith('urn:VMware:Vm:') for task in query_all(sim, admin))
    finally:
        old.logoff(token, logon)
