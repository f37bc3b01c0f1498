# Job control: jobs and their Rel links per type, the query type Job, actions answering 202 with a Task, tasks
# per logon session with three states, runs that progress and end as planned, retry, stop, the schedule toggle,
# a scheduled run racing a manual start, quick backup, and the Portal User role.
from __future__ import annotations

import json
import time

import pytest

from sim_helpers import query, query_all, xml

JSON = 'application/json'


@pytest.fixture(scope='module')
def jobs_sim(sim_factory, tmp_path_factory):
    path = tmp_path_factory.mktemp('jobs-users') / 'users.json'
    path.write_text(json.dumps([
        {'username': 'EM\\ansible', 'password': 'ansible-demo', 'role': 'PortalAdministrator'},
        {'username': 'EM\\portal', 'password': 'portal-pass', 'role': 'PortalUser'},
    ]))
    return sim_factory('--job-mix', 'real', '--job-run-seconds', '0.6', '--users', str(path), sessions=1500)


@pytest.fixture(scope='module')
def token(jobs_sim):
    token, response = jobs_sim.logon()
    yield token
    jobs_sim.logoff(token, response)


def _jobs(sim, token, **params):
    return query_all(sim, token, 'Job', **params)


def _job(sim, token, job_type='Backup', running=False):
    """A job of the type whose newest session is (not) running."""
    for job in _jobs(sim, token, filter='JobType==%s' % job_type):
        sessions = _sessions(sim, token, job['UID'])
        if sessions and (sessions[0]['State'] != 'Stopped') == running:
            return job
    raise AssertionError('no such job')


def _sessions(sim, token, job_uid):
    return query_all(sim, token, 'BackupJobSession', filter='JobUid==%s' % job_uid.rsplit(':', 1)[-1], sortDesc='CreationTime')


def _rels(entity):
    return [link['Rel'] for link in entity['Links']]


def _post(sim, token, href_or_path, **kwargs):
    path = href_or_path.split('//', 1)[-1].split('/', 1)[-1]
    return sim.request('POST', '/' + path, token, JSON, **kwargs)


def _wait_task(sim, token, task, state='Finished', timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        found = sim.get('/api/tasks/%s' % task['TaskId'], token, JSON).json()
        if found['State'] == state or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _wait_stopped(sim, token, session_id, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        found = sim.get('/api/backupSessions/%s?format=Entity' % session_id, token, JSON).json()
        if found['State'] == 'Stopped' or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _link(entity, rel):
    return next(link['Href'] for link in entity['Links'] if link['Rel'] == rel)


def _plan(sim, **body):
    response = sim.request('POST', '/__simulator/job-plan', json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_job_entities_carry_the_links_of_their_type(jobs_sim, token):
    jobs = dict((job['JobType'], job) for job in _jobs(jobs_sim, token))
    assert set(jobs) == {'Backup', 'BackupCopy', 'ImmediateBackupCopy'}
    assert {'Start', 'Stop', 'Retry', 'ToggleScheduleEnabled'} <= set(_rels(jobs['Backup']))
    copy = _rels(jobs['BackupCopy'])
    assert 'Sync' in copy and 'Start' not in copy and 'Retry' not in copy
    assert jobs['Backup']['ScheduleEnabled'] is True and jobs['Backup']['NextRun'].endswith('Z')
    one = jobs_sim.get('/api/jobs/%s?format=Entity' % jobs['Backup']['UID'].rsplit(':', 1)[-1], token)
    assert xml(one)['Job']['JobType'] == 'Backup'
    agents = jobs_sim.get('/api/agents/jobs?format=Entity', token, JSON).json()['AgentJobs']
    assert [job['JobType'] for job in agents] == ['AgentBackup']
    assert _link(agents[0], 'Start').endswith('/api/agents/jobs/%s?action=start' % agents[0]['UID'].rsplit(':', 1)[-1])
    nas = jobs_sim.get('/api/nas/jobs?format=Entity', token, JSON).json()['NASJobs']
    assert _rels(nas[0])[2:] == ['Start'] and _link(nas[0], 'Start').endswith('/start')


def test_query_type_job_filters(jobs_sim, token):
    copies = _jobs(jobs_sim, token, filter='JobType==BackupCopy')
    assert copies and all(job['JobType'] == 'BackupCopy' for job in copies)
    name = copies[0]['Name']
    assert [job['UID'] for job in _jobs(jobs_sim, token, filter='Name=="%s"' % name.replace('"', '""'))] == [copies[0]['UID']]
    assert query(jobs_sim, token, type='Job', filter='Nope==1').status_code == 400


def test_start_answers_a_task_and_runs_the_job(jobs_sim, token):
    job = _job(jobs_sim, token)
    before = set(session['UID'] for session in _sessions(jobs_sim, token, job['UID']))
    response = _post(jobs_sim, token, _link(job, 'Start'))
    assert response.status_code == 202
    task = response.json()
    assert task['Operation'] == 'StartJob' and task['State'] == 'Running' and task['Result'] is None
    states = [task['State']]
    deadline = time.monotonic() + 10
    while states[-1] != 'Finished' and time.monotonic() < deadline:
        state = jobs_sim.get('/api/tasks/%s' % task['TaskId'], token, JSON).json()['State']
        if state != states[-1]:
            states.append(state)
        time.sleep(0.02)
    assert states == ['Running', 'OperationFinished', 'Finished']
    new = [session for session in _sessions(jobs_sim, token, job['UID']) if session['UID'] not in before]
    assert len(new) == 1 and new[0]['IsRetry'] is False
    session_id = new[0]['UID'].rsplit(':', 1)[-1]
    seen = set()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        tasks = jobs_sim.get('/api/backupSessions/%s/taskSessions?format=Entity' % session_id, token, JSON).json()['BackupTaskSessions']
        seen.update(item['State'] for item in tasks)
        if jobs_sim.get('/api/backupSessions/%s?format=Entity' % session_id, token, JSON).json()['State'] == 'Stopped':
            break
        time.sleep(0.05)
    assert 'Completed' in seen and len(seen) >= 2  # the task sessions progressed while it ran
    done = _wait_stopped(jobs_sim, token, session_id)
    assert done['Result'] == 'Success' and done['EndTimeUTC']


def test_a_failed_run_can_be_retried_and_a_good_one_cannot(jobs_sim, token):
    job = _job(jobs_sim, token)
    vm_names = [item['Name'] for item in jobs_sim.get('/api/jobs/%s/includes' % job['UID'].rsplit(':', 1)[-1], token, JSON).json()['ObjectsInJob']]
    failing = vm_names[0]
    _plan(jobs_sim, job_id=job['UID'].rsplit(':', 1)[-1], result='Success', vm_results={failing: 'Failed'})
    _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(job, 'Start')).json())
    run = _wait_stopped(jobs_sim, token, _sessions(jobs_sim, token, job['UID'])[0]['UID'].rsplit(':', 1)[-1])
    assert run['Result'] == 'Failed'
    _plan(jobs_sim, job_id=job['UID'].rsplit(':', 1)[-1], vm_results={})
    retry = _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(job, 'Retry')).json())
    assert retry['Operation'] == 'RetryJob' and retry['Result']['Success'] is True
    newest = _sessions(jobs_sim, token, job['UID'])[0]
    assert newest['IsRetry'] is True
    done = _wait_stopped(jobs_sim, token, newest['UID'].rsplit(':', 1)[-1])
    tasks = jobs_sim.get('/api/backupSessions/%s/taskSessions?format=Entity' % done['UID'].rsplit(':', 1)[-1], token, JSON).json()
    assert [item['VmDisplayName'] for item in tasks['BackupTaskSessions']] == [failing]
    again = _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(job, 'Retry')).json())
    assert again['Result']['Success'] is False and 'last run failed' in again['Result']['Message']


def test_stop_ends_a_running_job_and_tasks_belong_to_their_logon(jobs_sim, token):
    job = _job(jobs_sim, token)
    _plan(jobs_sim, job_id=job['UID'].rsplit(':', 1)[-1], run_seconds=30)
    started = _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(job, 'Start')).json())
    other, response = jobs_sim.logon()
    assert jobs_sim.get('/api/tasks/%s' % started['TaskId'], other).status_code == 404
    jobs_sim.logoff(other, response)
    again = _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(job, 'Start')).json())
    assert again['Result']['Success'] is False and 'already running' in again['Result']['Message']
    stop = _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(job, 'Stop')).json())
    assert stop['Operation'] == 'StopJob' and stop['Result']['Success'] is True
    _plan(jobs_sim, job_id=job['UID'].rsplit(':', 1)[-1], run_seconds=0.6)
    done = _wait_stopped(jobs_sim, token, _sessions(jobs_sim, token, job['UID'])[0]['UID'].rsplit(':', 1)[-1])
    assert done['Result'] == 'Failed' and 'stopped' in done['FailureMessage']
    assert jobs_sim.request('DELETE', '/api/tasks/%s' % stop['TaskId'], token).status_code == 204
    assert jobs_sim.get('/api/tasks/%s' % stop['TaskId'], token).status_code == 404


def test_sync_starts_a_copy_job_and_start_is_refused(jobs_sim, token):
    copy = _jobs(jobs_sim, token, filter='JobType==BackupCopy')[0]
    refused = jobs_sim.request('POST', '/api/jobs/%s?action=start' % copy['UID'].rsplit(':', 1)[-1], token, JSON)
    assert refused.status_code == 400 and 'sync' in refused.json()['Message']
    task = _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(copy, 'Sync')).json())
    assert task['Operation'] == 'StartJobSync' and task['Result']['Success'] is True
    assert _sessions(jobs_sim, token, copy['UID'])[0]['JobType'] == 'BackupCopy'


def test_toggle_schedule_flips_schedule_enabled(jobs_sim, token):
    job = _jobs(jobs_sim, token, filter='JobType==Backup')[-1]
    task = _post(jobs_sim, token, _link(job, 'ToggleScheduleEnabled')).json()
    assert task['Operation'] == 'ToggleScheduleEnabled'
    after = jobs_sim.get('/api/jobs/%s?format=Entity' % job['UID'].rsplit(':', 1)[-1], token, JSON).json()
    assert after['ScheduleEnabled'] is False and after['NextRun'] is None
    assert job['UID'] in [item['UID'] for item in _jobs(jobs_sim, token, filter='ScheduleEnabled==false')]
    _post(jobs_sim, token, _link(job, 'ToggleScheduleEnabled'))
    assert jobs_sim.get('/api/jobs/%s?format=Entity' % job['UID'].rsplit(':', 1)[-1], token, JSON).json()['ScheduleEnabled'] is True


def test_a_scheduled_run_races_a_manual_start(jobs_sim, token):
    job = _job(jobs_sim, token)
    before = set(session['UID'] for session in _sessions(jobs_sim, token, job['UID']))
    _plan(jobs_sim, job_id=job['UID'].rsplit(':', 1)[-1], scheduled_race=True)
    task = _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(job, 'Start')).json())
    assert task['Result']['Success'] is False and 'already running' in task['Result']['Message']
    new = [session for session in _sessions(jobs_sim, token, job['UID']) if session['UID'] not in before]
    assert len(new) == 1  # the scheduled run, not a second one
    _wait_stopped(jobs_sim, token, new[0]['UID'].rsplit(':', 1)[-1])


def test_portal_user_may_quick_backup_but_not_read_jobs(jobs_sim, token):
    portal, response = jobs_sim.logon('EM\\portal', 'portal-pass')
    assert jobs_sim.get('/api/jobs', portal).status_code == 403
    assert query(jobs_sim, portal, type='Job').status_code == 403
    job = _job(jobs_sim, token)
    includes = jobs_sim.get('/api/jobs/%s/includes' % job['UID'].rsplit(':', 1)[-1], token, JSON).json()['ObjectsInJob']
    server = next(link['Href'] for link in job['Links'] if link['Type'] == 'BackupServerReference')
    body = '<QuickBackupStartupSpec xmlns="http://www.veeam.com/ent/v1.0"><VmRef>%s</VmRef></QuickBackupStartupSpec>' % includes[0]['HierarchyObjRef']
    answer = _post(jobs_sim, portal, server + '?action=quickbackup', data=body, headers={'Content-Type': 'application/xml'})
    assert answer.status_code == 202 and answer.json()['Operation'] == 'QuickBackup'
    task = _wait_task(jobs_sim, portal, answer.json())
    related = [link for link in task['Links'] if link['Rel'] == 'Related']
    assert task['Result']['Success'] is True and related and related[0]['Type'] == 'BackupJobSession'
    session = _wait_stopped(jobs_sim, portal, related[0]['Href'].rsplit('/', 1)[-1].split('?')[0])
    assert session['JobUid'] == job['UID'] and session['Result'] == 'Success'
    two = _post(jobs_sim, portal, server + '?action=quickbackup', json={'VmRef': [includes[0]['HierarchyObjRef']] * 2})
    assert two.status_code == 400 and 'one request per VM' in two.json()['Message']
    jobs_sim.logoff(portal, response)


def test_quick_backup_of_a_vm_in_no_job_fails_in_its_task(jobs_sim, token):
    job = _jobs(jobs_sim, token, filter='JobType==Backup')[0]
    job_id = job['UID'].rsplit(':', 1)[-1]
    vm = jobs_sim.get('/api/jobs/%s/includes' % job_id, token, JSON).json()['ObjectsInJob'][-1]
    _plan(jobs_sim, job_id=job_id, remove_vms=[vm['Name']])
    server = next(link['Href'] for link in job['Links'] if link['Type'] == 'BackupServerReference')
    task = _wait_task(jobs_sim, token, _post(jobs_sim, token, server + '?action=quickbackup', json={'VmRef': vm['HierarchyObjRef']}).json())
    assert task['Result']['Success'] is False and 'not processed by any backup job' in task['Result']['Message']
    assert vm['Name'] not in [item['Name'] for item in jobs_sim.get('/api/jobs/%s/includes' % job_id, token, JSON).json()['ObjectsInJob']]


def test_stats_count_job_actions_by_job_and_action(jobs_sim, token):
    job = _job(jobs_sim, token)
    jobs_sim.reset_stats()
    _wait_task(jobs_sim, token, _post(jobs_sim, token, _link(job, 'Start')).json())
    refused = _post(jobs_sim, token, _link(job, 'Start').replace('action=start', 'action=sync'))
    assert refused.status_code == 400
    stats = jobs_sim.stats()
    # every action request that reached the job counts, by the job's name and the action as sent (refused ones too)
    assert stats['job_actions'] == {job['Name']: {'start': 1, 'sync': 1}}
