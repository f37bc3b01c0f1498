# -*- coding: utf-8 -*-
# Typed errors of the EM client: each one carries a message that says what to do, and renders
# itself for AnsibleModule.fail_json() or as an AnsibleError (for the lookup plugin).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

REDACTED = '********'

# Hint texts that several errors and warnings share.
HTTPS_HINT = ('The port most likely speaks TLS: use https:// in url (Enterprise Manager serves its REST API over HTTPS, '
              'port 9398 by default).')
EM_ROLES = 'Portal Administrator, Portal User or Restore Operator'
ROLE_HINT = 'The account needs an EM role: %s.' % EM_ROLES
NOT_EM_HINT = ('This is not an answer of Enterprise Manager: check that url points at EM (port 9398) '
               'and not at a proxy or another service.')
IDLE_EXPIRY = 'expires after 15 minutes idle'  # what EM does with a logon session left open
SESSION_EXPIRES = 'the logon session ' + IDLE_EXPIRY

# Opaque tokens and logon session ids must never reach a message, even through an exception text
# (a requests error names the URL, and the logoff URL holds the session id).
_LOGON_SESSION_PATH = re.compile(r'(logonSessions/)[^/?\s\'"]+', re.IGNORECASE)


def redact(text, secrets=()):
    """Return text with every secret (and any logon session id in a URL path) replaced."""
    if text is None:
        return text
    text = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _LOGON_SESSION_PATH.sub(r'\1' + REDACTED, text)


def shorten(text, limit=400):
    """text cut to about limit characters, saying how long it was (a query of many IDs, an exception
    text quoting a whole body)."""
    if text is None or len(text) <= limit:
        return text
    return '%s... (%d characters)' % (text[:limit], len(text))


class EMError(Exception):
    """Base class: a failure talking to Enterprise Manager, with a message meant for the user."""

    kind = 'error'
    # set on failures worth repeating a read for (a connection reset)
    transient = False

    def __init__(self, message, hint=None, status=None, url=None, em_message=None):
        self.message = message
        self.hint = hint
        self.status = status
        self.url = url
        self.em_message = em_message
        super(EMError, self).__init__(self.full_message)

    @property
    def full_message(self):
        parts = [self.message.rstrip()]
        if self.em_message:
            parts.append('EM said: %s' % self.em_message.strip())
        if self.hint:
            parts.append(self.hint.strip())
        return ' '.join(p if p.endswith(('.', ':', '?', '!')) else p + '.' for p in parts if p)

    def __str__(self):
        return self.full_message

    def details(self):
        """Machine-readable facts about the failure (never secrets)."""
        info = {'type': type(self).__name__, 'kind': self.kind}
        if self.status is not None:
            info['status'] = self.status
        if self.url:
            info['url'] = redact(self.url)
        if self.em_message:
            info['em_message'] = self.em_message
        return info

    def fail_json_kwargs(self):
        """Keyword arguments for AnsibleModule.fail_json()."""
        return {'msg': self.full_message, 'error': self.details()}

    def to_ansible_error(self, error_class):
        """The error as an instance of error_class (AnsibleError, AnsibleLookupError, ...) for
        controller-side plugins. The class comes from the caller: module_utils must not import
        ansible.errors, which does not exist where modules run."""
        return error_class(self.full_message)


class EMInputError(EMError):
    """A bad option value, detected before any request is sent."""
    kind = 'input'


class EMConnectionError(EMError):
    """No TCP/HTTP connection to EM (refused, unreachable, name not resolved, reset)."""
    kind = 'connection'


class EMTimeoutError(EMError):
    """EM did not answer within the configured timeout."""
    kind = 'timeout'


class EMWaitTimeoutError(EMTimeoutError):
    """Task sessions were still running when wait_timeout expired."""
    kind = 'wait_timeout'

    def __init__(self, message, hint=None, running=None):
        self.running = running or []
        super(EMWaitTimeoutError, self).__init__(message, hint=hint)

    def details(self):
        info = super(EMWaitTimeoutError, self).details()
        info['running'] = self.running
        return info


class EMTLSError(EMError):
    """TLS handshake or certificate verification failed."""
    kind = 'tls'


class EMAuthenticationError(EMError):
    """EM rejected the credentials or the logon session (HTTP 401)."""
    kind = 'authentication'


class EMAuthorizationError(EMError):
    """The account is known to EM but its role does not allow the request (HTTP 403)."""
    kind = 'authorization'


class EMNotFoundError(EMError):
    """HTTP 404: wrong URL/port, or an object EM does not know."""
    kind = 'not_found'


class EMQueryError(EMError):
    """HTTP 400 from the query service: EM rejected the filter or a query parameter."""
    kind = 'query'


class EMFilterError(EMQueryError):
    """EM refused a query filter (HTTP 400, or 500 with an Error body). The client knows the URL,
    the caller knows the options that built the filter: name_origin() adds them."""

    def name_origin(self, origin, hint=None):
        """Name the options the filter was built from (and give the hint that fits them)."""
        self.message = '%s The filter was built from %s.' % (self.message.rstrip(), origin)
        if hint:
            self.hint = hint
        self.args = (self.full_message,)
        return self


class EMServerError(EMError):
    """HTTP 5xx that persisted after the retries."""
    kind = 'server'


class EMProtocolError(EMError):
    """An answer that is not what EM sends: wrong content type, HTML from a proxy, empty or
    truncated body, a missing logon token, a paging loop."""
    kind = 'protocol'
