# GET /api/query: parameter handling (case-insensitive names and values), filtering, sorting, paging, and
# the PagingInfo links that re-encode the client's query (filter percent-encoded with `;` kept raw,
# pageSize/page appended). Filtered and sorted results are cached, so walking the pages stays cheap.
from __future__ import annotations

import collections
import threading
from urllib.parse import quote_plus

from .errors import ApiError
from .filter_parser import FilterError, parse
from .query_fields import QUERY_TYPES as _TYPES, compile_filter, sort_key
from . import restore_point_api
from .resources import Paging

DEFAULT_PAGE_SIZE = 100
QUERY_TYPES = dict(_TYPES, **restore_point_api.QUERY_TYPES)
_LINK_PARAMS = ('type', 'format', 'sortasc', 'sortdesc', 'filter')


class QueryResult:
    __slots__ = ('query_type', 'entities', 'records', 'paging')

    def __init__(self, query_type, entities, records, paging):
        self.query_type = query_type
        self.entities = entities
        self.records = records
        self.paging = paging


class QueryService:
    """max_page_size: a silent cap of pageSize (0: none); PagingInfo's PageSize and the paging links tell the
    size applied. bad_filter_status: the status of an answer to a filter EM cannot parse (400 or 500)."""

    def __init__(self, dataset, cache_size=64, max_page_size=0, bad_filter_status=400):
        self.dataset = dataset
        self.sources = {'backuptasksession': dataset.tasks, 'backupjobsession': dataset.job_sessions}
        self.sources.update(restore_point_api.query_sources(dataset))  # callables: rebuilt after live sessions
        self.max_page_size = max_page_size
        self.bad_filter_status = bad_filter_status
        self.cache = collections.OrderedDict()
        self.cache_size = cache_size
        self.lock = threading.Lock()

    def run(self, params):
        """params: the decoded (name, value) pairs in the client's order. Raises ApiError(400) on bad input."""
        first = {}
        for name, value in params:
            first.setdefault(name.lower(), value)
        type_name = first.get('type')
        if not type_name:
            raise ApiError(400, 'The query type is not specified: add type=BackupTaskSession.')
        query_type = QUERY_TYPES.get(type_name.lower())
        if query_type is None:
            raise ApiError(400, 'Query type %r is not supported. Supported: %s.'
                           % (type_name, ', '.join(kind.name for kind in QUERY_TYPES.values())))
        fmt = first.get('format', 'References').lower()
        if fmt not in ('references', 'entities'):
            raise ApiError(400, 'Format %r is not supported: use References or Entities.' % first['format'])
        if 'sortasc' in first and 'sortdesc' in first:
            raise ApiError(400, 'Use either sortAsc or sortDesc, not both.')
        page_size = _positive(first, 'pagesize', DEFAULT_PAGE_SIZE)
        if self.max_page_size:
            page_size = min(page_size, self.max_page_size)
        page = _positive(first, 'page', 1)
        sort_field = None
        try:
            if 'sortasc' in first or 'sortdesc' in first:
                sort_field = query_type.field(first.get('sortasc', first.get('sortdesc')))
        except FilterError as exc:
            raise ApiError(400, str(exc))
        try:
            records = self._select(query_type, first.get('filter', ''), sort_field, 'sortdesc' in first)
        except FilterError as exc:
            raise ApiError(self.bad_filter_status, str(exc))
        pages_count = max(1, -(-len(records) // page_size))
        chosen = records[(page - 1) * page_size:page * page_size]
        paging = Paging(page, page_size, pages_count, _paging_links(params, page, page_size, pages_count))
        return QueryResult(query_type, fmt == 'entities', chosen, paging)

    def _select(self, query_type, filter_text, sort_field, descending):
        tree = parse(filter_text)
        matches = compile_filter(tree, query_type) if tree is not None else None
        with self.dataset.lock:  # sessions made while the simulator runs change the data: one consistent view
            key = (query_type.name, filter_text, sort_field.name if sort_field else None, descending, self.dataset.generation)
            with self.lock:
                cached = self.cache.get(key)
                if cached is not None:
                    self.cache.move_to_end(key)
                    return cached
            records = self.sources[query_type.name.lower()]
            if callable(records):
                records = records()
            if matches is not None:
                records = [record for record in records if matches(record)]
            elif self.dataset.generation:
                records = list(records)  # the live list grows: a page walk must not see it move
            if sort_field is not None:
                records = sorted(records, key=sort_key(sort_field), reverse=descending)
        with self.lock:
            self.cache[key] = records
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return records


def _positive(first, name, default):
    text = first.get(name)
    if text is None or text == '':
        return default
    if not text.isdigit() or int(text) < 1:
        raise ApiError(400, 'Parameter %s must be a whole number greater than 0, not %r.' % ({'pagesize': 'pageSize'}.get(name, name), text))
    return int(text)


def _paging_links(params, page, page_size, pages_count):
    """First, Previous, Next, Last: the client's type/format/sort/filter (its spelling), then pageSize and page."""
    seen = set()
    parts = []
    for name, value in params:
        lower = name.lower()
        if lower in _LINK_PARAMS and lower not in seen:
            seen.add(lower)
            parts.append('%s=%s' % (quote_plus(name), quote_plus(value, safe=';' if lower == 'filter' else '')))
    prefix = '/api/query?' + '&'.join(parts + ['pageSize=%d' % page_size])

    def href(number):
        return '%s&page=%d' % (prefix, number)
    links = [('First', href(1))]
    if page > 1:
        links.append(('Previous', href(min(page - 1, pages_count))))
    if page < pages_count:
        links.append(('Next', href(page + 1)))
    links.append(('Last', href(pages_count)))
    return links
