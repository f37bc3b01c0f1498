# -*- coding: utf-8 -*-
# The servers the reliability suite talks to, all on loopback inside the pytest process:
# - Simulator: tests/em_simulator wired exactly as server.py wires it (its own argument parser, so the
#   fault options are the real command line options), with a session store that records every token
#   and SessionId it issues, so the suite can prove they never reach any Ansible output;
# - FakeEM: a tiny EM look-alike that logs on normally and then answers the query with a broken body
#   (malformed, truncated, HTML, empty, DOCTYPE/entities, ...), which the simulator never does.
# Both serve GET /__simulator/stats with active_sessions, so every scenario checks logoffs the same way.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import importlib.util
import json
import os
import socket
import ssl
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIM_DIR = REPO / 'tests' / 'em_simulator'
NOW = '2025-10-12T14:00:00Z'  # fixed simulator clock: the same data on every run


def _load_server_module():
    spec = importlib.util.spec_from_file_location('reliability_em_server', SIM_DIR / 'server.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # puts tests/em_simulator on sys.path, so `emsim` imports below work
    return module


em_server = _load_server_module()

from emsim import accounts as em_accounts  # noqa: E402  pylint: disable=wrong-import-position
from emsim import tls as em_tls  # noqa: E402  pylint: disable=wrong-import-position
from emsim.app import Simulator as EmSimulator  # noqa: E402  pylint: disable=wrong-import-position
from emsim.dataset import build  # noqa: E402  pylint: disable=wrong-import-position
from emsim.faults import FaultPlan  # noqa: E402  pylint: disable=wrong-import-position
from emsim.http_server import SimulatorServer  # noqa: E402  pylint: disable=wrong-import-position
from emsim.logon_sessions import SessionStore  # noqa: E402  pylint: disable=wrong-import-position
from emsim.stats import Stats  # noqa: E402  pylint: disable=wrong-import-position


class Issued:
    """Every token and SessionId any server of this test session handed out (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.values = []

    def add(self, *values):
        with self.lock:
            self.values.extend(v for v in values if v)

    def snapshot(self):
        with self.lock:
            return list(self.values)


class RecordingSessionStore(SessionStore):
    def __init__(self, idle_timeout, expire_after_requests, issued):
        SessionStore.__init__(self, idle_timeout, expire_after_requests)
        self.issued = issued

    def create(self, account):
        session = SessionStore.create(self, account)
        self.issued.add(session.token, session.session_id)
        return session


def get_json(url, timeout=10):
    context = None
    if url.startswith('https'):
        context = ssl._create_unverified_context()  # nosec - only /__simulator on loopback, whatever its certificate
    with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # nosec - loopback test server
        return json.loads(response.read().decode('utf-8'))


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True)
    thread.start()
    return thread


class Simulator:
    """The EM simulator with the given server.py command line options, e.g. ['--fail-every', '3']."""

    def __init__(self, options, issued, tls_dir=None, users_file=None, mismatch_host=None):
        argv = ['--host', '127.0.0.1', '--port', '0', '--now', NOW] + list(options)
        if tls_dir:
            argv += ['--tls-dir', str(tls_dir)]
        if users_file:
            argv += ['--users', str(users_file)]
        args = em_server.parse_args(argv)
        self.options = list(options)
        self.args = args
        accounts = em_accounts.load_accounts(args.users) if args.users else em_accounts.default_accounts()
        self.dataset = build(args.sessions, args.seed, args.now, args.job_mix, args.vms)
        context = None
        if args.tls_dir:
            em_tls.make_certificates(args.tls_dir, args.tls_tool)
            context = em_tls.server_context(args.tls_dir)
        faults = FaultPlan(args.seed, args.fail_rate, args.fail_every, args.reset_every, args.stall_every, args.stall_seconds,
                           args.latency_ms, args.faults_on_auth)
        self.sim = EmSimulator(self.dataset, accounts, RecordingSessionStore(args.idle_timeout, args.expire_after_requests, issued),
                               faults, Stats(), camel=args.json_keys == 'camel', log_requests=args.log_requests,
                               max_page_size=args.max_page_size, bad_filter_status=args.bad_filter_status)
        self.sim.shutdown = self.stop
        self.scheme = 'https' if context else 'http'
        self.servers = [SimulatorServer((args.host, 0), self.sim, context)]
        # The same simulator on a second loopback address its certificate does not name (host name mismatch).
        if mismatch_host:
            self.servers.append(SimulatorServer((mismatch_host, 0), self.sim, context))
        self.threads = [_serve(server) for server in self.servers]
        self._stopped = False

    @property
    def port(self):
        return self.servers[0].server_address[1]

    @property
    def url(self):
        return '%s://127.0.0.1:%d' % (self.scheme, self.port)

    @property
    def mismatch_url(self):
        host, port = self.servers[1].server_address[:2]
        return '%s://%s:%d' % (self.scheme, host, port)

    def stats(self):
        return get_json(self.url + '/__simulator/stats')

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        for server in self.servers:
            server.shutdown()
            server.server_close()


# --- FakeEM --------------------------------------------------------------------------------------

EM_NS = 'http://www.veeam.com/ent/v1.0'


def _logon_body(base, session_id):
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<LogonSession xmlns="%s" Type="LogonSession" Href="%s/api/logonSessions/%s">'
            '<Links><Link Rel="Delete" Href="%s/api/logonSessions/%s" /></Links>'
            '<UserName>EM\\ansible</UserName><SessionId>%s</SessionId></LogonSession>'
            % (EM_NS, base, session_id, base, session_id, session_id)).encode('utf-8')


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Microsoft-HTTPAPI/2.0'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # quiet: a test server

    def _send(self, status, body, content_type, headers=(), length=None):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if content_type:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body) if length is None else length))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        self._dispatch()

    def do_GET(self):  # noqa: N802
        self._dispatch()

    def do_DELETE(self):  # noqa: N802
        self._dispatch()

    def _dispatch(self):
        fake = self.server.fake
        length = self.headers.get('Content-Length')
        if length and length.isdigit():
            self.rfile.read(int(length))
        path = self.path.split('?', 1)[0].rstrip('/').lower()
        if path.startswith('/__simulator/stats'):
            self._send(200, json.dumps(fake.stats()).encode('utf-8'), 'application/json')
            return
        fake.count(self.command, path)
        if path.startswith('/__fetched'):  # where the external entities point: must never be asked for
            self._send(200, b'FETCHED-BY-THE-CLIENT', 'text/plain')
            return
        if fake.mode == 'not_found':
            self._send(404, b'{"error": "Not Found", "status": 404}', 'application/json')
            return
        if self.command == 'POST' and path == '/api/sessionmngr':
            if fake.mode == 'redirect_logon':  # e.g. a load balancer sending clients elsewhere
                self._send(302, b'', None, headers=[('Location', fake.url + '/__fetched/redirected')])
                return
            if fake.mode == 'logon_html':
                self._send(200, fake.body('logon_html'), 'text/html; charset=utf-8')
                return
            token, session_id = fake.logon()
            base = 'http://%s' % (self.headers.get('Host') or '127.0.0.1')
            self._send(201, _logon_body(base, session_id), 'application/xml; charset=utf-8',
                       headers=[('X-RestSvcSessionId', token), ('Set-Cookie', 'X-RestSvcSessionId=%s; Path=/api' % token)])
            return
        if self.command == 'DELETE' and path.startswith('/api/logonsessions/'):
            fake.logoff(path.rsplit('/', 1)[-1], self.headers.get('X-RestSvcSessionId'))
            self.send_response(204)
            self.end_headers()
            return
        token = self.headers.get('X-RestSvcSessionId')
        if fake.mode == 'reject_token':  # every token is refused at once, as if it expired: EM forgets it
            fake.expire(token)
        if not fake.authenticated(token):
            self._send(401, b'<Error xmlns="%s" Message="The session has expired." StatusCode="401" />' % EM_NS.encode(), 'application/xml')
            return
        fake.answer(self)


class FakeEM:
    """An EM look-alike whose logon works and whose every other answer is `mode` (see BODIES)."""

    def __init__(self, mode, issued):
        self.mode = mode
        self.issued = issued
        self.lock = threading.Lock()
        self.sessions = {}  # session id -> token
        self.logons = 0
        self.logoffs = 0
        self.requests = {}
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), FakeHandler)
        self.server.daemon_threads = True
        self.server.fake = self
        self.thread = _serve(self.server)

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def count(self, method, path):
        key = '%s %s' % (method, path)
        with self.lock:
            self.requests[key] = self.requests.get(key, 0) + 1

    def logon(self):
        token = base64.b64encode(os.urandom(16)).decode('ascii')
        session_id = str(uuid.uuid4())
        self.issued.add(token, session_id)
        with self.lock:
            self.sessions[session_id] = token
            self.logons += 1
        return token, session_id

    def logoff(self, session_id, token):
        with self.lock:
            if self.sessions.get(session_id) == token:
                del self.sessions[session_id]
                self.logoffs += 1

    def expire(self, token):
        with self.lock:
            for session_id, known in list(self.sessions.items()):
                if known == token:
                    del self.sessions[session_id]

    def authenticated(self, token):
        with self.lock:
            return token in self.sessions.values()

    def stats(self):
        with self.lock:
            return {'active_sessions': len(self.sessions), 'logons': self.logons, 'logoffs': self.logoffs,
                    'requests': sum(self.requests.values()), 'routes': dict(sorted(self.requests.items()))}

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def body(self, mode=None):
        return BODIES[mode or self.mode](self)

    def answer(self, handler):
        mode = self.mode
        if mode == 'truncated_body':
            # Content-Length promises more than arrives, then the connection closes.
            body = self.body('good_page')
            handler.close_connection = True
            handler._send(200, body[:len(body) // 2], 'application/xml; charset=utf-8', length=len(body))
            return
        status, content_type = ANSWERS[mode]
        handler._send(status, self.body(), content_type)


_GOOD_PAGE = ('<?xml version="1.0" encoding="utf-8"?>\n<QueryResult xmlns="%s"><Entities><BackupTaskSessions>'
              '<BackupTaskSession Type="BackupTaskSession" Href="http://em/api/backupTaskSessions/3f1b0c52-5d1e-4c39-9d8e-0b6f7e0d2a11'
              '?format=Entity" Name="vm01@2025-10-12 01:00:00" UID="urn:veeam:BackupTaskSession:3f1b0c52-5d1e-4c39-9d8e-0b6f7e0d2a11" '
              'VmDisplayName="vm01"><JobSessionUid>urn:veeam:BackupJobSession:7a2e7c1e-95a4-4b4e-9a51-1f0f3c7f2b22</JobSessionUid>'
              '<CreationTimeUTC>2025-10-12T01:00:00Z</CreationTimeUTC><EndTimeUTC>2025-10-12T01:05:00Z</EndTimeUTC>'
              '<State>Completed</State><Result>Success</Result><Reason /><TotalSize>1073741824</TotalSize></BackupTaskSession>'
              '</BackupTaskSessions></Entities><PagingInfo PageNum="1" PageSize="1000" PagesCount="1" /></QueryResult>') % EM_NS

_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE QueryResult [\n <!ENTITY lol "lol">\n'
           + ''.join(' <!ENTITY lol%d "%s">\n' % (n, ('&lol%d;' % (n - 1) if n > 1 else '&lol;') * 10) for n in range(1, 10))
           + ']>\n<QueryResult xmlns="%s"><Entities><BackupTaskSessions><BackupTaskSession Name="&lol9;" /></BackupTaskSessions>'
             '</Entities></QueryResult>' % EM_NS)


def _external_entity(fake):
    return ('<?xml version="1.0"?>\n<!DOCTYPE QueryResult [\n <!ENTITY xxe SYSTEM "%s/__fetched/xxe">\n'
            ' <!ENTITY local SYSTEM "file:///etc/passwd">\n]>\n<QueryResult xmlns="%s"><Entities><BackupTaskSessions>'
            '<BackupTaskSession Name="&xxe;&local;" /></BackupTaskSessions></Entities></QueryResult>' % (fake.url, EM_NS))


def _parameter_entity(fake):
    return ('<?xml version="1.0"?>\n<!DOCTYPE QueryResult SYSTEM "%s/__fetched/dtd" [\n <!ENTITY %% remote SYSTEM "%s/__fetched/param">\n'
            ' %%remote;\n]>\n<QueryResult xmlns="%s" />' % (fake.url, fake.url, EM_NS))


PROXY_PAGE = ('<!DOCTYPE html>\n<html><head><title>Proxy Authentication Required</title></head><body>'
              '<h1>Access denied by the corporate proxy</h1><p>Log in to continue.</p></body></html>')

BODIES = {
    'good_page': lambda fake: _GOOD_PAGE.encode('utf-8'),
    'malformed_xml': lambda fake: _GOOD_PAGE.replace('</BackupTaskSessions>', '</BackupTaskSession>', 1).encode('utf-8'),
    'truncated_xml': lambda fake: _GOOD_PAGE[:len(_GOOD_PAGE) // 2].encode('utf-8'),
    'proxy_html': lambda fake: PROXY_PAGE.encode('utf-8'),
    'proxy_html_502': lambda fake: PROXY_PAGE.replace('Proxy Authentication Required', '502 Bad Gateway').encode('utf-8'),
    'logon_html': lambda fake: PROXY_PAGE.encode('utf-8'),
    'empty_body': lambda fake: b'',
    'wrong_content_type': lambda fake: _GOOD_PAGE.encode('utf-8'),
    'billion_laughs': lambda fake: _LAUGHS.encode('utf-8'),
    'external_entity': lambda fake: _external_entity(fake).encode('utf-8'),
    'parameter_entity': lambda fake: _parameter_entity(fake).encode('utf-8'),
    'malformed_json': lambda fake: b'{"Refs": null, "Entities": {"BackupTaskSessions": {"BackupTaskSessions": [{"Name": "vm01@',
    'empty_json_object': lambda fake: b'{}',
}

ANSWERS = {
    'good_page': (200, 'application/xml; charset=utf-8'),
    'malformed_xml': (200, 'application/xml; charset=utf-8'),
    'truncated_xml': (200, 'application/xml; charset=utf-8'),
    'proxy_html': (200, 'text/html; charset=utf-8'),
    'proxy_html_502': (502, 'text/html; charset=utf-8'),
    'empty_body': (200, 'application/xml'),
    'wrong_content_type': (200, 'application/octet-stream'),
    'billion_laughs': (200, 'application/xml'),
    'external_entity': (200, 'application/xml'),
    'parameter_entity': (200, 'application/xml'),
    'malformed_json': (200, 'application/json; charset=utf-8'),
    'empty_json_object': (200, 'application/json; charset=utf-8'),
}


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
