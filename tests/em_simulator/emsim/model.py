# The records the simulator serves: backup servers, jobs, VMs, job sessions and task sessions.
# Plain classes with __slots__ keep 100,000+ task sessions small and fast to build.
from __future__ import annotations


class BackupServer:
    __slots__ = ('id', 'uid', 'name', 'description', 'port', 'version', 'vcenter_uuid', 'esx_hosts', 'datastores')

    def __init__(self, guid, name, description, version, vcenter_uuid, esx_hosts, datastores):
        self.id = guid
        self.uid = 'urn:veeam:BackupServer:' + guid
        self.name = name
        self.description = description
        self.port = 9392
        self.version = version
        self.vcenter_uuid = vcenter_uuid
        self.esx_hosts = esx_hosts
        self.datastores = datastores


class Job:
    __slots__ = ('id', 'uid', 'name', 'server', 'job_type', 'vms', 'start_second', 'concurrency', 'running', 'source')

    def __init__(self, guid, name, server, start_second, concurrency, job_type='Backup'):
        self.id = guid
        self.uid = 'urn:veeam:Job:' + guid
        self.name = name
        self.server = server
        self.job_type = job_type
        self.vms = []
        self.start_second = start_second  # second of the UTC day the schedule starts the job
        self.concurrency = concurrency
        self.running = False
        self.source = None  # the backup job a copy job (or copy worker) reads from


class Vm:
    __slots__ = ('name', 'uid', 'moref', 'disk_gib', 'fail_p', 'job', 'ip', 'uid_in_tasks')

    def __init__(self, name, moref, disk_gib, fail_p, ip):
        self.name = name
        self.uid = ''
        self.uid_in_tasks = True  # False: its task sessions carry no VmUid (--without-task-vm-uid)
        self.moref = moref
        self.disk_gib = disk_gib
        self.fail_p = fail_p
        self.job = None
        self.ip = ip


class JobSession:
    __slots__ = ('id', 'uid', 'name', 'job', 'creation', 'end', 'state', 'result', 'progress', 'failure_message',
                 'is_retry', 'tasks', 'job_type', 'taskless')

    def __init__(self, guid, job, creation, is_retry):
        self.id = guid
        self.uid = 'urn:veeam:BackupJobSession:' + guid
        self.name = ''
        self.job = job
        self.creation = creation  # ticks
        self.end = None  # ticks; None while the session runs
        self.state = 'Stopped'
        self.result = 'Success'
        self.progress = 100
        self.failure_message = None
        self.is_retry = is_retry
        self.tasks = []
        self.job_type = job.job_type  # JobType of the session (an agent job also has AgentManagement children)
        self.taskless = False  # a session type that has no BackupTaskSession (copy parents, NAS, agent children)


class TaskSession:
    __slots__ = ('id', 'uid', 'name', 'vm', 'job_session', 'creation', 'end', 'state', 'result', 'reason', 'total_size',
                 'restore_point', 'variant')

    def __init__(self, guid, vm, job_session, creation):
        self.id = guid
        self.uid = 'urn:veeam:BackupTaskSession:' + guid
        self.name = ''
        self.vm = vm
        self.job_session = job_session
        self.creation = creation  # ticks
        self.end = None  # ticks; None while InProgress or Pending
        self.state = 'Completed'
        self.result = 'Success'
        self.reason = ''
        self.total_size = 0
        self.restore_point = None  # (guid, ticks) when the task produced a restore point
        self.variant = 0  # picks attribute orders when rendered, so they vary between entities
