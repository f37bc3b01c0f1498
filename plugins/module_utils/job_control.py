# -*- coding: utf-8 -*-
# What backup_job does: read the job and its newest runs, decide (idempotently) which action its state needs,
# send it through the job entity's own action link (so agent and file share jobs work alike), and find the run
# the action made. EM's task names no job session, so the run is found among the job's sessions: those that
# did not exist before the action, by EM's clock (its Date header); one that started before the action was
# answered (a scheduled run) is named, not taken. A POST that may have reached EM is never repeated: after a
# transport failure the job's sessions are read to see whether it took. Following a run goes by its ID, so a
# logon renewed meanwhile (the client logs on again after a 401) loses nothing; the task of the old logon is
# then not needed.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMAuthorizationError, EMConnectionError, EMError, EMInputError, EMNotFoundError, EMTimeoutError,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import (
    action_links, is_finished, normalize_job, normalize_task, task_done,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_lookup import one_job, recent_sessions, role_error
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_run_wait import follow_run, run_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import parse_em_time

# How often the job's sessions are read while looking for the run an action made (a start shows within seconds).
FIND_SLEEP_MAX = 2
# EM's Date header has whole seconds: a run created up to this long before the answer's Date can be the action's.
DATE_RESOLUTION = timedelta(seconds=1)
ACTION_OF_STATE = {'started': 'start', 'stopped': 'stop', 'retried': 'retry'}


def _describe(session):
    return '%s (id %s, created %s, %s)' % (session.get('name'), session.get('id'), session.get('creation_time'),
                                           session.get('state'))


def em_time(client):
    """EM's clock: the Date header of its last answer (None when absent or unreadable)."""
    try:
        return parsedate_to_datetime(client.em_date) if getattr(client, 'em_date', None) else None
    except (TypeError, ValueError):
        return None


class JobController(object):
    """params: the module's options (name, backup_server_name, id, state, schedule_enabled, force, wait,
    wait_timeout, wait_sleep, fail_on). warn: called with each warning."""

    def __init__(self, client, params, warn, sleep=time.sleep, clock=time.monotonic):
        self.client = client
        self.params = params
        self.warn = warn
        self.sleep = sleep
        self.clock = clock
        self.result = {'changed': False, 'job': None, 'action': None, 'actions_sent': [], 'task': None, 'job_session': None,
                       'backup_task_sessions': [], 'concurrent_job_sessions': []}

    def run(self, check_mode=False):
        params = self.params
        job, entity = one_job(self.client, params.get('name'), params.get('backup_server_name'), params.get('id'))
        self.result['job'] = job
        links = action_links(entity)
        if params.get('schedule_enabled') is not None:
            job = self._schedule(job, links, params['schedule_enabled'], check_mode)
        if params.get('state'):
            self._state(job, links, params['state'], check_mode)
        session = self.result['job_session']
        if session is not None and params.get('wait') and not check_mode:
            session = follow_run(self.client, session, params['wait_timeout'], params['wait_sleep'], self.sleep, self.clock)
            self.result['job_session'] = session
        if session is not None and not check_mode:
            self.result['backup_task_sessions'] = run_task_sessions(self.client, session)
        return self.result

    # --- schedule ---------------------------------------------------------------------------------
    def _schedule(self, job, links, wanted, check_mode):
        if job['schedule_enabled'] is wanted:
            return job
        href = links.get('toggleScheduleEnabled')
        if href is None:
            raise self._no_action(job, 'toggleScheduleEnabled', 'schedule_enabled')
        self.result['changed'] = True
        if check_mode:
            return job
        task = self._post(href, 'toggleScheduleEnabled')
        self._task_end(task)
        job = normalize_job(self.client.get_entity(job['href'] or '/api/%s/%s' % (job['collection'], job['id'])), job['collection'])
        self.result['job'] = job
        if job['schedule_enabled'] is not wanted:
            raise EMError('The schedule of job %s is still %s after toggleScheduleEnabled (task %s).'
                          % (job['name'], 'enabled' if job['schedule_enabled'] else 'disabled', (task or {}).get('id')),
                          hint='Someone may have toggled it at the same moment; read the job and run the task again.')
        return job

    # --- state ------------------------------------------------------------------------------------
    def _state(self, job, links, state, check_mode):
        sessions = recent_sessions(self.client, job)
        running = [s for s in sessions if not is_finished(s)]
        finished = [s for s in sessions if is_finished(s)]
        force = self.params.get('force')
        action = ACTION_OF_STATE[state]
        if state == 'started' and 'start' not in links and 'sync' in links:
            action = 'sync'  # a backup copy job starts with ?action=sync
        if state == 'stopped' and not running:
            self.result['job_session'] = sessions[0] if sessions else None
            return
        if action not in links:
            raise self._no_action(job, action, 'state=%s' % state)
        if state == 'started' and running and not force:
            self.result['job_session'] = running[0]
            return
        if state == 'retried':
            if running and running[0].get('is_retry') and not force:
                self.result['job_session'] = running[0]
                return
            if running:
                raise EMInputError('Job %s runs now (%s): a retry is for a run that ended with Failed.' % (job['name'], _describe(running[0])),
                                   hint='Wait for the run to end (state=started with wait=true), then retry if it failed.')
            if not finished or finished[0].get('result') != 'Failed':
                last = 'its last run %s ended with %s' % (_describe(finished[0]), finished[0].get('result')) if finished else 'it has no finished run'
                raise EMInputError('Job %s cannot be retried: %s; EM retries only a job whose last run failed.' % (job['name'], last),
                                   hint='Use state=started to run it again.')
        self.result['changed'] = True
        self.result['action'] = action
        if check_mode:
            self.result['job_session'] = running[0] if running else None
            return
        if action == 'stop':
            task = self._post(links[action], action)
            self._task_end(task)
            self.result['job_session'] = running[0]
            return
        self._start(job, links[action], action, sessions)

    def _no_action(self, job, action, option):
        offered = ', '.join(job.get('actions') or []) or 'none'
        return EMInputError('Job %s (%s) has no %s action, so %s cannot be done: its actions are %s.'
                            % (job['name'], job.get('job_type'), action, option, offered),
                            hint='Backup copy jobs start with sync and cannot be stopped or retried through EM.')

    # --- sending an action ------------------------------------------------------------------------
    def _post(self, href, action):
        """POST an action link; the Task facts (None when the answer had none)."""
        try:
            doc = self.client.request('POST', href, what='action')
        except EMAuthorizationError as exc:
            raise role_error(exc, 'Starting, stopping and retrying jobs')
        self.result['actions_sent'].append(action)
        task = normalize_task(doc.data) if isinstance(doc.data, dict) and doc.data.get('TaskId') else None
        self.result['task'] = task
        return task

    def _refresh(self, task):
        """The task read again; None when EM no longer has it (a renewed logon does not see the old one's tasks)."""
        try:
            task = normalize_task(self.client.get(task['href'] or '/api/tasks/%s' % task['id']).data)
        except EMNotFoundError:
            self.warn('The EM task %s of this action is gone (the logon was renewed); its run is followed by its job session.' % task['id'])
            return None
        self.result['task'] = task
        return task

    def _task_end(self, task, timeout=60):
        """Follow a task until its operation is done (or it is gone); its last facts."""
        deadline = self.clock() + min(timeout, self.params.get('wait_timeout') or timeout)
        while task is not None and not task_done(task):
            if self.clock() > deadline:
                break
            self.sleep(min(FIND_SLEEP_MAX, self.params.get('wait_sleep') or FIND_SLEEP_MAX))
            task = self._refresh(task)
        if task is not None and task.get('success') is False:
            raise EMError('Enterprise Manager did not do the %s of the job (task %s).' % (task.get('operation'), task.get('id')),
                          em_message=task.get('message'))
        return task

    def _start(self, job, href, action, before):
        before_ids = set(s['id'] for s in before)
        times = [t for t in (parse_em_time(s['creation_time']) for s in before) if t is not None]
        oldest = min(times) if times else None
        try:
            task = self._post(href, action)
        except (EMConnectionError, EMTimeoutError) as exc:
            # The POST may have reached EM: look before saying anything, and never send it again.
            new = self._new_sessions(job, before_ids, oldest)
            if not new:
                raise EMError('The %s request of job %s failed (%s) and no new run of it shows in EM. It may still have '
                              'reached EM; it was not repeated.' % (action, job['name'], exc.message),
                              hint='Check the job in Enterprise Manager before running the task again.')
            self.warn('The %s request of job %s failed (%s), but EM shows a new run of it: %s. The request was not repeated.'
                      % (action, job['name'], exc.message, _describe(new[0])))
            self.result['actions_sent'].append(action)
            self.result['job_session'] = new[0]
            return
        posted_at = em_time(self.client)
        limit = self.params['wait_timeout'] if self.params.get('wait') else min(60, self.params['wait_timeout'])
        deadline = self.clock() + limit
        while True:
            if task is not None and not task_done(task):
                task = self._refresh(task)
            new = self._new_sessions(job, before_ids, oldest)
            if task is not None and task_done(task) and task.get('success') is False:
                return self._refused(job, action, task, new)
            if new and (task is None or task_done(task)):
                return self._take(job, new, posted_at)
            if self.clock() > deadline:
                raise EMTimeoutError('Job %s was sent %s (task %s, %s), but no new run of it appeared in Enterprise Manager within %s seconds.'
                                     % (job['name'], action, (task or {}).get('id'), (task or {}).get('state') or 'gone', limit),
                                     hint='Check the job in Veeam Backup & Replication; EM collects new runs from the backup server.')
            self.sleep(min(FIND_SLEEP_MAX, self.params['wait_sleep']))

    def _new_sessions(self, job, before_ids, oldest):
        """Runs of the job that did not exist before the action, oldest first."""
        new = [s for s in recent_sessions(self.client, job) if s['id'] not in before_ids and
               (oldest is None or (parse_em_time(s['creation_time']) or oldest) >= oldest)]
        return sorted(new, key=lambda s: s['creation_time'] or '')

    def _refused(self, job, action, task, new):
        """EM did not run the action. A run that appeared meanwhile (a scheduled one) is named and followed."""
        if not new:
            raise EMError('Enterprise Manager did not %s job %s (task %s).' % (action, job['name'], task.get('id')),
                          em_message=task.get('message'), hint='Read the job (vbr.enterprise_manager.backup_job_info) and its last run.')
        self.result['changed'] = False
        self.result['concurrent_job_sessions'] = new
        self.result['job_session'] = new[-1]
        self.warn('Enterprise Manager refused the %s of job %s (task %s: %s) because a run it did not make started at the same '
                  'moment, most likely by the job\'s schedule: %s. That run is returned (and followed with wait=true).'
                  % (action, job['name'], task.get('id'), task.get('message'), ', '.join(_describe(s) for s in new)))

    def _take(self, job, new, posted_at):
        """The run the action made among the new ones; the others (started before the action) are named."""
        ours = new[-1]
        if posted_at is not None:
            after = [s for s in new if (parse_em_time(s['creation_time']) or posted_at) >= posted_at - DATE_RESOLUTION]
            ours = after[0] if after else new[-1]
        others = [s for s in new if s is not ours]
        self.result['job_session'] = ours
        if others:
            self.result['concurrent_job_sessions'] = others
            self.warn('Job %s has %d more new run(s) besides the one this task started (%s): %s. They started before the action '
                      'was answered, most likely by the job\'s schedule, and are not followed.'
                      % (job['name'], len(others), _describe(ours), ', '.join(_describe(s) for s in others)))
