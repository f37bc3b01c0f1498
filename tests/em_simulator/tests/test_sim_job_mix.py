# The `real` job mix (--job-mix real): backup copy workers and periodic copies after the primary backups,
# agent jobs, taskless job session types, retries, the cases the catalog names, and the BackupJobSession
# query and entity; --vms for hundreds of sessions per VM.
from __future__ import annotations

import collections

import pytest

from sim_helpers import query, query_all, xml

JOB_TYPES = ['Backup', 'BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker', 'AgentBackup', 'AgentManagement',
             'NasBackup']
COPY_TYPES = ('BackupCopy', 'ImmediateBackupCopyWorker')


@pytest.fixture(scope='module')
def real(sim_factory):
    return sim_factory('--job-mix', 'real')


@pytest.fixture(scope='module')
def token(real):
    token, response = real.logon()
    yield token
    real.logoff(token, response)


@pytest.fixture(scope='module')
def mix(real, token):
    """(catalog, task sessions, job sessions by UID) of the real mix."""
    sessions = dict((item['UID'], item) for item in query_all(real, token, 'BackupJobSession'))
    return real.catalog(), query_all(real, token), sessions


def _job_session(tasks_or_task, sessions):
    return sessions[tasks_or_task['JobSessionUid']]


def test_every_documented_job_type_is_served(mix):
    catalog, tasks, sessions = mix
    assert catalog['job_mix'] == 'real' and catalog['total'] == len(tasks) == 3000
    assert sorted(collections.Counter(item['JobType'] for item in sessions.values())) == sorted(JOB_TYPES)
    assert sorted(catalog['job_types']) == sorted(JOB_TYPES)
    with_tasks = set(_job_session(task, sessions)['JobType'] for task in tasks)
    assert with_tasks == {'Backup', 'BackupCopy', 'ImmediateBackupCopyWorker', 'AgentBackup'}
    assert any(item['IsRetry'] for item in sessions.values() if item['JobType'] == 'Backup')


def test_copy_sessions_are_named_copy_job_backslash_source_job(mix):
    catalog, tasks, sessions = mix
    for item in sessions.values():
        if item['JobType'] in COPY_TYPES:
            copy_job, source = item['JobName'].split('\\', 1)
            assert copy_job in ('Periodic Copy to DR', 'Immediate Copy to S3')
            assert source in [job['name'] for job in catalog['jobs'] if job['job_type'] == 'Backup']
            assert item['Name'].startswith(item['JobName'] + '@')
    for task in tasks:
        if _job_session(task, sessions)['JobType'] in COPY_TYPES:
            up = [link for link in task['Links'] if link['Type'] == 'BackupJobSessionReference'][0]
            assert '\\' in up['Name'].split('@')[0]
            assert task['TotalSize'] == 0 and 'VmRestorePoint' not in [link['Type'] for link in task['Links']]


def test_copies_run_after_the_primary_backup_of_the_same_vms(mix):
    catalog, tasks, sessions = mix
    primary = collections.defaultdict(list)
    for task in tasks:
        if _job_session(task, sessions)['JobType'] == 'Backup' and task['State'] == 'Completed':
            primary[task['VmDisplayName']].append(task)
    copies = [task for task in tasks if _job_session(task, sessions)['JobType'] in COPY_TYPES]
    assert len(copies) > 100
    for task in copies:
        source = _job_session(task, sessions)['JobName'].split('\\', 1)[1]
        earlier = [item for item in primary[task['VmDisplayName']]
                   if item['EndTimeUTC'] < task['CreationTimeUTC']
                   and [link['Name'] for link in item['Links'] if link['Type'] == 'BackupJobSessionReference'][0].startswith(source + '@')]
        assert earlier, task['Name']


def test_agent_jobs_process_computers(real, token, mix):
    catalog, tasks, sessions = mix
    agent = catalog['samples']['agent_backup']
    assert agent['job_type'] == 'AgentBackup' and len(agent['computer_names']) >= 3
    agent_tasks = [task for task in tasks if _job_session(task, sessions)['JobType'] == 'AgentBackup']
    assert set(task['VmDisplayName'] for task in agent_tasks) <= set(agent['computer_names']) and agent_tasks
    assert all(task['VmUid'] is None for task in agent_tasks)
    assert set(agent['computer_names']) <= set(catalog['vm_names'])
    children = [item for item in sessions.values() if item['JobType'] == 'AgentManagement']
    assert children and all(item['JobName'] == agent['job_name'] for item in children)
    # Taskless session types: their task session list is empty.
    for kind in ('AgentManagement', 'NasBackup', 'ImmediateBackupCopy'):
        item = [value for value in sessions.values() if value['JobType'] == kind][-1]
        session_id = item['UID'].rsplit(':', 1)[1]
        listed = real.get('/api/backupSessions/%s/taskSessions' % session_id, token, 'application/json').json()
        assert listed == {'Refs': []}


def test_catalog_names_a_vm_whose_newest_backup_failed_after_which_a_copy_succeeded(real, token, mix):
    catalog = mix[0]
    case = catalog['samples']['copy_after_failed_backup']
    primary, copy = case['newest_primary'], case['copy_after_it']
    assert primary['result'] == 'Failed' and primary['job_type'] == 'Backup'
    assert copy['result'] == 'Success' and copy['job_type'] in COPY_TYPES and copy['creation_time'] > primary['creation_time']
    newest = query(real, token, 'application/json', type='BackupTaskSession', format='Entities', sortDesc='CreationTime',
                   pageSize=1, filter='VmDisplayName=="%s"' % case['vm_name']).json()
    newest = newest['Entities']['BackupTaskSessions']['BackupTaskSessions'][0]
    entity = real.get('/api/backupTaskSessions/%s?format=Entity' % copy['id'], token, 'application/json').json()
    assert entity['Result'] == 'Success' and entity['TotalSize'] == 0
    assert newest['CreationTimeUTC'] >= copy['creation_time']  # the copy (or a later one) is the VM's newest session
    failed = real.get('/api/backupTaskSessions/%s?format=Entity' % primary['id'], token, 'application/json').json()
    assert failed['Result'] == 'Failed' and failed['VmDisplayName'] == case['vm_name']
    # No primary backup of that VM after the failed one.
    later = query_all(real, token, filter='VmDisplayName=="%s";CreationTime>"%s"' % (case['vm_name'], primary['creation_time']))
    job_types = set(real.get('/api/backupSessions/%s?format=Entity' % item['JobSessionUid'].rsplit(':', 1)[1], token,
                             'application/json').json()['JobType'] for item in later)
    assert later and job_types <= set(COPY_TYPES)


def test_catalog_names_a_failed_copy_job(real, token, mix):
    failed = mix[0]['samples']['failed_copy']
    assert failed['job_type'] == 'ImmediateBackupCopyWorker' and failed['result'] == 'Failed'
    assert failed['job_name'] == failed['copy_job_name'] + '\\' + failed['job_name'].split('\\', 1)[1]
    session = xml(real.get('/api/backupSessions/%s?format=Entity' % failed['job_session_id'], token))['BackupJobSession']
    assert (session['JobType'], session['Result'], session['IsRetry']) == ('ImmediateBackupCopyWorker', 'Failed', 'false')
    assert session['@Name'] == failed['job_session_name']
    for task_id in failed['task_session_ids']:
        task = real.get('/api/backupTaskSessions/%s?format=Entity' % task_id, token, 'application/json').json()
        assert task['Result'] == 'Failed' and task['Reason'] and task['VmDisplayName'] in failed['vm_names']
    newer = query_all(real, token, 'BackupJobSession', filter='JobName=="%s";CreationTime>"%s"' % (
        failed['job_name'].replace('"', '""'), session['CreationTimeUTC']))
    assert newer == []  # the newest session of that copy


def test_backup_job_session_query_fields_and_entity(real, token, mix):
    catalog, unused, sessions = mix
    every = list(sessions.values())
    workers = query_all(real, token, 'BackupJobSession', filter='jobtype==immediatebackupcopyworker')
    assert workers and all(item['JobType'] == 'ImmediateBackupCopyWorker' for item in workers)
    retried = query_all(real, token, 'BackupJobSession', filter='IsRetry==true')
    assert [item['UID'] for item in retried] == [item['UID'] for item in every if item['IsRetry']]
    sample = [item for item in every if item['JobType'] == 'BackupCopy'][-1]
    for condition in ('UID=="%s"' % sample['UID'], 'UID==%s' % sample['UID'].rsplit(':', 1)[1], 'Name=="%s"' % sample['Name'].replace('"', '""'),
                      'JobUid==%s;JobType==BackupCopy;CreationTime=="%s"' % (sample['JobUid'].rsplit(':', 1)[1], sample['CreationTimeUTC'])):
        found = query_all(real, token, 'BackupJobSession', filter=condition)
        assert [item['UID'] for item in found] == [sample['UID']], condition
    server = catalog['backup_servers'][0]
    by_server = query_all(real, token, 'BackupJobSession', filter='BackupServerName=="%s"' % server['name'])
    assert by_server == query_all(real, token, 'BackupJobSession', filter='BackupServerUid==%s' % server['id'])
    page = xml(query(real, token, type='BackupJobSession', format='Entities', pageSize=7, page=2, sortDesc='EndTime'))['QueryResult']
    items = page['Entities']['BackupJobSessions']['BackupJobSession']
    assert len(items) == 7 and page['PagingInfo']['@PageNum'] == '2'
    assert list(items[0])[-8:] == ['JobName', 'JobType', 'CreationTimeUTC', 'EndTimeUTC', 'State', 'Result', 'Progress', 'IsRetry'] or \
        list(items[0])[-9:] == ['JobName', 'JobType', 'CreationTimeUTC', 'EndTimeUTC', 'State', 'Result', 'Progress', 'FailureMessage', 'IsRetry']
    session_id = sample['UID'].rsplit(':', 1)[1]
    entity = real.get('/api/backupSessions/%s?format=Entity' % session_id, token, 'application/json').json()
    assert (entity['JobType'], entity['IsRetry']) == ('BackupCopy', False)
    assert xml(real.get('/api/backupSessions/%s?format=Entity' % session_id, token))['BackupJobSession']['JobType'] == 'BackupCopy'


def test_basic_mix_is_the_default_and_backup_only(sim, admin):
    sessions = query_all(sim, admin, 'BackupJobSession')
    assert set(item['JobType'] for item in sessions) == {'Backup'}


def test_vms_option_gives_hundreds_of_sessions_per_vm(sim_factory):
    many = sim_factory('--vms', '75', sessions=20000)
    catalog = many.catalog()
    assert catalog['total'] == 20000 and len(catalog['vm_names']) == 75
    token, response = many.logon()
    vm = catalog['vm_names'][0]
    count = query(many, token, 'application/json', type='BackupTaskSession', pageSize=1, filter='VmDisplayName=="%s"' % vm).json()
    assert count['PagingInfo']['PagesCount'] >= 150
    assert catalog['samples']['vm_with_several_sessions']['task_sessions'] >= 250
    many.logoff(token, response)
