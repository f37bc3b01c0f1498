# Helpers for the simulator's tests: start server.py as a real process on 127.0.0.1 (bounded by
# --lifetime), log on, read XML (namespace-aware) and JSON, and compare document structures.
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from xml.etree import ElementTree

import requests
import xmltodict

SERVER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'server.py')
NS = 'http://www.veeam.com/ent/v1.0'
NOW = '2025-10-12T14:00:00Z'
USER = 'EM\\ansible'
PASSWORD = 'ansible-demo'
TOKEN = 'X-RestSvcSessionId'
GUID = r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
TIME_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$')


class Sim:
    """One simulator process."""

    def __init__(self, workdir, args, sessions=3000, seed=7, now=NOW, lifetime=120, cwd=None, wait=True):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.port_file = os.path.join(workdir, 'port')
        self.args = list(args)
        argv = [sys.executable, SERVER, '--host', '127.0.0.1', '--port', '0', '--port-file', self.port_file,
                '--sessions', str(sessions), '--seed', str(seed), '--lifetime', str(lifetime)]
        if now:
            argv += ['--now', now]
        self.stdout_path = os.path.join(workdir, 'stdout')
        self.stderr_path = os.path.join(workdir, 'stderr')
        with open(self.stdout_path, 'wb') as out, open(self.stderr_path, 'wb') as err:
            self.proc = subprocess.Popen(argv + self.args, cwd=cwd or workdir, stdout=out, stderr=err)
        self.tls_dir = None
        if '--tls-dir' in self.args:
            self.tls_dir = self.args[self.args.index('--tls-dir') + 1]
        self.scheme = 'https' if self.tls_dir else 'http'
        self.port = None
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.port_file):
                with open(self.port_file, encoding='ascii') as handle:
                    text = handle.read().strip()
                if text:
                    self.port = int(text)
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError('simulator did not start: %s' % self.stderr())

    def stderr(self):
        with open(self.stderr_path, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def stdout(self):
        with open(self.stdout_path, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    @property
    def base(self):
        return '%s://127.0.0.1:%d' % (self.scheme, self.port)

    def url(self, path):
        return self.base + path

    def verify(self):
        return os.path.join(self.tls_dir, 'ca.pem') if self.tls_dir else True

    def request(self, method, path, token=None, accept=None, headers=None, session=None, **kwargs):
        all_headers = dict(headers or {})
        if token is not None:
            all_headers[TOKEN] = token
        if accept is not None:
            all_headers['Accept'] = accept
        sender = session or requests
        kwargs.setdefault('timeout', 30)
        kwargs.setdefault('verify', self.verify())
        return sender.request(method, self.url(path), headers=all_headers, **kwargs)

    def get(self, path, token=None, accept=None, **kwargs):
        return self.request('GET', path, token, accept, **kwargs)

    def logon(self, user=USER, password=PASSWORD, version='latest', accept=None):
        response = self.request('POST', '/api/sessionMngr/?v=%s' % version, accept=accept, auth=(user, password))
        assert response.status_code == 201, response.text
        return response.headers[TOKEN], response

    def session_id(self, logon_response):
        return xml(logon_response)['LogonSession']['SessionId']

    def logoff(self, token, logon_response):
        return self.request('DELETE', '/api/logonSessions/%s' % self.session_id(logon_response), token)

    def stats(self):
        return self.get('/__simulator/stats').json()

    def reset_stats(self):
        return self.request('POST', '/__simulator/stats/reset').json()

    def catalog(self):
        return self.get('/__simulator/catalog').json()

    def request_stop(self):
        if self.proc.poll() is None:
            try:
                self.request('POST', '/__simulator/shutdown', timeout=5)
            except requests.RequestException:
                pass

    def wait_stopped(self):
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # our own child process, by its handle
            self.proc.wait(timeout=10)

    def stop(self):
        self.request_stop()
        self.wait_stopped()


def xml(response_or_text):
    """EM XML -> dict (xmltodict, EM namespace mapped to bare names, xmlns declarations dropped).

    xmltodict strips leading and trailing whitespace of text; tests of verbatim text use ElementTree.
    """
    text = response_or_text.content if hasattr(response_or_text, 'content') else response_or_text
    return _drop_xmlns(xmltodict.parse(text, process_namespaces=True, namespaces={NS: None}, force_list=_in_a_list))


# Elements that repeat inside their parent: always lists, even when there is one (a root never is).
_LIST_TAGS = ('Link', 'Ref', 'BackupTaskSession', 'BackupJobSession', 'LogonSession', 'SupportedVersion', 'BackupServer')


def _in_a_list(path, key, value):
    return bool(path) and key in _LIST_TAGS


def _drop_xmlns(value):
    if isinstance(value, dict):
        return dict((key, _drop_xmlns(item)) for key, item in value.items() if key != '@xmlns')
    if isinstance(value, list):
        return [_drop_xmlns(item) for item in value]
    return value


def all_elements_in_em_namespace(content):
    root = ElementTree.fromstring(content)
    return all(element.tag.startswith('{%s}' % NS) for element in root.iter())


def query(sim, token, accept=None, **params):
    return sim.get('/api/query', token, accept, params=params)


def query_all(sim, token, query_type='BackupTaskSession', **params):
    """Every record of a JSON entities query (one big page)."""
    params.setdefault('pageSize', 1000000)
    response = query(sim, token, 'application/json', type=query_type, format='Entities', **params)
    assert response.status_code == 200, response.text
    list_name = query_type + 's'
    entities = response.json()['Entities']
    return entities[list_name][list_name]


def load_json(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)
