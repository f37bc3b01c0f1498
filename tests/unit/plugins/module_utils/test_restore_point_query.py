# -*- coding: utf-8 -*-
# Unit tests of the VmRestorePoint / AgentRestorePoint queries (module_utils/restore_point_query.py): the
# filters EM documents (Type, VmDisplayName, ComputerName), names OR'd in chunks that fit one URL, the row
# checks, and newest_restore_points() against the strict fake transport: one query per kind and chunk,
# reading stopped once every name was seen.

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import (
    AGENT_RESTORE_POINTS,
    VM_RESTORE_POINTS,
    nothing_to_read,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_options import RESTORE_POINT_SELECTION
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_query import newest_restore_points
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import RowCheck
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import build_selection
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import expect_logoff, expect_logon
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_restore_points import (
    point_guid,
    points_page,
    query_url,
    restore_point,
)

UTC = timezone.utc
SINCE = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)


def _selection(**values):
    return build_selection(RESTORE_POINT_SELECTION, values)


def test_vm_filter_uses_em_field_names():
    selection = _selection(vm_name=['db01', 'web "a"'], backup_server_name=['vbr01'], point_type=['full', 'ReverseIncrement'],
                           since='2025-03-01T06:00:00Z', until='2025-03-01T06:00:00Z')
    assert VM_RESTORE_POINTS.filter_text(selection) == (
        '(VmDisplayName=="db01",VmDisplayName=="web ""a""");BackupServerName=="vbr01";(Type==Full,Type==ReverseIncrement);'
        'CreationTime>="2025-03-01T06:00:00Z";CreationTime<"2025-03-01T06:00:00.000001Z"')
    assert VM_RESTORE_POINTS.name == 'VmRestorePoint' and selection.vm_filters == [VM_RESTORE_POINTS.filter_text(selection)]


def test_agent_filter_names_the_computer_and_drops_point_types_agents_do_not_have():
    selection = _selection(vm_name=['PHYS-SQL01'], point_type=['Full', 'ReverseIncrement'])
    assert AGENT_RESTORE_POINTS.filter_text(selection) == 'ComputerName=="PHYS-SQL01";Type==Full'
    assert AGENT_RESTORE_POINTS.name == 'AgentRestorePoint'
    only_reverse = _selection(point_type=['ReverseIncrement'])
    assert nothing_to_read(only_reverse, 'agent') and not nothing_to_read(only_reverse, 'vm')


def test_long_name_lists_are_split_into_disjoint_chunks_that_fit():
    names = ['vm-%04d-with-a-long-name' % number for number in range(600)]
    chunks = VM_RESTORE_POINTS.filters(_selection(vm_name=names), max_length=2000)
    assert len(chunks) > 5 and all(len(encode_filter(chunk)) <= 2000 for chunk in chunks)
    assert [name for chunk in chunks for name in chunk.lists['vm_names']] == names
    assert all(chunk.count('VmDisplayName==') == len(chunk.lists['vm_names']) for chunk in chunks)
    with pytest.raises(EMInputError, match='longer than the 100 characters'):
        VM_RESTORE_POINTS.filters(_selection(vm_name=['x' * 200]), max_length=100)


def test_bad_values_fail_when_the_selection_is_built():
    with pytest.raises(EMInputError, match='point_type value'):
        _selection(point_type=['Differential'])
    with pytest.raises(EMInputError, match='is before since'):
        _selection(since='1d', until='2d')


def test_rows_that_were_not_asked_for_are_dropped_and_named():
    selection = _selection(vm_name=['db01'], point_type=['Full'], since='2025-03-01T06:00:00Z')
    check = RowCheck('restore point')
    accepts = check.bind(VM_RESTORE_POINTS.checks(selection))
    good = {'id': '1', 'name': 'DB01@x', 'vm_name': 'DB01 ', 'point_type': 'full', 'creation_time': SINCE}
    assert accepts(good)  # EM's collation: any case, trailing spaces
    assert not accepts(dict(good, id='2', vm_name='db011'))
    assert not accepts(dict(good, id='3', point_type='Increment'))
    assert not accepts(dict(good, id='4', creation_time=datetime(2025, 2, 1, tzinfo=UTC)))
    warning = check.warning()
    assert warning.startswith('Enterprise Manager returned 3 restore point(s)') and "vm_name 'db011' not asked for" in warning
    assert 'restore point DB01@x [4] (creation_time' in warning


@pytest.mark.parametrize('fmt', ['xml', 'json'])
def test_newest_point_per_name_with_one_query_per_kind(em, make_client, fmt):
    vms = [restore_point(1, 'db01', created='2025-03-14T02:00:00Z'), restore_point(2, 'DB01', created='2025-03-13T02:00:00Z'),
           restore_point(3, 'web01', created='2025-03-12T02:00:00Z')]
    agents = [restore_point(4, 'PHYS-SQL01', kind='agent', created='2025-03-14T05:00:00Z')]
    expect_logon(em)
    em.expect('GET', query_url('vm', '(VmDisplayName=="db01",VmDisplayName=="web01",VmDisplayName=="gone01")'),
              **points_page(vms, fmt=fmt))
    em.expect('GET', query_url('agent', '(ComputerName=="PHYS-SQL01",ComputerName=="db01")'), **points_page(agents, 'agent', fmt=fmt))
    expect_logoff(em)
    with make_client(response_format=fmt) as client:
        answer = newest_restore_points(client, ['db01', 'web01', 'gone01'], ['PHYS-SQL01', 'db01'])
    assert set(answer) == {'db01', 'web01', 'gone01', 'PHYS-SQL01'}
    assert answer['db01']['id'] == point_guid(1) and answer['web01']['id'] == point_guid(3)
    assert answer['gone01'] is None and answer['PHYS-SQL01']['kind'] == 'agent'
    assert answer['db01']['creation_time'] == datetime(2025, 3, 14, 2, 0, tzinfo=UTC)


def test_reading_stops_at_the_page_where_every_name_was_seen(em, make_client):
    filter_text = '(VmDisplayName=="db01",VmDisplayName=="web01")'
    expect_logon(em)
    em.expect('GET', query_url('vm', filter_text, page_size=1000),
              **points_page([restore_point(1, 'db01'), restore_point(2, 'web01')], page=1, pages=5, filter_text=filter_text))
    expect_logoff(em)  # pages 2 to 5 are never asked for
    with make_client() as client:
        answer = newest_restore_points(client, vm_names=['db01', 'web01'])
    assert answer['db01']['id'] == point_guid(1) and client.stats['pages'] == 1


def test_since_is_in_the_filter_and_rows_outside_are_dropped(em, make_client):
    filter_text = 'VmDisplayName=="db01";CreationTime>="2025-03-01T06:00:00Z"'
    expect_logon(em)
    em.expect('GET', query_url('vm', filter_text),
              **points_page([restore_point(1, 'db01', created='2025-02-01T00:00:00Z'), restore_point(2, 'other')]))
    expect_logoff(em)
    with make_client() as client:
        answer = newest_restore_points(client, vm_names=['db01'], since=SINCE)
    assert answer == {'db01': None}
    assert len(client.warnings) == 1 and client.warnings.pop().startswith('Enterprise Manager returned 2 restore point(s)')


def test_without_name_filters_one_stream_per_kind_answers_the_names_asked_for(em, make_client):
    filter_text = 'CreationTime>="2025-03-01T06:00:00Z"'
    expect_logon(em)
    em.expect('GET', query_url('vm', filter_text, page_size=1000),
              **points_page([restore_point(1, 'db01'), restore_point(2, 'other'), restore_point(3, 'DB01', created='2025-03-02T00:00:00Z')],
                            filter_text=filter_text))
    expect_logoff(em)  # no agent query: no computer was named
    with make_client() as client:
        answer = newest_restore_points(client, vm_names=['db01', 'gone01'], since=SINCE, by_name=False)
    assert set(answer) == {'db01', 'gone01'} and answer['gone01'] is None
    assert answer['db01']['id'] == point_guid(1) and not client.warnings


def test_no_names_no_request(em, make_client):
    with make_client() as client:
        assert newest_restore_points(client) == {}
    assert client.stats['requests'] == 0
