# -*- coding: utf-8 -*-
# The one reader of the EM query service for every query type: a QueryType declares an EM type (its
# name, the OR-lists and terms of its filter, its normaliser, the row checks, the sort field), and
# read() pages it (QueryPager: EM's applied PageSize, prefetch), normalises each entity, drops what
# fails the row checks and repeats from shifting pages, enriches (job types) and yields the facts,
# with an optional early stop after a page. A new query type is a declaration, not another loop.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections import namedtuple

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import (
    MAX_FILTER_LENGTH,
    all_of,
    any_of,
    chunk_by_length,
    comparison,
    encode_filter,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import DEFAULT_PAGE_SIZE
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import criteria, time_range
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_fact_time


class OrList(namedtuple('OrList', 'attribute field option em_value')):
    """One OR-list of a filter: `field=="value"` for each value of the Selection attribute (em_value(value) is
    what EM is asked for, e.g. the URN of a GUID); option names it in the message when even one value is too long."""

    __slots__ = ()

    def __new__(cls, attribute, field, option, em_value=None):
        return super(OrList, cls).__new__(cls, attribute, field, option, em_value)

    def values(self, selection):
        return list(selection.get(self.attribute) or [])

    def term(self, values):
        convert = self.em_value or (lambda value: value)
        return any_of([comparison(self.field, '==', convert(value)) for value in values])


class Chunk(str):
    """One filter of a selection: the filter text itself ('' for none), with `lists`, the values of each OR-list
    it holds (attribute -> values), so that an early stop knows, say, which VM names a chunk asks for."""

    def __new__(cls, text, lists):
        chunk = super(Chunk, cls).__new__(cls, text)
        chunk.lists = lists
        return chunk

    @property
    def text(self):
        return str(self)


def _identity(facts):
    return facts.get('id') or facts.get('uid')


class QueryType(object):
    """One EM query type, declared.

    name: EM's type name (type=...). normalise(entity) -> the facts (a new dict; times as datetimes).
    lists: the OrList rows, in filter order; the longest is split over several queries when the whole
      filter does not fit in one URL. terms(selection, **extra) -> the other AND terms (enums, times, raw).
    criteria: the row_check rows (option, fact key, kind, Selection attribute) every row is checked on;
      window: the Selection attributes (since, until) of the creation time range checked on each row, or None.
    sort: the sortDesc field (newest first). key(facts): a row's identity, to drop a repeat from shifting pages.
    keys: the documented fact keys, in order. times: the keys holding datetimes, ISO 8601 Z text once exported."""

    def __init__(self, name, normalise, lists=(), terms=None, criteria=(), window=None, sort='CreationTime', key=_identity, keys=(),
                 times=()):
        self.name = name
        self.normalise = normalise
        self.lists = tuple(lists)
        self.terms = terms
        self.criteria = tuple(criteria)
        self.window = window
        self.sort = sort
        self.key = key
        self.keys = tuple(keys)
        self.times = tuple(times)

    def export(self, facts):
        """The facts as they leave the collection: the same dict with each time as ISO 8601 text ending in Z."""
        return dict(facts, **dict((key, format_fact_time(facts[key])) for key in self.times if key in facts))

    def filter_text(self, selection, lists=None, **extra):
        """The filter of selection, with `lists` (attribute -> values) in place of the selection's."""
        lists = lists or {}
        terms = [row.term(lists[row.attribute] if row.attribute in lists else row.values(selection)) for row in self.lists]
        return all_of(terms + list(self.terms(selection, **extra) if self.terms else []))

    def filters(self, selection, max_length=MAX_FILTER_LENGTH, **extra):
        """[Chunk]: the one filter of selection when it fits in max_length encoded characters, else one per chunk
        of the longest OR-list (their rows are disjoint). EMInputError when even that does not fit."""
        whole = self.filter_text(selection, **extra)
        if len(encode_filter(whole)) <= max_length:
            return [Chunk(whole, dict((row.attribute, row.values(selection)) for row in self.lists))]
        given = [row for row in self.lists if row.values(selection)]
        if not given:
            raise _too_long(max_length, 'Shorten the filter option.')
        row = max(given, key=lambda item: len(encode_filter(item.term(item.values(selection)))))
        chunks = []
        for values in chunk_by_length(row.values(selection), lambda group: self.filter_text(selection, {row.attribute: group}, **extra), max_length):
            text = self.filter_text(selection, {row.attribute: values}, **extra)
            if len(encode_filter(text)) > max_length:
                raise _too_long(max_length, 'Shorten the filter option, or give fewer values to the list options other than %s '
                                            '(long lists of one option are split over several queries).' % row.option)
            lists = dict((other.attribute, other.values(selection)) for other in self.lists)
            lists[row.attribute] = values
            chunks.append(Chunk(text, lists))
        return chunks

    def checks(self, selection):
        """The row checks of selection: each criterion EM was asked for, and the time window."""
        window = time_range(*(selection.get(name) for name in self.window)) if self.window else []
        return criteria(self.criteria, selection) + window


def _too_long(max_length, hint):
    return EMInputError('The selection needs an EM query filter longer than the %d characters that fit in one request URL.'
                        % max_length, hint=hint)


def read(client, query, selection=None, chunks=None, accepts=None, enrich=None, stop=None, limit=None, whole=False,
         prefetch=False, keep=None, page_size=None, key=None, **extra):
    """A Reading of `query`: iterate it for the facts; its `truncated` and `stopped` say how it ended.

    chunks: the filters to read (default query.filters(selection, **extra)). accepts(facts): the row check
    (a bound RowCheck); a row it refuses is dropped. enrich(batch) -> the batch's final facts (new dicts,
    e.g. with the job type), per page, or once at the end with whole=True (every page read first, one
    enrichment for all). stop(chunk) -> done(batch), asked after each page of that chunk: True ends the chunk's
    reading there (the named-VM latest). limit: at most that many rows per chunk (truncated when EM had
    more). prefetch: ask for the next page while this one is worked on (only for a reading to the end).
    keep: the fact keys to keep of each row (None: all). page_size: default selection.page_size.
    key(facts): a row's identity, a repeat of which is dropped (default query.key)."""
    return Reading(client, query, selection, chunks, accepts, enrich, stop, limit, whole, prefetch, keep, page_size, key, extra)


class Reading(object):
    """One read(): a generator over the facts (__iter__), then truncated (a limit cut a chunk) and stopped
    (an early stop ended a chunk before its last page)."""

    def __init__(self, client, query, selection, chunks, accepts, enrich, stop, limit, whole, prefetch, keep, page_size, key, extra):
        self.client = client
        self.query = query
        self.chunks = chunks if chunks is not None else query.filters(selection, **extra)
        self.accepts = accepts
        self.enrich = enrich
        self.stop = stop
        self.limit = limit
        self.whole = whole
        self.prefetch = prefetch and stop is None
        self.keep = keep
        self.key = key or query.key
        self.page_size = page_size or (selection.get('page_size') if selection is not None else None) or DEFAULT_PAGE_SIZE
        self.truncated = False
        self.stopped = False
        self.seen = set()

    def __iter__(self):
        collected = []
        for chunk in self.chunks:
            pager = self.client.query(self.query.name, filter=chunk.text or None, sort_desc=self.query.sort,
                                      page_size=self.page_size, limit=self.limit, prefetch=self.prefetch)
            done = self.stop(chunk) if self.stop is not None else None
            for page in pager.iter_pages():
                batch = self._facts(page)
                if self.whole:
                    collected.extend(batch)
                    continue
                batch = self.enrich(batch) if self.enrich is not None and batch else batch
                yield from batch
                if done is not None and done(batch):
                    self.stopped = True
                    break
            self.truncated = self.truncated or pager.truncated
        if collected:
            yield from (self.enrich(collected) if self.enrich is not None else collected)

    def _facts(self, page):
        """The facts of one page's entities that pass the row check and were not read before."""
        batch = []
        normalise, key, keep = self.query.normalise, self.key, self.keep
        for entity in page:
            facts = normalise(entity)
            if self.accepts is not None and not self.accepts(facts):
                continue
            identity = key(facts)
            if identity in self.seen:
                continue
            self.seen.add(identity)
            batch.append(facts if keep is None else dict((name, facts.get(name)) for name in keep))
        return batch
