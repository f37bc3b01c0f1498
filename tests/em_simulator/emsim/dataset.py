# Builds the simulator's data, deterministic from (sessions, seed, now[, job mix, VM count]): backup servers,
# jobs, VMs, daily job sessions over 45 days (more with --vms) with one task session per VM, retries of failed
# VMs, and running sessions in the newest day; the `real` job mix adds copy, agent and NAS jobs (job_mix.py).
# The result is one list of task sessions sorted by creation time plus lookup indexes.
from __future__ import annotations

import bisect
import itertools
import random
import threading
import zlib

from .model import BackupServer, Job, JobSession, TaskSession, Vm
from .reasons import FAILED, WARNING
from .timefmt import TICKS_PER_DAY, TICKS_PER_SECOND, name_stamp
from . import vocabulary as words

DAYS = 45
WINDOW_DAYS = 30
GIB = 1024 ** 3
# How many fractional digits a time gets (index = digits); EM prints 0 to 7.
FRACTION_WEIGHTS = [5, 5, 15, 30, 10, 10, 10, 15]
_FRACTION_CUMULATIVE = list(itertools.accumulate(FRACTION_WEIGHTS))
_VERSION_MASK = ~((0xf000 << 64) | (0xc000 << 48))
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)
RESULT_ORDER = {'Success': 0, 'Warning': 1, 'Failed': 2}
COPY_TYPES = ('BackupCopy', 'ImmediateBackupCopyWorker')


def guid(rng):
    """A random (version 4 layout) GUID string from `rng`, so the data repeats with the seed."""
    text = '%032x' % (rng.getrandbits(128) & _VERSION_MASK | _VERSION_BITS)
    return '%s-%s-%s-%s-%s' % (text[:8], text[8:12], text[12:16], text[16:20], text[20:])


def to_ticks(rng, seconds):
    """Whole seconds of `seconds` plus a fraction with 0-7 significant digits (last digit non-zero)."""
    digits = bisect.bisect_right(_FRACTION_CUMULATIVE, rng.random() * _FRACTION_CUMULATIVE[-1])
    ticks = int(seconds) * TICKS_PER_SECOND
    if digits:
        value = rng.randrange(1, 10 ** digits)
        if value % 10 == 0:
            value += 1  # keeps exactly `digits` digits: EM drops trailing zeros
        ticks += value * 10 ** (7 - digits)
    return ticks


class Dataset:
    """The generated data plus the indexes the HTTP layer needs."""

    def __init__(self, seed, now, servers, jobs, vms, job_sessions, tasks, job_mix='basic', scenario=None):
        self.seed = seed
        self.job_mix = job_mix
        self.scenario = scenario or {}  # the real mix's named cases (see job_mix.py and the catalog)
        self.em13_names = False
        # Live sessions (POST /__simulator/task-sessions) change the data while it is served: `lock` guards
        # every change and every read that must see one consistent state; `generation` counts the changes
        # (query caches and the catalog are keyed by it).
        self.lock = threading.RLock()
        self.generation = 0
        self.now = now
        self.servers = servers
        self.jobs = jobs
        self.vms = vms
        self.job_sessions = job_sessions  # sorted by creation
        self.tasks = tasks  # sorted by creation, then id
        self.task_by_id = dict((task.id, task) for task in tasks)
        self.job_session_by_id = dict((session.id, session) for session in job_sessions)
        self.server_by_id = dict((server.id, server) for server in servers)
        self.window_start = now - WINDOW_DAYS * TICKS_PER_DAY
        self.task_creations = [task.creation for task in tasks]
        self.job_session_creations = [session.creation for session in job_sessions]

    def recent_tasks(self):
        """Task sessions created in the last 30 days (what the collection resources return)."""
        return self.tasks[bisect.bisect_left(self.task_creations, self.window_start):]

    def recent_job_sessions(self):
        return self.job_sessions[bisect.bisect_left(self.job_session_creations, self.window_start):]

    def use_em13_names(self):
        """Session names as EM 13 writes them: the creation time's fraction after the seconds (up to 7 digits,
        trailing zeros dropped), e.g. `app01@2026-03-02 01:15:07.41`. EM 12 names stop at the seconds."""
        with self.lock:
            self.em13_names = True
            for record in self.tasks + self.job_sessions:
                record.name = session_name(record.name.rsplit('@', 1)[0], record.creation, True)

    def add_live(self, job_session):
        """Insert a job session made while the simulator runs, and its task sessions, into the indexes."""
        with self.lock:
            _insort(self.job_sessions, self.job_session_creations, job_session)
            self.job_session_by_id[job_session.id] = job_session
            for task in job_session.tasks:
                _insort(self.tasks, self.task_creations, task)
                self.task_by_id[task.id] = task
            self.generation += 1

    def changed(self):
        with self.lock:
            self.generation += 1


def _insort(records, creations, record):
    """Keep `records` sorted by (creation, id) and `creations` parallel to it."""
    position = bisect.bisect_right(creations, record.creation)
    while position > 0 and creations[position - 1] == record.creation and records[position - 1].id > record.id:
        position -= 1
    records.insert(position, record)
    creations.insert(position, record.creation)


def session_name(prefix, ticks, with_fraction):
    """`<prefix>@yyyy-MM-dd HH:mm:ss`, in EM 13 style followed by the fraction of the second."""
    stamp = name_stamp(ticks)
    fraction = ticks % TICKS_PER_SECOND
    if with_fraction and fraction:
        stamp += '.' + ('%07d' % fraction).rstrip('0')
    return '%s@%s' % (prefix, stamp)


class _Generator:
    def __init__(self, seed, now, vm_count, days=DAYS):
        self.seed = seed
        self.now = now
        self.now_s = now // TICKS_PER_SECOND
        self.vm_count = vm_count
        self.days = days
        self.job_mix = 'basic'
        self.scenario = {}
        self.rng = random.Random('emsim:%d:topology' % seed)
        self.servers = []
        self.jobs = []
        self.vms = []
        self.job_sessions = []
        self.tasks = []
        self.tasks_by_vm = {}

    # --- topology -----------------------------------------------------------------------------
    def topology(self):
        rng = self.rng
        job_count = max(1, min(self.vm_count, max(5, int(round(self.vm_count * 12 / 1000.0)))))
        server_count = min(rng.choice([3, 4]), job_count)
        for index, name in enumerate(rng.sample(words.SERVER_NAMES, server_count)):
            domain = name.split('.', 1)[1]
            self.servers.append(BackupServer(
                guid(rng), name, 'Backup server %d (%s)' % (index + 1, name.split('.')[0]),
                rng.choice(words.SERVER_VERSIONS), guid(rng),
                ['esx%02d.%s' % (rng.randrange(1, 40), domain) for unused in range(3)],
                rng.sample(words.DATASTORE_NAMES, 3)))
        for index, name in enumerate(self._job_names(job_count)):
            start = (rng.randrange(18 * 3600, 28 * 3600) // 60 * 60) % 86400
            self.jobs.append(Job(guid(rng), name, self.servers[index % server_count], start, rng.choice([2, 3, 4, 4, 6, 8])))
        morefs = rng.sample(range(1000, 1000 + self.vm_count * 20), self.vm_count)
        for index, name in enumerate(self._vm_names(self.vm_count)):
            disk = rng.choices(words.DISK_SIZES_GIB, words.DISK_SIZE_WEIGHTS)[0]
            fail_p = 0.45 if rng.random() < 0.05 else 0.05  # a few VMs fail often: about 7% overall
            ip = '10.%d.%d.%d' % (rng.randrange(0, 40), rng.randrange(0, 255), rng.randrange(2, 254))
            self.vms.append(Vm(name, morefs[index], disk, fail_p, ip))
        weights = [rng.uniform(0.3, 3.0) for unused in self.jobs]
        for index, vm in enumerate(self.vms):
            job = self.jobs[index] if index < job_count else rng.choices(self.jobs, weights)[0]
            vm.job = job
            vm.uid = 'urn:VMware:Vm:%s.vm-%d' % (job.server.vcenter_uuid, vm.moref)
            job.vms.append(vm)
        # The biggest job (two with six jobs or more) is running right now.
        by_size = sorted(self.jobs, key=lambda job: (-len(job.vms), job.name))
        for job in by_size[:2 if job_count >= 6 else 1]:
            job.running = True

    def _job_names(self, count):
        names = list(words.SPECIAL_JOB_NAMES[:count])
        combos = [p + ' ' + s for p in words.JOB_PREFIXES for s in words.JOB_SUFFIXES]
        self.rng.shuffle(combos)
        number = 1
        while len(names) < count:
            if not combos:
                combos = ['%s %d' % (p, number) for p in words.JOB_PREFIXES]
                number += 1
            names.append(combos.pop())
        return names

    def _vm_names(self, count):
        rng = self.rng
        names = list(words.SPECIAL_VM_NAMES[:count])
        seen = set(name.lower() for name in names)
        misses = 0
        while len(names) < count:
            if misses > 100:  # the patterns are nearly used up (hundreds of thousands of VMs)
                name = 'vm-%07d' % len(names)
                seen.add(name)
                names.append(name)
                continue
            kind = rng.randrange(6)
            width = 2 if count < 3000 else 3
            number = '%0*d' % (width, rng.randrange(1, 10 ** width))
            if kind == 0:
                name = '%s-%s%s' % (rng.choice(words.VM_SITES), rng.choice(words.VM_ROLES), number)
            elif kind == 1:
                name = '%s%s' % (rng.choice(words.VM_ROLES).upper(), number)
            elif kind == 2:
                name = '%s_%s_%s' % (rng.choice(words.VM_ROLES), rng.choice(words.VM_ENVS), number)
            elif kind == 3:
                name = '%s%s.%s' % (rng.choice(words.VM_ROLES), number, rng.choice(words.VM_DOMAINS))
            elif kind == 4:
                name = '%s %s' % (rng.choice(words.VM_SPACED), number)
            else:
                name = 'srv%s-%s' % (number, rng.choice(words.VM_SITES))
            if name.lower() not in seen:
                seen.add(name.lower())
                names.append(name)
                misses = 0
            else:
                misses += 1
        return names

    # --- sessions -----------------------------------------------------------------------------
    def history(self):
        for index, job in enumerate(self.jobs):
            rng = random.Random('emsim:%d:job:%d' % (self.seed, index))
            if job.running:
                anchor = self._running_session(job, rng)  # today's run started a few minutes ago
            else:
                serial = sum(60 + vm.disk_gib * 0.6 for vm in job.vms)  # upper bound of a run's length
                anchor = self.now_s - self.now_s % 86400 + job.start_second
                if anchor > self.now_s - serial - 120:
                    anchor -= 86400  # today's run would not be over yet: the newest run is yesterday's
            # Start jitter never crosses midnight, so there is one scheduled run per calendar day.
            sign = 1 if anchor % 86400 + 90 < 86400 else -1
            for days_ago in range(self.days - 1, 0 if job.running else -1, -1):
                start = anchor - days_ago * 86400 + sign * rng.uniform(0, 90)
                session = self._completed_session(job, job.vms, start, rng, False)
                failed = [task.vm for task in session.tasks if task.result == 'Failed']
                if failed and rng.random() < 0.5:
                    retry_start = session.end / float(TICKS_PER_SECOND) + rng.uniform(300, 1200)
                    retry = self._completed_session(job, failed, retry_start, rng, True)
                    if retry.end >= self.now - 60 * TICKS_PER_SECOND:
                        self._discard(retry)

    def _new_session(self, job, start_s, rng, is_retry):
        session = JobSession(guid(rng), job, to_ticks(rng, start_s), is_retry)
        stamp = name_stamp(session.creation)
        if rng.random() < 0.1:
            stamp += '.%06d' % (session.creation % TICKS_PER_SECOND // 10)  # EM sometimes adds microseconds
        session.name = '%s@%s' % (job.name, stamp)
        self.job_sessions.append(session)
        return session

    def _completed_session(self, job, vms, start_s, rng, is_retry):
        session = self._new_session(job, start_s, rng, is_retry)
        slots = [start_s + rng.uniform(3, 15)] * job.concurrency
        last_end = start_s
        for vm in vms:
            slot = slots.index(min(slots))
            creation = slots[slot] + rng.uniform(0.5, 4)
            outcome = rng.random()
            if is_retry:
                result = 'Failed' if outcome < 0.3 else 'Warning' if outcome < 0.4 else 'Success'
            else:
                result = 'Failed' if outcome < vm.fail_p else 'Warning' if outcome < vm.fail_p + 0.07 else 'Success'
            if result == 'Failed':
                duration = rng.uniform(5, 120)
            else:
                duration = 20 + vm.disk_gib * rng.uniform(0.05, 0.6)
            end = creation + duration
            slots[slot] = end
            last_end = max(last_end, end)
            self._task(session, vm, creation, end, 'Completed', result, rng)
        session.end = to_ticks(rng, last_end + rng.uniform(5, 40))
        return session

    def _running_session(self, job, rng):
        vms = job.vms
        in_progress = min(3, len(vms))
        pending = min(4, len(vms) - in_progress)
        done = (len(vms) - in_progress - pending) // 2  # the rest has no task session yet
        # Plan the finished part first, then shift it so it ends a few minutes before `now`.
        start_s = float(self.now_s - 7200)
        slots = [start_s + rng.uniform(3, 15)] * job.concurrency
        plan = []
        for vm in vms[:done]:
            slot = slots.index(min(slots))
            creation = slots[slot] + rng.uniform(0.5, 4)
            outcome = rng.random()
            result = 'Failed' if outcome < vm.fail_p else 'Warning' if outcome < vm.fail_p + 0.07 else 'Success'
            end = creation + (rng.uniform(5, 120) if result == 'Failed' else 20 + vm.disk_gib * rng.uniform(0.05, 0.6))
            slots[slot] = end
            plan.append((vm, creation, end, result))
        last = max([step[2] for step in plan] or [start_s + 30])
        shift = self.now_s - rng.uniform(120, 600) - last
        session = self._new_session(job, start_s + shift, rng, False)
        session.state = 'Working'
        session.result = 'None'
        session.progress = int(100 * done / len(vms))
        for vm, creation, end, result in plan:
            self._task(session, vm, creation + shift, end + shift, 'Completed', result, rng)
        begun = (last + shift) if plan else (start_s + shift + 5)
        for vm in vms[done:done + in_progress]:
            self._task(session, vm, rng.uniform(begun, self.now_s - 20), None, 'InProgress', 'None', rng)
        for vm in vms[done + in_progress:done + in_progress + pending]:
            self._task(session, vm, self.now_s - rng.uniform(1, 15), None, 'Pending', 'None', rng)
        return start_s + shift

    def _task(self, session, vm, creation_s, end_s, state, result, rng):
        task = TaskSession(guid(rng), vm, session, to_ticks(rng, creation_s))
        task.state = state
        task.result = result
        if end_s is not None:
            task.end = to_ticks(rng, end_s)
        if result == 'Failed':
            task.reason = self._reason(rng.choice(FAILED), task)
        elif result == 'Warning':
            task.reason = self._reason(rng.choice(WARNING), task)
        if state == 'Completed' and result in ('Success', 'Warning'):
            task.total_size = vm.disk_gib * GIB
            task.restore_point = (guid(rng), task.creation + rng.randrange(5, 18) * TICKS_PER_SECOND)
        session.tasks.append(task)
        self.tasks.append(task)
        self.tasks_by_vm.setdefault(vm.name, []).append(task)
        return task

    def _reason(self, template, task):
        vm = task.vm
        server = vm.job.server
        stamp = name_stamp(task.creation)
        pick = vm.moref % 3
        return template.format(
            vm=vm.name, job_dir=vm.job.name.replace('"', ''), moref=vm.moref, date=stamp[:10],
            hms=stamp[11:].replace(':', ''), host=server.esx_hosts[pick], ds=server.datastores[pick], ip=vm.ip,
            site=server.name[:3])

    def _discard(self, session):
        self.job_sessions.remove(session)
        for task in session.tasks:
            self.tasks.remove(task)
            self.tasks_by_vm[task.vm.name].remove(task)

    # --- exact size and final order -------------------------------------------------------------
    def trim(self, total):
        """Drop the excess: the oldest sessions of some VMs (they joined their job later), then the oldest overall."""
        excess = len(self.tasks) - total
        if excess <= 0:
            return
        removed = set()
        order = list(self.vms)
        self.rng.shuffle(order)
        for vm in order:
            if excess <= 0:
                break
            history = sorted(self.tasks_by_vm.get(vm.name, []), key=lambda task: task.creation)
            count = min(excess, max(0, len(history) - 10))
            while count and history[count].job_session.job_type in COPY_TYPES:
                count -= 1  # a copy is never kept without an older backup of the VM to copy from
            removed.update(id(task) for task in history[:count])
            excess -= count
        if excess > 0:
            left = sorted((task for task in self.tasks if id(task) not in removed), key=lambda task: task.creation)
            removed.update(id(task) for task in left[:excess])
        self.tasks = [task for task in self.tasks if id(task) not in removed]
        for session in self.job_sessions:
            session.tasks = [task for task in session.tasks if id(task) not in removed]
        self.job_sessions = [session for session in self.job_sessions if session.tasks or session.taskless]

    def finish(self):
        self.tasks.sort(key=lambda task: (task.creation, task.id))
        self.job_sessions.sort(key=lambda session: (session.creation, session.id))
        for task in self.tasks:
            task.name = '%s@%s' % (task.vm.name, name_stamp(task.creation))
            task.variant = zlib.crc32(task.id.encode('ascii'))
        for session in self.job_sessions:
            session.tasks.sort(key=lambda task: (task.creation, task.id))
            if session.state == 'Working' or not session.tasks:
                continue  # running, or a session type without task sessions: its result was set when it was made
            worst = max(RESULT_ORDER[task.result] for task in session.tasks)
            session.result = ['Success', 'Warning', 'Failed'][worst]
            bad = sum(1 for task in session.tasks if task.result == session.result)
            if session.result == 'Failed':
                session.failure_message = '%d of %d VMs failed to process.' % (bad, len(session.tasks))
            elif session.result == 'Warning':
                session.failure_message = '%d of %d VMs processed with warnings.' % (bad, len(session.tasks))
        return Dataset(self.seed, self.now, self.servers, self.jobs, self.vms, self.job_sessions, self.tasks,
                       self.job_mix, self.scenario)


JOB_MIXES = ('basic', 'real')


def build(total, seed, now, job_mix='basic', vms=None):
    """Exactly `total` task sessions (at least 1), deterministic from `seed`, `now` (ticks), the job mix and
    the VM count. Without `vms` the VM count follows from `total` (about 45 sessions per VM); with it, the
    history grows longer than 45 days until the VMs have `total` sessions between them."""
    if total < 1:
        raise ValueError('at least one task session is needed')
    if job_mix not in JOB_MIXES:
        raise ValueError('job mix %r is not one of %s' % (job_mix, ', '.join(JOB_MIXES)))
    if vms is not None and vms < 1:
        raise ValueError('at least one VM is needed')
    vm_count = vms if vms else -(-total // DAYS) + 3
    days = max(DAYS, -(-total // vms) + 2) if vms else DAYS
    while True:
        generator = _Generator(seed, now, vm_count, days)
        generator.job_mix = job_mix
        generator.topology()
        generator.history()
        if job_mix == 'real':
            from .job_mix import add_real_mix  # only the real mix needs it
            add_real_mix(generator)
        if len(generator.tasks) >= total:
            generator.trim(total)
            return generator.finish()
        if vms:
            days += (total - len(generator.tasks)) // vms + 2
        else:
            vm_count += (total - len(generator.tasks)) // DAYS + 2
