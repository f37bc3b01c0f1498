# -*- coding: utf-8 -*-
# Unit tests of what a selection did not find: names that match no session (`unmatched`, one warning,
# only where the reading was complete) and `wait` on IDs or a job session that match nothing.

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMNotFoundError, EMWaitTimeoutError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    expect_logoff,
    expect_logon,
    guid,
    page,
    query_url_path,
    query_with,
    task_session,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import expect_job_sessions

NOW = datetime(2025, 3, 15, 0, 0, 0, tzinfo=timezone.utc)
URN = 'urn:veeam:BackupTaskSession:'
JOB_URN = 'urn:veeam:BackupJobSession:'
RUN = guid(7, 'b82e6d04')  # a job session
RUN_WATCH = 'JobSessionUid=="%s%s";(State==InProgress,State==Pending)' % (JOB_URN, RUN)  # its running task sessions


def session(n, minute, **kwargs):
    kwargs.setdefault('created', '2025-03-14T01:%02d:00Z' % minute)
    kwargs.setdefault('ended', '2025-03-14T01:%02d:30Z' % minute)
    return task_session(n, **kwargs)


def run(make_client, criteria, **kwargs):
    """The result of a search, and the warnings it left on the client (taken off it)."""
    with make_client() as client:
        result = search_task_sessions(client, criteria, now=NOW, **kwargs)
        warnings = list(client.warnings)
        del client.warnings[:]
    return result, warnings


def expect_one_query(em, filter_text, entities, **kwargs):
    expect_logon(em)
    em.expect('GET', query_with(filter_text, kwargs.pop('page_size', 1000)), **page(entities, **kwargs))
    if entities:
        expect_job_sessions(em)
    expect_logoff(em)


# --- unmatched names ---

def test_names_that_match_no_session_are_returned_and_warned_about_once(em, make_client):
    # EM compares as SQL Server does: 'DB01 ' and 'nightly sql' are the names asked for
    rows = [session(1, 9, vm='DB01 ', job='nightly sql', server=('s1', 'VBR-West')), session(2, 8, vm='web02', server=('s1', 'vbr-west'))]
    names = '(VmDisplayName=="db01",VmDisplayName=="DC05",VmDisplayName=="web02");(JobName=="Nightly SQL",JobName=="Nightly SLQ")'
    expect_one_query(em, names + ';(BackupServerName=="vbr-west",BackupServerName=="vbr-east")', rows)
    result, warnings = run(make_client, {'vm_name': ['db01', 'DC05', 'web02'], 'job_name': ['Nightly SQL', 'Nightly SLQ'],
                                         'backup_server_name': ['vbr-west', 'vbr-east']})
    assert result['count'] == 2
    assert result['unmatched'] == {'vm_name': ['DC05'], 'job_name': ['Nightly SLQ'], 'backup_server_name': ['vbr-east']}
    assert warnings == ["No selected task session has vm_name 'DC05'; job_name 'Nightly SLQ'; backup_server_name 'vbr-east' "
                        "(names compared in any letter case, within the other options); they are listed in unmatched. Check "
                        "the spelling against what Enterprise Manager shows, or the other options."]


def test_every_name_matched_gives_empty_lists_and_no_warning(em, make_client):
    expect_one_query(em, 'VmDisplayName=="ledgerdb01"', [session(1, 9)])
    result, warnings = run(make_client, {'vm_name': ['ledgerdb01']})
    assert result['unmatched'] == {'vm_name': []} and warnings == []


def test_without_name_options_unmatched_is_empty(em, make_client):
    expect_one_query(em, 'Result==Failed', [])
    result, warnings = run(make_client, {'result': ['Failed']})
    assert result['unmatched'] == {} and result['count'] == 0 and warnings == []


def test_a_backup_copy_job_name_matches_its_workers_sessions(em, make_client):
    expect_one_query(em, 'JobName=="copy west"', [session(1, 9, job='Copy West\\Nightly SQL')])
    result, warnings = run(make_client, {'job_name': ['copy west']})
    assert result['unmatched'] == {'job_name': []} and warnings == []


def test_names_are_matched_when_fields_leave_their_keys_out(em, make_client):
    expect_one_query(em, 'BackupServerName=="vbr-west"', [session(1, 9, server=('s1', 'vbr-west'))])
    result, warnings = run(make_client, {'backup_server_name': ['vbr-west'], 'fields': ['id']})
    assert result['backup_task_sessions'] == [{'id': guid(1)}]
    assert result['unmatched'] == {'backup_server_name': []} and warnings == []


def test_a_session_without_the_name_leaves_that_option_out(em, make_client):
    # EM sent no backup server link: that session may be of any server, so no server name is known unmatched
    expect_one_query(em, 'VmDisplayName=="db01";BackupServerName=="vbr-typo"', [session(1, 9, vm='db01', server=None)])
    result, warnings = run(make_client, {'vm_name': ['db01'], 'backup_server_name': ['vbr-typo']})
    assert result['unmatched'] == {'vm_name': []} and warnings == []


def test_a_limit_that_stopped_the_reading_reports_no_name(em, make_client):
    # EM has more pages: a name not seen may be on them
    expect_one_query(em, '(VmDisplayName=="a",VmDisplayName=="zz")', [session(1, 9, vm='a'), session(2, 8, vm='a')],
                     page_size=2, pages=3)
    result, warnings = run(make_client, {'vm_name': ['a', 'zz'], 'limit': 1})
    assert result['truncated'] is True and result['count'] == 1
    assert result['unmatched'] == {} and warnings == []


def test_a_name_whose_session_the_limit_cut_is_matched(em, make_client):
    # IDs: every page is read, the limit applies afterwards
    rows = [session(1, 9, vm='a'), session(2, 8, vm='b')]
    expect_one_query(em, '(UID=="{0}{1}",UID=="{0}{2}");(VmDisplayName=="a",VmDisplayName=="b",VmDisplayName=="c")'.format(
        URN, guid(1), guid(2)), rows)
    result, warnings = run(make_client, {'id': [guid(1), guid(2)], 'vm_name': ['a', 'b', 'c'], 'limit': 1})
    assert [s['vm_name'] for s in result['backup_task_sessions']] == ['a'] and result['truncated'] is True
    assert result['unmatched'] == {'vm_name': ['c']} and len(warnings) == 1


def _first_of_two_pages(em, text, rows):
    em.expect('GET', query_with(text, 2, 1), **page(rows, page=1, pages=2, page_size=2, next_path=query_url_path(2, 2, encode_filter(text))))


def test_latest_per_vm_stopped_once_every_vm_was_seen_reports_no_job_name(em, make_client):
    # reading stopped after page 1 (every named VM seen): a job name may still have older sessions
    text = '(VmDisplayName=="db01",VmDisplayName=="web02");(JobName=="Nightly SQL",JobName=="Weekly")'
    expect_logon(em)
    _first_of_two_pages(em, text, [session(1, 9, vm='db01', vm_uid='urn:a'), session(2, 8, vm='web02', vm_uid='urn:b')])
    expect_job_sessions(em)
    expect_logoff(em)
    result, warnings = run(make_client, {'vm_name': ['db01', 'web02'], 'job_name': ['Nightly SQL', 'Weekly'], 'latest_per_vm': True,
                                         'page_size': 2})
    assert result['count'] == 2
    assert result['unmatched'] == {'vm_name': []} and warnings == []


def test_latest_per_vm_that_read_every_page_reports_the_vm_never_seen(em, make_client):
    text = '(VmDisplayName=="db01",VmDisplayName=="dc05")'
    expect_logon(em)
    _first_of_two_pages(em, text, [session(1, 9, vm='db01'), session(2, 8, vm='db01')])
    expect_job_sessions(em)
    em.expect('GET', query_with(text, 2, 2), **page([session(3, 7, vm='db01')], page=2, pages=2, page_size=2))
    expect_job_sessions(em)
    expect_logoff(em)
    result, warnings = run(make_client, {'vm_name': ['db01', 'dc05'], 'latest_per_vm': True, 'page_size': 2})
    assert [s['id'] for s in result['backup_task_sessions']] == [guid(1)]
    assert result['unmatched'] == {'vm_name': ['dc05']} and len(warnings) == 1 and "vm_name 'dc05'" in warnings[0]


# --- wait on nothing ---

def _never(seconds):
    raise AssertionError('slept %s seconds' % seconds)


def test_wait_on_task_session_ids_that_match_nothing_fails_at_once(em, make_client):
    text = '(UID=="{0}{1}",UID=="{0}{2}")'.format(URN, guid(1), guid(2))
    expect_one_query(em, text, [])
    with pytest.raises(EMNotFoundError) as caught:
        run(make_client, {'id': [guid(1), URN + guid(2)], 'wait': True}, sleep=_never)
    message = str(caught.value)
    assert message.startswith('wait=true: no task session has the id given (%s, %s%s), so there is nothing to wait for.'
                              % (guid(1), URN, guid(2)))
    assert 'Check the IDs' in message and 'job_session_id' in message
    assert caught.value.details()['kind'] == 'not_found'


def test_wait_on_ids_of_which_one_matches_waits_and_reports_the_other_missing(em, make_client):
    expect_one_query(em, '(UID=="{0}{1}",UID=="{0}{2}")'.format(URN, guid(1), guid(2)), [session(1, 9)])
    result, warnings = run(make_client, {'id': [guid(1), guid(2)], 'wait': True}, sleep=_never)
    assert result['count'] == 1 and result['missing_ids'] == [guid(2)] and warnings == []


def test_wait_polls_a_job_session_until_its_task_sessions_appear(em, make_client):
    text = 'JobSessionUid=="%s%s"' % (JOB_URN, RUN)
    expect_logon(em)
    em.expect('GET', query_with(text), **page([]))
    em.expect('GET', query_with(text), **page([session(1, 9, state='InProgress', result='None', ended=None, job_session=RUN)]))
    expect_job_sessions(em)
    em.expect('GET', query_with(text), **page([session(1, 9, job_session=RUN)]))
    expect_logoff(em)
    naps = []
    clock = iter([0, 1, 2])
    result, warnings = run(make_client, {'job_session_id': RUN, 'wait': True, 'wait_timeout': 60, 'wait_sleep': 5},
                           sleep=naps.append, monotonic=lambda: next(clock))
    assert naps == [5, 5]
    assert result['count'] == 1 and result['summary']['by_state']['Completed'] == 1 and warnings == []


def test_wait_on_a_job_session_without_task_sessions_fails_at_wait_timeout_naming_it(em, make_client):
    text = 'JobSessionUid=="%s%s"' % (JOB_URN, RUN)
    expect_logon(em)
    em.expect('GET', query_with(text), **page([]))
    em.expect('GET', query_with(text), **page([]))
    expect_logoff(em)
    naps = []
    clock = iter([0, 20, 31])
    with pytest.raises(EMWaitTimeoutError) as caught:
        run(make_client, {'job_session_id': JOB_URN + RUN, 'wait': True, 'wait_timeout': 30, 'wait_sleep': 20},
            sleep=naps.append, monotonic=lambda: next(clock))
    assert naps == [10]  # what was left of wait_timeout
    message = str(caught.value)
    assert message.startswith('wait=true: no task session of job session %s appeared within wait_timeout=30 seconds.' % RUN)
    assert 'Check job_session_id' in message and 'raise wait_timeout' in message
    assert caught.value.details()['kind'] == 'wait_timeout' and caught.value.running == []


def test_wait_timeout_zero_on_an_empty_job_session_fails_after_one_query(em, make_client):
    expect_one_query(em, 'JobSessionUid=="%s%s"' % (JOB_URN, RUN), [])
    with pytest.raises(EMWaitTimeoutError, match='wait_timeout=0 seconds'):
        run(make_client, {'job_session_id': RUN, 'wait': True, 'wait_timeout': 0}, sleep=_never, monotonic=lambda: 0)


def test_wait_on_a_job_session_that_other_options_narrow_to_nothing_warns_at_once(em, make_client):
    # nothing of the run still runs (the watch), and no failed task session in it can be the right answer
    expect_logon(em)
    em.expect('GET', query_with(RUN_WATCH), **page([]))
    em.expect('GET', query_with('JobSessionUid=="%s%s";Result==Failed' % (JOB_URN, RUN)), **page([]))
    expect_logoff(em)
    result, warnings = run(make_client, {'job_session_id': RUN, 'result': ['Failed'], 'wait': True}, sleep=_never)
    assert result['count'] == 0
    assert warnings == ['wait=true: no task session of the job_session_id given (%s) satisfies the other options (result), '
                        'so nothing was waited for. If sessions were expected, check job_session_id.' % RUN]


def test_wait_that_selected_sessions_then_none_gives_no_warning(em, make_client):
    # state InProgress leaves out the Pending sessions of the run: the watch of its running sessions decides
    expect_logon(em)
    em.expect('GET', query_with(RUN_WATCH), **page([session(1, 9, state='InProgress', result='None', ended=None, job_session=RUN)]))
    expect_job_sessions(em)
    em.expect('GET', query_with(RUN_WATCH), **page([]))
    em.expect('GET', query_with('JobSessionUid=="%s%s";State==InProgress' % (JOB_URN, RUN)), **page([]))
    expect_logoff(em)
    clock = iter([0, 1])
    result, warnings = run(make_client, {'job_session_id': RUN, 'state': ['InProgress'], 'wait': True, 'wait_sleep': 1},
                           sleep=lambda seconds: None, monotonic=lambda: next(clock))
    assert result['count'] == 0 and warnings == []


def test_wait_without_an_id_selection_returns_nothing_quietly(em, make_client):
    expect_one_query(em, 'VmDisplayName=="db01"', [])
    result, warnings = run(make_client, {'vm_name': ['db01'], 'wait': True}, sleep=_never)
    # the name that matched nothing is warned about; wait has nothing to add
    assert result['count'] == 0 and result['unmatched'] == {'vm_name': ['db01']}
    assert len(warnings) == 1 and 'wait' not in warnings[0]


def test_without_wait_an_empty_job_session_is_no_error(em, make_client):
    expect_one_query(em, 'JobSessionUid=="%s%s"' % (JOB_URN, RUN), [])
    result, warnings = run(make_client, {'job_session_id': RUN}, sleep=_never)
    assert result['count'] == 0 and warnings == []
