# The /api routes of job control: jobs (/jobs, /agents/jobs, /nas/jobs) and their actions, tasks, quick backup
# (POST /backupServers/{ID}?action=quickbackup) and the query type Job. Only a Portal Administrator may use
# jobs (a Portal User gets 403 even for GET /jobs); a Portal User may quick-backup and read its tasks.
# register() adds these to api.ROUTES and the query service once per process.
from __future__ import annotations

import json
from xml.etree import ElementTree

from . import api as core
from . import jobs_resources as res
from .errors import ApiError
from .jobs_control import VM_JOB_TYPES, ActionRefused
from .query_fields import QUERY_TYPES, Field, QueryType
from .query_service import QUERY_TYPES as query_service_types
from .resources import job_session_ref

ADMIN = 'PortalAdministrator'
QUICK_BACKUP_ROLES = ('PortalAdministrator', 'PortalUser')
_NS = '{http://www.veeam.com/ent/v1.0}'

JOB = QueryType('Job', 'Jobs', [
    Field('UID', 'uid', lambda state: state.job.uid),
    Field('Name', 'text', lambda state: state.job.name),
    Field('Description', 'text', lambda state: 'Created by EM\\ansible.'),
    Field('NextRun', 'time', lambda state: state.next_run()),
    Field('JobType', 'enum', lambda state: state.job.job_type, list(VM_JOB_TYPES) + ['Replica']),
    Field('Platform', 'text', lambda state: 'VMware' if state.job.job_type == 'Backup' else 'CustomPlatform'),
    Field('ScheduleConfigured', 'bool', lambda state: True),
    Field('ScheduleEnabled', 'bool', lambda state: state.schedule_enabled),
    Field('BackupServerUid', 'uid', lambda state: state.job.server.uid),
    Field('BackupServerName', 'text', lambda state: state.job.server.name),
], {})


def _admin(req):
    if req.session.account.role != ADMIN:
        raise ApiError(403, 'Access denied. Jobs are available to the Portal Administrator role only.')


def _control(req):
    return req.sim.jobs


def _state(req, kind, job_id):
    _admin(req)
    state = _control(req).state(job_id, kind)
    if state is None:
        raise ApiError(404, 'Job [%s] was not found.' % job_id)
    return state


def _list(req, kind):
    _admin(req)
    states = _control(req).of_kind(kind)
    writer = req.writer()
    with req.sim.dataset.lock:
        if core._is_entity(req):
            return core._ok(req, writer.collection(res._KINDS[kind][1] + 's', [res.job_entity(state) for state in states]))
        return core._ok(req, writer.references([res.job_ref(state) for state in states]))


def _one(req, kind, job_id):
    state = _state(req, kind, job_id)
    with req.sim.dataset.lock:
        if core._is_entity(req):
            return core._ok(req, req.writer().document(res.job_entity(state)))
        return core._ok(req, req.writer().document(res.job_ref(state, 'EntityRef')))


def _act(req, kind, job_id, action):
    state = _state(req, kind, job_id)
    if not action:
        raise ApiError(400, 'The action is not specified: add ?action=start, stop, retry, sync or toggleScheduleEnabled.')
    req.sim.stats.job_action(state.job.name, action.lower())
    try:
        task = _control(req).act(req.session, state, action)
    except ActionRefused as exc:
        raise ApiError(400, str(exc))
    return core._ok(req, res.task_document(req.writer(), task), 202)


def jobs(req):
    return _list(req, 'jobs')


def job(req, job_id):
    return _one(req, 'jobs', job_id)


def job_action(req, job_id):
    return _act(req, 'jobs', job_id, req.param('action'))


def job_includes(req, job_id):
    state = _state(req, 'jobs', job_id)
    nodes = [res.object_in_job(state, vm, index) for index, vm in enumerate(state.vms())]
    return core._ok(req, req.writer().collection('ObjectsInJob', nodes))


def job_sessions_of_job(req, job_id):
    state = _state(req, 'jobs', job_id)
    with req.sim.dataset.lock:
        sessions = [session for session in state.sessions if session.creation >= req.sim.dataset.window_start]
        return core._ok(req, req.writer().references([job_session_ref(session) for session in sessions]))


def agent_jobs(req):
    return _list(req, 'agents')


def agent_job(req, job_id):
    return _one(req, 'agents', job_id)


def agent_job_action(req, job_id):
    return _act(req, 'agents', job_id, req.param('action'))


def nas_jobs(req):
    return _list(req, 'nas')


def nas_job(req, job_id):
    return _one(req, 'nas', job_id)


def nas_job_start(req, job_id):
    return _act(req, 'nas', job_id, 'start')


def tasks(req):
    return core._ok(req, res.tasks_document(req.writer(), _control(req).session_tasks(req.session)))


def _task_or_404(req, task_id):
    task = _control(req).task(req.session, task_id)
    if task is None:
        raise ApiError(404, 'Task [%s] was not found in this logon session.' % task_id)
    return task


def task(req, task_id):
    found = _task_or_404(req, task_id)
    with req.sim.dataset.lock:
        return core._ok(req, res.task_document(req.writer(), found))


def delete_task(req, task_id):
    _task_or_404(req, task_id)
    _control(req).delete_task(req.session, task_id)
    return core.Response(204, None, req.json)


def quick_backup(req, server_id):
    if req.session.account.role not in QUICK_BACKUP_ROLES:
        raise ApiError(403, 'Access denied. Quick backup is available to the Portal Administrator and Portal User roles.')
    if (req.param('action') or '').lower() != 'quickbackup':
        raise ApiError(400, 'Backup servers support only ?action=quickbackup (with a QuickBackupStartupSpec body).')
    server = req.sim.dataset.server_by_id.get(server_id.lower())
    if server is None:
        raise ApiError(404, 'Backup server [%s] was not found.' % server_id)
    task = _control(req).quick_backup(req.session, server, _vm_ref(req))
    return core._ok(req, res.task_document(req.writer(), task), 202)


def _vm_ref(req):
    """The one VmRef of a QuickBackupStartupSpec body (XML or JSON, by Content-Type)."""
    content_type = (req.headers.get('Content-Type') or '').lower()
    body = getattr(req, 'body', b'') or b''
    try:
        if 'json' in content_type:
            data = json.loads(body.decode('utf-8'))
            refs = [value for key, value in (data.items() if isinstance(data, dict) else []) if key.lower() == 'vmref']
            refs = refs[0] if refs and isinstance(refs[0], list) else refs
        elif 'xml' in content_type:
            root = ElementTree.fromstring(body)
            if root.tag != _NS + 'QuickBackupStartupSpec':
                raise ValueError('the root element must be QuickBackupStartupSpec in the EM namespace')
            refs = [element.text for element in root.findall(_NS + 'VmRef')]
        else:
            raise ApiError(400, 'The request needs Content-Type application/xml or application/json and a QuickBackupStartupSpec body.')
    except (ValueError, UnicodeDecodeError, ElementTree.ParseError) as exc:
        raise ApiError(400, 'The QuickBackupStartupSpec body cannot be read: %s.' % exc)
    if len(refs) != 1 or not isinstance(refs[0], str) or not refs[0].strip():
        raise ApiError(400, 'A QuickBackupStartupSpec holds exactly one VmRef (%d given): send one request per VM.' % len(refs))
    return refs[0].strip()


def query_jobs(req, result):
    """The QueryResult of type=Job (api.query hands it over)."""
    _admin(req)
    req.sim.stats.query('Job')
    with req.sim.dataset.lock:
        if result.entities:
            nodes, list_name = [res.job_entity(state) for state in result.records], 'Jobs'
        else:
            nodes, list_name = [res.job_ref(state) for state in result.records], None
    return core._ok(req, req.writer().query_result(list_name, nodes, result.paging))


ROUTES = [
    core.Route('/api/jobs', {'GET': jobs}),
    core.Route('/api/jobs/{ID}', {'GET': job, 'POST': job_action}),
    core.Route('/api/jobs/{ID}/includes', {'GET': job_includes}),
    core.Route('/api/jobs/{ID}/backupSessions', {'GET': job_sessions_of_job}),
    core.Route('/api/agents/jobs', {'GET': agent_jobs}),
    core.Route('/api/agents/jobs/{ID}', {'GET': agent_job, 'POST': agent_job_action}),
    core.Route('/api/nas/jobs', {'GET': nas_jobs}),
    core.Route('/api/nas/jobs/{ID}', {'GET': nas_job}),
    core.Route('/api/nas/jobs/{ID}/start', {'POST': nas_job_start}),
    core.Route('/api/tasks', {'GET': tasks}, data=False),
    core.Route('/api/tasks/{ID}', {'GET': task, 'DELETE': delete_task}, data=False),
]


def register(query_service, control):
    """Serve the routes, the quick backup POST on /backupServers/{ID} and the query type Job."""
    if not any(route.name == '/api/jobs' for route in core.ROUTES):
        core.ROUTES.extend(ROUTES)
        for route in core.ROUTES:
            if route.name == '/api/backupServers/{ID}':
                route.methods['POST'] = quick_backup
        core.QUERY_HANDLERS['Job'] = query_jobs
    QUERY_TYPES[JOB.name.lower()] = JOB
    query_service_types[JOB.name.lower()] = JOB  # the query service's own table (it adds the restore point types)
    query_service.sources[JOB.name.lower()] = control.vm_jobs
