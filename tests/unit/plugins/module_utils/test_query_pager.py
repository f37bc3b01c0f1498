# -*- coding: utf-8 -*-
# Unit tests of QueryPager against the strict fake transport: when EM applies a smaller page size than
# asked (PagingInfo PageSize), the following pages are asked for with that size and every row is read once.

from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMProtocolError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import DEFAULT_PAGE_SIZE
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_pager import applied_page_size
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import parse_response
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    expect_logoff,
    expect_logon,
    page,
    query_page,
    query_url_path,
    task_session,
)

SESSIONS = [task_session(number) for number in range(1, 6)]


def _capped(em, asked, applied, rows=SESSIONS, echo_asked_size=True):
    """EM capping pageSize=asked to `applied` rows a page: the first page asked with `asked`, the rest
    with `applied`. EM's Next links carry the size asked for (echo_asked_size), which would skip rows."""
    pages = -(-len(rows) // applied)
    for number in range(1, pages + 1):
        size_in_url = asked if number == 1 else applied
        next_path = query_url_path(number + 1, asked if echo_asked_size else applied) if number < pages else None
        em.expect('GET', BASE + query_url_path(number, size_in_url),
                  **page(rows[(number - 1) * applied:number * applied], page=number, pages=pages, page_size=applied, next_path=next_path))


def _uids(items):
    return [item['UID'] for item in items]


def test_the_page_size_is_declared_once_as_1000():
    assert DEFAULT_PAGE_SIZE == 1000


@pytest.mark.parametrize('fmt', ['xml', 'json', 'camel'])
def test_applied_page_size_is_read_from_paging_info(fmt):
    assert applied_page_size(parse_response(*query_page(SESSIONS[:2], page_size=2, pages=3, fmt=fmt)).data) == 2
    assert applied_page_size({'Entities': {}}) is None


@pytest.mark.parametrize('prefetch', [False, True], ids=['next-links', 'prefetch'])
def test_a_silently_capped_page_size_still_reads_every_row_once(em, make_client, prefetch):
    expect_logon(em)
    _capped(em, asked=4, applied=2)
    expect_logoff(em)
    with make_client() as client:
        pager = client.query('BackupTaskSession', page_size=4, prefetch=prefetch)
        items = list(pager)
    assert _uids(items) == _uids(SESSIONS)
    assert pager.pages == 3 and not pager.truncated
    # logon, three pages, logoff: nothing asked for twice or ahead in vain
    assert client.stats['requests'] == 5


def test_a_capped_page_size_with_a_limit_stops_at_the_limit(em, make_client):
    # limit=4 asks for pages of 5 (one more tells about truncation); EM applies 2
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 5), **page(SESSIONS[:2], page=1, pages=3, page_size=2))
    em.expect('GET', BASE + query_url_path(2, 2), **page(SESSIONS[2:4], page=2, pages=3, page_size=2))
    expect_logoff(em)
    with make_client() as client:
        pager = client.query('BackupTaskSession', limit=4)
        assert _uids(pager) == _uids(SESSIONS[:4])
    assert pager.truncated


def test_a_single_short_page_under_a_cap_is_the_whole_answer(em, make_client):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, DEFAULT_PAGE_SIZE), **page(SESSIONS[:3], page=1, pages=1, page_size=500))
    expect_logoff(em)
    with make_client() as client:
        assert _uids(client.query('BackupTaskSession', prefetch=True)) == _uids(SESSIONS[:3])


def test_a_page_size_lowered_while_paging_continues_after_the_rows_read(em, make_client):
    # page 1 at the size asked (2 rows), then EM applies 1: 3 rows read, so the next page is page 4 of size 1
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 2), **page(SESSIONS[:2], page=1, pages=3, page_size=2))
    em.expect('GET', BASE + query_url_path(2, 2), **page(SESSIONS[2:3], page=2, pages=5, page_size=1))
    em.expect('GET', BASE + query_url_path(4, 1), **page(SESSIONS[3:4], page=4, pages=5, page_size=1))
    em.expect('GET', BASE + query_url_path(5, 1), **page(SESSIONS[4:5], page=5, pages=5, page_size=1))
    expect_logoff(em)
    with make_client() as client:
        assert _uids(client.query('BackupTaskSession', page_size=2)) == _uids(SESSIONS)


def test_a_page_size_that_would_skip_or_repeat_rows_is_an_error(em, make_client):
    # 3 rows read at size 3, then 2 more with EM applying 2: no page of size 2 starts at row 6
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 3), **page(SESSIONS[:3], page=1, pages=2, page_size=3))
    em.expect('GET', BASE + query_url_path(2, 3), **page(SESSIONS[3:5], page=2, pages=4, page_size=2))
    expect_logoff(em)
    with pytest.raises(EMProtocolError, match='page size of 2 .* after 5 rows'):
        with make_client() as client:
            list(client.query('BackupTaskSession', page_size=3))
