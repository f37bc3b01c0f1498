# -*- coding: utf-8 -*-
# Unit tests of job control (module_utils/job_control.py, job_lookup.py, job_facts.py) over an in-memory EM:
# idempotency, the action chosen per job type, the run an action made found among new runs by EM's clock, a
# racing scheduled run named, a POST never repeated after a transport failure, a task lost to a renewed logon,
# and the errors (no such action, retry of a run that did not fail, ambiguous name, 403 naming the role).

from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMAuthorizationError, EMError, EMInputError, EMNotFoundError, EMWaitTimeoutError,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_control import JobController
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import normalize_job, normalize_job_session, normalize_task
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_jobs_stub import (
    StubEM, guid, job_entity, session_entity, task, transport_failure,
)

JOB = job_entity(guid(1))
COPY = job_entity(guid(2), 'Offsite Copy', 'BackupCopy', actions=('Clone', 'ToggleScheduleEnabled', 'Sync'))
OLD = session_entity(guid(10), JOB, '2025-10-11T02:00:00Z')


def params(**values):
    base = {'name': 'Nightly', 'backup_server_name': None, 'id': None, 'state': None, 'schedule_enabled': None, 'force': False,
            'wait': False, 'wait_timeout': 60, 'wait_sleep': 5, 'fail_on': []}
    base.update(values)
    return base


class Clock(object):
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def run(em, check_mode=False, **values):
    clock = Clock()
    warnings = []
    result = JobController(em, params(**values), warnings.append, sleep=clock.sleep, clock=clock).run(check_mode)
    return result, warnings, clock


def starts(em, new_sessions, task_answers):
    """Script a start: the POST answers a running task; the job's runs read after it include new_sessions."""
    em.on_post = lambda href: task()
    em.task_reads = list(task_answers)

    def appear(stub):
        if any(request.startswith('POST') for request in stub.requests):
            for session in new_sessions:
                if session not in stub.sessions:
                    stub.sessions.append(session)
    em.on_read = appear


def posts(em):
    return [request for request in em.requests if request.startswith('POST')]


def test_facts_of_a_job_a_session_and_a_task():
    facts = normalize_job(JOB)
    assert facts['id'] == guid(1) and facts['actions'] == ['start', 'stop', 'retry', 'toggleScheduleEnabled']
    assert facts['schedule_enabled'] is True and facts['backup_server_name'] == 'vbr01.example.com'
    assert facts['next_run'] == '2025-10-13T02:00:00.000000Z' and facts['collection'] == 'jobs'
    running = normalize_job_session(session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state='Working'))
    assert running['result'] is None and running['end_time'] is None and running['is_retry'] is False
    done = normalize_task(task(state='Finished', success=False, message='Job "Nightly" is already running.'))
    assert done['success'] is False and done['message'].startswith('Job')


def test_start_finds_the_new_run_and_waits_for_it():
    em = StubEM([JOB], [OLD])
    new = session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state='Working')
    starts(em, [new], [task(state='Finished', success=True, message='Ok')])
    reads = []

    def finish(stub):  # the run ends at the second read of it by ID
        reads.append(1)
        if len(reads) == 2:
            new.update(State='Stopped', Result='Warning', EndTimeUTC='2025-10-12T14:05:00Z')
    original = em.get_entity
    em.get_entity = lambda path, entity_type=None: (finish(em), original(path, entity_type))[1]
    result, warnings, clock = run(em, state='started', wait=True)
    assert result['changed'] is True and result['action'] == 'start' and posts(em) == ['POST %s?action=start' % JOB['Href'].split('?')[0]]
    assert result['job_session']['id'] == guid(11) and result['job_session']['result'] == 'Warning'
    assert result['concurrent_job_sessions'] == [] and warnings == []
    assert clock.sleeps.count(5) == 2  # one read of the run per wait_sleep


def test_a_running_job_is_not_started_again_and_check_mode_sends_nothing():
    running = session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state='Working')
    em = StubEM([JOB], [OLD, running])
    result = run(em, state='started')[0]
    assert result['changed'] is False and result['job_session']['id'] == guid(11) and posts(em) == []
    em = StubEM([JOB], [OLD])
    result = run(em, check_mode=True, state='started', wait=True)[0]
    assert result['changed'] is True and result['action'] == 'start' and posts(em) == [] and result['job_session'] is None
    result = run(StubEM([JOB], [OLD]), state='stopped')[0]
    assert result['changed'] is False and result['job_session']['id'] == guid(10)


def test_a_copy_job_is_synced_and_cannot_be_stopped():
    running = session_entity(guid(12), COPY, '2025-10-12T14:00:01Z', state='Working')
    em = StubEM([COPY], [])
    starts(em, [running], [task(state='OperationFinished', success=True, operation='StartJobSync')])
    result = run(em, name='Offsite Copy', state='started')[0]
    assert result['action'] == 'sync' and posts(em)[0].endswith('?action=sync')
    with pytest.raises(EMInputError, match='has no stop action.*its actions are clone, toggleScheduleEnabled, sync'):
        run(StubEM([COPY], [running]), name='Offsite Copy', state='stopped')


def test_a_scheduled_run_that_made_em_refuse_the_start_is_named():
    em = StubEM([JOB], [OLD])
    scheduled = session_entity(guid(11), JOB, '2025-10-12T13:59:59Z', state='Working')
    starts(em, [scheduled], [task(state='Finished', success=False, message='Job "Nightly" is already running.')])
    result, warnings = run(em, state='started')[:2]
    assert result['changed'] is False and result['job_session']['id'] == guid(11)
    assert [s['id'] for s in result['concurrent_job_sessions']] == [guid(11)]
    assert len(warnings) == 1 and 'most likely by the job\'s schedule' in warnings[0] and 'already running' in warnings[0]


def test_of_two_new_runs_the_one_after_the_answer_is_taken_and_the_other_named():
    em = StubEM([JOB], [OLD], em_date='Sun, 12 Oct 2025 14:00:10 GMT')
    before = session_entity(guid(11), JOB, '2025-10-12T14:00:02Z', state='Working')
    ours = session_entity(guid(12), JOB, '2025-10-12T14:00:10.4Z', state='Working')
    starts(em, [before, ours], [task(state='Finished', success=True)])
    result, warnings = run(em, state='started')[:2]
    assert result['job_session']['id'] == guid(12) and [s['id'] for s in result['concurrent_job_sessions']] == [guid(11)]
    assert 'started before the action was answered' in warnings[0]


def test_a_start_em_refused_without_a_new_run_fails_with_ems_message():
    em = StubEM([JOB], [OLD])
    starts(em, [], [task(state='Finished', success=False, message='Job is disabled by the license.')])
    with pytest.raises(EMError, match='did not start job Nightly') as caught:
        run(em, state='started')
    assert caught.value.em_message == 'Job is disabled by the license.'


def test_a_post_that_may_have_reached_em_is_never_repeated():
    em = StubEM([JOB], [OLD])
    em.on_post = lambda href: transport_failure()
    with pytest.raises(EMError, match='may still have reached EM; it was not repeated'):
        run(em, state='started')
    assert len(posts(em)) == 1
    # the same failure, but the run shows in EM: it is taken, with a warning, and nothing is sent again
    new = session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state='Working')
    em = StubEM([JOB], [OLD])

    def failing(href):
        em.sessions.append(new)
        return transport_failure()
    em.on_post = failing
    result, warnings = run(em, state='started')[:2]
    assert len(posts(em)) == 1 and result['job_session']['id'] == guid(11) and 'was not repeated' in warnings[0]


def test_a_task_lost_to_a_renewed_logon_is_not_needed_once_the_run_shows():
    em = StubEM([JOB], [OLD])
    new = session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state='Working')
    starts(em, [new], [EMNotFoundError('Task [task-1] was not found in this logon session.')])
    result, warnings = run(em, state='started')[:2]
    assert result['job_session']['id'] == guid(11) and 'renewed' in warnings[0]


def test_no_run_appearing_times_out_naming_the_task():
    em = StubEM([JOB], [OLD])
    starts(em, [], [task(state='Finished', success=True)])
    with pytest.raises(EMError, match='no new run of it appeared .* within 60 seconds'):
        run(em, state='started')


def test_a_wait_that_outlasts_wait_timeout_names_the_run():
    running = session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state='Working')
    with pytest.raises(EMWaitTimeoutError, match='still Working') as caught:
        run(StubEM([JOB], [OLD, running]), state='started', wait=True, wait_timeout=12)
    assert caught.value.running == [guid(11)]


def test_retry_needs_a_failed_last_run():
    with pytest.raises(EMInputError, match='cannot be retried: its last run .* ended with Success'):
        run(StubEM([JOB], [OLD]), state='retried')
    failed = session_entity(guid(11), JOB, '2025-10-12T02:00:00Z', result='Failed')
    em = StubEM([JOB], [OLD, failed])
    retry = session_entity(guid(12), JOB, '2025-10-12T14:00:01Z', state='Working', is_retry=True)
    starts(em, [retry], [task(state='Finished', success=True, operation='RetryJob')])
    result = run(em, state='retried')[0]
    assert result['action'] == 'retry' and result['job_session']['is_retry'] is True
    assert posts(em)[0].endswith('?action=retry')


def test_schedule_is_read_first_and_toggled_only_when_it_differs():
    em = StubEM([JOB], [])
    result = run(em, schedule_enabled=True)[0]
    assert result['changed'] is False and posts(em) == []

    def toggle(href):
        JOB_OFF.update(ScheduleEnabled='false')
        return task(state='Finished', success=True, operation='ToggleScheduleEnabled')
    JOB_OFF = job_entity(guid(3), 'Weekly')
    em = StubEM([JOB_OFF], [])
    em.on_post = toggle
    result = run(em, name='Weekly', schedule_enabled=False)[0]
    assert result['changed'] is True and result['actions_sent'] == ['toggleScheduleEnabled'] and result['job']['schedule_enabled'] is False


def test_an_ambiguous_name_lists_the_backup_servers():
    other = job_entity(guid(4), 'Nightly', server=('7c0e1d2a-0000-4000-8000-000000000001', 'vbr02.example.com'))
    with pytest.raises(EMInputError, match='ambiguous: 2 jobs have it, on the backup servers vbr01.example.com .*, vbr02.example.com'):
        run(StubEM([JOB, other], []), state='started')
    result = run(StubEM([JOB, other], [OLD]), state='stopped', backup_server_name='VBR02.example.com')[0]
    assert result['job']['id'] == guid(4)


def test_a_403_names_the_role():
    em = StubEM([JOB], [])

    def forbidden(*unused, **unused_kw):
        raise EMAuthorizationError('denied', status=403, url='https://em.example.com:9398/api/query?type=Job', em_message='Access denied.')
    em.query = forbidden
    with pytest.raises(EMAuthorizationError, match='needs the Portal Administrator role') as caught:
        run(em, state='started')
    assert 'quick-backup' in caught.value.hint and caught.value.em_message == 'Access denied.'
