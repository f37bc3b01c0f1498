# -*- coding: utf-8 -*-
# The one table of EM connection options. It drives the module argument spec (with environment
# fallbacks), the lookup's option resolution, and the validation of the values (URL rules, version
# format) before any request. The documentation fragments (doc_fragments/connection.py and
# connection_plugin.py) are static YAML because ansible-test's yamllint sanity test needs literal
# strings there; unit tests assert that they equal fragment_options() / plugin_fragment_options().
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

from ansible.module_utils.basic import env_fallback

from urllib.parse import urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import whole_number

INI_SECTION = 'vbr_enterprise_manager'
VARS_PREFIX = 'ansible_vbr_em_'
ENV_PREFIX = 'VEEAM_EM_'

DEFAULT_HTTPS_PORT = 9398
DEFAULT_HTTP_PORT = 9399
VBR_REST_PORT = 9419


class ConnectionOption(object):
    """One row of the table."""

    __slots__ = ('name', 'type', 'default', 'no_log', 'choices', 'description')

    def __init__(self, name, type, description, default=None, no_log=False, choices=None):
        self.name = name
        self.type = type
        self.default = default
        self.no_log = no_log
        self.choices = choices
        self.description = description

    @property
    def env(self):
        return ENV_PREFIX + self.name.upper()

    @property
    def ini_key(self):
        return self.name

    @property
    def var(self):
        return VARS_PREFIX + self.name


CONNECTION_OPTIONS = (
    ConnectionOption(
        'url', 'str',
        [
            'URL of the Enterprise Manager REST API, for example V(https://em.example.com:9398).',
            'When no port is given, V(https) uses the EM default port V(9398) and V(http) the legacy port V(9399).',
            'The path may be empty, V(/) or V(/api). User names, passwords, other paths, a query or a fragment are rejected.',
            'Port V(9419) is the separate Veeam Backup & Replication REST API, not Enterprise Manager.',
            'Required. Falls back to the E(VEEAM_EM_URL) environment variable.',
        ]),
    ConnectionOption(
        'username', 'str',
        [
            'Account used to log on to Enterprise Manager, as V(DOMAIN\\\\user) or V(user@domain); it is sent unchanged.',
            'The account needs an EM role: Portal Administrator, Portal User or Restore Operator.',
            'Required. Falls back to the E(VEEAM_EM_USERNAME) environment variable.',
        ]),
    ConnectionOption(
        'password', 'str',
        [
            'Password of O(username). It is never logged or returned.',
            'Required. Falls back to the E(VEEAM_EM_PASSWORD) environment variable.',
        ],
        no_log=True),
    ConnectionOption(
        'validate_certs', 'bool',
        [
            'Verify the TLS certificate of Enterprise Manager.',
            'EM often uses a self-signed certificate: prefer O(ca_path) over setting this to V(false).',
            'Falls back to the E(VEEAM_EM_VALIDATE_CERTS) environment variable.',
        ],
        default=True),
    ConnectionOption(
        'ca_path', 'path',
        [
            'PEM file (or OpenSSL hashed directory) with the CA certificate(s) that signed the EM certificate.',
            'Used when O(validate_certs=true). When not set, the CA bundle of the Python C(requests) library is used.',
            'Falls back to the E(VEEAM_EM_CA_PATH) environment variable.',
        ]),
    ConnectionOption(
        'timeout', 'int',
        [
            'Seconds to wait for a connection and for each answer from Enterprise Manager.',
            'Falls back to the E(VEEAM_EM_TIMEOUT) environment variable.',
        ],
        default=30),
    ConnectionOption(
        'retries', 'int',
        [
            'How many times a read request is repeated, with exponential backoff, after a transient failure '
            '(HTTP 500, 502, 503 or 504, a connection reset, or a read timeout). V(0) disables retries.',
            'Other 4xx answers are never retried; an expired logon session (HTTP 401) leads to one new logon.',
            'Falls back to the E(VEEAM_EM_RETRIES) environment variable.',
        ],
        default=3),
    ConnectionOption(
        'api_version', 'str',
        [
            'EM REST API version to log on with: V(latest) or a version name such as V(v1_7) (EM 12 and 13), V(v1_6) (EM 11) or V(v1_5) (EM 10).',
            'Falls back to the E(VEEAM_EM_API_VERSION) environment variable.',
        ],
        default='latest'),
    ConnectionOption(
        'response_format', 'str',
        [
            'Representation requested from Enterprise Manager: V(xml) (the EM default) or V(json).',
            'Both give the same results; the JSON key spelling of EM 12 (PascalCase) and EM 13 (camelCase) is handled.',
            'V(json) bodies are smaller and parsed a little faster, which shows on big listings.',
            'Falls back to the E(VEEAM_EM_RESPONSE_FORMAT) environment variable.',
        ],
        default='xml', choices=['xml', 'json']),
)

OPTION_NAMES = tuple(option.name for option in CONNECTION_OPTIONS)
_BY_NAME = dict((option.name, option) for option in CONNECTION_OPTIONS)


def connection_option(name):
    """The table row of one option."""
    return _BY_NAME[name]


def connection_argument_spec():
    """Argument spec entries for modules: one per option, each with its environment fallback."""
    return dict((option.name, _with_default_and_choices(
        option, {'type': option.type, 'no_log': option.no_log, 'fallback': (env_fallback, [option.env])}))
        for option in CONNECTION_OPTIONS)


def _with_default_and_choices(option, entry):
    """entry plus the option's default and choices, where it has them (argspec and docs say the same)."""
    if option.default is not None:
        entry['default'] = option.default
    if option.choices:
        entry['choices'] = list(option.choices)
    return entry


def fragment_options():
    """The `options` mapping of the connection documentation fragment (modules and plugins)."""
    return dict((option.name, _with_default_and_choices(option, {'description': list(option.description), 'type': option.type}))
                for option in CONNECTION_OPTIONS)


def plugin_fragment_options():
    """The `options` mapping of the connection_plugin fragment: where plugins read each option."""
    options = {}
    for option in CONNECTION_OPTIONS:
        options[option.name] = {
            'env': [{'name': option.env}],
            'ini': [{'section': INI_SECTION, 'key': option.ini_key}],
            'vars': [{'name': option.var}],
        }
    return options


def connection_params_from(get_option):
    """Collect the connection options through a getter (a plugin's get_option)."""
    return dict((name, get_option(name)) for name in OPTION_NAMES)


# --- validation of the values, before any request ------------------------------------------------

_API_VERSION = re.compile(r'^(latest|v?[0-9]+(_[0-9]+)*)$', re.IGNORECASE)


def normalize_url(url):
    """Return the EM base URL (scheme://host:port, no path) for a user-given URL, or raise EMInputError."""
    example = 'for example url=https://em.example.com:9398'
    if url is None or not str(url).strip():
        raise EMInputError('No Enterprise Manager URL given.',
                           hint='Set the url option or the VEEAM_EM_URL environment variable, %s.' % example)
    text = str(url).strip()
    if '://' not in text:
        raise EMInputError('The url %r has no scheme.' % text,
                           hint='Start it with https:// (or http:// for the legacy port 9399), %s.' % example)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise EMInputError('The url %r is not a valid URL (%s).' % (_safe_url_text(text), exc), hint=example.capitalize() + '.')
    scheme = parts.scheme.lower()
    if scheme not in ('https', 'http'):
        raise EMInputError('The url scheme %r is not supported.' % parts.scheme,
                           hint='Use https:// (or http:// for the legacy port 9399), %s.' % example)
    if parts.username is not None or parts.password is not None or '@' in parts.netloc:
        raise EMInputError('The url must not contain a user name or password.',
                           hint='Give them in the username and password options (or VEEAM_EM_USERNAME / VEEAM_EM_PASSWORD).')
    host = parts.hostname
    if not host:
        raise EMInputError('The url %r has no host name.' % text, hint=example.capitalize() + '.')
    if parts.path not in ('', '/', '/api', '/api/'):
        raise EMInputError('The url path %r is not supported.' % parts.path,
                           hint='Give only the scheme, host and port (the path may be / or /api), %s.' % example)
    if parts.query or text.rstrip().endswith('?'):
        raise EMInputError('The url must not contain a query string (%r).' % parts.query, hint=example.capitalize() + '.')
    if parts.fragment or '#' in text:
        raise EMInputError('The url must not contain a fragment (#%s).' % parts.fragment, hint=example.capitalize() + '.')
    if port is None:
        port = DEFAULT_HTTPS_PORT if scheme == 'https' else DEFAULT_HTTP_PORT
    if ':' in host:  # IPv6 literal
        host = '[%s]' % host
    return '%s://%s:%d' % (scheme, host.lower(), port)


def _safe_url_text(text):
    """A URL for a message, without any user:password part."""
    if '@' in text:
        scheme, _sep, rest = text.partition('://')
        return '%s://%s' % (scheme, rest.rsplit('@', 1)[-1])
    return text


def validate_connection_params(params):
    """Check and normalise the connection options; returns a new dict with `base_url` and `verify` added."""
    params = dict(params)
    settings = {}
    settings['base_url'] = normalize_url(params.get('url'))
    username = params.get('username')
    if username is None or not str(username).strip():
        raise EMInputError('No user name given.',
                           hint='Set the username option or the VEEAM_EM_USERNAME environment variable (DOMAIN\\user or user@domain).')
    if ':' in username:
        raise EMInputError('The username must not contain a colon (HTTP basic authentication cannot carry it).',
                           hint='Use DOMAIN\\user or user@domain.')
    settings['username'] = username
    password = params.get('password')
    if password is None or password == '':
        raise EMInputError('No password given.', hint='Set the password option or the VEEAM_EM_PASSWORD environment variable.')
    settings['password'] = password

    validate_certs = params.get('validate_certs')
    settings['validate_certs'] = True if validate_certs is None else bool(validate_certs)
    ca_path = params.get('ca_path')
    if ca_path:
        ca_path = os.path.expanduser(str(ca_path))
        if not os.path.exists(ca_path):
            raise EMInputError('The ca_path %r does not exist.' % ca_path,
                               hint='Give the PEM file with the CA certificate that signed the EM certificate.')
    settings['ca_path'] = ca_path or None
    if settings['validate_certs']:
        settings['verify'] = ca_path or True
    else:
        settings['verify'] = False

    settings['timeout'] = _positive_number(params, 'timeout', minimum=1)
    settings['retries'] = _positive_number(params, 'retries', minimum=0)

    api_version = params.get('api_version')
    api_version = 'latest' if api_version is None else str(api_version).strip()
    if not _API_VERSION.match(api_version):
        raise EMInputError('The api_version %r is not an EM REST API version.' % api_version,
                           hint='Use latest, or a version name such as v1_7 (EM 12/13), v1_6 (EM 11) or v1_5 (EM 10).')
    settings['api_version'] = api_version

    response_format = params.get('response_format') or 'xml'
    response_format = str(response_format).lower()
    if response_format not in ('xml', 'json'):
        raise EMInputError('The response_format %r is not supported.' % response_format, hint='Use xml or json.')
    settings['response_format'] = response_format
    return settings


def _positive_number(params, name, minimum):
    value = params.get(name)
    return whole_number(name, _BY_NAME[name].default if value is None else value, minimum)
