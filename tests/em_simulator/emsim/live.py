# Sessions that start and finish while the simulator runs (POST /__simulator/task-sessions): one job session
# with one task session, stamped with the real current UTC time (not the --now data clock), InProgress until
# run_seconds have passed, then Completed with the result asked for. The query service, backupTaskSessions
# and backupSessions serve them like generated ones.
from __future__ import annotations

import datetime
import random
import threading

from .dataset import GIB, guid, session_name
from .model import Job, JobSession, TaskSession, Vm
from .query_fields import JOB_TYPES
from .reasons import FAILED, WARNING
from .timefmt import TICKS_PER_SECOND, iso_z, ticks_from_datetime

RESULTS = ('Success', 'Warning', 'Failed')
_FIELDS = {'vm_name', 'job_name', 'result', 'run_seconds', 'job_type', 'reason'}


class LiveError(ValueError):
    """A bad request body; the endpoint answers 400 with this message."""


class LiveSessions:
    def __init__(self, dataset):
        self.dataset = dataset
        self.rng = random.Random()  # IDs only; live sessions are not part of the seeded data
        self.timers = []

    def create(self, body):
        """body: the decoded JSON request. Returns the 201 answer."""
        spec = _validate(body)
        data = self.dataset
        now = ticks_from_datetime(datetime.datetime.now(datetime.timezone.utc))
        with data.lock:
            vm = self._vm(spec['vm_name'])
            job = self._job(spec['job_name'], spec['job_type'], vm)
            session = JobSession(guid(self.rng), job, now, False)
            session.name = session_name(job.name, now, data.em13_names)
            session.state, session.result, session.progress = 'Working', 'None', 0
            task = TaskSession(guid(self.rng), vm, session, now + TICKS_PER_SECOND // 10)
            task.name = session_name(vm.name, task.creation, data.em13_names)
            task.state, task.result = 'InProgress', 'None'
            task.variant = self.rng.getrandbits(32)
            session.tasks.append(task)
            end = task.creation + int(spec['run_seconds'] * TICKS_PER_SECOND)
            data.add_live(session)
        if spec['run_seconds'] > 0:
            timer = threading.Timer(spec['run_seconds'], self._finish, (session, task, end, spec))
            timer.daemon = True
            self.timers.append(timer)
            timer.start()
        else:
            self._finish(session, task, end, spec)
        return {'id': task.id, 'uid': task.uid, 'job_session_id': session.id, 'creation_time': iso_z(task.creation),
                'end_time': iso_z(end)}

    def _finish(self, session, task, end, spec):
        with self.dataset.lock:
            result = spec['result']
            task.end = end
            task.result = result
            task.reason = spec['reason'] if spec['reason'] is not None else _reason(result, task, self.rng)
            if result != 'Failed':
                task.total_size = task.vm.disk_gib * GIB
                task.restore_point = (guid(self.rng), end)
            task.state = 'Completed'
            session.end = end + TICKS_PER_SECOND
            session.result, session.state, session.progress = result, 'Stopped', 100
            if result != 'Success':
                session.failure_message = '1 of 1 VMs %s.' % ('failed to process' if result == 'Failed' else 'processed with warnings')
            self.dataset.changed()

    def _vm(self, name):
        for vm in self.dataset.vms:
            if vm.name.casefold() == name.casefold():
                return vm
        server = self.dataset.servers[0]
        vm = Vm(name, self.rng.randrange(90000, 99999), 40, 0.0, '10.250.0.%d' % self.rng.randrange(2, 254))
        vm.uid = 'urn:VMware:Vm:%s.vm-%d' % (server.vcenter_uuid, vm.moref)
        self.dataset.vms.append(vm)
        return vm

    def _job(self, name, job_type, vm):
        for job in self.dataset.jobs:
            if job.name.casefold() == name.casefold() and job.job_type == job_type:
                return job
        server = vm.job.server if vm.job is not None else self.dataset.servers[0]
        job = Job(guid(self.rng), name, server, 0, 1, job_type)
        self.dataset.jobs.append(job)
        if vm.job is None:
            vm.job = job
        return job


def _validate(body):
    if not isinstance(body, dict):
        raise LiveError('The body must be a JSON object such as {"vm_name": "app01", "job_name": "Nightly", "result": "Failed"}.')
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise LiveError('Unknown keys %s; known: %s.' % (', '.join(unknown), ', '.join(sorted(_FIELDS))))
    spec = {'reason': body.get('reason')}
    for key in ('vm_name', 'job_name'):
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            raise LiveError('%s must be a non-empty string.' % key)
        spec[key] = value
    spec['result'] = _choice(body.get('result', 'Success'), RESULTS, 'result')
    spec['job_type'] = _choice(body.get('job_type', 'Backup'), JOB_TYPES, 'job_type')
    seconds = body.get('run_seconds', 0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 86400:
        raise LiveError('run_seconds must be a number from 0 to 86400.')
    spec['run_seconds'] = float(seconds)
    if spec['reason'] is not None and not isinstance(spec['reason'], str):
        raise LiveError('reason must be a string.')
    return spec


def _choice(value, choices, key):
    for choice in choices:
        if isinstance(value, str) and value.casefold() == choice.casefold():
            return choice
    raise LiveError('%s must be one of %s.' % (key, ', '.join(choices)))


def _reason(result, task, rng):
    if result == 'Success':
        return ''
    template = rng.choice(FAILED if result == 'Failed' else WARNING)
    vm = task.vm
    return template.format(vm=vm.name, job_dir=task.job_session.job.name.replace('"', ''), moref=vm.moref,
                           date=iso_z(task.creation)[:10], hms='000000', host='esx01', ds='DS-SSD-01', ip=vm.ip, site='sim')
