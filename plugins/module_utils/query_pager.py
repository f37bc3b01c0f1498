# -*- coding: utf-8 -*-
# The EM query service (GET /api/query?type=...) read page by page: the page URLs, the items and
# paging facts of a QueryResult, and QueryPager, which follows the pages to the end (or a limit),
# with the page size EM applied, and can keep the request for the next page on its way while the
# caller works on the current one.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import threading

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import DEFAULT_PAGE_SIZE, query_url
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import NOT_EM_HINT, EMProtocolError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import entity_list, canonical_key, first_link, to_int


def paging_info(data):
    """(page_num, pages_count, next_href) of a QueryResult; (None, None, None) without PagingInfo."""
    info = data.get('PagingInfo') if isinstance(data, dict) else None
    if not isinstance(info, dict):
        return None, None, None
    link = first_link(info, rel='Next')
    return to_int(info.get('PageNum')), to_int(info.get('PagesCount')), (link or {}).get('Href')


def applied_page_size(data):
    """The PageSize EM says it applied to a QueryResult, or None."""
    info = data.get('PagingInfo') if isinstance(data, dict) else None
    return to_int(info.get('PageSize')) if isinstance(info, dict) else None


def query_items(data, type_name):
    """The entities (format=Entities) or references of a QueryResult for one query type."""
    entities = data.get('Entities') if isinstance(data, dict) else None
    if isinstance(entities, dict):
        list_name = canonical_key(type_name) + 's'
        for key, value in entities.items():
            if key.lower() == list_name.lower():
                return entity_list(value)
        return []
    return entity_list(data.get('Refs') if isinstance(data, dict) else None)


class _Walk(object):
    """Where a pager is: the URL to read next and the page number it asks for (None for an EM link),
    the URL asked for ahead, the page count EM gave last, and what was read (loop guards)."""

    def __init__(self, url):
        self.url = url
        self.number = 1
        self.ahead = None
        self.pages_count = None
        self.applied = None  # the page size EM applied to the page read last
        self.restart = None  # the number of the next page after EM applied a smaller page size
        self.seen_pages = set()
        self.seen_urls = set()

    def note(self, page_num):
        if page_num is None:
            return
        if page_num in self.seen_pages:
            raise EMProtocolError('Enterprise Manager returned page %d of the query twice; stopped to avoid a loop.' % page_num)
        self.seen_pages.add(page_num)


class QueryPager(object):
    """Iterates the items of one query, page after page until EM has no more (PagingInfo: PageNum <
    PagesCount, or a Next link). With `limit`, stops once that many items were yielded and sets
    `truncated` when more existed. `pages` counts the pages read.

    EM may apply a smaller page size than asked (PagingInfo PageSize): the pager then asks for the
    following pages with that size, numbered from the rows read so far, so every row is read once.
    With `prefetch` (for callers that read every page), one request is always on its way: page N+1
    is asked for as soon as page N has arrived, before it is parsed, when the page count EM gave and
    the limit say it will be read; the page URLs are then built here rather than taken from Next
    links, so the page asked for ahead is the one read next. Should the page count shrink while
    paging, that one request is the most that is wasted."""

    def __init__(self, client, type_name, filter_expr=None, sort_desc='CreationTime', page_size=DEFAULT_PAGE_SIZE, limit=None, fmt='Entities',
                 prefetch=False):
        self.client = client
        self.type_name = type_name
        self.filter_expr = filter_expr
        self.sort_desc = sort_desc
        self.limit = limit
        # one item more than the limit tells whether the limit cut anything off
        self.page_size = min(page_size, limit + 1) if limit is not None else page_size
        self.fmt = fmt
        self.prefetch = prefetch
        self.own_urls = prefetch  # page URLs built here, not taken from EM's Next links
        self.truncated = False
        self.pages = 0
        self.count = 0

    def __iter__(self):
        for page in self.iter_pages():
            yield from page

    def iter_pages(self):
        """Yield the list of items of each page."""
        walk = _Walk(self._page_url(1))
        while walk.url:
            items, page_num, next_href = self._read(walk)
            more = bool(next_href) or (page_num is not None and walk.pages_count is not None and page_num < walk.pages_count)
            if self.limit is not None and self.count + len(items) >= self.limit:
                take = items[:self.limit - self.count]
                self.count += len(take)
                self.truncated = len(items) > len(take) or more
                yield take
                return
            self.count += len(items)
            self._advance(walk, page_num, next_href, more)
            yield items

    def _read(self, walk):
        """(items, page_num, next_href) of the page at walk.url; asks for the one after it ahead when due."""
        client = self.client
        walk.seen_urls.add(walk.url)
        walk.ahead = self._ahead(walk)
        doc = client.get(walk.url, what='query', then=walk.ahead)
        _require_query_result(doc, client.safe_url(walk.url))
        self.pages += 1
        client.stats['pages'] += 1
        page_num, walk.pages_count, next_href = paging_info(doc.data)
        walk.applied = applied_page_size(doc.data)
        return query_items(doc.data, self.type_name), page_num, next_href

    def _ahead(self, walk):
        """The URL of the page after walk.url when it will be read (prefetch, known page count, limit)."""
        if not self.prefetch or walk.number is None or walk.pages_count is None:
            return None
        if walk.number >= min(walk.pages_count, self._last_page_needed()):
            return None
        return self._page_url(walk.number + 1)

    def _follow_page_size(self, walk):
        """EM applied a smaller page size than asked and has more pages: page on with it. Its Next links
        may still carry the size asked for, so from here on the page URLs are built here, numbered from
        the rows read."""
        applied = walk.applied
        if applied is None or not 0 < applied < self.page_size:
            return
        rows = self.count
        if rows % applied:
            raise EMProtocolError('Enterprise Manager applied a page size of %d to the query after %d rows; '
                                  'stopped rather than skip or repeat rows.' % (applied, rows),
                                  hint='Retry; if it persists, report the EM version and the query.')
        self.page_size = applied
        self.own_urls = True
        walk.restart = rows // applied + 1

    def _advance(self, walk, page_num, next_href, more):
        walk.url, walk.number = None, None
        if more:
            self._follow_page_size(walk)
            walk.url, walk.number = self._next_page(walk, page_num, next_href)
        if walk.url is not None and self.prefetch and walk.url != walk.ahead:
            self.client.prefetch(walk.url)  # (a page asked for ahead that is not the next one after all is dropped)

    def _next_page(self, walk, page_num, next_href):
        """(URL, number) of the page after page_num: EM's Next link (number None), else the same query
        with page + 1; the latter whenever the pager builds the URLs and page_num is known."""
        walk.note(page_num)
        number, walk.restart = walk.restart, None
        if number is None and page_num is not None:
            number = page_num + 1
        if next_href and (number is None or not self.own_urls):
            url = self.client.rebase(next_href)
            if url not in walk.seen_urls:
                return url, None
        return self._built_page(walk, number)

    def _built_page(self, walk, number):
        """(URL, number) of page `number` of the query as the pager builds it."""
        if number is None:
            raise EMProtocolError('Enterprise Manager announced another page of the query without saying which.')
        url = self._page_url(number)
        if url in walk.seen_urls:
            raise EMProtocolError('Enterprise Manager paging does not advance; stopped to avoid a loop.')
        return url, number

    def _page_url(self, number):
        return query_url(self.client.base_url, self.type_name, self.filter_expr, self.sort_desc, self.page_size, number, self.fmt)

    def _last_page_needed(self):
        """The last page a limit may need (pages before the last one are full); without a limit, no bound."""
        if self.limit is None:
            return float('inf')
        return -(-self.limit // self.page_size)


class Background(object):
    """One call run in a daemon thread (a daemon never keeps a failed run alive); result() waits and
    returns its value or raises its exception in the waiting thread. EMClient runs a prefetched page in it."""

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
    raise EMProtocolError('Enterprise Manager answered the query %s with %s instead of a QueryResult.' % (url, found), hint=NOT_EM_HINT)
