# -*- coding: utf-8 -*-
# EMClient: one logon session per run against the Enterprise Manager REST API (requests), logoff
# always, one new logon after an expired session (401), retries with backoff for transient
# failures of reads, errors that say what to do, and the query service followed page by page (the
# next page fetched in the background while the caller works on the current one).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import http.client
import socket
import threading
import time
import traceback
import warnings
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import parse_qs, quote, urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import (
    DEFAULT_HTTPS_PORT,
    VBR_REST_PORT,
    validate_connection_params,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMAuthenticationError,
    EMAuthorizationError,
    EMConnectionError,
    EMError,
    EMInputError,
    EMNotFoundError,
    EMProtocolError,
    EMQueryError,
    EMServerError,
    EMTimeoutError,
    EMTLSError,
    redact,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import (
    excerpt,
    first_link,
    paging_info,
    parse_response,
    query_items,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import id_from_href, is_guid
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.xml_reader import HAS_XMLTODICT

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

TOKEN_HEADER = 'X-RestSvcSessionId'
ACCEPT = {'xml': 'application/xml', 'json': 'application/json'}
USER_AGENT = 'ansible-collection-vbr.enterprise_manager'

# Answers worth repeating for a read: EM overloaded/restarting, or a proxy in front of it.
RETRY_STATUSES = frozenset((500, 502, 503, 504))
DEFAULT_PAGE_SIZE = 1000
_HTTPS_HINT = ('The port most likely speaks TLS: use https:// in url (Enterprise Manager serves its REST API over HTTPS, '
               'port 9398 by default).')
ROLE_HINT = 'The account needs an EM role: Portal Administrator, Portal User or Restore Operator.'


def _no_auth(request):
    """Explicit 'no authentication': keeps requests from adding ~/.netrc credentials."""
    return request


class EMClient(object):
    """A logged-on client of one Enterprise Manager; use it as a context manager.

    params: the connection options (module.params, or a plugin's options) as a dict.
    adapter: a requests transport adapter to mount instead of the default (tests).
    sleep: the function used to wait between retries (tests pass a recorder).
    log: optional callable receiving one line per request (no secrets in it).
    on_secret: optional callable receiving the token and session id once known (e.g. to add
    them to AnsibleModule.no_log_values).
    """

    def __init__(self, params, adapter=None, sleep=time.sleep, log=None, on_secret=None, backoff_base=0.5, backoff_max=30.0):
        settings = validate_connection_params(params)
        if not (HAS_REQUESTS and HAS_XMLTODICT):
            raise EMInputError('The Python libraries requests and xmltodict are not both installed where the module runs.',
                               hint='Install requests and xmltodict there, usually the Ansible controller or execution environment.')
        self.settings = settings
        self.base_url = settings['base_url']
        self.response_format = settings['response_format']
        self.retries = settings['retries']
        self.timeout = settings['timeout']
        self.verify = settings['verify']
        self._sleep = sleep
        self._log = log
        self._on_secret = on_secret
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._token = None
        self._session_id = None
        self._secrets = [settings['password']]
        self.warnings = []
        self._timed_out = False  # a read timeout happened: EM is stalled, the logoff tries once
        self._background = None  # the one request running in a thread (a prefetched page), if any
        self.stats = {'requests': 0, 'logons': 0, 'logoffs': 0, 'relogons': 0, 'retries': 0, 'pages': 0,
                      'by_method': {}}
        self._http = requests.Session()
        # No cookie jar: EM prefers its session cookie over the header, so a stale cookie would win.
        self._http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self._http.auth = _no_auth
        self._http.headers['User-Agent'] = USER_AGENT
        if adapter is not None:
            self._http.mount('https://', adapter)
            self._http.mount('http://', adapter)
        else:
            # retries are ours (with EM-aware rules), not urllib3's
            self._http.mount('https://', HTTPAdapter(max_retries=0))
            self._http.mount('http://', HTTPAdapter(max_retries=0))
        if not settings['validate_certs']:
            self.warnings.append('validate_certs is false: the TLS certificate of %s is not verified. '
                                 'Prefer ca_path with the CA certificate of EM.' % self.base_url)

    # --- context manager: logon lazily, logoff always --------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        self.logoff()
        self._http.close()
        return False

    @property
    def logged_on(self):
        return self._token is not None

    # --- URLs ---------------------------------------------------------------------------------------

    def url(self, path):
        """Absolute URL for an API path ('/query?...' or '/api/query?...') or an EM link (rebased)."""
        if '://' in path:
            return self.rebase(path)
        if not path.startswith('/'):
            path = '/' + path
        if not (path == '/api' or path.startswith('/api/')):
            path = '/api' + path
        return self.base_url + path

    def rebase(self, href):
        """An EM link onto the configured base URL: EM writes its own host name into links, which
        may not be the name (or NAT address) this client reaches it by."""
        parts = urlsplit(href)
        path = parts.path or '/'
        index = path.find('/api/')
        if index >= 0:
            path = path[index:]
        elif path.endswith('/api'):
            path = '/api/'
        result = self.base_url + path
        if parts.query:
            result += '?' + parts.query
        return result

    def safe_url(self, url):
        """A URL for messages and logs: no secrets, and cut short (a query of many IDs can be kilobytes long)."""
        return _shorten(redact(url, self._secrets + [s for s in (self._token, self._session_id) if s]))

    # --- logon / logoff -----------------------------------------------------------------------------

    def logon(self):
        """Create the EM logon session (POST /api/sessionMngr/?v=<api_version>, basic auth)."""
        url = '%s/api/sessionMngr/?v=%s' % (self.base_url, quote(self.settings['api_version'], safe=''))
        credentials = '%s:%s' % (self.settings['username'], self.settings['password'])
        headers = {
            'Authorization': 'Basic ' + base64.b64encode(credentials.encode('utf-8')).decode('ascii'),
            'Accept': ACCEPT[self.response_format],
        }
        try:
            response = self._send('POST', url, headers, retry_exceptions=False)
        except EMConnectionError as exc:
            raise self._plain_http_hint(url, exc)
        self.stats['logons'] += 1
        status = response.status_code
        if 200 <= status < 300:
            token = response.headers.get(TOKEN_HEADER)  # case-insensitive lookup
            if not token:
                raise EMProtocolError('The logon at %s answered HTTP %d without an %s header: %s'
                                      % (url, status, TOKEN_HEADER, excerpt(response.content, self._secrets)),
                                      hint='Check that url points at Veeam Backup Enterprise Manager (port 9398).', status=status, url=url)
            self._token = token
            self._secrets.append(token)
            self._session_id = self._logon_session_id(response, token)
            if self._session_id:
                self._secrets.append(self._session_id)
            if self._on_secret is not None:
                for secret in (token, self._session_id):
                    if secret:
                        self._on_secret(secret)
            return
        em_message = self._error_text(response)
        user = self.settings['username']
        if status == 401:
            raise EMAuthenticationError(
                'Enterprise Manager rejected the logon of user %s (HTTP 401).' % user,
                hint='Check the username and password, that the account has an EM role (Portal Administrator, Portal User '
                     'or Restore Operator), and the account format: DOMAIN\\user or user@domain (the one that works '
                     'in the EM web UI).', status=status, url=url, em_message=em_message)
        if status == 403:
            raise EMAuthorizationError('Enterprise Manager refused the logon of user %s (HTTP 403).' % user,
                                       hint=ROLE_HINT, status=status, url=url, em_message=em_message)
        if status == 404:
            raise self._wrong_endpoint(url, status, em_message)
        if status == 400 and urlsplit(url).scheme == 'http' and b'https port' in (response.content or b'')[:4096].lower():
            # what a proxy such as nginx answers to plain HTTP on its TLS port
            raise self._plain_http_hint(url, None, em_message)
        if status == 400:
            raise EMError('Enterprise Manager refused the logon with api_version=%s (HTTP 400).' % self.settings['api_version'],
                          hint='Use api_version=latest, or a version this EM lists at GET %s/api/ (v1_7 for EM 12 and 13, '
                               'v1_6 for EM 11, v1_5 for EM 10).' % self.base_url,
                          status=status, url=url, em_message=em_message)
        raise self._status_error(response, 'POST', url, em_message)

    def _logon_session_id(self, response, token):
        """SessionId from the LogonSession body (or its Delete link); some EM versions' tokens are the
        base64 of it, the last resort."""
        try:
            doc = parse_response(response.content, response.headers.get('Content-Type'), self._secrets + [token], what='The EM logon')
        except EMError:
            doc = None
        if doc is not None:
            session_id = doc.data.get('SessionId')
            if session_id:
                return str(session_id).strip()
            link = first_link(doc.data, rel='Delete')
            if link and link.get('Href'):
                return id_from_href(link['Href'])
        try:
            decoded = base64.b64decode(token, validate=True).decode('ascii')
        except (ValueError, UnicodeDecodeError):
            decoded = ''
        if is_guid(decoded):
            return decoded
        self.warnings.append('EM did not name the logon session; it cannot be logged off and expires after 15 minutes idle.')
        return None

    def logoff(self):
        """DELETE /api/logonSessions/<SessionId>, best effort: it never raises, so it cannot hide the
        error that ended the run. Deleting a logon session is idempotent, so transient failures are
        retried like reads; an expired session answers 401 or 404, which is fine."""
        self.settle()
        token, session_id = self._token, self._session_id
        self._token = None
        self._session_id = None
        if not token or not session_id:
            return
        url = '%s/api/logonSessions/%s' % (self.base_url, quote(session_id, safe=''))
        headers = {TOKEN_HEADER: token, 'Accept': ACCEPT[self.response_format]}
        secrets = self._secrets + [token, session_id]
        try:
            # After a read timeout EM is stalled: one logoff attempt, so a failing run stays within
            # about timeout x (retries + 1) instead of waiting out the retries a second time.
            response = self._send('DELETE', url, headers, retry_exceptions=not self._timed_out)
        except EMError as exc:
            self.warnings.append('The logoff from Enterprise Manager failed (%s); the logon session expires after 15 minutes idle.'
                                 % redact(exc.message, secrets))
            return
        except Exception as exc:  # pylint: disable=broad-except
            # whatever went wrong here must not replace the error (or result) of the run
            self.warnings.append('The logoff from Enterprise Manager failed (%s); the logon session expires after 15 minutes idle.'
                                 % redact(_short(exc), secrets))
            return
        if response.status_code < 300 or response.status_code in (401, 404):
            self.stats['logoffs'] += 1
            return
        self.warnings.append('The logoff from Enterprise Manager answered HTTP %d%s; the logon session expires after 15 minutes idle.'
                             % (response.status_code, _after_retries(response)))

    # --- requests -----------------------------------------------------------------------------------

    def request(self, method, path, what=None):
        """Send an authenticated request and return the parsed Document (2xx) or raise an EMError."""
        self.settle()
        url = self.url(path)
        return self._document(self._exchange(method, url), method, url, what)

    def prefetch(self, url):
        """Start GET url in a background thread (the transport only) while the caller works on what it has;
        get(url) then parses the answer and raises its errors in the caller's thread. Waiting for EM
        overlaps with the work on the previous page."""
        self.settle()
        url = self.url(url)
        self._background = _Background(url, self._exchange, 'GET', url)

    def settle(self):
        """Wait for a background request to end, dropping its outcome: requests, logons and the logoff of
        this client never overlap."""
        background, self._background = self._background, None
        if background is not None:
            background.wait()

    def _exchange(self, method, url):
        """The response to an authenticated request: logs on first if needed, and once more (repeating the
        request once) when the logon session expired."""
        if not self.logged_on:
            self.logon()
        response = self._send(method, url, self._auth_headers(), retry_exceptions=(method == 'GET'),
                              retry_statuses=RETRY_STATUSES if method == 'GET' else ())
        if response.status_code == 401:
            # The logon session expired (15 minutes idle): log on again once, repeat once.
            self.stats['relogons'] += 1
            self._token = None
            self._session_id = None
            self.logon()
            response = self._send(method, url, self._auth_headers(), retry_exceptions=(method == 'GET'),
                                  retry_statuses=RETRY_STATUSES if method == 'GET' else ())
        return response

    def _document(self, response, method, url, what=None):
        """The parsed Document of a 2xx response, or the EMError its status means."""
        status = response.status_code
        if 200 <= status < 300:
            return parse_response(response.content, response.headers.get('Content-Type'), self._secrets,
                                  what='Enterprise Manager (%s %s)' % (method, self.safe_url(url)))
        raise self._status_error(response, method, url, self._error_text(response), what=what)

    def get(self, path, what=None, then=None):
        """GET path as a Document; the answer of prefetch(path) when that is the request started last.
        With `then` (a URL), GET `then` is started in the background as soon as this answer is in and is
        a success, before it is parsed: EM works on the next page while this one is read."""
        url = self.url(path)
        background = self._background
        if background is not None and background.key == url:
            self._background = None
            response = background.result()
        else:
            self.settle()
            response = self._exchange('GET', url)
        if then is not None and 200 <= response.status_code < 300:
            self.prefetch(then)
        return self._document(response, 'GET', url, what)

    def get_entity(self, path, entity_type=None):
        """The entity representation of one resource (adds format=Entity), as a canonical dict.
        With entity_type (e.g. 'BackupTaskSession'), an answer of another type is an EMProtocolError."""
        if 'format=' not in path.lower():
            path += ('&' if '?' in path else '?') + 'format=Entity'
        doc = self.get(path, what='entity')
        if entity_type is not None:
            found = doc.root if doc.root is not None else doc.data.get('Type')
            if str(found or '').lower() != entity_type.lower():
                raise EMProtocolError('Enterprise Manager answered %s with %s instead of a %s.'
                                      % (self.safe_url(self.url(path)), '<%s>' % found if doc.root else 'JSON of type %r' % found,
                                         entity_type),
                                      hint='This is not an answer of Enterprise Manager: check that url points at EM (port 9398) '
                                           'and not at a proxy or another service.')
        return doc.data

    def query(self, type_name, filter=None, sort_desc='CreationTime', page_size=DEFAULT_PAGE_SIZE, limit=None,
              format='Entities', prefetch=False):
        """The query service, followed page by page to the end (see QueryPager)."""
        return QueryPager(self, type_name, filter_expr=filter, sort_desc=sort_desc, page_size=page_size, limit=limit, fmt=format,
                          prefetch=prefetch)

    def query_url(self, type_name, filter_expr=None, sort_desc='CreationTime', page_size=DEFAULT_PAGE_SIZE, page=1, fmt='Entities'):
        url = '%s/api/query?type=%s&format=%s' % (self.base_url, quote(type_name, safe=''), quote(fmt, safe=''))
        if sort_desc:
            url += '&sortDesc=%s' % quote(sort_desc, safe='')
        url += '&pageSize=%d&page=%d' % (page_size, page)
        if filter_expr:
            url += '&filter=' + encode_filter(filter_expr)
        return url

    def _auth_headers(self):
        return {TOKEN_HEADER: self._token, 'Accept': ACCEPT[self.response_format]}

    # --- transport with retries -------------------------------------------------------------------

    def _send(self, method, url, headers, retry_exceptions=True, retry_statuses=RETRY_STATUSES):
        """One request, repeated with exponential backoff on transient failures up to `retries` times.
        Returns the final response (any status) or raises an EMError for transport failures."""
        attempt = 0
        while True:
            self.stats['requests'] += 1
            self.stats['by_method'][method] = self.stats['by_method'].get(method, 0) + 1
            self._http.cookies.clear()
            started = time.time()
            failure = None
            response = None
            try:
                with warnings.catch_warnings():
                    # the validate_certs=false warning is given once, by the module, not per request
                    warnings.simplefilter('ignore')
                    response = self._http.request(method, url, headers=headers, timeout=(self.timeout, self.timeout),
                                                  verify=self.verify, allow_redirects=False)
            except requests.exceptions.SSLError as exc:
                raise self._tls_error(url, exc)
            except requests.exceptions.ConnectTimeout:
                raise EMTimeoutError('Could not connect to %s within timeout=%s seconds.' % (self._host_port(url), self.timeout),
                                     hint='Check the host name and port in url, and any firewall between here and EM; '
                                          'raise the timeout option if EM is slow to accept connections.', url=self.safe_url(url))
            except requests.exceptions.ReadTimeout:
                self._timed_out = True
                failure = EMTimeoutError('Enterprise Manager did not answer %s %s within timeout=%s seconds.'
                                         % (method, self.safe_url(url), self.timeout),
                                         hint='Raise the timeout option (VEEAM_EM_TIMEOUT), or narrow the selection '
                                              '(since, limit) so EM answers faster.', url=self.safe_url(url))
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                failure = self._connection_error(url, exc)
                if not getattr(failure, 'transient', False):
                    raise failure
            except requests.exceptions.RequestException as exc:
                raise EMConnectionError('The request %s %s failed: %s.' % (method, self.safe_url(url), redact(_short(exc), self._secrets).rstrip('. ')),
                                        url=self.safe_url(url))
            if self._log is not None:
                outcome = response.status_code if response is not None else type(failure).__name__
                self._log('%s %s -> %s (%.2fs)' % (method, self.safe_url(url), outcome, time.time() - started))
            if response is not None:
                if response.status_code not in retry_statuses or attempt >= self.retries:
                    response.em_retries = attempt  # for messages: how often it was repeated
                    return response
            else:
                if not retry_exceptions or attempt >= self.retries:
                    raise failure
            delay = min(self.backoff_base * (2 ** attempt), self.backoff_max)
            if response is not None:
                delay = max(delay, _retry_after(response, self.backoff_max))
            attempt += 1
            self.stats['retries'] += 1
            self._sleep(delay)

    # --- error mapping ------------------------------------------------------------------------------

    def _host_port(self, url):
        parts = urlsplit(url)
        return '%s:%s' % (parts.hostname, parts.port or DEFAULT_HTTPS_PORT)

    def _tls_error(self, url, exc):
        reason = _tls_reason(exc)
        text = reason.lower()
        if 'wrong version number' in text or 'unknown protocol' in text or 'record layer failure' in text or 'packet length too long' in text:
            hint = ('The server at %s does not speak TLS on this port: check the scheme and port in url. '
                    'EM serves its REST API over HTTPS on port 9398 by default; use http:// only for a plain HTTP port '
                    '(such as the legacy 9399).' % self._host_port(url))
        elif 'hostname mismatch' in text or "doesn't match" in text or 'not valid for' in text:
            hint = ('The certificate is not issued for the host name in url: use the name the certificate was issued for '
                    '(or set validate_certs=false for testing only).')
        elif self.settings['ca_path']:
            hint = ('ca_path=%s is used to verify EM: check that it holds the CA certificate (PEM) that signed the EM '
                    'certificate; validate_certs=false turns verification off (testing only).' % self.settings['ca_path'])
        else:
            hint = ('If EM uses a self-signed or private CA certificate, set ca_path (VEEAM_EM_CA_PATH) to that CA '
                    'certificate (PEM); validate_certs=false turns verification off (testing only).')
        return EMTLSError('The TLS connection to %s failed: %s.' % (self._host_port(url), redact(reason, self._secrets).rstrip('. ')),
                          hint=hint, url=self.safe_url(url))

    def _connection_error(self, url, exc):
        """Map a requests connection failure; `transient` marks the ones worth a retry (reset/aborted)."""
        kind = _connection_kind(exc)
        where = self._host_port(url)
        if kind == 'tls_answer':
            return EMConnectionError('The server at %s answered the plain http:// request with TLS data.' % where,
                                     hint=_HTTPS_HINT, url=self.safe_url(url))
        if kind == 'reset':
            error = EMConnectionError('The connection to %s was reset or closed before the answer was complete.' % where,
                                      hint='Enterprise Manager or a proxy closed it; check the EM service and try again.',
                                      url=self.safe_url(url))
            error.transient = True
            return error
        if kind == 'dns':
            return EMConnectionError('The host name in url (%s) cannot be resolved.' % where,
                                     hint='Check the spelling of the host name in url and the DNS of the host running this.',
                                     url=self.safe_url(url))
        if kind == 'refused':
            return EMConnectionError('Nothing accepts connections at %s (connection refused).' % where,
                                     hint='Check the host and port in url (the EM REST API listens on 9398 by default) '
                                          'and that the Veeam Backup Enterprise Manager service runs.', url=self.safe_url(url))
        return EMConnectionError('Could not reach %s: %s.' % (where, redact(_short(exc), self._secrets).rstrip('. ')),
                                 hint='Check the host and port in url, proxies and firewalls.', url=self.safe_url(url))

    def _plain_http_hint(self, url, error, em_message=None):
        """The logon over http:// was cut off at once (or a proxy complained): most likely a TLS port.
        Other errors pass through unchanged."""
        if urlsplit(url).scheme != 'http' or (error is not None and not getattr(error, 'transient', False)):
            return error
        if error is None:
            message = 'The server at %s refused the logon sent over plain http:// (HTTP 400).' % self._host_port(url)
        else:
            message = 'The connection to %s was reset or closed as soon as the logon was sent over plain http://.' % self._host_port(url)
        return EMConnectionError(message, hint=_HTTPS_HINT, url=self.safe_url(url), em_message=em_message)

    def _wrong_endpoint(self, url, status, em_message):
        port = urlsplit(url).port
        hint = ('Check url: the EM REST API listens on port 9398 (https) by default, with the paths /api/...; '
                'port 9419 is the separate Veeam Backup & Replication REST API.')
        if port == VBR_REST_PORT:
            hint = ('Port 9419 is the Veeam Backup & Replication REST API, not Enterprise Manager: '
                    'use the EM server and port 9398, for example https://em.example.com:9398.')
        return EMNotFoundError('No Enterprise Manager REST API at %s (HTTP %d).' % (self.safe_url(url), status),
                               hint=hint, status=status, url=self.safe_url(url), em_message=em_message)

    def _status_error(self, response, method, url, em_message, what=None):
        status = response.status_code
        safe_url = self.safe_url(url)
        if 300 <= status < 400:
            location = response.headers.get('Location', '')
            return EMProtocolError('Enterprise Manager answered %s %s with a redirect (HTTP %d) to %s.'
                                   % (method, safe_url, status, self.safe_url(location) or 'nowhere'),
                                   hint='Set url to the address EM serves its REST API on (https://<em>:9398); '
                                        'redirects are not followed so credentials stay with that host.',
                                   status=status, url=safe_url)
        if status == 401:
            return EMAuthenticationError('Enterprise Manager rejected %s %s with HTTP 401 even after a new logon.' % (method, safe_url),
                                         hint=ROLE_HINT, status=status, url=safe_url, em_message=em_message)
        if status == 403:
            return EMAuthorizationError('Enterprise Manager denied %s %s (HTTP 403): the account\'s EM role lacks the rights for it.'
                                        % (method, safe_url),
                                        hint='Portal Administrator sees all backup servers; Portal User and Restore Operator '
                                             'see only what their scope allows.',
                                        status=status, url=safe_url, em_message=em_message)
        if status == 404:
            path = urlsplit(url).path
            if path in ('/api', '/api/') or path.startswith('/api/sessionMngr') or what == 'query':
                return self._wrong_endpoint(url, status, em_message)
            return EMNotFoundError('Enterprise Manager does not know %s (HTTP 404).' % safe_url,
                                   hint='The object may not exist or may be older than EM keeps it.',
                                   status=status, url=safe_url, em_message=em_message)
        if status == 414:
            return EMQueryError('The request URL is too long for Enterprise Manager or a proxy in front of it (HTTP 414): %s.' % safe_url,
                                hint='Give fewer values in the list options (id, vm_name, job_name, ...) or a shorter filter.',
                                status=status, url=safe_url, em_message=em_message)
        if status == 400 and what == 'query':
            query_filter = parse_qs(urlsplit(url).query).get('filter')
            shown = 'the filter %s' % _shorten(redact(query_filter[0], self._secrets)) if query_filter else safe_url
            return EMQueryError('Enterprise Manager rejected the query (HTTP 400) with %s.' % shown,
                                hint='Check the filter option: fields such as VmDisplayName, JobName, State, Result, '
                                     'CreationTime; operators == != < > <= >=; ";" for AND, "," for OR; strings in double quotes.',
                                status=status, url=safe_url, em_message=em_message)
        if status >= 500:
            return EMServerError('Enterprise Manager failed on %s %s with HTTP %d%s.' % (method, safe_url, status, _after_retries(response)),
                                 hint='Check the EM service and its logs; the failure persisted.',
                                 status=status, url=safe_url, em_message=em_message)
        return EMError('Enterprise Manager answered %s %s with HTTP %d.' % (method, safe_url, status),
                       status=status, url=safe_url, em_message=em_message)

    def _error_text(self, response):
        """EM's Message from an Error body, else a short excerpt of whatever came (never secrets)."""
        body = response.content
        if not body or not body.strip():
            return None
        try:
            doc = parse_response(body, response.headers.get('Content-Type'), self._secrets)
        except EMError:
            return excerpt(body, self._secrets)
        if doc.is_error:
            message = doc.error_message
            return redact(message, self._secrets) if message else None
        return excerpt(body, self._secrets)


class QueryPager(object):
    """Iterates the items of one query, page after page until EM has no more (PagingInfo: PageNum <
    PagesCount, or a Next link). With `limit`, stops once that many items were yielded and sets
    `truncated` when more existed. `pages` counts the pages read. With `prefetch` (for callers that read
    every page), one request is always on its way: page N+1 is asked for as soon as page N has arrived,
    before it is parsed, when the page count EM gave and the limit say it will be read; the page URLs
    are then built here rather than taken from Next links, so the page asked for ahead is the one read
    next. Should the page count shrink while paging, that one request is the most that is wasted."""

    def __init__(self, client, type_name, filter_expr=None, sort_desc='CreationTime', page_size=DEFAULT_PAGE_SIZE, limit=None, fmt='Entities',
                 prefetch=False):
        if limit is not None and limit < 1:
            raise EMInputError('limit must be at least 1, not %r.' % limit)
        if page_size < 1:
            raise EMInputError('The page size must be at least 1, not %r.' % page_size)
        self.client = client
        self.type_name = type_name
        self.filter_expr = filter_expr
        self.sort_desc = sort_desc
        self.limit = limit
        # one item more than the limit tells whether the limit cut anything off
        self.page_size = min(page_size, limit + 1) if limit is not None else page_size
        self.fmt = fmt
        self.prefetch = prefetch
        self.truncated = False
        self.pages = 0
        self.count = 0

    def __iter__(self):
        for page in self.iter_pages():
            yield from page

    def iter_pages(self):
        """Yield the list of items of each page."""
        client = self.client
        url = self._page_url(1)
        number = 1  # the page `url` asks for (prefetch: the URLs are built here, so they are known)
        pages_count = None
        seen_pages = set()
        seen_urls = set()
        while url:
            seen_urls.add(url)
            following = None
            if self.prefetch and number is not None and pages_count is not None and number < min(pages_count, self._last_page_needed()):
                following = self._page_url(number + 1)
            doc = client.get(url, what='query', then=following)
            _require_query_result(doc, client.safe_url(url))
            self.pages += 1
            client.stats['pages'] += 1
            items = query_items(doc.data, self.type_name)
            page_num, pages_count, next_href = paging_info(doc.data)
            more = bool(next_href) or (page_num is not None and pages_count is not None and page_num < pages_count)
            if self.limit is not None and self.count + len(items) >= self.limit:
                take = items[:self.limit - self.count]
                self.count += len(take)
                self.truncated = len(items) > len(take) or more
                yield take
                return
            self.count += len(items)
            url = self._next_url(page_num, next_href, seen_pages, seen_urls) if more else None
            number = page_num + 1 if self.prefetch and page_num is not None else None
            if url is not None and self.prefetch and url != following:
                client.prefetch(url)  # (a page asked for ahead that is not the next one after all is dropped)
            yield items

    def _page_url(self, number):
        return self.client.query_url(self.type_name, self.filter_expr, self.sort_desc, self.page_size, number, self.fmt)

    def _last_page_needed(self):
        """The last page a limit may need (pages before the last one are full); without a limit, no bound."""
        if self.limit is None:
            return float('inf')
        return -(-self.limit // self.page_size)

    def _next_url(self, page_num, next_href, seen_pages, seen_urls):
        """The URL of the page after page_num: EM's Next link, else the same query with page + 1. With
        prefetch, the latter whenever page_num is known, so a page asked for ahead is the page read next."""
        client = self.client
        if page_num is not None:
            if page_num in seen_pages:
                raise EMProtocolError('Enterprise Manager returned page %d of the query twice; stopped to avoid a loop.' % page_num)
            seen_pages.add(page_num)
        url = client.rebase(next_href) if next_href and not (self.prefetch and page_num is not None) else None
        if url is None or url in seen_urls:
            if page_num is None:
                raise EMProtocolError('Enterprise Manager announced another page of the query without saying which.')
            url = self._page_url(page_num + 1)
            if url in seen_urls:
                raise EMProtocolError('Enterprise Manager paging does not advance; stopped to avoid a loop.')
        return url


class _Background(object):
    """One call run in a daemon thread (a daemon never keeps a failed run alive); result() waits and
    returns its value or raises its exception in the waiting thread."""

    def __init__(self, key, function, *args):
        self.key = key
        self._outcome = None
        self._thread = threading.Thread(target=self._run, args=(function, args), name='vbr-em-prefetch')
        self._thread.daemon = True
        self._thread.start()

    def _run(self, function, args):
        try:
            self._outcome = (None, function(*args))
        except BaseException as exc:  # pylint: disable=broad-except
            self._outcome = (exc, None)

    def wait(self):
        self._thread.join()

    def result(self):
        self._thread.join()
        error, value = self._outcome
        if error is not None:
            raise error
        return value


# Members that only a QueryResult has (EM sends them all, unused ones as null); Links alone is not
# telling, every EM resource has it.
_QUERY_RESULT_KEYS = frozenset(('Entities', 'Refs', 'Resources', 'PagingInfo'))


def _require_query_result(doc, url):
    """A well-formed answer that is not a QueryResult (a portal page served as XHTML, another API,
    a proxy's {}) must not read as 'no sessions'."""
    if doc.root is not None:
        if doc.root == 'QueryResult':
            return
        found = '<%s>' % doc.root
    else:
        if doc.keys & _QUERY_RESULT_KEYS:
            return
        found = 'JSON with the keys %s' % ', '.join(sorted(doc.keys)[:8]) if doc.keys else 'an empty JSON object ({})'
    raise EMProtocolError('Enterprise Manager answered the query %s with %s instead of a QueryResult.' % (url, found),
                          hint='This is not an answer of Enterprise Manager: check that url points at EM (port 9398) '
                               'and not at a proxy or another service.')


# --- helpers over requests exceptions ---------------------------------------------------------------

def _causes(exc):
    """The exception and everything it wraps (args, __cause__, __context__, urllib3 .reason)."""
    seen = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.append(getattr(current, '__cause__', None))
        stack.append(getattr(current, '__context__', None))
        stack.append(getattr(current, 'reason', None) if isinstance(getattr(current, 'reason', None), BaseException) else None)
        for arg in getattr(current, 'args', ()):
            if isinstance(arg, BaseException):
                stack.append(arg)


def _connection_kind(exc):
    names = []
    for cause in _causes(exc):
        if isinstance(cause, http.client.BadStatusLine) and _is_tls_record(cause.args[0] if cause.args else ''):
            return 'tls_answer'
        if isinstance(cause, ConnectionRefusedError):
            return 'refused'
        if isinstance(cause, socket.gaierror):
            return 'dns'
        if isinstance(cause, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            return 'reset'
        names.append(type(cause).__name__)
        names.append(str(cause))
    text = ' '.join(names).lower()
    if 'nameresolution' in text or 'name or service not known' in text or 'failed to resolve' in text or 'nodename nor servname' in text:
        return 'dns'
    if 'refused' in text:
        return 'refused'
    if ('remotedisconnected' in text or 'connection aborted' in text or 'incompleteread' in text or 'protocolerror' in text
            or 'connection broken' in text or 'chunkedencodingerror' in text or 'reset' in text):
        return 'reset'
    return 'other'


def _is_tls_record(line):
    """True for a status line that is a TLS record (an alert or a handshake: 0x15/0x16, then version 3.x)."""
    if isinstance(line, bytes):
        line = line.decode('latin-1')
    return isinstance(line, str) and len(line) >= 2 and line[0] in '\x15\x16' and line[1] == '\x03'


def _after_retries(response):
    """' after N retries' for a response that was repeated, else ''."""
    count = getattr(response, 'em_retries', 0) or 0
    if not count:
        return ''
    return ' after %d %s' % (count, 'retry' if count == 1 else 'retries')


def _tls_reason(exc):
    """The innermost readable TLS failure ('certificate verify failed: self-signed certificate')."""
    for cause in _causes(exc):
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
    return _short(exc)


def _shorten(text, limit=400):
    """text cut to about limit characters, saying how long it was."""
    if text is None or len(text) <= limit:
        return text
    return '%s... (%d characters)' % (text[:limit], len(text))


def _short(exc):
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + '...'


def _retry_after(response, cap):
    """Seconds from a Retry-After header (delta-seconds form only), capped."""
    value = response.headers.get('Retry-After')
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, min(seconds, cap))
