# -*- coding: utf-8 -*-
# Unit tests of the lookup's term resolution: term kinds, validation before any request, the exact EM
# queries (IDs and names in one OR group, VM names with the narrowing), newest per VM over rounds that
# only ask again for VMs a cut answer did not reach, output values and the missing-term message.

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSION_KEYS
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.lookup_resolution import (
    TERM_ID,
    TERM_NAME,
    TERM_VM,
    classify_term,
    describe_missing,
    flatten_terms,
    output_value,
    prepare_lookup,
    render,
    resolve_terms,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    expect_logoff,
    expect_logon,
    guid,
    page,
    query_with,
    task_session,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import JOB_SESSION_QUERY, expect_job_sessions, job_session

NOW = datetime(2025, 3, 15, 0, 0, 0, tzinfo=timezone.utc)
URN = 'urn:veeam:BackupTaskSession:'


def session(n, minute, vm='ledgerdb01', **kwargs):
    kwargs.setdefault('created', '2025-03-14T01:%02d:00Z' % minute)
    kwargs.setdefault('ended', '2025-03-14T01:%02d:30Z' % minute)
    kwargs.setdefault('name_time', '2025-03-14 01:%02d:00' % minute)
    return task_session(n, vm=vm, **kwargs)


def resolve(make_client, terms, **options):
    max_length = options.pop('max_length', None)
    lookup = prepare_lookup(terms, now=NOW, **options)
    with make_client() as client:
        if max_length:
            return resolve_terms(client, lookup, max_length=max_length)
        return resolve_terms(client, lookup)


def ids_of(resolved):
    return [(term.text, facts['id'] if facts else None) for term, facts in resolved]


# --- terms ----------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, kind, key', [
    ('5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17', TERM_ID, '5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17'),
    (' 5B7E3C1A-9D24-4F6E-8A31-C2D40E6F9B17 ', TERM_ID, '5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17'),
    ('URN:veeam:backupTaskSession:5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17', TERM_ID, '5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17'),
    ('mailrelay02@2016-02-27 11:52:08', TERM_NAME, 'mailrelay02@2016-02-27 11:52:08'),
    ('Finance Share 02@2025-03-14 02:17:41.1234567', TERM_NAME, 'finance share 02@2025-03-14 02:17:41.1234567'),
    ('LedgerDB01', TERM_VM, 'ledgerdb01'),
    ('mailrelay02@2016-02-27', TERM_VM, 'mailrelay02@2016-02-27'),
    ('user@example.com', TERM_VM, 'user@example.com'),
    ('5b7e3c1a-9d24-4f6e-8a31', TERM_VM, '5b7e3c1a-9d24-4f6e-8a31'),
])
def test_term_kinds(text, kind, key):
    term = classify_term(text)
    assert (term.kind, term.key, term.text) == (kind, key, text.strip())


def test_a_uid_with_a_bad_guid_is_rejected():
    with pytest.raises(EMInputError, match='not a valid ID'):
        classify_term('urn:veeam:BackupTaskSession:not-a-guid')


@pytest.mark.parametrize('uid', ['urn:veeam:BackupJobSession:0a6f1c2e-5b7d-4e21-9c3a-7d2e8f4b1a90', 'URN:VEEAM:VmRestorePoint:x'])
def test_a_uid_of_another_object_type_is_rejected(uid):
    with pytest.raises(EMInputError, match='another kind of EM object') as raised:
        classify_term(uid)
    assert 'job_session_id' in raised.value.hint


def test_terms_are_flattened_in_order():
    assert flatten_terms(['a', ['b', ('c', ['d'])], 'e', 7]) == ['a', 'b', 'c', 'd', 'e', '7']
    assert flatten_terms([]) == []


@pytest.mark.parametrize('bad', [[None], [{'vm': 'a'}], [True], ['  ']])
def test_bad_terms_are_rejected(bad):
    with pytest.raises(EMInputError):
        prepare_lookup(bad)


def test_narrowing_is_validated_and_fixed_at_preparation():
    lookup = prepare_lookup(['a'], result='failed', state=['completed', 'Completed'], job_name='Job A', since='24h', now=NOW)
    assert lookup.results == ['Failed'] and lookup.states == ['Completed'] and lookup.job_names == ['Job A']
    assert lookup.since == datetime(2025, 3, 14, 0, 0, 0, tzinfo=timezone.utc)
    assert lookup.narrowing_text() == "result Failed, state Completed, job 'Job A', created since 2025-03-14T00:00:00Z"
    with pytest.raises(EMInputError, match="result value 'done' is not known"):
        prepare_lookup(['a'], result=['done'])
    with pytest.raises(EMInputError, match='no time zone'):
        prepare_lookup(['a'], since='2025-03-14T00:00:00')


def test_a_term_too_long_for_a_query_fails_before_any_request():
    with pytest.raises(EMInputError, match='too long'):
        prepare_lookup(['x' * 6000])


def test_an_unknown_output_is_refused():
    # the lookup's options declare the choices (Ansible checks them); this guards other callers
    with pytest.raises(EMInputError, match="output value 'guid' is not known.*id, uid, facts"):
        output_value({'id': guid(1)}, 'guid')


# --- queries --------------------------------------------------------------------------------------

def test_ids_and_names_share_one_query_vm_names_another(em, make_client):
    terms = [guid(1), 'web01', URN + guid(2).upper(), 'db01@2025-03-14 01:03:00', 'DB01', guid(1)]
    expect_logon(em)
    em.expect('GET', query_with('(UID=="{0}{1}",UID=="{0}{2}",Name=="db01@2025-03-14 01:03:00")'.format(URN, guid(1), guid(2))),
              **page([session(2, 9, vm='app'), session(3, 3, vm='db01'), session(1, 1, vm='app')]))
    expect_job_sessions(em)
    em.expect('GET', query_with('(VmDisplayName=="web01",VmDisplayName=="DB01")', 9),
              **page([session(5, 8, vm='db01'), session(6, 7, vm='WEB01'), session(7, 6, vm='db01')], pages=3, page_size=9))
    expect_job_sessions(em)
    expect_logoff(em)
    resolved = resolve(make_client, terms)
    assert ids_of(resolved) == [(guid(1), guid(1)), ('web01', guid(6)), (URN + guid(2).upper(), guid(2)),
                                ('db01@2025-03-14 01:03:00', guid(3)), ('DB01', guid(5)), (guid(1), guid(1))]
    # one task session query per kind of term, each followed by the one query of its job sessions
    assert [call.method for call in em.calls] == ['POST', 'GET', 'GET', 'GET', 'GET', 'DELETE']
    assert [bool(JOB_SESSION_QUERY.fullmatch(call.url)) for call in em.calls[1:5]] == [False, True, False, True]


def test_narrowing_applies_to_vm_names_only(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('UID=="%s%s"' % (URN, guid(1))), **page([session(1, 1, result='Success')]))
    expect_job_sessions(em)
    em.expect('GET', query_with('VmDisplayName=="db01";JobName=="Job ""A""";State==Completed;(Result==Failed,Result==Warning);'
                                'CreationTime>="2025-03-14T00:00:00Z"', 5),
              **page([session(2, 5, vm='db01', result='Warning', job='Job "A"')]))
    expect_job_sessions(em)
    expect_logoff(em)
    resolved = resolve(make_client, ['db01', guid(1)], result=['failed', 'warning'], state='Completed', job_name=['Job "A"'], since='1d')
    assert ids_of(resolved) == [('db01', guid(2)), (guid(1), guid(1))]


def test_a_repeated_session_name_gives_the_newest(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('Name=="db01@2025-03-14 01:03:00"'),
              **page([session(4, 3, vm='db01', created='2025-03-14T01:03:00.9Z'), session(3, 3, vm='db01')]))
    expect_job_sessions(em)
    expect_logoff(em)
    assert ids_of(resolve(make_client, ['db01@2025-03-14 01:03:00'])) == [('db01@2025-03-14 01:03:00', guid(4))]


def test_vms_the_cut_answer_did_not_reach_are_asked_again_alone(em, make_client):
    # db01 runs hourly: its rows fill the first answer; web01 and gone01 are asked again, gone01 has nothing
    expect_logon(em)
    em.expect('GET', query_with('(VmDisplayName=="db01",VmDisplayName=="web01",VmDisplayName=="gone01")', 13),
              **page([session(n, 59 - n, vm='db01') for n in range(1, 14)], pages=2, page_size=13))
    expect_job_sessions(em)
    em.expect('GET', query_with('(VmDisplayName=="web01",VmDisplayName=="gone01")', 9),
              **page([session(20, 2, vm='web01'), session(21, 1, vm='web01')]))
    expect_job_sessions(em)
    expect_logoff(em)
    resolved = resolve(make_client, ['db01', 'web01', 'gone01'])
    assert ids_of(resolved) == [('db01', guid(1)), ('web01', guid(20)), ('gone01', None)]


def test_an_answer_that_was_not_cut_proves_the_rest_missing(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('(VmDisplayName=="db01",VmDisplayName=="gone01")', 9),
              **page([session(1, 9, vm='db01'), session(2, 8, vm='db01')]))
    expect_job_sessions(em)
    expect_logoff(em)
    assert ids_of(resolve(make_client, ['db01', 'gone01'])) == [('db01', guid(1)), ('gone01', None)]


def test_rows_that_match_no_term_end_the_rounds(em, make_client):
    # EM returned rows our comparison does not match (they are dropped with a warning): asking again
    # would give the same rows
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01"', 5), **page([session(n, 9 - n, vm='db01x') for n in range(1, 6)], pages=2, page_size=5))
    expect_logoff(em)
    lookup = prepare_lookup(['db01'], now=NOW)
    with make_client() as client:
        assert ids_of(resolve_terms(client, lookup)) == [('db01', None)]
    warning = client.warnings.pop()
    assert warning.startswith('Enterprise Manager returned 4 task session(s) that do not satisfy the selection')  # the rows read: 4 per VM
    assert "(VM name term 'db01x' not asked for)" in warning and not client.warnings


@pytest.mark.parametrize('returned', ['db01 ', 'DB01', '\uff44\uff42\uff10\uff11'])
def test_names_match_as_a_case_insensitive_em_collation_compares_them(em, make_client, returned):
    # SQL Server's default collation: case and width insensitive, trailing spaces ignored
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01"', 5), **page([session(1, 9, vm=returned)]))
    expect_job_sessions(em)
    expect_logoff(em)
    assert ids_of(resolve(make_client, ['db01'])) == [('db01', guid(1))]


def test_fifty_vm_names_take_one_query(em, make_client):
    names = ['vm-%02d' % n for n in range(50)]
    rows = [session(n + 1, 59 - n % 60, vm=names[n % 50], created='2025-06-0%dT01:00:%02dZ' % (5 - n // 50, 59 - n % 50))
            for n in range(150)]
    expect_logon(em)
    em.expect('GET', query_with('(' + ','.join('VmDisplayName=="%s"' % name for name in names) + ')', 201),
              **page(rows, pages=2, page_size=201))
    expect_job_sessions(em)
    expect_logoff(em)
    resolved = resolve(make_client, names)
    assert ids_of(resolved) == [(name, guid(n + 1)) for n, name in enumerate(names)]
    assert len(em.calls) == 4  # logon, the task sessions, their job sessions, logoff


def test_long_term_lists_are_split_below_the_url_limit(em, make_client):
    ids = [guid(n) for n in range(6)]
    names = ['vm-%02d-' % n + 'a' * 75 for n in range(4)]  # two per query
    expect_logon(em)
    for chunk in (ids[:3], ids[3:]):
        em.expect('GET', query_with('(' + ','.join('UID=="%s%s"' % (URN, i) for i in chunk) + ')'),
                  **page([session(int(i[-12:], 16), 1) for i in chunk if i != guid(4)]))
        expect_job_sessions(em)
    for chunk in (names[:2], names[2:]):
        em.expect('GET', query_with('(' + ','.join('VmDisplayName=="%s"' % n for n in chunk) + ');Result==Failed', 9),
                  **page([session(10 + names.index(n), 5, vm=n, result='Failed') for n in chunk]))
        expect_job_sessions(em)
    expect_logoff(em)
    resolved = resolve(make_client, ids + names, result='Failed', max_length=len(encode_filter('(' + ','.join(
        'UID=="%s%s"' % (URN, i) for i in ids[:3]) + ')')))
    assert ids_of(resolved) == [(i, None if i == guid(4) else i) for i in ids] + [(n, guid(10 + k)) for k, n in enumerate(names)]
    assert all(len(call.url) < 1000 for call in em.calls)


# --- output -----------------------------------------------------------------------------------------

def test_output_values_and_missing_terms():
    lookup = prepare_lookup(['db01', 'gone01', guid(9)], result='Failed', now=NOW)
    facts = {'id': guid(1), 'uid': URN + guid(1), 'vm_name': 'db01'}
    resolved = [(lookup.terms[0], facts), (lookup.terms[1], None), (lookup.terms[2], None)]
    assert render(resolved, 'id') == ([guid(1)], lookup.terms[1:])
    assert render(resolved, 'uid')[0] == [URN + guid(1)]
    values = render(resolved, 'facts')[0]
    assert values == [facts] and values[0] is not facts
    assert output_value({'id': guid(2), 'uid': None}, 'uid') == URN + guid(2)
    assert describe_missing(lookup, lookup.terms[1:]) == (
        "No backup task session found for 2 of 3 term(s): 'gone01' (VM name, with result Failed), '%s' (task session ID)." % guid(9))


def test_facts_are_the_info_module_items(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01"', 5), **page([session(1, 4, vm='db01', reason='Disk full ', result='Failed')]))
    expect_job_sessions(em)
    expect_logoff(em)
    facts = render(resolve(make_client, ['db01']), 'facts')[0][0]
    assert tuple(sorted(facts)) == tuple(sorted(TASK_SESSION_KEYS))
    assert facts['creation_time'] == '2025-03-14T01:04:00.000000Z' and facts['reason'] == 'Disk full ' and facts['uid'] == URN + guid(1)


# --- job types ----------------------------------------------------------------------------------------

def test_a_vm_name_resolves_to_its_newest_primary_backup_not_a_later_copy(em, make_client):
    # db01's newest rows are copies (a copy job after a failed backup): the next round digs deeper
    copies = [session(n, 9 - n, vm='db01', job_session=guid(1, 'c0c0c0c0')) for n in range(1, 6)]
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01"', 5), **page(copies[:5], pages=2, page_size=5))
    expect_job_sessions(em, [job_session(guid(1, 'c0c0c0c0'), 'BackupCopy')])
    em.expect('GET', query_with('VmDisplayName=="db01"', 17),  # DEEPER: 4 x 4 rows, and one to tell a cut
              **page(copies + [session(7, 2, vm='db01', result='Failed'), session(8, 1, vm='db01')], page_size=17))
    expect_job_sessions(em, [job_session(guid(7, 'b82e6d04'), 'Backup'), job_session(guid(8, 'b82e6d04'), 'Backup')])
    expect_logoff(em)
    resolved = resolve(make_client, ['db01'])
    assert ids_of(resolved) == [('db01', guid(7))]
    assert resolved[0][1]['job_type'] == 'Backup' and resolved[0][1]['result'] == 'Failed'


def test_a_vm_name_with_job_type_resolves_to_that_type(em, make_client):
    expect_logon(em)
    em.expect('GET', query_with('VmDisplayName=="db01"', 5), **page([session(1, 9, vm='db01'), session(2, 8, vm='db01')]))
    expect_job_sessions(em, [job_session(guid(1, 'b82e6d04'), 'BackupCopy')], check=lambda text: ';JobType==BackupCopy;' in text or _fail(text))
    expect_job_sessions(em, [], check=lambda text: text.startswith('UID=="urn:veeam:BackupJobSession:%s"' % guid(2, 'b82e6d04')) or _fail(text))
    expect_logoff(em)
    lookup = prepare_lookup(['db01'], job_type='backupcopy', now=NOW)
    assert lookup.narrowing_text() == 'job type BackupCopy'
    with make_client() as client:
        assert ids_of(resolve_terms(client, lookup)) == [('db01', guid(1))]


def _fail(text):
    raise AssertionError('unexpected job session filter: %s' % text)
