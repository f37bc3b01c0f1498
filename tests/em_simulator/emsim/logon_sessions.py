# Logon sessions: an opaque token (base64 of 16 random bytes, never derived from the SessionId GUID) per
# logon, idle expiry (--idle-timeout) and expiry after N authenticated requests (--expire-after-requests).
from __future__ import annotations

import base64
import os
import threading
import time
import uuid


class LogonSession:
    __slots__ = ('token', 'session_id', 'account', 'user_name', 'last_used', 'served')

    def __init__(self, account):
        self.token = base64.b64encode(os.urandom(16)).decode('ascii')
        self.session_id = str(uuid.uuid4())
        self.account = account
        self.user_name = account.username
        self.last_used = time.monotonic()
        self.served = 0


class SessionStore:
    def __init__(self, idle_timeout, expire_after_requests):
        self.idle_timeout = idle_timeout
        self.expire_after = expire_after_requests
        self.by_token = {}
        self.lock = threading.Lock()
        self.max_active = 0
        self.expired = 0

    def create(self, account):
        session = LogonSession(account)
        with self.lock:
            self._purge()
            self.by_token[session.token] = session
            self.max_active = max(self.max_active, len(self.by_token))
        return session

    def use(self, token):
        """The live session of `token`, counting this request; None when unknown or expired (then it is gone)."""
        with self.lock:
            session = self.by_token.get(token)
            if session is None:
                return None
            now = time.monotonic()
            idle = self.idle_timeout > 0 and now - session.last_used > self.idle_timeout
            worn = self.expire_after > 0 and session.served >= self.expire_after
            if idle or worn:
                del self.by_token[token]
                self.expired += 1
                return None
            session.last_used = now
            session.served += 1
            return session

    def delete(self, session_id, account):
        """Log off `session_id` if it belongs to `account`'s user; False when missing or someone else's."""
        with self.lock:
            for token, session in list(self.by_token.items()):
                if session.session_id.lower() == session_id.lower() and session.account is account:
                    del self.by_token[token]
                    return True
        return False

    def active(self):
        with self.lock:
            self._purge()
            return list(self.by_token.values())

    def reset_max(self):
        with self.lock:
            self._purge()
            self.max_active = len(self.by_token)
            self.expired = 0

    def _purge(self):
        if self.idle_timeout <= 0:
            return
        limit = time.monotonic() - self.idle_timeout
        for token in [token for token, session in self.by_token.items() if session.last_used < limit]:
            del self.by_token[token]
            self.expired += 1
