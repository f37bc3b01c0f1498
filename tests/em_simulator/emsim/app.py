# Everything one running simulator shares between its request threads.
from __future__ import annotations

import threading

from .catalog import build_catalog
from .jobs_api import register as register_jobs
from .jobs_control import JobControl
from .live import LiveSessions
from .query_service import QueryService


class Simulator:
    """camel: EM 13 style (camelCase JSON keys, session names with fractional seconds); max_page_size and
    bad_filter_status: see QueryService."""

    def __init__(self, dataset, accounts, sessions, faults, stats, camel=False, log_requests=False, max_page_size=0,
                 bad_filter_status=400, job_run_seconds=2.0):
        if camel:
            dataset.use_em13_names()
        self.dataset = dataset
        self.accounts = accounts
        self.sessions = sessions
        self.faults = faults
        self.stats = stats
        self.camel = camel
        self.log_requests = log_requests
        self.query = QueryService(dataset, max_page_size=max_page_size, bad_filter_status=bad_filter_status)
        self.live = LiveSessions(dataset)
        self.jobs = JobControl(dataset, job_run_seconds)  # job actions, tasks, quick backup (jobs_api.py)
        register_jobs(self.query, self.jobs)
        self.shutdown = None  # set by the server: a callable that stops it
        self._catalog = None
        self._catalog_generation = None
        self._lock = threading.Lock()

    def catalog(self):
        """Built once, and again after live sessions changed the data."""
        with self._lock:
            with self.dataset.lock:
                if self._catalog is None or self._catalog_generation != self.dataset.generation:
                    self._catalog_generation = self.dataset.generation
                    self._catalog = build_catalog(self.dataset)
            return self._catalog
