# Counters behind GET /__simulator/stats. Only /api requests are counted (the /__simulator endpoints
# themselves are not), so tests can read and reset them without disturbing what they measure.
from __future__ import annotations

import collections
import threading

_COUNTERS = ('requests', 'logons', 'logoffs', 'failed_logons', 'entities_served', 'references_served')


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counters = dict.fromkeys(_COUNTERS, 0)
        self.routes = collections.Counter()
        self.faults = collections.Counter()
        self.statuses = collections.Counter()
        self.queries = collections.Counter()  # answered query pages by type (BackupTaskSession, BackupJobSession)
        self.since_start = dict.fromkeys(('logons', 'logoffs'), 0)  # never reset

    def add(self, name, amount=1):
        with self.lock:
            self.counters[name] += amount
            if name in self.since_start:
                self.since_start[name] += amount

    def request(self, route):
        with self.lock:
            self.counters['requests'] += 1
            self.routes[route] += 1

    def query(self, type_name):
        with self.lock:
            self.queries[type_name] += 1

    def fault(self, kind):
        with self.lock:
            self.faults[kind] += 1

    def status(self, code):
        with self.lock:
            self.statuses[str(code)] += 1

    def snapshot(self, store):
        active = store.active()
        with self.lock:
            result = dict(self.counters)
            result.update({
                'active_sessions': len(active),
                'logons_total': self.since_start['logons'],
                'logoffs_total': self.since_start['logoffs'],
                'max_active_sessions': store.max_active,
                'expired_sessions': store.expired,
                'routes': dict(sorted(self.routes.items())),
                'faults': dict(sorted(self.faults.items())),
                'statuses': dict(sorted(self.statuses.items())),
                'queries': dict(sorted(self.queries.items())),
            })
        return result

    def reset(self, store):
        with self.lock:
            self.counters = dict.fromkeys(_COUNTERS, 0)
            self.routes.clear()
            self.faults.clear()
            self.statuses.clear()
            self.queries.clear()
        store.reset_max()
