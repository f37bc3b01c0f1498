# The HTTP(S) plumbing: a threading HTTP/1.1 server (TLS per connection, in the connection's own thread),
# the request handler that applies fault injection and latency to /api requests, and the unauthenticated
# test endpoints under /__simulator.
from __future__ import annotations

import json
import socket
import ssl
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import api
from .errors import ApiError
from .live import LiveError

_MAX_BODY = 1024 * 1024  # a /__simulator request body is read up to this size; /api bodies are discarded

_QUIET_ERRORS = (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError)


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, sim, ssl_context=None):
        self.sim = sim
        self.ssl_context = ssl_context
        ThreadingHTTPServer.__init__(self, address, Handler)

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            ThreadingHTTPServer.finish_request(self, request, client_address)
            return
        request.settimeout(15)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # plain HTTP, a client that rejected the certificate, or a dropped connection
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], _QUIET_ERRORS):
            return
        ThreadingHTTPServer.handle_error(self, request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Microsoft-HTTPAPI/2.0'
    timeout = 120  # idle keep-alive connections end after this

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        # Request lines only (never headers, so no credentials or tokens), and only with --log-requests.
        if self.server.sim.log_requests:
            sys.stderr.write('%s %s\n' % (self.log_date_time_string(), format % args))

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def do_OPTIONS(self):
        self._dispatch()

    # --- dispatch -------------------------------------------------------------------------------
    def _dispatch(self):
        self.body = self._read_body()
        parts = urlsplit(self.path)
        path = parts.path or '/'
        if path.startswith('/__simulator'):
            self._simulator(path)
        elif path.lower() == '/api' or path.lower().startswith('/api/'):
            self._api(path, parts.query)
        else:
            self._send(404, b'<html><body><h1>Not Found</h1></body></html>', 'text/html')

    def _read_body(self):
        """The request body (the first _MAX_BODY bytes; the rest is read and dropped)."""
        length = self.headers.get('Content-Length')
        remaining = int(length) if length and length.isdigit() else 0
        kept = []
        size = 0
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)
            if size < _MAX_BODY:
                kept.append(chunk[:_MAX_BODY - size])
                size += len(kept[-1])
        return b''.join(kept)

    def _base(self):
        scheme = 'https' if self.server.ssl_context is not None else 'http'
        host = self.headers.get('Host')
        if not host:
            host = '%s:%d' % self.server.server_address[:2]
        return '%s://%s' % (scheme, host)

    def _api(self, path, query):
        sim = self.server.sim
        route, ids = api.find_route(path)
        route_name = '%s %s' % (self.command, route.name if route else '(unknown)')
        sim.stats.request(route_name)
        sim.stats.begin(route_name)
        try:
            self._answer(sim, route, ids, path, query)
        finally:
            sim.stats.end(route_name)

    def _answer(self, sim, route, ids, path, query):
        decision = sim.faults.decide(api.is_auth_request(route, self.command))
        if decision.reset:
            sim.stats.fault('reset_every')
            self._drop()
            return
        if decision.stall:
            sim.stats.fault('stall_every')
            time.sleep(sim.faults.stall_seconds)
        if sim.faults.latency:
            time.sleep(sim.faults.latency)
        req = api.Request(sim, self.command, path, query, self.headers, self._base())
        req.body = self.body
        if decision.fail:
            sim.stats.fault(decision.fail)
            response = api.error_response(req, ApiError(503, 'The service is unavailable (simulated fault, request %d).' % decision.number))
        else:
            response = api.handle(req, route, ids)
        sim.stats.status(response.status)
        body = response.body.encode('utf-8') if response.body is not None else b''
        self._send(response.status, body, 'application/json' if response.json else 'application/xml', response.headers)

    def _drop(self):
        """Close the connection without an answer (a reset: SO_LINGER 0 makes close() send RST)."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass
        self.close_connection = True

    def _send(self, status, body, content_type, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 204:
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if body and status != 204 and self.command != 'HEAD':
            self.wfile.write(body)

    # --- /__simulator ---------------------------------------------------------------------------
    def _simulator(self, path):
        sim = self.server.sim
        endpoints = {
            '/__simulator/stats': ('GET', lambda: sim.stats.snapshot(sim.sessions)),
            '/__simulator/stats/reset': ('POST', self._reset),
            '/__simulator/catalog': ('GET', sim.catalog),
            '/__simulator/shutdown': ('POST', self._shutdown),
            '/__simulator/task-sessions': ('POST', self._new_task_session),
            '/__simulator/job-plan': ('POST', self._job_plan),
        }
        endpoint = endpoints.get(path.rstrip('/'))
        status = 200
        if endpoint is None:
            status, payload = 404, {'error': 'unknown simulator endpoint %s' % path}
        elif endpoint[0] != self.command:
            status, payload = 405, {'error': '%s needs %s' % (path, endpoint[0])}
        else:
            try:
                payload = endpoint[1]()
            except LiveError as exc:
                status, payload = 400, {'error': str(exc)}
            if endpoint[1] == self._new_task_session and status == 200:
                status = 201
        headers = [('Allow', endpoint[0])] if status == 405 else []
        self._send(status, json.dumps(payload, ensure_ascii=False).encode('utf-8'), 'application/json', headers)
        if status == 200 and endpoint[1] == self._shutdown:
            sim.shutdown()  # only now: the answer is out before the process ends

    def _new_task_session(self):
        try:
            body = json.loads(self.body.decode('utf-8')) if self.body.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise LiveError('The body is not JSON (%s).' % exc)
        return self.server.sim.live.create(body)

    def _job_plan(self):
        try:
            body = json.loads(self.body.decode('utf-8')) if self.body.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise LiveError('The body is not JSON (%s).' % exc)
        return self.server.sim.jobs.configure(body)

    def _reset(self):
        sim = self.server.sim
        sim.stats.reset(sim.sessions)
        sim.faults.reset()
        return sim.stats.snapshot(sim.sessions)

    def _shutdown(self):
        self.close_connection = True
        return {'shutting_down': True}
