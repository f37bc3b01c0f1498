# -*- coding: utf-8 -*-
# The URLs of the EM REST API: an API path or an EM link on the configured base URL, and the query
# service's page URLs (built here so a page asked for ahead is the page read next, see query_pager.py).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from urllib.parse import quote, urlsplit

# Characters left raw in an encoded filter: EM reads them as operators/grouping (query_filter.py builds filters).
_FILTER_SAFE = ';,()'
# The page size asked for; EM may apply a smaller one (its maximum is not documented), see QueryPager.
DEFAULT_PAGE_SIZE = 1000


def api_url(base_url, path):
    """Absolute URL for an API path ('/query?...' or '/api/query?...') or an EM link (rebased)."""
    if '://' in path:
        return rebase_url(base_url, path)
    if not path.startswith('/'):
        path = '/' + path
    if not (path == '/api' or path.startswith('/api/')):
        path = '/api' + path
    return base_url + path


def rebase_url(base_url, href):
    """An EM link onto the configured base URL: EM writes its own host name into links, which may not
    be the name (or NAT address) this client reaches it by."""
    parts = urlsplit(href)
    path = parts.path or '/'
    index = path.find('/api/')
    if index >= 0:
        path = path[index:]
    elif path.endswith('/api'):
        path = '/api/'
    result = base_url + path
    if parts.query:
        result += '?' + parts.query
    return result


def encode_filter(expression):
    """Percent-encode a filter for the query string (UTF-8); ';' ',' '(' ')' stay raw, '&' becomes %26."""
    return quote(expression, safe=_FILTER_SAFE)


def query_url(base_url, type_name, filter_expr=None, sort_desc='CreationTime', page_size=DEFAULT_PAGE_SIZE, page=1, fmt='Entities'):
    url = '%s/api/query?type=%s&format=%s' % (base_url, quote(type_name, safe=''), quote(fmt, safe=''))
    if sort_desc:
        url += '&sortDesc=%s' % quote(sort_desc, safe='')
    url += '&pageSize=%d&page=%d' % (page_size, page)
    if filter_expr:
        url += '&filter=' + encode_filter(filter_expr)
    return url
