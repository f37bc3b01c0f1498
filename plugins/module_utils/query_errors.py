# -*- coding: utf-8 -*-
# A query filter EM refused: HTTP 400, or HTTP 500 with an EM Error body, which is how some EM
# versions answer a filter they cannot use (a client mistake, not an outage: it is repeated once at
# most, not `retries` times). The error shows EM's message and the filter; the caller that built the
# filter then names the options it came from (EMFilterError.name_origin).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from urllib.parse import parse_qs, urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError, EMFilterError, redact, shorten
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import parse_response

# Repeats of a filtered query answered with 500 and an EM Error body (it may still be a passing fault).
BAD_FILTER_RETRIES = 1

FILTER_SYNTAX = ('fields such as VmDisplayName, JobName, State, Result, CreationTime; operators == != < > <= >=; '
                 '";" for AND, "," for OR; strings in double quotes')
FILTER_HINT = 'Check the filter option: %s.' % FILTER_SYNTAX
SERVICE_HINT = 'If EM\'s message is not about the filter, check the EM service and its logs.'


def query_filter(url):
    """The (decoded) filter of a query service URL, or None for another URL or a query without one."""
    parts = urlsplit(url)
    if not parts.path.rstrip('/').lower().endswith('/api/query'):
        return None
    values = parse_qs(parts.query).get('filter')
    return values[0] if values else None


def em_error_answer(response):
    """True when the body of a response is an EM Error (not a proxy's page, not empty)."""
    body = response.content
    if not body or not body.strip():
        return False
    try:
        return parse_response(body, response.headers.get('Content-Type')).is_error
    except EMError:
        return False


def refused_filter(url, response):
    """True for a 500 with an EM Error body to a filtered query: most likely EM could not use the filter."""
    return response.status_code == 500 and query_filter(url) is not None and em_error_answer(response)


def filter_error(answer):
    """The EMFilterError of a query answered 400 (or 500 with an EM Error body); `answer` is the
    http_errors._Answer of it. None when the URL is no filtered query (a 500 then is an outage)."""
    text = query_filter(answer.url)
    if answer.status >= 500 and (text is None or not em_error_answer(answer.response)):
        return None
    shown = 'the filter %s' % shorten(redact(text, answer.secrets)) if text else answer.shown
    if answer.status >= 500:
        retried = ', ' + answer.retried.strip() if answer.retried else ''
        return EMFilterError('Enterprise Manager failed on the query with %s (HTTP %d with an Error body%s).'
                             % (shown, answer.status, retried),
                             hint='EM answers some filters it cannot use so. %s %s' % (FILTER_HINT, SERVICE_HINT), **answer.facts)
    return EMFilterError('Enterprise Manager rejected the query (HTTP 400) with %s.' % shown, hint=FILTER_HINT, **answer.facts)


def origin_hint(raw_filter, status):
    """The hint of a refused filter once its origin is known: the raw filter option is sent as
    written, the other options are quoted by the collection (so the EM version parses them otherwise)."""
    if raw_filter:
        hint = 'The filter option is sent to EM as written: check it (%s).' % FILTER_SYNTAX
    else:
        hint = ('The collection wrote this filter from those options, and this EM did not accept it: report the EM '
                'version and the options (without credentials); meanwhile select with other options.')
    return hint + (' ' + SERVICE_HINT if status and status >= 500 else '')
