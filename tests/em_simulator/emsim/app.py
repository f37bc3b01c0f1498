# Everything one running simulator shares between its request threads.
from __future__ import annotations

import threading

from .catalog import build_catalog
from .query_service import QueryService


class Simulator:
    def __init__(self, dataset, accounts, sessions, faults, stats, camel=False, log_requests=False):
        self.dataset = dataset
        self.accounts = accounts
        self.sessions = sessions
        self.faults = faults
        self.stats = stats
        self.camel = camel
        self.log_requests = log_requests
        self.query = QueryService(dataset)
        self.shutdown = None  # set by the server: a callable that stops it
        self._catalog = None
        self._lock = threading.Lock()

    def catalog(self):
        with self._lock:
            if self._catalog is None:
                self._catalog = build_catalog(self.dataset)
            return self._catalog
