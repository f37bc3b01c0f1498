# -*- coding: utf-8 -*-
# What an HTTP status or a requests/socket exception from Enterprise Manager means, as the typed
# errors of errors.py with a hint that says what to do. Plain functions: the caller passes the
# secrets to keep out of every message (password, token, logon session id).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from urllib.parse import urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import DEFAULT_HTTPS_PORT, VBR_REST_PORT
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.credential_hints import credential_hint, printable
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMAuthenticationError, EMAuthorizationError, EMConnectionError, EMError, EMNotFoundError, EMProtocolError, EMQueryError, EMServerError,
    EM_ROLES, HTTPS_HINT, ROLE_HINT, redact, shorten,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_errors import filter_error
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import excerpt, parse_response


def safe_url(url, secrets):
    """A URL for messages and logs: no secrets, and cut short (a query of many IDs can be kilobytes long)."""
    return shorten(redact(url, secrets))


def host_port(url):
    parts = urlsplit(url)
    return '%s:%s' % (parts.hostname, parts.port or DEFAULT_HTTPS_PORT)


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
