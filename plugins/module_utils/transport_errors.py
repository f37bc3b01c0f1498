# -*- coding: utf-8 -*-
# What a requests/socket exception on the way to Enterprise Manager means (refused, unresolvable,
# reset, timed out, TLS), as the typed errors of errors.py with a hint that says what to do.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import http.client
import socket

from urllib.parse import urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMConnectionError, EMTimeoutError, EMTLSError, HTTPS_HINT, redact, shorten,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.http_errors import host_port, safe_url

try:
    from requests import exceptions as requests_errors
except ImportError:
    requests_errors = None  # EMClient refuses to start without requests, so nothing here runs then

_TLS_PORT_WORDS = ('wrong version number', 'unknown protocol', 'record layer failure', 'packet length too long')
_HOST_NAME_WORDS = ('hostname mismatch', "doesn't match", 'not valid for')


def _exception_text(exc, secrets):
    return redact(shorten(str(exc), 300), secrets).rstrip('. ')


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
                              hint=read_timeout_hint(url), url=shown), True
    if isinstance(exc, (requests_errors.ConnectionError, requests_errors.ChunkedEncodingError)):
        error = connection_error(url, exc, secrets)
        return error, error.transient
    return EMConnectionError('The request %s %s failed: %s.' % (method, shown, _exception_text(exc, secrets)), url=shown), False


def read_timeout_hint(url):
    """What to do when EM did not answer in time: only a query's answer grows with the selection; a logon
    waits on EM's account check (Active Directory), a logoff or another read on EM itself."""
    path = urlsplit(url).path
    if path.startswith('/api/sessionMngr'):
        return ('The logon waits for EM to check the account (with its domain controller for a domain account): '
                'check that the EM service and its domain controller respond, then raise the timeout option '
                '(VEEAM_EM_TIMEOUT) if EM is just slow.')
    if path.startswith('/api/query'):
        return 'Raise the timeout option (VEEAM_EM_TIMEOUT), or narrow the selection (since, limit) so EM answers faster.'
    return 'Raise the timeout option (VEEAM_EM_TIMEOUT), and check that the EM service responds.'


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
