# Restore points (VmRestorePoint, AgentRestorePoint), derived from the task sessions without touching them:
# one point per finished Success/Warning task of a primary backup (JobType Backup or AgentBackup), none for
# copy jobs' tasks; each job keeps a retained count of points per VM (forward chains back to their full), so
# old points are gone while their task sessions stay; and one scenario VM whose points were all deleted
# after its last success (`vm_without_restore_point` in the catalog). The ID of a point is the one of its
# task's `Related` link. Rebuilt whenever live sessions change the data (dataset.generation).
from __future__ import annotations

import datetime
import hashlib
import operator
import zlib

from .timefmt import TICKS_PER_SECOND, iso_z, name_stamp

KINDS = {'Backup': 'vm', 'AgentBackup': 'agent'}
RETAINED = (7, 10, 14, 14, 21, 30)  # restore points to keep, picked per job from its ID
_MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')
_EXTENSIONS = {'Full': 'vbk', 'Increment': 'vib', 'ReverseIncrement': 'vrb'}
_ORDER = operator.attrgetter('creation', 'id')


class RestorePoint:
    """The names, UIDs and links' IDs (`_DESCRIBED`) are derived on first use: most points of a big dataset are
    only filtered by VM name and time, and deriving them costs a hash each."""
    __slots__ = ('id', 'kind', 'task', 'vm', 'job', 'server', 'creation', 'algorithm', 'point_type', 'cache',
                 'uid', 'name', 'point_id', 'point_uid', 'point_name', 'file_id', 'file_uid', 'file_name', 'backup_id',
                 'backup_uid', 'variant')

    def __init__(self, task, kind, creation, cache):
        self.id = task.restore_point[0]
        self.kind = kind
        self.task = task
        self.vm = task.vm
        self.job = task.job_session.job
        self.server = self.job.server
        self.creation = creation
        self.algorithm = self.point_type = ''
        self.cache = cache  # the store's: the job run's restore point by job session ID, the job's backup by job ID

    def __getattr__(self, name):  # only called for a slot not set yet
        if name not in _DESCRIBED:
            raise AttributeError(name)
        self._describe()
        return object.__getattribute__(self, name)

    def _describe(self):
        guid = self.id
        stamp = name_stamp(self.creation)
        self.uid = ('urn:veeam:VmRestorePoint:' if self.kind == 'vm' else 'urn:veeam:AgentRestorePoint:') + guid
        self.name = '%s@%s' % (self.vm.name, stamp)
        session = self.task.job_session
        run = self.cache.get(session.id)
        if run is None:
            # The backup restore point of the job run (one per job session), holding the points of its VMs.
            point_id = derived_guid('restorePoint', session.id)
            run = self.cache[session.id] = (point_id, 'urn:veeam:RestorePoint:' + point_id, sql_stamp(session.creation))
        self.point_id, self.point_uid, self.point_name = run
        backup = self.cache.get(self.job.id)
        if backup is None:
            backup = self.cache[self.job.id] = derived_guid('backup', self.job.id)
        self.backup_id = backup
        self.backup_uid = 'urn:veeam:Backup:' + backup
        self.file_id = derived_guid('backupFile', guid)
        self.file_uid = 'urn:veeam:BackupFile:' + self.file_id
        machine = self.vm.name if self.kind == 'agent' else '%s.vm-%d' % (self.vm.name, self.vm.moref)
        # A per-machine backup file: `<vm>.vm-<moref>D<yyyy-MM-ddTHHmmss>_<4 hex>.vbk|vib|vrb`.
        self.file_name = '%sD%s_%s.%s' % (machine, stamp.replace(' ', 'T').replace(':', ''), self.file_id[:4].upper(),
                                          _EXTENSIONS[self.point_type])
        self.variant = zlib.crc32(guid.encode('ascii'))


_DESCRIBED = frozenset(RestorePoint.__slots__[10:])


def derived_guid(kind, text):
    """A GUID that follows from `text` (no random draw: the task session data stays as it was)."""
    digest = hashlib.sha1(('emsim:%s:%s' % (kind, text)).encode('utf-8')).hexdigest()
    value = digest[:12] + '4' + digest[13:16] + '89ab'[int(digest[16], 16) % 4] + digest[17:32]
    return '%s-%s-%s-%s-%s' % (value[:8], value[8:12], value[12:16], value[16:20], value[20:32])


def sql_stamp(ticks):
    """`Oct  6 2016  1:59PM`: how EM names a backup restore point (SQL Server's default date text)."""
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=ticks // TICKS_PER_SECOND)
    hour = moment.hour % 12 or 12
    return '%s %2d %d %2d:%02d%s' % (_MONTHS[moment.month - 1], moment.day, moment.year, hour, moment.minute,
                                     'AM' if moment.hour < 12 else 'PM')


def job_policy(job):
    """(method, retained, synthetic full weekday) of a job, fixed by its ID. Agents back up forward."""
    code = zlib.crc32(job.id.encode('ascii'))
    method = 'reverse' if code % 4 == 0 and job.job_type == 'Backup' else 'forward'
    return method, RETAINED[(code >> 3) % len(RETAINED)], (code >> 7) % 7


def _chain(points, method, synthetic_day):
    """Algorithm and PointType of a VM's points in one job, oldest first, as the backup method makes them."""
    last = len(points) - 1
    previous_day = None
    for index, point in enumerate(points):
        day = point.creation // (86400 * TICKS_PER_SECOND)
        if method == 'reverse':
            point.algorithm = 'Full' if index == 0 else 'ReversedIncremental'
            point.point_type = 'Full' if index == last else 'ReverseIncrement'  # the newest point is the .vbk
        elif index == 0:
            point.algorithm, point.point_type = 'Full', 'Full'
        elif (day + 3) % 7 == synthetic_day and day != previous_day:  # day 0 (1970-01-01) was a Thursday
            point.algorithm, point.point_type = 'SyntheticFull', 'Full'
        else:
            point.algorithm, point.point_type = 'Incremental', 'Increment'
        previous_day = day


def _retain(points, method, retained):
    """The newest `retained` points; a forward chain keeps back to the full its oldest kept point needs."""
    start = max(0, len(points) - retained)
    if method == 'forward':
        while start > 0 and points[start].point_type != 'Full':
            start -= 1
    return points[start:]


class RestorePointStore:
    """The points of one dataset, by kind (sorted by creation time, then ID) and by ID."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.generation = None
        self.deleted = None  # IDs of the scenario VM's points, fixed at the first build
        self.scenario = None
        self.by_kind = {'vm': [], 'agent': []}
        self.by_id = {}
        self.removed_by_retention = 0
        self.deleted_alive = 0  # the scenario VM's points that retention would have kept
        self.retained = {}

    def refresh(self):
        data = self.dataset
        with data.lock:
            if self.generation == data.generation:
                return self
            groups = {}
            cache = {}
            for task in data.tasks:
                kind = KINDS.get(task.job_session.job_type)
                if kind and task.restore_point is not None and task.state == 'Completed':
                    point = RestorePoint(task, kind, task.restore_point[1], cache)
                    groups.setdefault((task.job_session.job.id, task.vm.name), []).append(point)
            if self.deleted is None:
                self.scenario = _scenario_vm(data)
                self.deleted = set()
                for (unused, vm_name), points in groups.items():
                    if self.scenario is not None and vm_name == self.scenario.name:
                        self.deleted.update(point.id for point in points)
            kept = []
            removed = deleted = 0
            self.retained = {}
            for points in groups.values():
                points.sort(key=_ORDER)
                method, retained, synthetic_day = job_policy(points[0].job)
                self.retained[points[0].job.name] = retained
                _chain(points, method, synthetic_day)
                alive = _retain(points, method, retained)
                removed += len(points) - len(alive)
                kept.extend(point for point in alive if point.id not in self.deleted)
                deleted += sum(1 for point in alive if point.id in self.deleted)
            kept.sort(key=_ORDER)
            self.by_kind = {'vm': [point for point in kept if point.kind == 'vm'],
                            'agent': [point for point in kept if point.kind == 'agent']}
            self.by_id = dict((point.id, point) for point in kept)
            self.removed_by_retention = removed
            self.deleted_alive = deleted
            self.generation = data.generation
            return self

    def points(self, kind):
        return self.refresh().by_kind[kind]

    def get(self, kind, guid):
        point = self.refresh().by_id.get(guid.lower())
        return point if point is not None and point.kind == kind else None


def store_of(dataset):
    """The dataset's store, made on first use (the task session data is built without it)."""
    with dataset.lock:
        store = getattr(dataset, 'restore_point_store', None)
        if store is None:
            store = dataset.restore_point_store = RestorePointStore(dataset)
        return store


def _scenario_vm(data):
    """A VM of a finished backup job whose newest backup succeeded: its points are deleted (as by "Delete
    from disk" after the run), so its last success has no restore point left. None when no VM fits."""
    special = data.scenario.get('copy_after_failed_vm')
    newest = {}
    for task in data.tasks:
        if task.state == 'Completed' and task.job_session.job_type == 'Backup':
            newest[task.vm.name] = task
    for job in data.jobs:
        if job.job_type != 'Backup' or job.running:
            continue
        for vm in reversed(job.vms):
            task = newest.get(vm.name)
            if vm is not special and task is not None and task.result == 'Success' and task.job_session.job is job:
                return vm
    return None


def _sample(task):
    session = task.job_session
    return {'id': task.id, 'name': task.name, 'result': task.result, 'creation_time': iso_z(task.creation),
            'job_name': session.job.name, 'job_type': session.job_type, 'job_session_id': session.id,
            'restore_point_id': task.restore_point[0] if task.restore_point else None}


def catalog_section(dataset):
    """The catalog's `restore_points`: counts, the retention per job, and the named cases."""
    store = store_of(dataset).refresh()
    vm_points = store.by_kind['vm']
    section = {
        'vm': len(vm_points),
        'agent': len(store.by_kind['agent']),
        'removed_by_retention': store.removed_by_retention,
        'retained_per_job': dict(sorted(store.retained.items())),
        'vm_without_restore_point': None,
        'vm_with_retention': None,
    }
    vm = store.scenario
    if vm is not None:
        tasks = [task for task in dataset.tasks if task.vm is vm and task.job_session.job_type == 'Backup'
                 and task.state == 'Completed' and task.result in ('Success', 'Warning')]
        section['vm_without_restore_point'] = {
            'vm_name': vm.name, 'job_name': vm.job.name, 'last_success': _sample(tasks[-1]) if tasks else None,
            'restore_points': sum(1 for point in vm_points if point.vm is vm), 'deleted': store.deleted_alive}
    oldest = {}
    for point in vm_points:
        oldest.setdefault(point.vm.name, point)
    for task in dataset.tasks:  # the first VM (oldest data first) whose oldest successes are gone
        point = oldest.get(task.vm.name)
        if task.restore_point is not None and point is not None and task.restore_point[1] < point.creation \
                and task.job_session.job is point.job:
            section['vm_with_retention'] = {
                'vm_name': task.vm.name, 'job_name': point.job.name, 'retained': store.retained[point.job.name],
                'oldest_restore_point': {'id': point.id, 'creation_time': iso_z(point.creation)},
                'removed_task_point': _sample(task)}
            break
    return section
