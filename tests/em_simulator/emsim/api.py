# The /api routes: URL matching (literal segments case-insensitive, trailing slash ignored), method
# checks (405), token checks (401), role checks (403) and the resource handlers themselves.
from __future__ import annotations

import zlib
from urllib.parse import unquote, unquote_plus

from . import resources
from . import restore_point_api
from .accounts import READ_ROLES, authenticate
from .errors import ApiError
from .json_render import JsonWriter
from .xml_render import XmlWriter

TOKEN = 'X-RestSvcSessionId'


class Request:
    """What a route needs from one HTTP request."""

    def __init__(self, sim, method, path, query, headers, base):
        self.sim = sim
        self.method = method
        self.path = path
        self.query = query
        self.params = parse_query(query)
        self.headers = headers
        self.json = 'application/json' in (headers.get('Accept') or '').lower()
        self.base = base
        self.session = None

    def param(self, name):
        """First value of a query parameter, its name matched case-insensitively."""
        name = name.lower()
        for key, value in self.params:
            if key.lower() == name:
                return value
        return None

    def writer(self):
        if self.json:
            return JsonWriter(self.base, self.sim.camel)
        return XmlWriter(self.base, zlib.crc32(('%s?%s' % (self.path.lower(), self.query)).encode('utf-8')))

    def token(self):
        """The cookie wins over the header when both arrive (EM documents this)."""
        for header in self.headers.get_all('Cookie') or []:
            for part in header.split(';'):
                name, equals, value = part.strip().partition('=')
                if equals and name.strip().lower() == TOKEN.lower():
                    return value.strip().strip('"')
        return self.headers.get(TOKEN)


def parse_query(query):
    """The (name, value) pairs of a query string, decoded, in order; only `&` separates them.

    A filter uses `;` for AND, and Python's parse_qsl splits on `;` as well before 3.9.2.
    """
    pairs = []
    for part in query.split('&'):
        if part:
            name, unused, value = part.partition('=')
            pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


class Response:
    def __init__(self, status, body, json=False, headers=None):
        self.status = status
        self.body = body
        self.json = json
        self.headers = headers or []


class Route:
    def __init__(self, name, methods, auth=True, data=True):
        self.name = name  # e.g. /api/backupTaskSessions/{ID}
        self.segments = [part.lower() for part in name.strip('/').split('/')]
        self.methods = methods
        self.auth = auth
        self.data = data  # reads backup data: Restore Operators get 403

    def match(self, segments):
        if len(segments) != len(self.segments):
            return None
        ids = []
        for pattern, actual in zip(self.segments, segments):
            if pattern == '{id}':
                ids.append(actual)
            elif pattern != actual.lower():
                return None
        return ids


def _is_entity(req):
    value = req.param('format')
    if value is None or value.lower() in ('ref', 'reference', 'references'):
        return False
    if value.lower() in ('entity', 'entities'):
        return True
    raise ApiError(400, 'Format %r is not supported: use Entity.' % value)


def _ok(req, body, status=200, headers=None):
    return Response(status, body, req.json, headers)


def root(req):
    return _ok(req, req.writer().enterprise_manager(resources.SUPPORTED_VERSIONS))


def logon(req):
    sim = req.sim
    account = authenticate(sim.accounts, req.headers.get('Authorization'))
    if account is None:
        sim.stats.add('failed_logons')
        raise ApiError(401, 'Authentication failed: wrong user name or password, or the account has no Enterprise Manager role.',
                       [('WWW-Authenticate', 'Basic Realm=RestSvc')])
    version = req.param('v')
    if version is not None and version.lower() != 'latest':
        wanted = version.lower() if version.lower().startswith('v') else 'v' + version.lower()
        if wanted not in resources.SUPPORTED_VERSIONS:
            raise ApiError(400, 'API version %r is not supported. Supported: latest, %s.' % (version, ', '.join(resources.SUPPORTED_VERSIONS)))
    session = sim.sessions.create(account)
    sim.stats.add('logons')
    # The trailing `;` is how EM's documentation shows the header.
    headers = [(TOKEN, session.token), ('Set-Cookie', '%s=%s; Path=/api;' % (TOKEN, session.token))]
    return _ok(req, req.writer().document(resources.logon_session(session)), 201, headers)


def _visible_sessions(req):
    account = req.session.account
    return [session for session in req.sim.sessions.active()
            if account.role == 'PortalAdministrator' or session.account is account]


def logon_sessions(req):
    return _ok(req, req.writer().logon_sessions([resources.logon_session(session) for session in _visible_sessions(req)]))


def logon_session(req, session_id):
    for session in _visible_sessions(req):
        if session.session_id == session_id.lower():
            return _ok(req, req.writer().document(resources.logon_session(session)))
    raise ApiError(404, 'The logon session was not found.')


def logoff(req, session_id):
    if not req.sim.sessions.delete(session_id, req.session.account):
        raise ApiError(404, 'The logon session was not found.')
    req.sim.stats.add('logoffs')
    return Response(204, None, req.json)


def _nodes(req, build, records):
    """Nodes of records, read under the data lock: a live session that finishes meanwhile is seen before or
    after, never half-way."""
    with req.sim.dataset.lock:
        return [build(record) for record in records]


def _task_list(req, tasks):
    writer = req.writer()
    if _is_entity(req):
        req.sim.stats.add('entities_served', len(tasks))
        return _ok(req, writer.collection('BackupTaskSessions', _nodes(req, resources.task_session_entity, tasks)))
    req.sim.stats.add('references_served', len(tasks))
    return _ok(req, writer.references(_nodes(req, resources.task_session_ref, tasks)))


def task_sessions(req):
    with req.sim.dataset.lock:
        tasks = req.sim.dataset.recent_tasks()
    return _task_list(req, tasks)


def task_session(req, task_id):
    task = req.sim.dataset.task_by_id.get(task_id.lower())
    if task is None:
        raise ApiError(404, 'Backup task session [%s] was not found.' % task_id)
    if _is_entity(req):
        req.sim.stats.add('entities_served')
        return _ok(req, req.writer().document(_nodes(req, resources.task_session_entity, [task])[0]))
    req.sim.stats.add('references_served')
    return _ok(req, req.writer().document(resources.task_session_ref(task, 'EntityRef')))


def _job_session_or_404(req, session_id):
    session = req.sim.dataset.job_session_by_id.get(session_id.lower())
    if session is None:
        raise ApiError(404, 'Backup job session [%s] was not found.' % session_id)
    return session


def job_sessions(req):
    with req.sim.dataset.lock:
        sessions = req.sim.dataset.recent_job_sessions()
    if _is_entity(req):
        return _ok(req, req.writer().collection('BackupJobSessions', _nodes(req, resources.job_session_entity, sessions)))
    return _ok(req, req.writer().references([resources.job_session_ref(item) for item in sessions]))


def job_session(req, session_id):
    session = _job_session_or_404(req, session_id)
    if _is_entity(req):
        return _ok(req, req.writer().document(_nodes(req, resources.job_session_entity, [session])[0]))
    return _ok(req, req.writer().document(resources.job_session_ref(session, 'EntityRef')))


def job_session_tasks(req, session_id):
    session = _job_session_or_404(req, session_id)
    start = req.sim.dataset.window_start
    with req.sim.dataset.lock:
        tasks = [task for task in session.tasks if task.creation >= start]
    return _task_list(req, tasks)


def backup_servers(req):
    servers = req.sim.dataset.servers
    if _is_entity(req):
        return _ok(req, req.writer().collection('BackupServers', [resources.backup_server_entity(server) for server in servers]))
    return _ok(req, req.writer().references([resources.backup_server_ref(server) for server in servers]))


def backup_server(req, server_id):
    server = req.sim.dataset.server_by_id.get(server_id.lower())
    if server is None:
        raise ApiError(404, 'Backup server [%s] was not found.' % server_id)
    if _is_entity(req):
        return _ok(req, req.writer().document(resources.backup_server_entity(server)))
    return _ok(req, req.writer().document(resources.backup_server_ref(server, 'EntityRef')))


def query(req):
    result = req.sim.query.run(req.params)
    tasks = result.query_type.name == 'BackupTaskSession'
    req.sim.stats.query(result.query_type.name)
    if result.query_type.name in restore_point_api.NODES:
        return _restore_point_query(req, result)
    if result.entities:
        build = resources.task_session_entity if tasks else resources.job_session_entity
        if tasks:
            req.sim.stats.add('entities_served', len(result.records))
        list_name = result.query_type.list_name
    else:
        build = resources.task_session_ref if tasks else resources.job_session_ref
        if tasks:
            req.sim.stats.add('references_served', len(result.records))
        list_name = None
    return _ok(req, req.writer().query_result(list_name, _nodes(req, build, result.records), result.paging))


def _restore_point_query(req, result):
    entity, reference = restore_point_api.NODES[result.query_type.name]
    list_name = result.query_type.list_name if result.entities else None
    nodes = _nodes(req, entity if result.entities else reference, result.records)
    return _ok(req, req.writer().query_result(list_name, nodes, result.paging))


def vm_restore_point(req, point_id):
    return _ok(req, req.writer().document(restore_point_api.vm_restore_point(req, point_id, _is_entity(req))))


def agent_restore_point(req, point_id):
    return _ok(req, req.writer().document(restore_point_api.agent_restore_point(req, point_id, _is_entity(req))))


ROUTES = [
    Route('/api/', {'GET': root}, auth=False, data=False),
    Route('/api/sessionMngr', {'POST': logon}, auth=False, data=False),
    Route('/api/logonSessions', {'GET': logon_sessions}, data=False),
    Route('/api/logonSessions/{ID}', {'GET': logon_session, 'DELETE': logoff}, data=False),
    Route('/api/backupTaskSessions', {'GET': task_sessions}),
    Route('/api/backupTaskSessions/{ID}', {'GET': task_session}),
    Route('/api/backupSessions', {'GET': job_sessions}),
    Route('/api/backupSessions/{ID}', {'GET': job_session}),
    Route('/api/backupSessions/{ID}/taskSessions', {'GET': job_session_tasks}),
    Route('/api/backupServers', {'GET': backup_servers}),
    Route('/api/backupServers/{ID}', {'GET': backup_server}),
    Route('/api/query', {'GET': query}),
    Route('/api/vmRestorePoints/{ID}', {'GET': vm_restore_point}),
    Route('/api/agents/agentRestorePoints/{ID}', {'GET': agent_restore_point}),
]


def find_route(path):
    """(route or None, ids) for a URL path."""
    segments = [unquote(part) for part in path.split('/') if part]
    for route in ROUTES:
        ids = route.match(segments)
        if ids is not None:
            return route, ids
    return None, []


def is_auth_request(route, method):
    """The logon POST and the logoff DELETE: spared by fault injection unless --faults-on-auth."""
    return route is not None and ((route.name == '/api/sessionMngr' and method == 'POST') or
                                  (route.name == '/api/logonSessions/{ID}' and method == 'DELETE'))


def handle(req, route, ids):
    """Run a matched (or unmatched) route; ApiError becomes an Error body."""
    try:
        if route is None:
            raise ApiError(404, 'The resource %s was not found.' % req.path)
        action = route.methods.get(req.method)
        if action is None:
            raise ApiError(405, 'Method %s is not allowed for %s.' % (req.method, route.name),
                           [('Allow', ', '.join(sorted(route.methods)))])
        if route.auth:
            token = req.token()
            req.session = req.sim.sessions.use(token) if token else None
            if req.session is None:
                raise ApiError(401, 'Authentication failed: the X-RestSvcSessionId token is missing, unknown or expired. Log on again.')
            if route.data and req.session.account.role not in READ_ROLES:
                raise ApiError(403, 'Access denied. The account has no rights to read backup sessions.')
        return action(req, *ids)
    except ApiError as exc:
        return error_response(req, exc)


def error_response(req, exc):
    writer = req.writer()
    return Response(exc.status, writer.error(exc.status, exc.message), req.json, exc.headers)
