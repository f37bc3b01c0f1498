# Start, query and stop the EM simulator (tests/em_simulator/server.py) for one benchmark
# configuration. Only the process started here is ever stopped.
from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
from urllib.parse import urlsplit


class Simulator(object):
    def __init__(self, python, server, workdir, sessions, seed, now, latency_ms=0, lifetime=3600, job_mix='real', vms=None):
        self.argv = [python, server, '--host', '127.0.0.1', '--port', '0', '--port-file', os.path.join(workdir, 'sim.port'),
                     '--sessions', str(sessions), '--seed', str(seed), '--now', now, '--lifetime', str(lifetime), '--job-mix', job_mix]
        if latency_ms:
            self.argv += ['--latency-ms', str(latency_ms)]
        if vms:
            self.argv += ['--vms', str(vms)]
        self.workdir = workdir
        self.port_file = os.path.join(workdir, 'sim.port')
        self.log_path = os.path.join(workdir, 'sim.log')
        self.process = None
        self.url = None
        self.start_seconds = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *unused):
        self.stop()
        return False

    @property
    def pid(self):
        return self.process.pid if self.process is not None else None

    def start(self, timeout=180):
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        started = time.monotonic()
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError('the simulator exited with %s; see %s' % (self.process.returncode, self.log_path))
            if os.path.exists(self.port_file):
                with open(self.port_file, encoding='ascii') as handle:
                    port = handle.read().strip()
                if port.isdigit():
                    self.url = 'http://127.0.0.1:%s' % port
                    self.stats()
                    self.start_seconds = time.monotonic() - started
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError('the simulator did not publish its port within %d s' % timeout)

    def _call(self, method, path, body=None):
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            if body is None:
                connection.request(method, path)
            else:
                connection.request(method, path, json.dumps(body), {'Content-Type': 'application/json'})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError('%s %s answered %d' % (method, path, response.status))
            return json.loads(body)
        finally:
            connection.close()

    def stats(self):
        return self._call('GET', '/__simulator/stats')

    def reset(self):
        return self._call('POST', '/__simulator/stats/reset')

    def post(self, path, body):
        """A control request with a JSON body (the job plan of a job control case)."""
        return self._call('POST', path, body)

    def catalog(self):
        return self._call('GET', '/__simulator/catalog')

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self._call('POST', '/__simulator/shutdown')
        except (OSError, RuntimeError, ValueError):
            pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
