# -*- coding: utf-8 -*-
# The EM connection options, one row each (the Option shape is in option_table.py), and the check of
# their values (URL rules, version format) before any request. The rows produce the module argument
# spec with its VEEAM_EM_* fallbacks, the plugins' options (env, ini and vars sources), the role's
# argument spec and the doc fragment (tools/option_docs.py writes the YAML Ansible needs literally).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

from urllib.parse import urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option, argument_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import whole_number

INI_SECTION = 'vbr_enterprise_manager'
VARS_PREFIX = 'ansible_vbr_em_'
ENV_PREFIX = 'VEEAM_EM_'

DEFAULT_HTTPS_PORT = 9398
DEFAULT_HTTP_PORT = 9399
VBR_REST_PORT = 9419


def _connection_option(name, type, description, **details):
    """A row of the table, with the sources every connection option has: VEEAM_EM_<NAME> (modules and
    plugins), [vbr_enterprise_manager] <name> in ansible.cfg and ansible_vbr_em_<name> (plugins)."""
    return Option(name, type, description, env=ENV_PREFIX + name.upper(), ini=(INI_SECTION, name), var=VARS_PREFIX + name,
                  **details)


CONNECTION_OPTIONS = (
    _connection_option(
        'url', 'str',
        [
            'URL of the Enterprise Manager REST API, for example V(https://em.example.com:9398); without a port, V(https) '
            'uses V(9398) and V(http) V(9399). The path may only be V(/) or V(/api).',
        ],
        required=True),
    _connection_option(
        'username', 'str',
        [
            'Account used to log on to Enterprise Manager, as V(DOMAIN\\\\user) or V(user@domain), with an EM role '
            '(Portal Administrator, Portal User or Restore Operator).',
        ],
        required=True),
    _connection_option(
        'password', 'str',
        [
            'Password of O(username). It is never logged or returned.',
        ],
        no_log=True, required=True),
    _connection_option(
        'validate_certs', 'bool',
        [
            'Verify the TLS certificate of Enterprise Manager.',
            'EM often uses a self-signed certificate: prefer O(ca_path) over setting this to V(false).',
        ],
        default=True),
    _connection_option(
        'ca_path', 'path',
        [
            'PEM file (or OpenSSL hashed directory) with the CA certificate(s) that signed the EM certificate. When not '
            'set, the CA bundle of the Python C(requests) library is used.',
        ]),
    _connection_option(
        'timeout', 'int',
        [
            'Seconds to wait for a connection and for each answer from Enterprise Manager.',
        ],
        default=30),
    _connection_option(
        'retries', 'int',
        [
            'How many times a read is repeated, with exponential backoff, after HTTP 500, 502, 503 or 504, a connection '
            'reset or a read timeout. V(0) disables retries.',
        ],
        default=3),
    _connection_option(
        'api_version', 'str',
        [
            'EM REST API version to log on with: V(latest) or a version name such as V(v1_7) (EM 12 and 13), V(v1_6) (EM 11) or V(v1_5) (EM 10).',
        ],
        default='latest'),
    _connection_option(
        'response_format', 'str',
        [
            'Representation requested from Enterprise Manager: V(xml) (the EM default) or V(json), which is a little '
            'faster on big listings. Both give the same results.',
        ],
        default='xml', choices=['xml', 'json']),
)

OPTION_NAMES = tuple(option.name for option in CONNECTION_OPTIONS)
_BY_NAME = dict((option.name, option) for option in CONNECTION_OPTIONS)


def where_to_set(name):
    """The places a connection option can be set, by their names from its row (for the missing-value messages)."""
    option = _BY_NAME[name]
    return ('Set the %s option, the %s variable, the %s environment variable or %s in the [%s] section of ansible.cfg '
            '(which of them each plugin reads: docs/configuration.md)' % (name, option.var, option.env, option.ini[1], option.ini[0]))


def connection_argument_spec():
    """Argument spec entries for modules: one per option, each with its environment fallback."""
    return argument_spec(CONNECTION_OPTIONS)


# --- validation of the values, before any request ------------------------------------------------

_API_VERSION = re.compile(r'^(latest|v?[0-9]+(_[0-9]+)*)$', re.IGNORECASE)


def normalize_url(url):
    """Return the EM base URL (scheme://host:port, no path) for a user-given URL, or raise EMInputError."""
    example = 'for example url=https://em.example.com:9398'
    if url is None or not str(url).strip():
        raise EMInputError('No Enterprise Manager URL given.', hint='%s, %s.' % (where_to_set('url'), example))
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
        raise EMInputError('No user name given.', hint='%s, as DOMAIN\\user or user@domain.' % where_to_set('username'))
    if ':' in username:
        raise EMInputError('The username must not contain a colon (HTTP basic authentication cannot carry it).',
                           hint='Use DOMAIN\\user or user@domain.')
    settings['username'] = username
    password = params.get('password')
    if password is None or password == '':
        raise EMInputError('No password given.', hint='%s.' % where_to_set('password'))
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
