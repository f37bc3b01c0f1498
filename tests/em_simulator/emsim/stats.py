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
        # job actions received, by job name and action as sent (start, retry, ...): what a client asked EM to do
        self.job_actions = collections.defaultdict(collections.Counter)
        # requests being answered now, and the most at once since the last reset, by route: a client's concurrency
        self.in_flight = collections.Counter()
        self.max_in_flight = collections.Counter()
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

    def begin(self, route):
        with self.lock:
            self.in_flight[route] += 1
            self.max_in_flight[route] = max(self.max_in_flight[route], self.in_flight[route])

    def end(self, route):
        with self.lock:
            self.in_flight[route] -= 1

    def job_action(self, job_name, action):
        with self.lock:
            self.job_actions[job_name][action] += 1

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
                'job_actions': dict((name, dict(sorted(actions.items()))) for name, actions in sorted(self.job_actions.items())),
                'max_in_flight': dict((route, count) for route, count in sorted(self.max_in_flight.items()) if count),
            })
        return result

    def reset(self, store):
        with self.lock:
            self.counters = dict.fromkeys(_COUNTERS, 0)
            self.routes.clear()
            self.faults.clear()
            self.statuses.clear()
            self.queries.clear()
            self.job_actions.clear()
            # like max_active_sessions: the requests still being answered stay counted
            self.max_in_flight = collections.Counter(dict((route, count) for route, count in self.in_flight.items() if count))
        store.reset_max()
