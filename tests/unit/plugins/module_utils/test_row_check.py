# -*- coding: utf-8 -*-
# Unit tests of the check of every returned row against the selection EM was asked to apply: the
# comparisons (names as a case-insensitive EM compares them, times, IDs, enums), and through the
# strict HTTP mock, an EM that returns rows which do not match (a value split at , ; ( ), a comparison
# ignored): they are dropped and named in one warning, and rows a case-insensitive EM rightly returns stay.

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSION_CRITERIA as SEARCH_CRITERIA, TASK_SESSIONS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import (
    Criterion,
    RowCheck,
    TimeRange,
    name_key,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.lookup_resolution import prepare_lookup, resolve_terms
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import expect_job_sessions
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    expect_logoff,
    expect_logon,
    guid,
    page,
    query_with,
    task_session,
)

NOW = datetime(2025, 3, 15, 0, 0, 0, tzinfo=timezone.utc)
URN = 'urn:veeam:BackupTaskSession:'


def session(n, minute, **kwargs):
    kwargs.setdefault('created', '2025-03-14T01:%02d:00Z' % minute)
    kwargs.setdefault('ended', '2025-03-14T01:%02d:30Z' % minute)
    kwargs.setdefault('name_time', '2025-03-14 01:%02d:00' % minute)
    return task_session(n, **kwargs)


def search(make_client, criteria):
    """(result, warnings taken off the client)."""
    with make_client() as client:
        result = search_task_sessions(client, criteria, now=NOW)
    taken, client.warnings[:] = list(client.warnings), []
    return result, taken


def ids(result):
    return [facts['id'] for facts in result['backup_task_sessions']]


# --- comparisons ----------------------------------------------------------------------------------

@pytest.mark.parametrize('em_name', ['db01', 'DB01', 'Db01  ', '\uff44\uff42\uff10\uff11'])
def test_names_compare_as_a_case_insensitive_em_does(em_name):
    assert name_key(em_name) == name_key('db01')


@pytest.mark.parametrize('em_name', ['db01x', ' db01', 'db0l', 'db01"', '"db01', 'db01,web01', 'db', 'dß01'])
def test_names_that_plainly_differ_do_not_match(em_name):
    assert name_key(em_name) != name_key('db01')


def test_a_row_without_the_fact_cannot_be_checked_and_passes():
    criterion = Criterion('job_name', 'job_name', 'job_name', ['Nightly'])
    assert criterion.matches({'job_name': None})
    assert criterion.matches({'job_name': 'nightly'})
    assert not criterion.matches({'job_name': 'Weekly'})


def test_a_copy_worker_job_answers_to_its_copy_job_name():
    # EM names a backup copy worker `<copy job>\<source job>`: EM may file its tasks under the copy job
    criterion = Criterion('job_name', 'job_name', 'job_name', ['Offsite Copy'])
    assert criterion.matches({'job_name': 'Offsite Copy\\SQL Nightly'})
    assert not criterion.matches({'job_name': 'SQL Nightly\\Offsite Copy'})


def test_ids_compare_by_guid_in_any_case_and_form():
    criterion = Criterion('job_session_id', 'job_session_id', 'guid', ['urn:veeam:BackupJobSession:%s' % guid(1).upper()])
    assert criterion.matches({'job_session_id': guid(1)})
    assert not criterion.matches({'job_session_id': guid(2)})


def test_the_time_range_is_the_filter_s():
    since = datetime(2025, 3, 14, 1, 0, tzinfo=timezone.utc)
    until = datetime(2025, 3, 14, 2, 0, 0, 5, tzinfo=timezone.utc)
    window = TimeRange(since, until)
    assert window.matches({'creation_time': '2025-03-14T01:00:00.000000Z'})
    assert window.matches({'creation_time': '2025-03-14T02:00:00.000005Z'})  # until takes in its microsecond
    assert not window.matches({'creation_time': '2025-03-14T00:59:59.999999Z'})
    assert not window.matches({'creation_time': '2025-03-14T02:00:00.000006Z'})
    assert window.matches({'creation_time': None})


def test_every_structured_option_is_checked_and_the_raw_filter_is_not():
    prepared = task_session_selection({'id': [guid(1)], 'job_session_id': [guid(2)], 'vm_name': ['a'], 'job_name': ['j'],
                                       'backup_server_name': ['s'], 'state': ['completed'], 'result': ['failed'], 'since': '1d',
                                       'filter': 'TotalSize>0'}, now=NOW)
    checks = TASK_SESSIONS.checks(prepared)
    assert [check.option for check in checks] == [row[0] for row in SEARCH_CRITERIA] + ['since']
    assert TASK_SESSIONS.checks(task_session_selection({'filter': 'TotalSize>0'}, now=NOW)) == []


def test_a_row_read_twice_is_named_once():
    check = RowCheck()
    accepts = check.bind([Criterion('result', 'result', 'enum', ['Failed'])])
    row = {'id': guid(1), 'name': 'a@x', 'result': 'Success'}
    assert not accepts(row) and not accepts(dict(row))
    assert len(check.dropped) == 1 and "result 'Success' not asked for" in check.warning()
    assert RowCheck().warning() is None


def test_the_warning_names_ten_rows_and_counts_the_rest():
    check = RowCheck()
    accepts = check.bind([Criterion('vm_name', 'vm_name', 'name', ['a'])])
    for n in range(13):
        accepts({'id': guid(n), 'name': 'b@%d' % n, 'vm_name': 'b'})
    warning = check.warning()
    assert warning.startswith('Enterprise Manager returned 13 task session(s)')
    assert warning.count("vm_name 'b' not asked for") == 10 and ' and 3 more.' in warning


# --- through the search and the strict HTTP mock -----------------------------------------------------

def test_a_value_split_at_a_comma_returns_rows_that_are_dropped(em, make_client):
    # an EM that splits "web, 01" at the comma matches web and 01 as well
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="web, 01"'),
              **page([session(1, 9, vm='web, 01'), session(2, 8, vm='web'), session(3, 7, vm=' 01'), session(4, 6, vm='WEB, 01')]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, warnings = search(make_client, {'vm_name': ['web, 01']})
    assert ids(result) == [guid(1), guid(4)]
    assert result['count'] == 2 and result['summary']['by_result']['Success'] == 2
    assert len(warnings) == 1
    assert warnings[0].startswith('Enterprise Manager returned 2 task session(s) that do not satisfy the selection it was asked for')
    assert "web@2025-03-14 01:08:00 [%s] (vm_name 'web' not asked for)" % guid(2) in warnings[0]
    assert "[%s] (vm_name ' 01' not asked for)" % guid(3) in warnings[0]


@pytest.mark.parametrize('criteria, bad, text', [
    ({'result': ['failed']}, {'result': 'Success'}, "result 'Success' not asked for"),
    ({'state': ['Completed']}, {'state': 'InProgress', 'result': 'None', 'ended': None}, "state 'InProgress' not asked for"),
    ({'job_name': ['Nightly; SQL']}, {'job': 'Nightly'}, "job_name 'Nightly' not asked for"),
    ({'backup_server_name': ['vbr01(a)']}, {'server': ('3b1c7f5e-a08d-4e62-9c47-d2f6a1e85b09', 'vbr01')}, "backup_server_name 'vbr01' not asked for"),
    ({'job_session_id': [guid(7, 'b82e6d04')]}, {'job_session': guid(8, 'b82e6d04')}, "job_session_id '%s' not asked for" % guid(8, 'b82e6d04')),
    ({'since': '2025-03-14T01:05:00Z'}, {'created': '2025-03-14T01:04:59.9Z'}, 'creation_time 2025-03-14T01:04:59.900000Z outside since'),
    ({'until': '2025-03-14T01:05:00Z'}, {'created': '2025-03-14T01:05:00.0000011Z'}, 'creation_time 2025-03-14T01:05:00.000001Z outside until'),
])
def test_a_comparison_em_did_not_apply_drops_the_row(em, make_client, criteria, bad, text):
    good = {'result': 'Success', 'job': 'Nightly; SQL', 'server': ('3b1c7f5e-a08d-4e62-9c47-d2f6a1e85b09', 'VBR01(A)'),
            'job_session': guid(7, 'b82e6d04'), 'created': '2025-03-14T01:05:00Z'}
    wanted = dict(good, result='Failed') if 'result' in criteria else good
    expect_logon(em)
    em.expect('GET', lambda url: 'filter=' in url, **page([session(1, 5, **wanted), session(2, 5, **dict(good, **bad))]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, warnings = search(make_client, criteria)
    assert ids(result) == [guid(1)]
    assert len(warnings) == 1 and text in warnings[0] and guid(2) in warnings[0]


def test_an_id_returned_with_another_result_is_missing(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('(UID=="{0}{1}",UID=="{0}{2}");Result==Failed'.format(URN, guid(1), guid(2))),
              **page([session(1, 5, result='Failed'), session(2, 4, result='Success'), session(3, 3, result='Failed')]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, warnings = search(make_client, {'id': [guid(1), guid(2)], 'result': ['Failed']})
    assert ids(result) == [guid(1)] and result['missing_ids'] == [guid(2)]
    assert len(warnings) == 1 and 'returned 2 task session(s)' in warnings[0]
    assert "result 'Success' not asked for" in warnings[0] and "id '%s' not asked for" % guid(3) in warnings[0]


def test_latest_per_vm_never_takes_a_dropped_row(em, make_client):
    # the newest row EM returned is of another result: the VM's newest failure is the answer
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01";Result==Failed'),
              **page([session(1, 9, vm='db01', result='Success'), session(2, 5, vm='db01', result='Failed')]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, warnings = search(make_client, {'vm_name': ['db01'], 'result': ['Failed'], 'latest_per_vm': True})
    assert ids(result) == [guid(2)] and len(warnings) == 1


def test_a_wait_loop_names_a_dropped_row_once(em, make_client):
    job_session = guid(1, 'b82e6d04')
    filter_text = 'JobSessionUid=="urn:veeam:BackupJobSession:%s"' % job_session
    stray = session(9, 1, job_session=guid(2, 'b82e6d04'))
    expect_logon(em)
    em.expect('GET', query_with(filter_text), **page([session(1, 9, state='InProgress', result='None', ended=None, job_session=job_session), stray]))
    expect_job_sessions(em)
    em.expect('GET', query_with(filter_text), **page([session(1, 9, job_session=job_session), stray]))
    expect_logoff(em)
    clock = iter([0, 1, 2])
    with make_client() as client:
        result = search_task_sessions(client, {'job_session_id': [job_session], 'wait': True, 'wait_sleep': 1}, now=NOW,
                                      sleep=lambda seconds: None, monotonic=lambda: next(clock))
    assert ids(result) == [guid(1)]
    assert len(client.warnings) == 1 and 'returned 1 task session(s)' in client.warnings.pop()


def test_rows_that_match_give_no_warning(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01";JobName=="Nightly SQL";Result==Failed'),
              **page([session(1, 9, vm='DB01', job='NIGHTLY SQL', result='Failed')]))
    expect_job_sessions(em)
    expect_logoff(em)
    result, warnings = search(make_client, {'vm_name': ['db01'], 'job_name': ['Nightly SQL'], 'result': ['failed']})
    assert ids(result) == [guid(1)] and warnings == []


# --- through the lookup's term resolution -------------------------------------------------------------

def test_the_lookup_drops_rows_of_other_ids_names_and_narrowing(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('(UID=="%s%s",Name=="db01@2025-03-14 01:03:00")' % (URN, guid(1))),
              **page([session(5, 3, vm='db02'), session(1, 1), session(3, 3, vm='db01')]))
    expect_job_sessions(em)
    em.expect('GET', query_with('VmDisplayName=="web01";Result==Failed', 5),
              **page([session(6, 9, vm='web01', result='Success'), session(7, 8, vm='web01', result='Failed')]))
    expect_job_sessions(em)
    expect_logoff(em)
    lookup = prepare_lookup([guid(1), 'db01@2025-03-14 01:03:00', 'web01'], result='failed', now=NOW)
    with make_client() as client:
        resolved = resolve_terms(client, lookup)
    assert [(term.text, facts['id']) for term, facts in resolved] == [
        (guid(1), guid(1)), ('db01@2025-03-14 01:03:00', guid(3)), ('web01', guid(7))]
    warning = client.warnings.pop()
    assert not client.warnings
    assert 'returned 2 task session(s)' in warning
    assert '[%s] (not one of the terms asked for)' % guid(5) in warning
    assert "[%s] (result 'Success' not asked for)" % guid(6) in warning


def test_a_row_older_than_since_is_dropped(em, make_client):
    later = NOW - timedelta(hours=1)
    expect_logon(em)
    em.expect('GET', query_with('CreationTime>="%s"' % later.strftime('%Y-%m-%dT%H:%M:%SZ')), **page([session(1, 9)]))
    expect_logoff(em)
    result, warnings = search(make_client, {'since': '1h'})
    assert result['count'] == 0 and 'outside since' in warnings[0]
