# -*- coding: utf-8 -*-
# Unit tests of a query filter EM refused, through the strict HTTP mock: HTTP 400, and HTTP 500 with an
# EM Error body (how some EM versions answer a client mistake) repeated once at most, not `retries`
# times; the error shows EM's message and the filter, and the search and the lookup name the options
# the filter was built from. A 500 without an Error body, or to a query without a filter, stays an outage.

from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMFilterError, EMQueryError, EMServerError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.lookup_resolution import prepare_lookup, resolve_terms
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    error_body,
    expect_logoff,
    expect_logon,
    page,
    query_url_path,
    query_with,
)

EM_SAYS = "Cannot parse the filter: unexpected token ')'."


def refuse(em, url, status, times, fmt='xml', message=EM_SAYS):
    body, content_type = error_body(message, status, fmt=fmt)
    for _attempt in range(times):
        em.expect('GET', url, status=status, body=body, content_type=content_type)


@pytest.mark.parametrize('fmt', ['xml', 'json'])
def test_a_500_with_an_error_body_to_a_filter_is_repeated_once_not_retries_times(em, make_client, sleeps, fmt):
    expect_logon(em)
    refuse(em, lambda url: 'filter=' in url, 500, 2, fmt=fmt)
    expect_logoff(em)
    with pytest.raises(EMFilterError) as caught:
        with make_client(retries=5) as client:
            list(client.query('BackupTaskSession', filter='TotalSize>>0'))
    message = str(caught.value)
    assert sleeps == [0.5]
    assert message.startswith('Enterprise Manager failed on the query with the filter TotalSize>>0 (HTTP 500 with an Error body, after 1 retry).')
    assert 'EM said: %s' % EM_SAYS in message
    assert 'If EM\'s message is not about the filter, check the EM service' in message
    assert caught.value.kind == 'query' and caught.value.status == 500


def test_without_retries_the_refused_filter_is_asked_once(em, make_client, sleeps):
    expect_logon(em)
    refuse(em, lambda url: 'filter=' in url, 500, 1)
    expect_logoff(em)
    with pytest.raises(EMFilterError) as caught:
        with make_client(retries=0) as client:
            list(client.query('BackupTaskSession', filter='Foo==1'))
    assert sleeps == [] and 'retry' not in caught.value.message


def test_a_500_that_passes_on_the_repeat_is_no_error(em, make_client, sleeps):
    expect_logon(em)
    refuse(em, lambda url: 'filter=' in url, 500, 1)
    em.expect('GET', lambda url: 'filter=' in url, **page([]))
    expect_logoff(em)
    with make_client() as client:
        assert list(client.query('BackupTaskSession', filter='Result==Failed')) == []
    assert sleeps == [0.5]


def test_a_500_without_an_error_body_is_an_outage_retried_in_full(em, make_client, sleeps):
    expect_logon(em)
    for _attempt in range(3):
        em.expect('GET', lambda url: 'filter=' in url, status=500, body='<html><body>Internal Server Error</body></html>', content_type='text/html')
    expect_logoff(em)
    with pytest.raises(EMServerError) as caught:
        with make_client(retries=2) as client:
            list(client.query('BackupTaskSession', filter='Result==Failed'))
    assert sleeps == [0.5, 1.0] and 'after 2 retries' in str(caught.value)


def test_a_500_error_body_to_a_query_without_a_filter_is_an_outage(em, make_client, sleeps):
    expect_logon(em)
    refuse(em, BASE + query_url_path(1, 1000), 500, 3, message='Database connection failed.')
    expect_logoff(em)
    with pytest.raises(EMServerError) as caught:
        with make_client(retries=2) as client:
            list(client.query('BackupTaskSession'))
    assert not isinstance(caught.value, EMQueryError)
    assert sleeps == [0.5, 1.0] and 'EM said: Database connection failed.' in str(caught.value)


def test_a_400_is_a_filter_error_asked_once(em, make_client, sleeps):
    expect_logon(em)
    refuse(em, lambda url: 'filter=' in url, 400, 1)
    expect_logoff(em)
    with pytest.raises(EMFilterError) as caught:
        with make_client() as client:
            list(client.query('BackupTaskSession', filter='Foo==1'))
    assert sleeps == []
    assert str(caught.value).startswith('Enterprise Manager rejected the query (HTTP 400) with the filter Foo==1. EM said: %s' % EM_SAYS)


# --- the options that built the filter ------------------------------------------------------------

@pytest.mark.parametrize('status', [400, 500])
def test_the_search_names_the_raw_filter_option(em, make_client, status):
    expected = 'VmDisplayName=="db01";Result==Failed;(TotalSize>>0)'
    expect_logon(em)
    refuse(em, query_with(expected), status, 2 if status == 500 else 1)
    expect_logoff(em)
    with pytest.raises(EMFilterError) as caught:
        with make_client() as client:
            search_task_sessions(client, {'vm_name': ['db01'], 'result': ['failed'], 'filter': 'TotalSize>>0'})
    message = str(caught.value)
    assert 'with the filter %s' % expected in message
    assert "The filter was built from the options vm_name and result and the filter option 'TotalSize>>0'." in message
    assert 'EM said: %s' % EM_SAYS in message
    assert 'The filter option is sent to EM as written: check it (fields such as VmDisplayName' in message
    assert ('check the EM service' in message) == (status == 500)


@pytest.mark.parametrize('status', [400, 500])
def test_the_search_names_the_structured_options_when_there_is_no_raw_filter(em, make_client, status):
    expected = 'JobName=="Nightly (SQL); copy";CreationTime>="2025-03-14T00:00:00Z"'
    expect_logon(em)
    refuse(em, query_with(expected), status, 2 if status == 500 else 1)
    expect_logoff(em)
    with pytest.raises(EMFilterError) as caught:
        with make_client() as client:
            search_task_sessions(client, {'job_name': ['Nightly (SQL); copy'], 'since': '2025-03-14T00:00:00Z'})
    message = str(caught.value)
    assert 'The filter was built from the options job_name and since.' in message
    assert 'The collection wrote this filter from those options, and this EM did not accept it: report the EM version' in message
    assert 'Check the filter option' not in message


def test_the_lookup_names_its_terms_and_options(em, make_client):
    expect_logon(em)
    refuse(em, lambda url: 'filter=' in url, 400, 1)
    expect_logoff(em)
    lookup = prepare_lookup(['db01'], result='failed', since='2025-03-14T00:00:00Z')
    with pytest.raises(EMFilterError) as caught:
        with make_client() as client:
            resolve_terms(client, lookup)
    assert 'The filter was built from the terms and the options result and since.' in str(caught.value)


def test_a_url_too_long_names_no_origin(em, make_client):
    expect_logon(em)
    em.expect('GET', lambda url: 'filter=' in url, status=414, body='', content_type='text/html')
    expect_logoff(em)
    with pytest.raises(EMQueryError) as caught:
        with make_client() as client:
            search_task_sessions(client, {'vm_name': ['db01']})
    assert not isinstance(caught.value, EMFilterError) and 'built from' not in str(caught.value)
