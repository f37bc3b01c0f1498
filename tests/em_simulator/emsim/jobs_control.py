# Job control: the state EM keeps per job (schedule enabled, run plan), the actions (start, stop, retry, sync,
# toggleScheduleEnabled, quick backup) and the EM tasks they answer with. A task belongs to the logon session
# that made it; its State goes Running -> OperationFinished (the action was applied, after the run plan's
# start_delay) -> Finished (EM collected the data, TASK_COLLECT_SECONDS later). What an action does is decided
# when it is applied, so a scheduled run that starts meanwhile makes a manual start fail as "already running".
from __future__ import annotations

import random
import threading
import time

from .job_runs import RESULTS, Run, RunPlan, now_ticks, stop_session
from .live import LiveError
from .timefmt import TICKS_PER_DAY, TICKS_PER_SECOND

# Where EM serves each job type: /jobs (and query type Job), /agents/jobs, /nas/jobs.
VM_JOB_TYPES = ('Backup', 'BackupCopy', 'ImmediateBackupCopy')
COPY_JOB_TYPES = ('BackupCopy', 'ImmediateBackupCopy')
KIND_OF_TYPE = {'Backup': 'jobs', 'BackupCopy': 'jobs', 'ImmediateBackupCopy': 'jobs', 'AgentBackup': 'agents', 'NasBackup': 'nas'}
TASK_COLLECT_SECONDS = 0.3
# The operation names of the tasks, per action and job kind (EM's documentation).
OPERATIONS = {
    ('jobs', 'start'): 'StartJob', ('jobs', 'stop'): 'StopJob', ('jobs', 'retry'): 'RetryJob', ('jobs', 'sync'): 'StartJobSync',
    ('jobs', 'toggleScheduleEnabled'): 'ToggleScheduleEnabled', ('agents', 'start'): 'StartJob', ('agents', 'stop'): 'StopAgentJob',
    ('agents', 'retry'): 'RetryAgentJob', ('nas', 'start'): 'StartNasJob', ('server', 'quickbackup'): 'QuickBackup',
}


class JobState:
    """What EM shows of a job beyond the generated record."""
    __slots__ = ('job', 'kind', 'schedule_enabled', 'plan', 'sessions', 'runs', 'removed', 'now')

    def __init__(self, job, kind, plan, now):
        self.job = job
        self.now = now  # the data clock: NextRun follows it, so answers repeat with --seed and --now
        self.kind = kind
        self.schedule_enabled = True
        self.plan = plan
        self.sessions = []  # its job sessions, oldest first
        self.runs = []
        self.removed = set()  # names (case-folded) of VMs taken out of the job: quick backup finds no job for them

    @property
    def id(self):
        return self.job.id

    def actions(self):
        """The action Rel links of the job entity, in EM's order."""
        if self.kind == 'nas':
            return ['Start']
        if self.kind == 'agents':
            return ['Start', 'Stop', 'Retry']
        if self.job.job_type in COPY_JOB_TYPES:
            return ['Clone', 'ToggleScheduleEnabled', 'Sync']
        return ['Edit', 'Start', 'Stop', 'Retry', 'Clone', 'ToggleScheduleEnabled']

    def running(self):
        return [session for session in self.sessions if session.state != 'Stopped']

    def vms(self):
        return [vm for vm in self.job.vms if vm.name.casefold() not in self.removed]

    def next_run(self):
        """The next scheduled start after the data clock (ticks), None when the schedule is disabled."""
        if not self.schedule_enabled:
            return None
        now = self.now
        day = now - now % TICKS_PER_DAY
        start = day + self.job.start_second * TICKS_PER_SECOND
        return start if start > now else start + TICKS_PER_DAY


class Task:
    __slots__ = ('task_id', 'operation', 'created', 'applied', 'success', 'message', 'job_session')

    def __init__(self, task_id, operation):
        self.task_id = task_id
        self.operation = operation
        self.created = time.monotonic()
        self.applied = None  # monotonic time the action was applied (OperationFinished)
        self.success = None
        self.message = None
        self.job_session = None  # quick backup: the job session it made

    def state(self):
        if self.applied is None:
            return 'Running'
        return 'Finished' if time.monotonic() - self.applied >= TASK_COLLECT_SECONDS else 'OperationFinished'


class ActionRefused(ValueError):
    """A job has no such action (EM answers 400)."""


class JobControl:
    def __init__(self, dataset, run_seconds=2.0):
        self.dataset = dataset
        self.run_seconds = run_seconds
        self.rng = random.Random()  # IDs only: runs are not part of the seeded data
        self.lock = threading.Lock()
        self.states = []
        self.by_id = {}
        for job in dataset.jobs:
            kind = KIND_OF_TYPE.get(job.job_type)
            if kind is not None:
                state = JobState(job, kind, RunPlan(run_seconds), dataset.now)
                self.states.append(state)
                self.by_id[job.id] = state
        for session in dataset.job_sessions:
            state = self.by_id.get(session.job.id)
            if state is not None and session.job_type == session.job.job_type:
                state.sessions.append(session)
        self.vm_jobs = [state for state in self.states if state.kind == 'jobs']  # /jobs and query type Job
        self.tasks = {}  # logon session id -> {task id: Task}
        self.counters = {}

    def of_kind(self, kind):
        return [state for state in self.states if state.kind == kind]

    def state(self, job_id, kind):
        state = self.by_id.get(job_id.lower())
        return state if state is not None and state.kind == kind else None

    # --- tasks --------------------------------------------------------------------------------------
    def new_task(self, logon, operation):
        with self.lock:
            number = self.counters.get(logon.session_id, 0) + 1
            self.counters[logon.session_id] = number
            task = Task('task-%d' % number, operation)
            self.tasks.setdefault(logon.session_id, {})[task.task_id] = task
        return task

    def task(self, logon, task_id):
        return self.tasks.get(logon.session_id, {}).get(task_id.lower())

    def session_tasks(self, logon):
        return list(self.tasks.get(logon.session_id, {}).values())

    def delete_task(self, logon, task_id):
        with self.lock:
            return self.tasks.get(logon.session_id, {}).pop(task_id.lower(), None) is not None

    # --- actions ------------------------------------------------------------------------------------
    def act(self, logon, state, action):
        """Start an action on a job; returns its Task. ActionRefused when the job has no such action."""
        offered = dict((name.lower(), name) for name in state.actions())
        name = offered.get(action.lower())
        if name is None or name in ('Edit', 'Clone'):
            raise ActionRefused('The job "%s" has no action %r. Its actions: %s.'
                                % (state.job.name, action, ', '.join(n[0].lower() + n[1:] for n in state.actions())))
        action = name[0].lower() + name[1:]
        task = self.new_task(logon, OPERATIONS[(state.kind, action)])
        delay = 0.0 if action == 'toggleScheduleEnabled' else state.plan.start_delay
        self._later(delay, self._apply, task, state, action)
        return task

    def quick_backup(self, logon, server, vm_ref):
        task = self.new_task(logon, OPERATIONS[('server', 'quickbackup')])
        self._later(0.1, self._apply_quick_backup, task, server, vm_ref)
        return task

    def _later(self, delay, function, *args):
        if delay <= 0:
            function(*args)
            return
        timer = threading.Timer(delay, function, args)
        timer.daemon = True
        timer.start()

    def _apply(self, task, state, action):
        with self.dataset.lock:
            job = state.job
            try:
                if action == 'toggleScheduleEnabled':
                    state.schedule_enabled = not state.schedule_enabled
                    message = 'Schedule of job "%s" %s.' % (job.name, 'enabled' if state.schedule_enabled else 'disabled')
                elif action == 'stop':
                    running = state.running()
                    if not running:
                        raise ActionRefused('Job "%s" is not running.' % job.name)
                    for session in running:
                        run = next((run for run in state.runs if run.session is session), None)
                        if run is not None:
                            run.stop()
                        else:  # a run of the generated data
                            stop_session(session, self.rng)
                    message = 'Job "%s" triggered to stop.' % job.name
                else:
                    message = self._start(state, action == 'retry')
                task.success, task.message = True, message
            except ActionRefused as exc:
                task.success, task.message = False, str(exc)
            self.dataset.changed()
            task.applied = time.monotonic()

    def _start(self, state, retry):
        job, plan = state.job, state.plan
        if plan.scheduled_race and not retry:
            plan.scheduled_race = False  # once: the job's schedule fired a moment before this manual start
            self._run(state, state.vms(), False, now_ticks() - TICKS_PER_SECOND // 5)
        if state.running():
            raise ActionRefused('Job "%s" is already running.' % job.name)
        vms = state.vms()
        if retry:
            finished = [session for session in state.sessions if session.state == 'Stopped']
            if not finished or finished[-1].result != 'Failed':
                raise ActionRefused('Job "%s" cannot be retried: retry is available only for a job whose last run failed.' % job.name)
            failed = set(task.vm.name for task in finished[-1].tasks if task.result == 'Failed')
            vms = [vm for vm in vms if vm.name in failed]
        self._run(state, vms, retry)
        return 'Job "%s" triggered to %s.' % (job.name, 'retry' if retry else 'start')

    def _run(self, state, vms, retry, created=None):
        run = Run(self.dataset, self.rng, state.job, vms, state.plan, retry, created=created)
        state.sessions.append(run.session)
        state.runs.append(run)
        run.start()
        return run

    def _apply_quick_backup(self, task, server, vm_ref):
        with self.dataset.lock:
            found = [vm for vm in self.dataset.vms if vm.uid and vm.uid.casefold() == vm_ref.strip().casefold()]
            state = self.by_id.get(found[0].job.id) if found and found[0].job is not None else None
            if not found:
                task.success, task.message = False, 'Object %s was not found on backup server %s.' % (vm_ref, server.name)
            elif state is None or state.job.job_type != 'Backup' or state.job.server is not server or \
                    found[0].name.casefold() in state.removed:
                task.success, task.message = False, 'VM %s is not processed by any backup job on %s.' % (found[0].name, server.name)
            else:
                run = self._run(state, found[:1], False)
                task.job_session = run.session
                task.success, task.message = True, 'Quick backup of %s started.' % found[0].name
            self.dataset.changed()
            task.applied = time.monotonic()

    # --- /__simulator/job-plan ------------------------------------------------------------------------
    def configure(self, body):
        """Set the run plan of a job (by job_name or job_id); returns the job and its plan."""
        if not isinstance(body, dict):
            raise LiveError('The body must be a JSON object such as {"job_name": "Nightly", "result": "Failed"}.')
        known = {'job_name', 'job_id', 'result', 'run_seconds', 'vm_results', 'start_delay', 'scheduled_race', 'remove_vms',
                 'schedule_enabled'}
        unknown = sorted(set(body) - known)
        if unknown:
            raise LiveError('Unknown keys %s; known: %s.' % (', '.join(unknown), ', '.join(sorted(known))))
        matches = [state for state in self.states
                   if (body.get('job_id') or '').lower() == state.id or (body.get('job_name') or '').casefold() == state.job.name.casefold()]
        if len(matches) != 1:
            raise LiveError('job_name or job_id must name exactly one job (%d match).' % len(matches))
        state, plan = matches[0], matches[0].plan
        if 'result' in body:
            plan.result = _result(body['result'])
        if 'vm_results' in body:
            if not isinstance(body['vm_results'], dict):
                raise LiveError('vm_results must map VM names to results.')
            plan.vm_results = dict((str(name).casefold(), _result(value)) for name, value in body['vm_results'].items())
        for key in ('run_seconds', 'start_delay'):
            if key in body:
                value = body[key]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3600:
                    raise LiveError('%s must be a number from 0 to 3600.' % key)
                setattr(plan, key, float(value))
        for key in ('scheduled_race', 'schedule_enabled'):
            if key in body and not isinstance(body[key], bool):
                raise LiveError('%s must be true or false.' % key)
        plan.scheduled_race = body.get('scheduled_race', plan.scheduled_race)
        with self.dataset.lock:
            if 'schedule_enabled' in body:
                state.schedule_enabled = body['schedule_enabled']
            state.removed.update(str(name).casefold() for name in body.get('remove_vms') or [])
            self.dataset.changed()
        return {'job_id': state.id, 'job_name': state.job.name, 'job_type': state.job.job_type, 'plan': plan.as_dict(),
                'schedule_enabled': state.schedule_enabled, 'removed_vms': sorted(state.removed)}


def _result(value):
    for name in RESULTS:
        if isinstance(value, str) and value.casefold() == name.casefold():
            return name
    raise LiveError('result must be one of %s.' % ', '.join(RESULTS))
