# -*- coding: utf-8 -*-
# Unit tests of the task session selection: criteria -> exact EM queries, IDs in chunks, missing IDs,
# newest per VM, limits, waiting, summary, and validation before any request.

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import expect_job_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError, EMWaitTimeoutError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import MAX_FILTER_LENGTH, encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    expect_logoff,
    expect_logon,
    guid,
    page,
    query_url_path,
    query_with,
    task_session,
)

NOW = datetime(2025, 3, 15, 0, 0, 0, tzinfo=timezone.utc)
URN = 'urn:veeam:BackupTaskSession:'


def filter_of(url):
    return unquote(parse_qs(urlsplit(url).query, keep_blank_values=True)['filter'][0]) if 'filter=' in url else None


def session(n, minute, **kwargs):
    kwargs.setdefault('created', '2025-03-14T01:%02d:00Z' % minute)
    kwargs.setdefault('ended', '2025-03-14T01:%02d:30Z' % minute)
    return task_session(n, **kwargs)


def run(make_client, criteria, **kwargs):
    with make_client() as client:
        return search_task_sessions(client, criteria, now=NOW, **kwargs)


def run_warned(make_client, criteria, **kwargs):
    """run(), and the warnings it left on the client (taken off it)."""
    with make_client() as client:
        result = search_task_sessions(client, criteria, now=NOW, **kwargs)
        warnings = list(client.warnings)
        del client.warnings[:]
    return result, warnings


def test_structured_criteria_become_one_em_filter(em, make_client):
    expect_logon(em)
    expected = ('(VmDisplayName=="db01",VmDisplayName=="web 02");JobName=="Job ""A""";State==Completed;'
                '(Result==Failed,Result==Warning);CreationTime>="2025-03-14T00:00:00Z";CreationTime<"2025-03-14T12:00:00.000001Z";'
                '(TotalSize>0)')
    rows = [session(1, 5, result='Failed', vm='db01', job='Job "A"'), session(2, 3, result='Warning', vm='web 02', job='Job "A"')]
    em.expect('GET', query_with(expected), **page(rows))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'vm_name': ['db01', 'web 02'], 'job_name': ['Job "A"'], 'state': ['completed'], 'result': ['failed', 'Warning'],
                               'since': '24h', 'until': '2025-03-14T14:00:00+02:00', 'filter': 'TotalSize>0'})
    assert [s['vm_name'] for s in result['backup_task_sessions']] == ['db01', 'web 02']
    assert result['count'] == 2 and result['truncated'] is False and result['missing_ids'] == []
    assert result['summary'] == {'by_result': {'Success': 0, 'Warning': 1, 'Failed': 1},
                                 'by_state': {'InProgress': 0, 'Pending': 0, 'Completed': 2}}


def test_no_criteria_reads_every_page(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None, 2, 1), **page([session(1, 9), session(2, 8)], page=1, pages=2, page_size=2))
    em.expect('GET', query_with(None, 2, 2), **page([session(3, 7)], page=2, pages=2, page_size=2))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'page_size': 2})
    assert result['count'] == 3 and not result['truncated']


def test_results_are_newest_first_whatever_the_page_order(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None), **page([session(1, 1), session(2, 7), session(3, 4, created='2025-03-14T01:04:00.5Z')]))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(2), guid(3), guid(1)]


def test_duplicates_from_shifting_pages_are_dropped(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None, 2, 1), **page([session(1, 9), session(2, 8)], page=1, pages=2, page_size=2))
    em.expect('GET', query_with(None, 2, 2), **page([session(2, 8), session(3, 7)], page=2, pages=2, page_size=2))
    expect_job_sessions(em)
    expect_logoff(em)
    assert [s['id'] for s in run(make_client, {'page_size': 2})['backup_task_sessions']] == [guid(1), guid(2), guid(3)]


def test_ids_use_ored_uid_filters_and_report_missing(em, make_client):
    wanted = [guid(1), URN + guid(2).upper(), guid(3)]
    expect_logon(em)
    expected = '(UID=="{0}{1}",UID=="{0}{2}",UID=="{0}{3}");Result==Failed'.format(URN, guid(1), guid(2), guid(3))
    em.expect('GET', query_with(expected), **page([session(2, 2, result='Failed'), session(1, 1, result='Failed')]))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'id': wanted, 'result': ['Failed']})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(2), guid(1)]
    assert result['missing_ids'] == [guid(3)]


def uid_chunks(filters):
    """The task session UIDs in each of some filters made of one OR group of UIDs."""
    return [[part[len('UID=="'):-1] for part in text.strip('()').split(',')] for text in filters]


def test_many_ids_are_chunked_below_the_url_limit(em, make_client):
    ids = [guid(n) for n in range(150)]
    search = task_session_selection({'id': ids})
    chunks = uid_chunks(search.filters)
    assert len(chunks) > 1
    assert [uid for chunk in chunks for uid in chunk] == [URN + i for i in ids]
    assert all(len(encode_filter(text)) <= MAX_FILTER_LENGTH for text in search.filters)
    expect_logon(em)
    for chunk in chunks:
        entities = [session(int(uid[-12:], 16), 1) for uid in chunk if int(uid[-12:], 16) % 2 == 0]
        em.expect('GET', query_with('(' + ','.join('UID=="%s"' % uid for uid in chunk) + ')'), **page(entities))
    expect_job_sessions(em)
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'id': ids})
    assert result['count'] == 75
    assert result['missing_ids'] == [guid(n) for n in range(1, 150, 2)]
    assert all(len(call.url) < 6144 for call in em.calls)


def test_a_long_vm_name_list_is_split_and_the_other_criteria_stay_in_every_query(em, make_client):
    names = ['vm-%04d.corp.example.com' % n for n in range(400)]
    search = task_session_selection({'vm_name': names, 'result': ['Failed'], 'job_name': ['Job A']})
    assert len(search.filters) > 1
    assert all(len(encode_filter(text)) <= MAX_FILTER_LENGTH for text in search.filters)
    assert all(text.endswith(';JobName=="Job A";Result==Failed') for text in search.filters)
    split = [text.split(';', maxsplit=1)[0].strip('()').split(',') for text in search.filters]
    assert [term for terms in split for term in terms] == ['VmDisplayName=="%s"' % name for name in names]
    expect_logon(em)
    for number, text in enumerate(search.filters):
        vm = split[number][0][len('VmDisplayName=="'):-1]
        em.expect('GET', query_with(text, 3), **page([session(number + 1, number, vm=vm, job='Job A', result='Failed')], page_size=3))
    expect_job_sessions(em)
    expect_logoff(em)
    result, warnings = run_warned(make_client, {'vm_name': names, 'result': ['Failed'], 'job_name': ['Job A'], 'limit': 2})
    # newest first across the queries, the limit applied to the union
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(len(search.filters)), guid(len(search.filters) - 1)]
    assert result['truncated'] is True
    # every query was read to its end: the names of the sessions the limit cut are matched, the others not
    found = set(terms[0][len('VmDisplayName=="'):-1] for terms in split)
    assert result['unmatched'] == {'vm_name': [name for name in names if name not in found], 'job_name': []}
    assert len(warnings) == 1 and "vm_name 'vm-0001.corp.example.com'" in warnings[0]
    assert 'and %d more' % (len(names) - len(found) - 10) in warnings[0]


def test_a_long_list_with_latest_per_vm_and_limit_merges_the_queries(em, make_client):
    names = ['vm-%04d.corp.example.com' % n for n in range(400)]
    filters = task_session_selection({'vm_name': names}).filters
    assert len(filters) > 1
    in_second = next(name for name in names if '"%s"' % name in filters[1])
    expect_logon(em)
    first = [session(1, 5, vm=names[0], vm_uid='urn:a'), session(2, 9, vm=names[1], vm_uid='urn:b')]
    second = [session(3, 7, vm=in_second, vm_uid='urn:c'), session(4, 6, vm=in_second, vm_uid='urn:c')]
    em.expect('GET', query_with(filters[0], 2, 1), **page(first, page_size=2))
    expect_job_sessions(em)  # page by page: the job types decide what is the newest per VM and job type
    em.expect('GET', query_with(filters[1], 2, 1), **page(second, page_size=2))
    expect_job_sessions(em)
    for text in filters[2:]:
        em.expect('GET', query_with(text, 2, 1), **page([], page_size=2))
    expect_logoff(em)
    result, warnings = run_warned(make_client, {'vm_name': names, 'latest_per_vm': True, 'limit': 2, 'page_size': 2})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(2), guid(3)]
    assert result['truncated'] is True
    # no query was stopped by the limit (each had at most 2 VMs): the names never seen are unmatched
    assert result['unmatched'] == {'vm_name': [name for name in names if name not in (names[0], names[1], in_second)]}
    assert len(warnings) == 1


def test_a_selection_too_long_even_when_split_fails_before_any_request(em, make_client):
    raw = 'Reason=="%s"' % ('x' * MAX_FILTER_LENGTH)
    with pytest.raises(EMInputError, match='longer than the %d characters' % MAX_FILTER_LENGTH):
        run(make_client, {'vm_name': ['a', 'b'], 'filter': raw})
    assert em.calls == []


def test_a_filter_option_too_long_alone_fails_before_any_request(em, make_client):
    # no list option to split: an error, not a selection that runs no query and returns nothing
    with pytest.raises(EMInputError, match='longer than the %d characters.*Shorten the filter option[.]$' % MAX_FILTER_LENGTH):
        run(make_client, {'filter': 'Reason=="%s"' % ('x' * MAX_FILTER_LENGTH)})
    assert em.calls == []


def test_the_filters_of_a_short_selection_is_one_filter():
    search = task_session_selection({'vm_name': ['a', 'b'], 'id': [guid(1)]}, now=NOW)
    assert TASK_SESSIONS.filters(search) == ['UID=="%s%s";(VmDisplayName=="a",VmDisplayName=="b")' % (URN, guid(1))]


def test_job_session_id_filter(em, make_client):
    job = '2c9f41e7-80b3-4a5d-b6e2-95d13f07ac48'
    expect_logon(em)
    em.expect('GET', query_with('JobSessionUid=="urn:veeam:BackupJobSession:%s"' % job), **page([session(1, 1, job_session=job)]))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'job_session_id': 'urn:veeam:BackupJobSession:' + job.upper()})
    assert result['backup_task_sessions'][0]['job_session_id'] == job


def test_backup_server_name_filter(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('(BackupServerName=="vbr01",BackupServerName=="vbr02")'), **page([]))
    expect_logoff(em)
    result, warnings = run_warned(make_client, {'backup_server_name': ['vbr01', 'vbr02']})
    assert result['count'] == 0
    assert result['unmatched'] == {'backup_server_name': ['vbr01', 'vbr02']}
    assert warnings == ["No selected task session has backup_server_name 'vbr01', 'vbr02' (names compared in any letter case, "
                        "within the other options); they are listed in unmatched. Check the spelling against what Enterprise "
                        "Manager shows, or the other options."]


@pytest.mark.parametrize('criteria, message', [
    ({'id': ['not-a-guid']}, 'id'),
    ({'id': ['urn:veeam:BackupJobSession:' + guid(1)]}, 'id'),
    ({'job_session_id': [guid(1) + 'x']}, 'job_session_id'),
    ({'result': ['Failure']}, 'Success, Warning, Failed'),
    ({'state': ['Running']}, 'InProgress, Pending, Completed'),
    ({'since': '2025-03-14T00:00:00'}, 'time zone'),
    ({'since': '2025-03-14T00:00:00Z', 'until': '2025-03-13T00:00:00Z'}, 'before since'),
    ({'limit': 0}, 'limit'),
    ({'fields': ['vm', 'result']}, 'vm'),
    ({'wait_sleep': 0}, 'wait_sleep'),
    ({'vm_name': ['']}, 'vm_name'),
])
def test_bad_criteria_fail_before_any_request(em, make_client, criteria, message):
    with pytest.raises(EMInputError, match=message):
        run(make_client, criteria)
    assert em.calls == []


def test_limit_truncates(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None, 3), **page([session(1, 9), session(2, 8), session(3, 7)], page=1, pages=5, page_size=3))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'limit': 2})
    assert result['count'] == 2 and result['truncated'] is True
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1), guid(2)]


def _two_vcenters(em, names, since=''):
    """Two VMs named db01 (two vCenters): the older one's newest session is on the second page."""
    text = names + since
    em.expect('GET', query_with(text, 3, 1),
              **page([session(1, 9, vm='db01', vm_uid='urn:vc1.vm-1'), session(2, 8, vm='DB01', vm_uid='urn:vc1.vm-1'),
                      session(3, 7, vm='web02', vm_uid='urn:VMware:Vm:x.vm-2')], page=1, pages=2, page_size=3,
                     next_path=query_url_path(2, 3, encode_filter(text))))
    return text


def test_latest_per_vm_of_named_vms_stops_once_every_name_was_seen(em, make_client):
    # without since, reading stops at the end of the page where every named VM showed up with a primary
    # backup: the other vCenter's db01, whose sessions are all older, is not returned (documented)
    names = '(VmDisplayName=="db01",VmDisplayName=="web02")'
    expect_logon(em)
    _two_vcenters(em, names)
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'vm_name': ['db01', 'web02'], 'latest_per_vm': True, 'page_size': 3})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1), guid(3)]
    assert result['truncated'] is False


def test_latest_per_vm_of_named_vms_with_since_reads_every_page(em, make_client):
    names = '(VmDisplayName=="db01",VmDisplayName=="web02")'
    expect_logon(em)
    text = _two_vcenters(em, names, ';CreationTime>="2025-03-08T00:00:00Z"')
    em.expect('GET', query_with(text, 3, 2),
              **page([session(4, 6, vm='db01', vm_uid='urn:vc2.vm-1'), session(5, 5, vm='db01', vm_uid='urn:vc2.vm-1')],
                     page=2, pages=2, page_size=3))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'vm_name': ['db01', 'web02'], 'latest_per_vm': True, 'page_size': 3, 'since': '7d'})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1), guid(3), guid(4)]
    assert result['truncated'] is False


def test_latest_per_vm_reads_everything_without_names(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None, 2, 1), **page([session(1, 9, vm='a', vm_uid='urn:a'), session(2, 8, vm='b', vm_uid='urn:b')],
                                                    page=1, pages=2, page_size=2))
    em.expect('GET', query_with(None, 2, 2), **page([session(3, 7, vm='a', vm_uid='urn:a'), session(4, 6, vm='c', vm_uid=None)],
                                                    page=2, pages=2, page_size=2))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'latest_per_vm': True, 'page_size': 2})
    assert [s['vm_name'] for s in result['backup_task_sessions']] == ['a', 'b', 'c']
    assert result['backup_task_sessions'][0]['id'] == guid(1)


def test_latest_per_vm_keeps_same_named_vms_apart_by_uid(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None), **page([session(1, 9, vm='app', vm_uid='urn:vc1.vm-1'), session(2, 8, vm='app', vm_uid='urn:vc2.vm-1'),
                                               session(3, 7, vm='app', vm_uid='urn:vc1.vm-1')]))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'latest_per_vm': True})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1), guid(2)]


def test_latest_per_vm_with_limit_stops_at_one_more_vm(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None, 2, 1), **page([session(1, 9, vm='a', vm_uid='urn:a'), session(2, 8, vm='a', vm_uid='urn:a')],
                                                    page=1, pages=3, page_size=2))
    expect_job_sessions(em)
    em.expect('GET', query_with(None, 2, 2), **page([session(3, 7, vm='b', vm_uid='urn:b'), session(4, 6, vm='c', vm_uid='urn:c')],
                                                    page=2, pages=3, page_size=2))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'latest_per_vm': True, 'limit': 2, 'page_size': 2})
    assert [s['vm_name'] for s in result['backup_task_sessions']] == ['a', 'b']
    assert result['truncated'] is True


def test_latest_per_vm_with_ids(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('(UID=="{0}{1}",UID=="{0}{2}")'.format(URN, guid(1), guid(2))),
              **page([session(2, 8, vm='a', vm_uid='urn:a'), session(1, 9, vm='a', vm_uid='urn:a')]))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'id': [guid(1), guid(2)], 'latest_per_vm': True})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1)]
    assert result['missing_ids'] == []


def test_fields_projection(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None), **page([session(1, 9)]))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {'fields': ['result', 'vm_name']})
    assert result['backup_task_sessions'] == [{'vm_name': 'ledgerdb01', 'result': 'Success'}]


def test_wait_polls_until_nothing_runs(em, make_client):
    job_session = guid(1, 'b82e6d04')
    running = session(1, 9, state='InProgress', result='None', ended=None, job_session=job_session)
    done = session(1, 9, job_session=job_session)
    expect_logon(em)
    filter_text = 'JobSessionUid=="urn:veeam:BackupJobSession:%s"' % job_session
    em.expect('GET', query_with(filter_text), **page([running, session(2, 8, job_session=job_session)]))
    expect_job_sessions(em)
    em.expect('GET', query_with(filter_text), **page([session(3, 9, state='Pending', result='None', ended=None, job_session=job_session)]))
    em.expect('GET', query_with(filter_text), **page([done, session(2, 8, job_session=job_session)]))
    expect_logoff(em)
    naps = []
    clock = iter([0, 1, 2, 3])
    result = run(make_client, {'job_session_id': guid(1, 'b82e6d04'), 'wait': True, 'wait_timeout': 60, 'wait_sleep': 5},
                 sleep=naps.append, monotonic=lambda: next(clock))
    assert naps == [5, 5]
    assert result['summary']['by_state']['Completed'] == 2 and result['summary']['by_state']['InProgress'] == 0


def test_wait_with_result_waits_for_the_sessions_the_result_hides(em, make_client):
    """A running session has no result yet: result Failed alone would return the run's failures so far while
    others still run. wait watches the run's running sessions, then selects what failed once none runs."""
    job_session = guid(1, 'b82e6d04')
    run_filter = 'JobSessionUid=="urn:veeam:BackupJobSession:%s"' % job_session
    running = session(1, 9, state='InProgress', result='None', ended=None, job_session=job_session)
    failed_early = session(2, 8, result='Failed', reason='disk', job_session=job_session)
    failed_late = session(1, 9, result='Failed', reason='network', job_session=job_session)
    expect_logon(em)
    em.expect('GET', query_with(run_filter + ';(State==InProgress,State==Pending)'), **page([running]))
    expect_job_sessions(em)
    em.expect('GET', query_with(run_filter + ';(State==InProgress,State==Pending)'), **page([]))
    em.expect('GET', query_with(run_filter + ';Result==Failed'), **page([failed_late, failed_early]))
    expect_logoff(em)
    naps = []
    clock = iter([0, 1, 2])
    result = run(make_client, {'job_session_id': job_session, 'result': ['Failed'], 'wait': True, 'wait_sleep': 5},
                 sleep=naps.append, monotonic=lambda: next(clock))
    assert naps == [5]
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1), guid(2)]
    assert result['summary']['by_result']['Failed'] == 2


def test_wait_with_result_times_out_naming_the_hidden_running_sessions(em, make_client):
    expect_logon(em)
    running = session(1, 9, state='Pending', result='None', ended=None, vm='db01')
    em.expect('GET', query_with('(State==InProgress,State==Pending)'), **page([running]))
    expect_job_sessions(em)
    em.expect('GET', query_with('(State==InProgress,State==Pending)'), **page([running]))
    expect_logoff(em)
    clock = iter([0, 20, 31])
    with pytest.raises(EMWaitTimeoutError) as caught:
        run(make_client, {'result': ['Warning', 'Failed'], 'wait': True, 'wait_timeout': 30, 'wait_sleep': 20},
            sleep=lambda s: None, monotonic=lambda: next(clock))
    assert '1 task session(s) still running after wait_timeout=30 seconds' in str(caught.value)
    assert 'db01 (Pending, job Nightly SQL, id %s)' % guid(1) in str(caught.value)
    assert caught.value.running == [guid(1)]


@pytest.mark.parametrize('criteria, watched', [
    ({'result': ['Failed']}, True),
    ({'state': ['Completed']}, True),
    ({'state': ['InProgress']}, True),  # the Pending ones would be left out
    ({'state': ['InProgress', 'Pending', 'Completed']}, False),
    ({'vm_name': ['db01'], 'limit': 3}, False),
    ({'result': ['Failed'], 'wait': False}, False),
])
def test_only_a_selection_that_hides_running_sessions_is_watched(criteria, watched):
    search = task_session_selection(dict({'wait': True}, **criteria), now=NOW)
    assert (search.wait_watch is not None) is watched
    if watched:
        watch = search.wait_watch
        assert watch.states == ['InProgress', 'Pending'] and watch.results == [] and watch.limit is None
        assert watch.latest_per_vm is False and watch.fields is None and watch.vm_names == search.vm_names


def test_wait_timeout_names_the_running_sessions(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None), **page([session(1, 9, state='InProgress', result='None', ended=None, vm='db01'), session(2, 8)]))
    expect_job_sessions(em)  # once: the second poll knows the job sessions
    em.expect('GET', query_with(None), **page([session(1, 9, state='InProgress', result='None', ended=None, vm='db01'), session(2, 8)]))
    expect_logoff(em)
    clock = iter([0, 20, 31])
    with pytest.raises(EMWaitTimeoutError) as caught:
        run(make_client, {'wait': True, 'wait_timeout': 30, 'wait_sleep': 20}, sleep=lambda s: None, monotonic=lambda: next(clock))
    message = str(caught.value)
    assert '1 task session(s) still running after wait_timeout=30 seconds' in message
    assert 'db01 (InProgress, job Nightly SQL, id %s)' % guid(1) in message
    assert caught.value.running == [guid(1)]


def test_without_wait_running_sessions_are_returned_at_once(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with(None), **page([session(1, 9, state='InProgress', result='None', ended=None)]))
    expect_job_sessions(em)
    expect_logoff(em)
    result = run(make_client, {})
    assert result['summary']['by_result'] == {'Success': 0, 'Warning': 0, 'Failed': 0, 'None': 1}
    assert result['backup_task_sessions'][0]['end_time'] is None


def test_a_creation_time_from_the_facts_as_until_includes_that_session(em, make_client):
    # EM has 100 ns ticks; the facts show microseconds (...00.123456Z for ...00.1234567Z)
    seven_digits = session(1, 4, created='2025-03-14T01:04:00.1234567Z')
    expect_logon(em)
    em.expect('GET', query_with(None), **page([seven_digits]))
    expect_job_sessions(em)
    em.expect('GET', query_with('CreationTime<"2025-03-14T01:04:00.123457Z"'), **page([seven_digits]))
    expect_job_sessions(em)  # another search, another reading of the job sessions
    expect_logoff(em)
    with make_client() as client:
        first = search_task_sessions(client, {}, now=NOW)['backup_task_sessions'][0]
        assert first['creation_time'] == '2025-03-14T01:04:00.123456Z'
        assert search_task_sessions(client, {'until': first['creation_time']}, now=NOW)['count'] == 1


def test_prepared_criteria_fix_relative_times():
    search = task_session_selection({'since': '2h'}, now=NOW)
    assert search.since == datetime(2025, 3, 14, 22, 0, tzinfo=timezone.utc)
    assert task_session_selection(search) is search


def test_the_filter_reaches_em_decoded_as_built(em, make_client):
    expect_logon(em)
    em.expect('GET', lambda url: filter_of(url) == '(JobName=="Copy & Move",JobName=="100% \\ done+")', **page([]))
    expect_logoff(em)
    result, warnings = run_warned(make_client, {'job_name': ['Copy & Move', '100% \\ done+']})
    assert result['unmatched'] == {'job_name': ['Copy & Move', '100% \\ done+']} and len(warnings) == 1


def _expect_sessions(em, entities, filter_text=None, page_size=1000):
    expect_logon(em)
    em.expect('GET', query_with(filter_text, page_size), **page(entities, page_size=page_size))
    expect_job_sessions(em)
    expect_logoff(em)


@pytest.mark.parametrize('options', [
    {},
    {'latest_per_vm': True},
    {'latest_per_vm': True, 'limit': 2},
    {'limit': 2},
    {'id': [guid(1), guid(3), guid(9)]},
    {'id': [guid(1), guid(3), guid(9)], 'latest_per_vm': True},
])
@pytest.mark.parametrize('fields', [['id'], ['reason', 'total_size'], ['vm_name', 'result', 'state', 'creation_time']])
def test_fields_gives_the_projection_of_the_full_result(em, make_client, options, fields):
    # fields is applied while the pages are read: sorting, latest_per_vm, limit, summary and missing_ids
    # must come out exactly as from the full facts
    entities = [session(2, 8, vm='a', vm_uid='urn:a', result='Failed'), session(1, 9, vm='a', vm_uid='urn:a'),
                session(3, 7, vm='b', vm_uid=None, result='Warning'), session(4, 6, vm='c', vm_uid='urn:c'),
                session(5, 5, vm='a', vm_uid='urn:a2', state='InProgress', result='None')]  # another VM named a
    filter_text = None
    page_size = 1000
    if 'limit' in options and not options.get('latest_per_vm'):
        page_size = options['limit'] + 1  # the pager asks for one more than the limit
    if 'id' in options:
        filter_text = '(%s)' % ','.join('UID=="%s%s"' % (URN, value) for value in options['id'])
        entities = [entity for entity in entities if entity['UID'][len(URN):] in options['id']]
    _expect_sessions(em, entities, filter_text, page_size)
    full = run(make_client, options)
    _expect_sessions(em, entities, filter_text, page_size)
    chosen = run(make_client, dict(options, fields=fields))
    assert chosen['backup_task_sessions'] == [dict((key, s[key]) for key in fields) for s in full['backup_task_sessions']]
    assert dict(chosen, backup_task_sessions=None) == dict(full, backup_task_sessions=None)
    assert full['count'] > 0
