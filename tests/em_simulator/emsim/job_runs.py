# Job runs made while the simulator runs (a start, retry, sync or quick backup): one job session with one task
# session per VM, stamped with the real current UTC time, that progress over `run_seconds` (Pending ->
# InProgress -> Completed, a wave of `concurrency` VMs at a time) and end with the result the job's run plan
# says. A thread per run applies each step under the data lock; a stop ends the rest of the run at once.
from __future__ import annotations

import datetime
import threading
import time

from .dataset import GIB, RESULT_ORDER, guid, session_name
from .model import JobSession, TaskSession
from .timefmt import TICKS_PER_SECOND, ticks_from_datetime

RESULTS = ('Success', 'Warning', 'Failed')
STOPPED_REASON = 'The job was stopped by the user.'


def now_ticks():
    return ticks_from_datetime(datetime.datetime.now(datetime.timezone.utc))


class RunPlan:
    """How the next runs of a job end: result (per VM in vm_results), run_seconds, start_delay (seconds from the
    POST until the job session exists), scheduled_race (the next manual start meets a scheduled run)."""
    __slots__ = ('result', 'run_seconds', 'vm_results', 'start_delay', 'scheduled_race')

    def __init__(self, run_seconds=2.0, start_delay=0.3):
        self.result = 'Success'
        self.run_seconds = run_seconds
        self.vm_results = {}
        self.start_delay = start_delay
        self.scheduled_race = False

    def result_of(self, vm):
        return self.vm_results.get(vm.name.casefold(), self.result)

    def as_dict(self):
        return {'result': self.result, 'run_seconds': self.run_seconds, 'vm_results': dict(self.vm_results),
                'start_delay': self.start_delay, 'scheduled_race': self.scheduled_race}


class Run:
    """One job session being run; `stop()` ends it early."""

    def __init__(self, dataset, rng, job, vms, plan, is_retry, job_type=None, created=None):
        self.dataset = dataset
        self.rng = rng
        self.plan = plan
        self.stopped = threading.Event()
        self.done = threading.Event()
        start = created if created is not None else now_ticks()
        session = JobSession(guid(rng), job, start, is_retry)
        session.name = session_name(job.name, start, dataset.em13_names)
        session.state, session.result, session.progress = 'Working', 'None', 0
        session.job_type = job_type or job.job_type
        session.taskless = not vms
        for index, vm in enumerate(vms):
            task = TaskSession(guid(rng), vm, session, start + TICKS_PER_SECOND // 10 + index)
            task.name = session_name(vm.name, task.creation, dataset.em13_names)
            task.state, task.result = 'Pending', 'None'
            task.variant = rng.getrandbits(32)
            session.tasks.append(task)
        self.session = session
        self.results = dict((task.id, plan.result_of(task.vm)) for task in session.tasks)
        dataset.add_live(session)

    def steps(self):
        """(seconds after the start, callable) in time order."""
        tasks = self.session.tasks
        total = max(0.0, float(self.plan.run_seconds))
        width = max(1, min(self.session.job.concurrency, len(tasks) or 1))
        waves = -(-len(tasks) // width) if tasks else 1
        length = total / waves
        steps = []
        for index, task in enumerate(tasks):
            wave = index // width
            steps.append((wave * length, lambda task=task: self._begin(task)))
            steps.append(((wave + 1) * length, lambda task=task: self._end(task)))
        steps.append((total + 0.2, self._finish))
        return sorted(steps, key=lambda step: step[0])

    def start(self):
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()

    def _run(self):
        began = time.monotonic()
        for offset, step in self.steps():
            delay = began + offset - time.monotonic()
            if delay > 0 and self.stopped.wait(delay):
                break
            if self.stopped.is_set():
                break
            with self.dataset.lock:
                step()
                self.dataset.changed()
        if self.stopped.is_set():
            with self.dataset.lock:
                self._stop_now()
                self.dataset.changed()
        self.done.set()

    def _begin(self, task):
        if task.state == 'Pending':
            task.state = 'InProgress'

    def _end(self, task):
        end_task(task, self.results[task.id], None, self.rng)

    def _finish(self):
        finish_session(self.session, self.plan.result)
        self.done.set()

    def stop(self):
        self.stopped.set()

    def _stop_now(self):
        stop_session(self.session, self.rng)


def end_task(task, result, reason, rng):
    """Complete a task session with `result` (a restore point unless it failed); its job session's Progress follows."""
    if task.state == 'Completed':
        return
    task.end = max(now_ticks(), task.creation + 1)
    task.state, task.result = 'Completed', result
    task.reason = reason if reason is not None else _reason(result, task)
    if result != 'Failed':
        task.total_size = task.vm.disk_gib * GIB
        task.restore_point = (guid(rng), task.end)
    session = task.job_session
    done = sum(1 for item in session.tasks if item.state == 'Completed')
    session.progress = int(100 * done / len(session.tasks))


def finish_session(session, taskless_result, stopped=False):
    """Stop a job session: the worst result of its task sessions (Failed when it was stopped by the user)."""
    if session.state == 'Stopped':
        return
    session.end = max(now_ticks(), session.creation + 1)
    session.state, session.progress = 'Stopped', 100
    if stopped:
        session.result, session.failure_message = 'Failed', STOPPED_REASON
    elif session.tasks:
        worst = max(RESULT_ORDER[task.result] for task in session.tasks)
        session.result = RESULTS[worst]
        bad = sum(1 for task in session.tasks if task.result == session.result)
        if session.result != 'Success':
            session.failure_message = '%d of %d VMs %s.' % (
                bad, len(session.tasks), 'failed to process' if session.result == 'Failed' else 'processed with warnings')
    else:
        session.result = taskless_result


def stop_session(session, rng):
    """What a stop does to a running job session: its unfinished task sessions fail, the session fails."""
    for task in session.tasks:
        end_task(task, 'Failed', STOPPED_REASON, rng)
    finish_session(session, 'Failed', stopped=True)


def _reason(result, task):
    if result == 'Success':
        return ''
    if result == 'Warning':
        return 'Processing %s finished with warnings: changed block tracking was reset, a full read was made.' % task.vm.name
    return 'Error: Processing %s failed: the snapshot could not be created (simulated run).' % task.vm.name
