# -*- coding: utf-8 -*-
# What an HTTP status or a requests/socket exception from Enterprise Manager means, as the typed
# errors of errors.py with a hint that says what to do. Plain functions: the caller passes the
# secrets to keep out of every message (password, token, logon session id).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import http.client
import socket
from urllib.parse import urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import DEFAULT_HTTPS_PORT, VBR_REST_PORT
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.credential_hints import credential_hint, printable
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMAuthenticationError, EMAuthorizationError, EMConnectionError, EMError, EMNotFoundError, EMProtocolError, EMQueryError, EMServerError,
    EMTimeoutError, EMTLSError, EM_ROLES, HTTPS_HINT, ROLE_HINT, redact, shorten,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_errors import filter_error
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import excerpt, parse_response

try:
    from requests import exceptions as requests_errors
except ImportError:
    requests_errors = None  # EMClient refuses to start without requests, so nothing here runs then

_TLS_PORT_WORDS = ('wrong version number', 'unknown protocol', 'record layer failure', 'packet length too long')
_HOST_NAME_WORDS = ('hostname mismatch', "doesn't match", 'not valid for')


def safe_url(url, secrets):
    """A URL for messages and logs: no secrets, and cut short (a query of many IDs can be kilobytes long)."""
    return shorten(redact(url, secrets))


def host_port(url):
    parts = urlsplit(url)
    return '%s:%s' % (parts.hostname, parts.port or DEFAULT_HTTPS_PORT)


def _exception_text(exc, secrets):
    return redact(shorten(str(exc), 300), secrets).rstrip('. ')


# --- HTTP statuses ----------------------------------------------------------------------------------

def error_text(response, secrets):
    """EM's Message from an Error body, else a short excerpt of whatever came (never secrets)."""
    body = response.content
    if not body or not body.strip():
        return None
    try:
        doc = parse_response(body, response.headers.get('Content-Type'), secrets)
    except EMError:
        return excerpt(body, secrets)
    if doc.is_error:
        message = doc.error_message
        return redact(message, secrets) if message else None
    return excerpt(body, secrets)


def logon_error(response, url, settings, secrets):
    """The error a failed logon (POST /api/sessionMngr/) answer means."""
    status = response.status_code
    em_message = error_text(response, secrets)
    user = printable(settings['username'])
    if status == 401:
        return EMAuthenticationError(
            'Enterprise Manager rejected the logon of user %s (HTTP 401).' % user,
            hint='Check the username and password, that the account has an EM role (%s), and the account format: '
                 'DOMAIN\\user or user@domain (the one that works in the EM web UI).%s' % (EM_ROLES, credential_hint(settings)),
            status=status, url=url, em_message=em_message)
    if status == 403:
        return EMAuthorizationError('Enterprise Manager refused the logon of user %s (HTTP 403).' % user,
                                    hint=ROLE_HINT, status=status, url=url, em_message=em_message)
    if status == 404:
        return wrong_endpoint(url, status, em_message, secrets)
    if status == 400:
        return _logon_refused(response, url, settings, secrets, em_message)
    return status_error(response, 'POST', url, em_message, secrets)


def _logon_refused(response, url, settings, secrets, em_message):
    """HTTP 400 to the logon: a proxy on a TLS port answering plain HTTP, else an api_version EM lacks."""
    if urlsplit(url).scheme == 'http' and b'https port' in (response.content or b'')[:4096].lower():
        # what a proxy such as nginx answers to plain HTTP on its TLS port
        return plain_http_hint(url, None, secrets, em_message)
    return EMError('Enterprise Manager refused the logon with api_version=%s (HTTP 400).' % settings['api_version'],
                   hint='Use api_version=latest, or a version this EM lists at GET %s/api/ (v1_7 for EM 12 and 13, '
                        'v1_6 for EM 11, v1_5 for EM 10).' % settings['base_url'],
                   status=400, url=url, em_message=em_message)


def wrong_endpoint(url, status, em_message, secrets):
    hint = ('Check url: the EM REST API listens on port 9398 (https) by default, with the paths /api/...; '
            'port 9419 is the separate Veeam Backup & Replication REST API.')
    if urlsplit(url).port == VBR_REST_PORT:
        hint = ('Port 9419 is the Veeam Backup & Replication REST API, not Enterprise Manager: '
                'use the EM server and port 9398, for example https://em.example.com:9398.')
    shown = safe_url(url, secrets)
    return EMNotFoundError('No Enterprise Manager REST API at %s (HTTP %d).' % (shown, status),
                           hint=hint, status=status, url=shown, em_message=em_message)


class _Answer(object):
    """One unsuccessful answer, as the status error builders below read it."""

    def __init__(self, response, method, url, em_message, secrets, what):
        self.response = response
        self.status = response.status_code
        self.method = method
        self.url = url
        self.shown = safe_url(url, secrets)
        self.secrets = secrets
        self.what = what
        self.retried = after_retries(response)
        self.facts = {'status': self.status, 'url': self.shown, 'em_message': em_message}


def _redirect(answer):
    location = answer.response.headers.get('Location', '')
    return EMProtocolError('Enterprise Manager answered %s %s with a redirect (HTTP %d) to %s.'
                           % (answer.method, answer.shown, answer.status, safe_url(location, answer.secrets) or 'nowhere'),
                           hint='Set url to the address EM serves its REST API on (https://<em>:9398); '
                                'redirects are not followed so credentials stay with that host.',
                           status=answer.status, url=answer.shown)


def _unauthorized(answer):
    return EMAuthenticationError('Enterprise Manager rejected %s %s with HTTP 401 even after a new logon.' % (answer.method, answer.shown),
                                 hint=ROLE_HINT, **answer.facts)


def _forbidden(answer):
    return EMAuthorizationError('Enterprise Manager denied %s %s (HTTP 403): the account\'s EM role lacks the rights for it.'
                                % (answer.method, answer.shown),
                                hint='Portal Administrator sees all backup servers; Portal User and Restore Operator '
                                     'see only what their scope allows.', **answer.facts)


def _not_found(answer):
    path = urlsplit(answer.url).path
    if path in ('/api', '/api/') or path.startswith('/api/sessionMngr') or answer.what == 'query':
        return wrong_endpoint(answer.url, answer.status, answer.facts['em_message'], answer.secrets)
    return EMNotFoundError('Enterprise Manager does not know %s (HTTP 404).' % answer.shown,
                           hint='The object may not exist or may be older than EM keeps it.', **answer.facts)


def _too_long(answer):
    return EMQueryError('The request URL is too long for Enterprise Manager or a proxy in front of it (HTTP 414): %s.' % answer.shown,
                        hint='Give fewer values in the list options (id, vm_name, job_name, ...) or a shorter filter.', **answer.facts)


def _bad_request(answer):
    if answer.what != 'query':
        return _other(answer)
    return filter_error(answer)


def _server(answer):
    refused = filter_error(answer) if answer.what == 'query' and answer.status == 500 else None
    if refused is not None:  # a 500 with an Error body to a filtered query: a filter EM could not use
        return refused
    return EMServerError('Enterprise Manager failed on %s %s with HTTP %d%s.'
                         % (answer.method, answer.shown, answer.status, answer.retried),
                         hint='Check the EM service and its logs; the failure persisted.', **answer.facts)


def _other(answer):
    return EMError('Enterprise Manager answered %s %s with HTTP %d.' % (answer.method, answer.shown, answer.status), **answer.facts)


_BY_STATUS = {400: _bad_request, 401: _unauthorized, 403: _forbidden, 404: _not_found, 414: _too_long}


def status_error(response, method, url, em_message, secrets, what=None):
    """The error an unsuccessful answer to method url means; what='query' for the query service."""
    answer = _Answer(response, method, url, em_message, secrets, what)
    if 300 <= answer.status < 400:
        return _redirect(answer)
    if answer.status >= 500:
        return _server(answer)
    return _BY_STATUS.get(answer.status, _other)(answer)


def after_retries(response):
    """' after N retries' for a response that was repeated, else ''."""
    count = getattr(response, 'em_retries', 0) or 0
    if not count:
        return ''
    return ' after %d %s' % (count, 'retry' if count == 1 else 'retries')


def retry_after(response, cap):
    """Seconds from a Retry-After header (delta-seconds form only), capped."""
    value = response.headers.get('Retry-After')
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, min(seconds, cap))


# --- requests exceptions ----------------------------------------------------------------------------

def transport_error(exc, method, url, settings, secrets):
    """(error, retryable) for a requests exception: retryable for a read timeout and a reset connection."""
    shown = safe_url(url, secrets)
    if isinstance(exc, requests_errors.SSLError):
        return tls_error(url, exc, settings['ca_path'], secrets), False
    if isinstance(exc, requests_errors.ConnectTimeout):
        return EMTimeoutError('Could not connect to %s within timeout=%s seconds.' % (host_port(url), settings['timeout']),
                              hint='Check the host name and port in url, and any firewall between here and EM; '
                                   'raise the timeout option if EM is slow to accept connections.', url=shown), False
    if isinstance(exc, requests_errors.ReadTimeout):
        return EMTimeoutError('Enterprise Manager did not answer %s %s within timeout=%s seconds.' % (method, shown, settings['timeout']),
                              hint='Raise the timeout option (VEEAM_EM_TIMEOUT), or narrow the selection '
                                   '(since, limit) so EM answers faster.', url=shown), True
    if isinstance(exc, (requests_errors.ConnectionError, requests_errors.ChunkedEncodingError)):
        error = connection_error(url, exc, secrets)
        return error, error.transient
    return EMConnectionError('The request %s %s failed: %s.' % (method, shown, _exception_text(exc, secrets)), url=shown), False


def tls_error(url, exc, ca_path, secrets):
    reason = tls_reason(exc)
    text = reason.lower()
    if any(words in text for words in _TLS_PORT_WORDS):
        hint = ('The server at %s does not speak TLS on this port: check the scheme and port in url. '
                'EM serves its REST API over HTTPS on port 9398 by default; use http:// only for a plain HTTP port '
                '(such as the legacy 9399).' % host_port(url))
    elif any(words in text for words in _HOST_NAME_WORDS):
        hint = ('The certificate is not issued for the host name in url: use the name the certificate was issued for '
                '(or set validate_certs=false for testing only).')
    elif ca_path:
        hint = ('ca_path=%s is used to verify EM: check that it holds the CA certificate (PEM) that signed the EM '
                'certificate; validate_certs=false turns verification off (testing only).' % ca_path)
    else:
        hint = ('If EM uses a self-signed or private CA certificate, set ca_path (VEEAM_EM_CA_PATH) to that CA '
                'certificate (PEM); validate_certs=false turns verification off (testing only).')
    return EMTLSError('The TLS connection to %s failed: %s.' % (host_port(url), redact(reason, secrets).rstrip('. ')),
                      hint=hint, url=safe_url(url, secrets))


def connection_error(url, exc, secrets):
    """Map a requests connection failure; `transient` marks the ones worth a retry (reset/aborted)."""
    kind = connection_kind(exc)
    where = host_port(url)
    shown = safe_url(url, secrets)
    if kind == 'tls_answer':
        return EMConnectionError('The server at %s answered the plain http:// request with TLS data.' % where,
                                 hint=HTTPS_HINT, url=shown)
    if kind == 'reset':
        error = EMConnectionError('The connection to %s was reset or closed before the answer was complete.' % where,
                                  hint='Enterprise Manager or a proxy closed it; check the EM service and try again.', url=shown)
        error.transient = True
        return error
    if kind == 'dns':
        return EMConnectionError('The host name in url (%s) cannot be resolved.' % where,
                                 hint='Check the spelling of the host name in url and the DNS of the host running this.', url=shown)
    if kind == 'refused':
        return EMConnectionError('Nothing accepts connections at %s (connection refused).' % where,
                                 hint='Check the host and port in url (the EM REST API listens on 9398 by default) '
                                      'and that the Veeam Backup Enterprise Manager service runs.', url=shown)
    return EMConnectionError('Could not reach %s: %s.' % (where, _exception_text(exc, secrets)),
                             hint='Check the host and port in url, proxies and firewalls.', url=shown)


def plain_http_hint(url, error, secrets, em_message=None):
    """The logon over http:// was cut off at once (or a proxy complained): most likely a TLS port.
    Other errors pass through unchanged."""
    if urlsplit(url).scheme != 'http' or (error is not None and not getattr(error, 'transient', False)):
        return error
    if error is None:
        message = 'The server at %s refused the logon sent over plain http:// (HTTP 400).' % host_port(url)
    else:
        message = 'The connection to %s was reset or closed as soon as the logon was sent over plain http://.' % host_port(url)
    return EMConnectionError(message, hint=HTTPS_HINT, url=safe_url(url, secrets), em_message=em_message)


def causes(exc):
    """The exception and everything it wraps (args, __cause__, __context__, urllib3 .reason)."""
    seen = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reason = getattr(current, 'reason', None)
        stack.extend((getattr(current, '__cause__', None), getattr(current, '__context__', None),
                      reason if isinstance(reason, BaseException) else None))
        stack.extend(arg for arg in getattr(current, 'args', ()) if isinstance(arg, BaseException))


# the kind of a connection failure: by the class of a cause, else by words in the causes' texts
_KIND_BY_CLASS = ((ConnectionRefusedError, 'refused'), (socket.gaierror, 'dns'),
                  ((ConnectionResetError, ConnectionAbortedError, BrokenPipeError), 'reset'))
_KIND_BY_WORDS = (
    ('dns', ('nameresolution', 'name or service not known', 'failed to resolve', 'nodename nor servname')),
    ('refused', ('refused',)),
    ('reset', ('remotedisconnected', 'connection aborted', 'incompleteread', 'protocolerror', 'connection broken',
               'chunkedencodingerror', 'reset')),
)


def _cause_kind(cause):
    if isinstance(cause, http.client.BadStatusLine) and is_tls_record(cause.args[0] if cause.args else ''):
        return 'tls_answer'
    for classes, kind in _KIND_BY_CLASS:
        if isinstance(cause, classes):
            return kind
    return None


def connection_kind(exc):
    """'tls_answer', 'refused', 'dns', 'reset' or 'other'."""
    names = []
    for cause in causes(exc):
        kind = _cause_kind(cause)
        if kind is not None:
            return kind
        names.extend((type(cause).__name__, str(cause)))
    text = ' '.join(names).lower()
    for kind, words in _KIND_BY_WORDS:
        if any(word in text for word in words):
            return kind
    return 'other'


def is_tls_record(line):
    """True for a status line that is a TLS record (an alert or a handshake: 0x15/0x16, then version 3.x)."""
    if isinstance(line, bytes):
        line = line.decode('latin-1')
    return isinstance(line, str) and len(line) >= 2 and line[0] in '\x15\x16' and line[1] == '\x03'


def tls_reason(exc):
    """The innermost readable TLS failure ('certificate verify failed: self-signed certificate')."""
    for cause in causes(exc):
        reason = getattr(cause, 'verify_message', None)
        if reason:
            return 'certificate verify failed: %s' % reason
    text = str(exc)
    marker = text.find('] ')
    if text.find('[SSL') >= 0 and marker > 0:
        reason = text[marker + 2:]
        for end in (" (_ssl", "')", '")', "'))"):
            cut = reason.find(end)
            if cut > 0:
                reason = reason[:cut]
        return reason.strip()
    return shorten(str(exc), 300)
