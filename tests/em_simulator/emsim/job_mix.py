# The `real` job mix (--job-mix real): what real EMs serve beside the primary VM backups, added to the basic
# data deterministically from the seed:
# - a periodic backup copy job (JobType BackupCopy) and an immediate one (a taskless ImmediateBackupCopy parent
#   session per day plus ImmediateBackupCopyWorker sessions): sessions named `<copy job>\<source job>@<time>`,
#   running after the source job's run, task sessions with TotalSize 0 and no restore point link;
# - an agent backup job (AgentBackup, computers as "VMs", without VmUid) with taskless AgentManagement child
#   sessions per computer, and a NAS backup job (NasBackup, taskless sessions);
# - the cases issue 13 needs: a VM whose newest primary backup failed while a copy of it succeeded afterwards,
#   and a copy job whose newest session failed. The catalog names them (catalog.py).
from __future__ import annotations

import random

from .model import Job, Vm
from .reasons import COPY_FAILED, COPY_WARNING, FAILED
from .timefmt import TICKS_PER_SECOND

PERIODIC_COPY = 'Periodic Copy to DR'
IMMEDIATE_COPY = 'Immediate Copy to S3'
AGENT_JOB = 'Agent Backup - Physical Servers'
NAS_JOB = 'File Shares - NAS Backup'
COMPUTERS = ['PHYS-SQL01', 'PHYS-FS02', 'LAPTOP-K7Q2M', 'WS-FIN-014', 'PHYS-BUILD03']
PRIMARY_TYPES = ('Backup', 'AgentBackup')


def _seconds(ticks):
    return ticks / float(TICKS_PER_SECOND)


def add_real_mix(gen):
    rng = random.Random('emsim:%d:mix' % gen.seed)
    runs = _runs_by_job(gen)
    # Copy sources: finished backup jobs, the one with the most time between its newest run and `now` first
    # (so a copy fits after that run on every clock).
    sources = sorted((job for job in gen.jobs if not job.running and runs.get(job.id)),
                     key=lambda job: (runs[job.id][-1].end, job.name))
    if sources:
        periodic_source = sources[0]
        gen.scenario['copy_after_failed_vm'] = _fail_newest_primary(gen, periodic_source, runs[periodic_source.id][-1], rng)
        gen.scenario['periodic_copy_job'] = _periodic_copy(gen, periodic_source, runs[periodic_source.id], rng)
        immediate_source = sources[1] if len(sources) > 1 else sources[0]
        gen.scenario['failed_copy_session'] = _immediate_copy(gen, immediate_source, rng)
    gen.scenario['agent_job'] = _agent_job(gen, rng)
    _nas_job(gen, rng)


def _runs_by_job(gen):
    runs = {}
    for session in gen.job_sessions:
        if not session.is_retry and session.end is not None:
            runs.setdefault(session.job.id, []).append(session)
    return runs


def _fail_newest_primary(gen, job, newest, rng):
    """The first VM of `job` fails in the job's newest run, and no retry processes it afterwards."""
    vm = job.vms[0]
    task = [item for item in newest.tasks if item.vm is vm][0]
    task.result = 'Failed'
    task.reason = gen._reason(rng.choice(FAILED), task)
    task.total_size = 0
    task.restore_point = None
    task.end = min(task.end, task.creation + int(rng.uniform(5, 90) * TICKS_PER_SECOND))
    for session in list(gen.job_sessions):
        if session.is_retry and session.job is job and session.creation > newest.creation:
            for retried in [item for item in session.tasks if item.vm is vm]:
                session.tasks.remove(retried)
                gen.tasks.remove(retried)
                gen.tasks_by_vm[vm.name].remove(retried)
            if not session.tasks:
                gen.job_sessions.remove(session)
    return vm


def _copy_window(gen, after_ticks, rng, earliest, latest):
    """A start after `after_ticks` (delay drawn from earliest..latest seconds) and the seconds left until
    shortly before `now`, so a copy planned there is over before the simulator's clock."""
    after = _seconds(after_ticks)
    room = gen.now_s - 30 - after
    start = after + min(rng.uniform(earliest, latest), room * 0.25)
    return start, gen.now_s - 30 - start


def _copy_session(gen, job, vms, start_s, room, rng, outcome=None):
    """One copy (worker) session over `vms`: tasks with TotalSize 0 and no restore point link."""
    session = gen._new_session(job, start_s, rng, False)
    slots = [start_s + rng.uniform(2, 8)] * job.concurrency
    budget = max(1.0, room * 0.6) * job.concurrency / max(1, len(vms))  # never run past `now`
    last_end = start_s
    for vm in vms:
        slot = slots.index(min(slots))
        creation = slots[slot] + rng.uniform(0.5, 3)
        result = outcome(vm) if outcome else _copy_result(rng)
        end = creation + min(rng.uniform(8, 90), budget * 0.8)
        slots[slot] = end
        last_end = max(last_end, end)
        task = gen._task(session, vm, creation, end, 'Completed', result, rng)
        task.total_size = 0
        task.restore_point = None
        if result != 'Success':
            task.reason = gen._reason(rng.choice(COPY_FAILED if result == 'Failed' else COPY_WARNING), task)
    session.end = int((last_end + min(rng.uniform(2, 20), max(0.5, room * 0.05))) * TICKS_PER_SECOND)
    return session


def _copy_result(rng):
    draw = rng.random()
    return 'Failed' if draw < 0.02 else 'Warning' if draw < 0.05 else 'Success'


def _periodic_copy(gen, source, source_runs, rng):
    """BackupCopy: after every run of `source`, copy every VM that has a restore point by then, including a
    VM whose newest backup just failed (its previous point is copied: Success, TotalSize 0)."""
    job = Job(_guid(rng), '%s\\%s' % (PERIODIC_COPY, source.name), source.server, 0, 2, 'BackupCopy')
    job.source = source
    gen.jobs.append(job)
    scenario_vm = gen.scenario.get('copy_after_failed_vm')
    produced = sorted((task for task in gen.tasks if task.job_session.job is source and task.restore_point),
                      key=lambda task: task.creation)
    has_point = set()
    position = 0
    for run in source_runs:
        while position < len(produced) and produced[position].creation <= run.end:
            has_point.add(produced[position].vm.name)
            position += 1
        vms = [vm for vm in source.vms if vm.name in has_point]
        start, room = _copy_window(gen, run.end, rng, 600, 3600)
        if not vms or room < 5:
            continue
        newest = run is source_runs[-1]
        _copy_session(gen, job, vms, start, room, rng,
                      (lambda vm: 'Success' if vm is scenario_vm else _copy_result(rng)) if newest else None)
    job.vms = list(source.vms)
    return job


def _immediate_copy(gen, source, rng):
    """ImmediateBackupCopy: per run of `source` a worker session copying the new restore points, inside a
    taskless parent session of the copy job. The newest worker session fails for every VM."""
    parent = Job(_guid(rng), IMMEDIATE_COPY, source.server, 0, 1, 'ImmediateBackupCopy')
    worker = Job(_guid(rng), '%s\\%s' % (IMMEDIATE_COPY, source.name), source.server, 0, 3, 'ImmediateBackupCopyWorker')
    worker.source = parent.source = source
    gen.jobs.extend([parent, worker])
    runs = [session for session in gen.job_sessions if session.job is source and session.end is not None
            and any(task.restore_point for task in session.tasks)]
    newest = None
    for index, run in enumerate(runs):
        vms = [task.vm for task in run.tasks if task.restore_point]
        start, room = _copy_window(gen, run.end, rng, 30, 300)
        if room < 5:
            continue
        failing = index == len(runs) - 1
        session = _copy_session(gen, worker, vms, start, room, rng, (lambda vm: 'Failed') if failing else None)
        holder = gen._new_session(parent, _seconds(run.creation) - rng.uniform(300, 1800), rng, False)
        holder.taskless = True
        holder.progress = 0  # as real answers show for the long-running parent
        holder.end = session.end + int(rng.uniform(5, 60) * TICKS_PER_SECOND)
        holder.result = 'Failed' if failing else 'Success'
        holder.failure_message = 'The copy of %d restore points failed.' % len(vms) if failing else None
        newest = session
    worker.vms = list(source.vms)
    return newest


def _agent_job(gen, rng):
    """AgentBackup of physical computers (no VmUid), each run with AgentManagement child sessions."""
    server = gen.servers[0]
    job = Job(_guid(rng), AGENT_JOB, server, (rng.randrange(19 * 3600, 23 * 3600) // 60) * 60, 2, 'AgentBackup')
    gen.jobs.append(job)
    for name in COMPUTERS:
        computer = Vm(name, rng.randrange(100, 999), rng.choice([120, 250, 500]), 0.08, '10.99.%d.%d' % (rng.randrange(1, 9), rng.randrange(2, 250)))
        computer.job = job  # uid stays '': no VmUid (the agent form of VmUid is not documented)
        job.vms.append(computer)
        gen.vms.append(computer)
    anchor = gen.now_s - gen.now_s % 86400 + job.start_second
    if anchor > gen.now_s - 4 * 3600:
        anchor -= 86400
    for days_ago in range(gen.days - 1, -1, -1):
        session = gen._completed_session(job, job.vms, anchor - days_ago * 86400 + rng.uniform(0, 60), rng, False)
        for task in session.tasks:
            child = gen._new_session(job, _seconds(task.creation) - 1, rng, False)
            child.job_type = 'AgentManagement'
            child.taskless = True
            child.name = '%s - %s@%s' % (job.name, task.vm.name, child.name.rsplit('@', 1)[1])
            child.end = task.end + TICKS_PER_SECOND
            child.result = task.result
    return job


def _nas_job(gen, rng):
    """NasBackup: file share sessions, which have no BackupTaskSession."""
    job = Job(_guid(rng), NAS_JOB, gen.servers[-1], (rng.randrange(20 * 3600, 24 * 3600) // 60) * 60, 1, 'NasBackup')
    gen.jobs.append(job)
    anchor = gen.now_s - gen.now_s % 86400 + job.start_second
    if anchor > gen.now_s - 3 * 3600:
        anchor -= 86400
    for days_ago in range(gen.days - 1, -1, -1):
        start = anchor - days_ago * 86400 + rng.uniform(0, 60)
        session = gen._new_session(job, start, rng, False)
        session.taskless = True
        session.end = int((start + rng.uniform(600, 5400)) * TICKS_PER_SECOND)
        session.result = _copy_result(rng)
        if session.result != 'Success':
            session.failure_message = 'Share \\\\nas01\\projects: %s.' % (
                'the snapshot could not be created' if session.result == 'Failed' else '12 files were locked and skipped')


def _guid(rng):
    from .dataset import guid  # dataset imports this module lazily; import back the same way
    return guid(rng)
