# -*- coding: utf-8 -*-
# A client for reader tests without HTTP: it answers the query service from lists of canonical entities
# (em_bodies.task_session, em_job_sessions.job_session), records every query it is asked (type, filter,
# sort, page size, limit) and pages as QueryPager does (page_size rows a page, a limit with truncated).

from __future__ import annotations


class FakePager(object):

    def __init__(self, rows, page_size, limit):
        self.rows = rows
        self.page_size = min(page_size, limit + 1) if limit is not None else page_size
        self.limit = limit
        self.truncated = False

    def iter_pages(self):
        count = 0
        for start in range(0, max(len(self.rows), 1), self.page_size):
            items = self.rows[start:start + self.page_size]
            if self.limit is not None and count + len(items) >= self.limit:
                self.truncated = count + len(items) > self.limit or start + self.page_size < len(self.rows)
                yield items[:self.limit - count]
                return
            count += len(items)
            yield items


class FakeQueryClient(object):
    """answer(type_name, filter) -> the entities of that query, newest first."""

    def __init__(self, answer):
        self.answer = answer
        self.queries = []
        self.warnings = []

    def query(self, type_name, filter=None, sort_desc='CreationTime', page_size=1000, limit=None, prefetch=False):  # pylint: disable=redefined-builtin
        self.queries.append((type_name, filter, sort_desc, page_size, limit))
        return FakePager(list(self.answer(type_name, filter)), page_size, limit)

    def of_type(self, type_name):
        return [query for query in self.queries if query[0] == type_name]
