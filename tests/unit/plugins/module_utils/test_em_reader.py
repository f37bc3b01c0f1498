# -*- coding: utf-8 -*-
# Unit tests of the Selection (selection.py: built once, checked by ansible-core's validator, immutable,
# relative times fixed) and of the one reader (em_reader.py: pages, row checks, repeats dropped,
# enrichment, early stop, limit), with a query type declared here as another engineer would; and the
# count of EM time parses of a `since: 24h, latest_per_vm: true` run (once per EM time field).

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils import time_utils
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import Chunk, OrList, QueryType, read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import comparison
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import RowCheck
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Selection, SelectionSpec, build_selection, enums, number, strings, time
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import guid, task_session
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import parents_of
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.fake_query_client import FakeQueryClient

NOW = datetime(2025, 3, 15, 0, 0, 0, tzinfo=timezone.utc)

# --- the Selection -------------------------------------------------------------------------------------

SPEC = SelectionSpec(
    (Option('kind', 'list', ['Kinds.'], elements='str', aliases=('kinds',)),
     Option('name', 'list', ['Names.'], elements='str'),
     Option('since', 'str', ['Since.']),
     Option('limit', 'int', ['Limit.'], default=5)),
    {'kind': enums('kind', 'kinds', ('Full', 'Increment')), 'name': strings('name', 'names'), 'since': time('since'),
     'limit': number('limit', 1)})


def test_a_selection_is_built_once_validated_and_immutable():
    selection = build_selection(SPEC, {'kinds': 'full,INCREMENT', 'since': '2h', 'other': 'ignored'}, now=NOW, page_size=7)
    assert selection.kinds == ['Full', 'Increment']  # the alias, split as a list option, the spellings canonical
    assert selection.since == NOW - timedelta(hours=2) and selection.limit == 5 and selection.names == []
    assert selection.page_size == 7 and selection.get('absent') is None
    with pytest.raises(AttributeError):
        selection.limit = 3
    assert selection.replace(limit=3).limit == 3 and selection.limit == 5


@pytest.mark.parametrize('values, message', [
    ({'limit': 'many'}, "Bad option: .*limit"),
    ({'limit': 0}, 'limit option must be at least 1'),
    ({'kind': ['Mirror']}, "kind value 'Mirror' is not known"),
    ({'since': 'soon'}, "since value 'soon' is not a time"),
])
def test_bad_values_fail_naming_the_option(values, message):
    with pytest.raises(EMInputError, match=message):
        build_selection(SPEC, values, now=NOW)


def test_validated_values_are_not_checked_again():
    # a module's params, checked by AnsibleModule: types are taken as they are
    assert build_selection(SPEC, {'limit': 3, 'kind': None}, validated=True, now=NOW).limit == 3


# --- the reader, over a query type declared here ---------------------------------------------------------

def _point(n, name, kind='Full'):
    return {'UID': 'urn:veeam:Point:%s' % guid(n), 'Name': name, 'Kind': kind, 'CreationTimeUTC': '2025-03-14T02:%02d:00Z' % n}


def normalize_point(entity):
    return {'id': entity['UID'].rsplit(':', 1)[-1], 'name': entity['Name'], 'kind': entity['Kind'],
            'creation_time': time_utils.parse_em_time(entity['CreationTimeUTC'])}


POINTS = QueryType('Point', normalize_point, lists=(OrList('names', 'Name', 'name'),),
                   terms=lambda selection, **extra: [comparison('CreationTime', '>=', selection.since)] if selection.get('since') else [],
                   criteria=(('name', 'name', 'name', 'names'),), keys=('id', 'name', 'kind', 'creation_time'), times=('creation_time',))


def test_a_declared_type_is_paged_checked_deduplicated_and_enriched():
    rows = [_point(3, 'a'), _point(2, 'b'), _point(2, 'b'), _point(1, 'zz')]  # a repeat from shifting pages; a row not asked for
    client = FakeQueryClient(lambda type_name, text: rows)
    selection = Selection({'names': ['a', 'b'], 'since': NOW - timedelta(days=1), 'page_size': 2})
    check = RowCheck()
    batches = []

    def enrich(batch):
        batches.append(len(batch))
        return [dict(facts, enriched=True) for facts in batch]
    facts = list(read(client, POINTS, selection, accepts=check.bind(POINTS.checks(selection)), enrich=enrich))
    assert [(f['name'], f['enriched']) for f in facts] == [('a', True), ('b', True)]
    assert batches == [2]  # per page; the second page had nothing left to enrich
    assert client.queries == [('Point', '(Name=="a",Name=="b");CreationTime>="2025-03-14T00:00:00Z"', 'CreationTime', 2, None)]
    assert check.dropped and 'zz' in check.dropped[0]
    assert POINTS.export(facts[0])['creation_time'] == '2025-03-14T02:03:00.000000Z' and isinstance(facts[0]['creation_time'], datetime)


def test_long_lists_are_chunked_and_a_stop_ends_a_chunk_at_the_end_of_its_page():
    names = ['name-%03d-%s' % (n, 'x' * 60) for n in range(150)]
    selection = Selection({'names': names})
    chunks = POINTS.filters(selection)
    assert len(chunks) > 1 and [name for chunk in chunks for name in chunk.lists['names']] == names
    rows = [_point(n % 50 + 1, names[n]) for n in range(6)]
    client = FakeQueryClient(lambda type_name, text: rows)
    asked = []

    def stop(chunk):
        asked.append(chunk.lists['names'][0])
        return lambda batch: True  # done after the first page
    reading = read(client, POINTS, selection, stop=stop, page_size=2)
    assert len(list(reading)) == 2 and reading.stopped  # the repeats of the second chunk (same ids) are dropped
    assert asked == [chunk.lists['names'][0] for chunk in chunks]


def test_whole_reads_every_chunk_then_enriches_once_and_a_limit_truncates():
    client = FakeQueryClient(lambda type_name, text: [_point(3, 'a'), _point(2, 'a'), _point(1, 'a')])
    calls = []
    reading = read(client, POINTS, chunks=[Chunk('Name=="a"', {})], enrich=lambda batch: calls.append(len(batch)) or batch,
                   whole=True, limit=2)
    assert len(list(reading)) == 2 and calls == [2] and reading.truncated


# --- parse_em_time once per EM time field ------------------------------------------------------------------

def test_since_24h_latest_per_vm_parses_each_em_time_once(monkeypatch):
    """The figure of issue 20: 90 sessions (30 VMs, 3 runs each) read with since=24h and latest_per_vm=true
    parse 180 EM times (CreationTimeUTC and EndTimeUTC of each), not 270."""
    sessions = [task_session(n, vm='vm%02d' % (n % 30), vm_uid='urn:VMware:Vm:x.vm-%d' % (n % 30), job_session=guid(n // 30, prefix='b82e6d04'),
                             created='2025-03-14T%02d:%02d:00Z' % (10 + n // 30, n % 30), ended='2025-03-14T%02d:%02d:30Z' % (10 + n // 30, n % 30))
                for n in range(90)]
    sessions.reverse()  # newest first, as EM sorts them
    parents = parents_of(sessions)
    client = FakeQueryClient(lambda type_name, text: sessions if type_name == 'BackupTaskSession' else parents)
    calls = []
    original = time_utils.parse_em_time

    def counted(value):
        calls.append(value)
        return original(value)
    for module in list(sys.modules.values()):  # every module of the collection that imported it by name
        if getattr(module, '__name__', '').startswith('ansible_collections.vbr.enterprise_manager.plugins') and \
                getattr(module, 'parse_em_time', None) is original:
            monkeypatch.setattr(module, 'parse_em_time', counted)
    result = search_task_sessions(client, task_session_selection({'since': '24h', 'latest_per_vm': True, 'page_size': 40}, now=NOW))
    assert result['count'] == 30 and result['backup_task_sessions'][0]['creation_time'] == '2025-03-14T12:29:00.000000Z'
    assert len(calls) == 2 * len(sessions)
