# Fault injection for /api requests. Eligible requests are numbered 1, 2, 3, ... (the logon POST and the
# logoff DELETE are not eligible unless --faults-on-auth); request n is dropped when n % reset_every == 0,
# stalled when n % stall_every == 0, and answered 503 when n % fail_every == 0 or a seeded draw < fail_rate.
from __future__ import annotations

import random
import threading


class Decision:
    __slots__ = ('number', 'reset', 'stall', 'fail')

    def __init__(self, number, reset, stall, fail):
        self.number = number
        self.reset = reset
        self.stall = stall
        self.fail = fail  # None, 'fail_every' or 'fail_rate'


class FaultPlan:
    def __init__(self, seed, fail_rate=0.0, fail_every=0, reset_every=0, stall_every=0, stall_seconds=30.0, latency_ms=0,
                 on_auth=False):
        self.seed = seed
        self.fail_rate = fail_rate
        self.fail_every = fail_every
        self.reset_every = reset_every
        self.stall_every = stall_every
        self.stall_seconds = stall_seconds
        self.latency = latency_ms / 1000.0
        self.on_auth = on_auth
        self.lock = threading.Lock()
        self.number = 0
        self.rng = random.Random('emsim:%d:faults' % seed)

    def eligible(self, is_auth):
        return self.on_auth or not is_auth

    def decide(self, is_auth):
        """Number this request (when eligible) and say which faults hit it."""
        if not self.eligible(is_auth):
            return Decision(0, False, False, None)
        with self.lock:
            self.number += 1
            number = self.number
            drawn = self.rng.random() if self.fail_rate > 0 else 1.0
        fail = None
        if self.fail_every and number % self.fail_every == 0:
            fail = 'fail_every'
        elif drawn < self.fail_rate:
            fail = 'fail_rate'
        return Decision(number, bool(self.reset_every and number % self.reset_every == 0),
                        bool(self.stall_every and number % self.stall_every == 0), fail)

    def reset(self):
        """Start numbering again from 1 with a fresh seeded draw sequence."""
        with self.lock:
            self.number = 0
            self.rng = random.Random('emsim:%d:faults' % self.seed)
