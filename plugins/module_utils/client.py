# -*- coding: utf-8 -*-
# EMClient: one logon session per run against the Enterprise Manager REST API (requests), logoff
# always, one new logon after an expired session (401), retries with backoff for transient
# failures of reads, and at most one request in flight (a prefetched page, see query_pager.py).
# What a failure means is said by http_errors.py; the query service is read by query_pager.py.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import time
import traceback
import warnings
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import quote

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import validate_connection_params
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import logon_session_id
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMConnectionError, EMError, EMInputError, EMProtocolError, IDLE_EXPIRY, SESSION_EXPIRES, redact, shorten,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.http_errors import (
    after_retries, error_text, logon_error, plain_http_hint, retry_after, safe_url, status_error,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.transport_errors import transport_error
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_errors import BAD_FILTER_RETRIES, refused_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import DEFAULT_PAGE_SIZE, api_url, rebase_url
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_pager import Background, QueryPager
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import excerpt, parse_response
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
        self._http = self._session(adapter)
        if not settings['validate_certs']:
            self.warnings.append('validate_certs is false: the TLS certificate of %s is not verified. '
                                 'Prefer ca_path with the CA certificate of EM.' % self.base_url)

    @staticmethod
    def _session(adapter):
        session = requests.Session()
        # No cookie jar: EM prefers its session cookie over the header, so a stale cookie would win.
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        session.auth = lambda request: request  # explicitly none: keeps requests from adding ~/.netrc credentials
        session.headers['User-Agent'] = USER_AGENT
        # retries are ours (with EM-aware rules), not urllib3's
        for prefix in ('https://', 'http://'):
            session.mount(prefix, adapter if adapter is not None else HTTPAdapter(max_retries=0))
        return session

    def __enter__(self):  # logon lazily (at the first request), logoff always
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
        """Absolute URL for an API path or an EM link (rebased onto url)."""
        return api_url(self.base_url, path)

    def rebase(self, href):
        return rebase_url(self.base_url, href)

    def safe_url(self, url):
        """A URL for messages and logs: no secrets, and cut short (a query of many IDs can be kilobytes long)."""
        return safe_url(url, self._secrets + [s for s in (self._token, self._session_id) if s])

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
            raise plain_http_hint(url, exc, self._secrets)
        self.stats['logons'] += 1
        if not 200 <= response.status_code < 300:
            raise logon_error(response, url, self.settings, self._secrets)
        self._keep_logon(response, url)

    def _keep_logon(self, response, url):
        """Take the token (and the session id, for the logoff) of a successful logon."""
        token = response.headers.get(TOKEN_HEADER)  # case-insensitive lookup
        if not token:
            raise EMProtocolError('The logon at %s answered HTTP %d without an %s header: %s'
                                  % (url, response.status_code, TOKEN_HEADER, excerpt(response.content, self._secrets)),
                                  hint='Check that url points at Veeam Backup Enterprise Manager (port 9398).',
                                  status=response.status_code, url=url)
        self._token = token
        self._secrets.append(token)
        self._session_id = self._logon_session_id(response, token)
        if self._session_id:
            self._secrets.append(self._session_id)
        if self._on_secret is not None:
            for secret in (token, self._session_id):
                if secret:
                    self._on_secret(secret)

    def _logon_session_id(self, response, token):
        """The SessionId of the logon (to log off), from the LogonSession body or else the token."""
        try:
            data = parse_response(response.content, response.headers.get('Content-Type'), self._secrets + [token], what='The EM logon').data
        except EMError:
            data = None
        session_id = logon_session_id(data, token)
        if session_id is None:
            self.warnings.append('EM did not name the logon session; it cannot be logged off and %s.' % IDLE_EXPIRY)
        return session_id

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
        except Exception as exc:  # pylint: disable=broad-except
            # whatever went wrong here must not replace the error (or result) of the run
            reason = exc.message if isinstance(exc, EMError) else shorten(str(exc), 300)
            self.warnings.append('The logoff from Enterprise Manager failed (%s); %s.' % (redact(reason, secrets), SESSION_EXPIRES))
            return
        if response.status_code < 300 or response.status_code in (401, 404):
            self.stats['logoffs'] += 1
            return
        self.warnings.append('The logoff from Enterprise Manager answered HTTP %d%s; %s.'
                             % (response.status_code, after_retries(response), SESSION_EXPIRES))

    # --- requests -----------------------------------------------------------------------------------

    def prefetch(self, url):
        """Start GET url in a background thread (the transport only) while the caller works on what it has;
        get(url) then parses the answer and raises its errors in the caller's thread. Waiting for EM
        overlaps with the work on the previous page."""
        self.settle()
        url = self.url(url)
        self._background = Background(url, self._exchange, 'GET', url)

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
        response = self._send_authenticated(method, url)
        if response.status_code == 401:
            # The logon session expired (15 minutes idle): log on again once, repeat once.
            self.stats['relogons'] += 1
            self._token = None
            self._session_id = None
            self.logon()
            response = self._send_authenticated(method, url, note='after re-logon %d' % self.stats['relogons'])
        return response

    def _send_authenticated(self, method, url, note=None):
        read = method == 'GET'  # only reads are repeated after a failure
        headers = {TOKEN_HEADER: self._token, 'Accept': ACCEPT[self.response_format]}
        return self._send(method, url, headers, retry_exceptions=read, retry_statuses=RETRY_STATUSES if read else (), note=note)

    def _document(self, response, method, url, what=None):
        """The parsed Document of a 2xx response, or the EMError its status means."""
        status = response.status_code
        if 200 <= status < 300:
            return parse_response(response.content, response.headers.get('Content-Type'), self._secrets,
                                  what='Enterprise Manager (%s %s)' % (method, self.safe_url(url)))
        raise status_error(response, method, url, error_text(response, self._secrets), self._secrets, what=what)

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

    def query(self, type_name, filter=None, sort_desc='CreationTime', page_size=DEFAULT_PAGE_SIZE, limit=None,
              format='Entities', prefetch=False):
        """The query service, followed page by page to the end (see QueryPager)."""
        return QueryPager(self, type_name, filter_expr=filter, sort_desc=sort_desc, page_size=page_size, limit=limit, fmt=format,
                          prefetch=prefetch)

    # --- transport with retries -------------------------------------------------------------------

    def _send(self, method, url, headers, retry_exceptions=True, retry_statuses=RETRY_STATUSES, note=None):
        """One request, repeated with exponential backoff on transient failures up to `retries` times.
        Returns the final response (any status) or raises an EMError for transport failures.
        note: said in the request's log line (a re-logon); each repetition's line says which retry it is."""
        attempt = 0
        response, failure = self._attempt(method, url, headers, note)
        while self._repeat(url, response, attempt, retry_exceptions, retry_statuses):
            delay = min(self.backoff_base * (2 ** attempt), self.backoff_max)
            if response is not None:
                delay = max(delay, retry_after(response, self.backoff_max))
            attempt += 1
            self.stats['retries'] += 1
            self._sleep(delay)
            retry = 'retry %d of %d' % (attempt, self.retries)
            response, failure = self._attempt(method, url, headers, '%s, %s' % (note, retry) if note else retry)
        if failure is not None:
            raise failure
        response.em_retries = attempt  # for messages: how often it was repeated
        return response

    def _repeat(self, url, response, attempt, retry_exceptions, retry_statuses):
        """Whether the outcome of try number `attempt` (0 for the first) is worth another try."""
        if attempt >= self.retries:
            return False
        if response is None:
            return retry_exceptions
        # a filter EM cannot use is no outage: repeated once (it may have been a passing fault after all)
        return response.status_code in retry_statuses and (attempt < BAD_FILTER_RETRIES or not refused_filter(url, response))

    def _attempt(self, method, url, headers, note=None):
        """(response, None), or (None, error) for a failure worth a retry; other failures raise."""
        self.stats['requests'] += 1
        self.stats['by_method'][method] = self.stats['by_method'].get(method, 0) + 1
        self._http.cookies.clear()
        started = time.time()
        response = failure = None
        try:
            with warnings.catch_warnings():
                # the validate_certs=false warning is given once, by the module, not per request
                warnings.simplefilter('ignore')
                response = self._http.request(method, url, headers=headers, timeout=(self.timeout, self.timeout),
                                              verify=self.verify, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            failure, retryable = transport_error(exc, method, url, self.settings, self._secrets)
            if not retryable:
                raise failure
            self._timed_out = self._timed_out or isinstance(exc, requests.exceptions.ReadTimeout)
        if self._log is not None:
            outcome = response.status_code if response is not None else type(failure).__name__
            self._log('%s %s -> %s (%.2fs)%s' % (method, self.safe_url(url), outcome, time.time() - started, ' [%s]' % note if note else ''))
        return response, failure
