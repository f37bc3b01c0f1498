# GET /__simulator/catalog: facts about the generated data, so tests and demos can pick real IDs and names
# instead of hard-coding them. Built once per process (the data never changes while it runs).
from __future__ import annotations

import collections

from .restore_points import catalog_section
from .timefmt import iso_z


def build_catalog(dataset):
    tasks = dataset.tasks
    by_result = collections.Counter(task.result for task in tasks)
    by_state = collections.Counter(task.state for task in tasks)
    per_server = collections.Counter(task.job_session.job.server.id for task in tasks)
    per_job = collections.Counter(task.job_session.job.id for task in tasks)
    per_vm = collections.Counter(task.vm.name for task in tasks)
    failed_per_vm = collections.Counter(task.vm.name for task in tasks if task.result == 'Failed')
    recent = dataset.recent_tasks()

    def newest_ids(select):
        found = []
        for task in reversed(tasks):
            if select(task):
                found.append(task.id)
                if len(found) == 3:
                    break
        return found

    def typical(task):
        # Finished tasks are sampled from finished job sessions; running ones come from running sessions.
        return task.state != 'Completed' or task.job_session.state == 'Stopped'

    samples = {
        'task_session_ids_by_result': dict((name, newest_ids(lambda task, name=name: task.result == name and typical(task)))
                                           for name in sorted(by_result)),
        'task_session_ids_by_state': dict((name, newest_ids(lambda task, name=name: task.state == name)) for name in sorted(by_state)),
        'oldest_task_session_id': tasks[0].id,
        'task_session_id_outside_30_days': tasks[0].id if tasks[0].creation < dataset.window_start else None,
    }
    recent_sessions = [session for session in dataset.recent_job_sessions() if session.state == 'Stopped' and not session.is_retry]
    if recent_sessions:
        session = max(recent_sessions, key=lambda item: (len(item.tasks), item.creation))
        samples['job_session'] = _job_session(session)
    running = [session for session in dataset.job_sessions if session.state == 'Working']
    samples['running_job_session'] = _job_session(running[-1]) if running else None
    old = [session for session in dataset.job_sessions if session.creation < dataset.window_start]
    samples['job_session_outside_30_days'] = _job_session(old[0]) if old else None
    name, count = max(per_vm.items(), key=lambda item: (item[1], item[0]))
    samples['vm_with_several_sessions'] = {'name': name, 'task_sessions': count}
    if failed_per_vm:
        name, count = max(failed_per_vm.items(), key=lambda item: (item[1], item[0]))
        samples['vm_with_most_failures'] = {'name': name, 'failed': count}
    samples['retried_vm'] = _retried(dataset)
    samples['non_ascii_vm_name'] = next((vm.name for vm in dataset.vms if not vm.name.isascii()), None)
    samples.update(_mix_samples(dataset))
    return {
        'seed': dataset.seed,
        'job_mix': dataset.job_mix,
        'now': iso_z(dataset.now),
        'window_start': iso_z(dataset.window_start),
        'oldest_creation_time': iso_z(tasks[0].creation),
        'newest_creation_time': iso_z(tasks[-1].creation),
        'total': len(tasks),
        'total_last_30_days': len(recent),
        'job_sessions': len(dataset.job_sessions),
        'counts': {'by_result': dict(sorted(by_result.items())), 'by_state': dict(sorted(by_state.items()))},
        'backup_servers': [{'id': server.id, 'uid': server.uid, 'name': server.name, 'task_sessions': per_server[server.id]}
                           for server in dataset.servers],
        'jobs': [{'id': job.id, 'uid': job.uid, 'name': job.name, 'job_type': job.job_type, 'backup_server': job.server.name,
                  'vms': len(job.vms), 'vm_names': sorted(vm.name for vm in job.vms), 'task_sessions': per_job[job.id]}
                 for job in dataset.jobs],
        'job_types': _job_types(dataset),
        'vm_names': sorted(vm.name for vm in dataset.vms if per_vm[vm.name]),
        'samples': samples,
        'restore_points': catalog_section(dataset),
    }


def _job_session(session):
    return {'id': session.id, 'uid': session.uid, 'name': session.name, 'job_name': session.job.name, 'state': session.state,
            'task_count': len(session.tasks)}


def _retried(dataset):
    """A VM processed twice in one day: by its job and by the job's retry."""
    for session in reversed(dataset.job_sessions):
        if session.is_retry:
            task = session.tasks[0]
            day = iso_z(task.creation)[:10]
            same_day = [other.id for other in dataset.tasks if other.vm is task.vm and iso_z(other.creation)[:10] == day]
            return {'name': task.vm.name, 'date': day, 'task_session_ids': same_day}
    return None


def _job_types(dataset):
    """Per JobType: how many job sessions and task sessions have it."""
    counts = {}
    for session in dataset.job_sessions:
        entry = counts.setdefault(session.job_type, {'job_sessions': 0, 'task_sessions': 0})
        entry['job_sessions'] += 1
        entry['task_sessions'] += len(session.tasks)
    return dict(sorted(counts.items()))


PRIMARY_TYPES = ('Backup', 'AgentBackup')


def _task(task):
    session = task.job_session
    return {'id': task.id, 'name': task.name, 'result': task.result, 'creation_time': iso_z(task.creation),
            'job_name': session.job.name, 'job_type': session.job_type, 'job_session_id': session.id}


def _mix_samples(dataset):
    """The cases of the real job mix (None in the basic mix, or when --sessions trimmed them away)."""
    scenario = dataset.scenario
    samples = {'copy_after_failed_backup': None, 'failed_copy': None, 'agent_backup': None}
    vm = scenario.get('copy_after_failed_vm')
    if vm is not None:
        history = [task for task in dataset.tasks if task.vm is vm and task.state == 'Completed']
        primary = [task for task in history if task.job_session.job_type in PRIMARY_TYPES]
        if primary and primary[-1].result == 'Failed':
            copies = [task for task in history if task.job_session.job_type not in PRIMARY_TYPES
                      and task.creation > primary[-1].creation and task.result == 'Success']
            if copies:
                samples['copy_after_failed_backup'] = {'vm_name': vm.name, 'newest_primary': _task(primary[-1]),
                                                       'copy_after_it': _task(copies[-1])}
    session = scenario.get('failed_copy_session')
    if session is not None and session.id in dataset.job_session_by_id and session.tasks:
        samples['failed_copy'] = {
            'job_name': session.job.name, 'job_type': session.job_type, 'copy_job_name': session.job.name.split('\\', 1)[0],
            'job_session_id': session.id, 'job_session_name': session.name, 'result': session.result,
            'task_session_ids': [task.id for task in session.tasks], 'vm_names': [task.vm.name for task in session.tasks]}
    job = scenario.get('agent_job')
    if job is not None:
        samples['agent_backup'] = {'job_name': job.name, 'job_type': job.job_type,
                                   'computer_names': [computer.name for computer in job.vms]}
    return samples
