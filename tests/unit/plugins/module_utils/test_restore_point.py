# -*- coding: utf-8 -*-
# Unit tests of the restore point facts (module_utils/restore_point.py): the normaliser over XML, EM 12 and
# EM 13 JSON, agents' computer names from the point name, public (text) times, the newest point per VM.

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_pager import query_items
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import parse_response
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import (
    RESTORE_POINT_KEYS,
    machine_name,
    newest_per_vm,
    normalize_restore_point,
    public_facts,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import SERVER_ID, SERVER_NAME
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_restore_points import (
    TYPES,
    hierarchy_ref,
    point_guid,
    points_page,
    restore_point,
)

UTC = timezone.utc


def _parsed(points, kind, fmt):
    answer = points_page(points, kind=kind, fmt=fmt)
    return query_items(parse_response(answer['body'], answer['content_type']).data, TYPES[kind])


@pytest.mark.parametrize('fmt', ['xml', 'json', 'camel'])
def test_a_vm_point_in_every_representation(fmt):
    entity = _parsed([restore_point(3, vm='web 01', point_type='Full', algorithm='SyntheticFull')], 'vm', fmt)[0]
    facts = normalize_restore_point(entity, 'vm')
    assert tuple(facts) == RESTORE_POINT_KEYS
    assert facts == {
        'id': point_guid(3),
        'uid': 'urn:veeam:VmRestorePoint:' + point_guid(3),
        'kind': 'vm',
        'name': 'web 01@2025-03-14 02:17:55',
        'vm_name': 'web 01',
        'creation_time': datetime(2025, 3, 14, 2, 17, 55, 100000, tzinfo=UTC),
        'point_type': 'Full',
        'algorithm': 'SyntheticFull',
        'hierarchy_ref': hierarchy_ref('web 01'),
        'backup_server_name': SERVER_NAME,
        'backup_server_id': SERVER_ID,
        'restore_point_id': 'c0ffee00-0000-4000-8000-000000000003',
        'backup_file_id': 'f11e0000-0000-4000-8000-000000000003',
    }


@pytest.mark.parametrize('fmt', ['xml', 'json', 'camel'])
def test_an_agent_point_takes_the_computer_from_its_name(fmt):
    entity = _parsed([restore_point(4, vm='PHYS-SQL01', kind='agent', point_type='Full', algorithm='Full')], 'agent', fmt)[0]
    facts = normalize_restore_point(entity, 'agent')
    assert facts['vm_name'] == 'PHYS-SQL01' and facts['kind'] == 'agent' and facts['hierarchy_ref'] is None
    assert facts['uid'] == 'urn:veeam:AgentRestorePoint:' + point_guid(4) and facts['id'] == point_guid(4)
    assert facts['point_type'] == 'Full' and facts['backup_file_id'].endswith('000000000004')


def test_missing_links_and_elements_are_none():
    facts = normalize_restore_point({'Href': 'https://em/api/vmRestorePoints/%s?format=Entity' % point_guid(9), 'Name': 'x@y'}, 'vm')
    assert facts['id'] == point_guid(9) and facts['vm_name'] == 'x' and facts['creation_time'] is None
    assert [facts[key] for key in ('backup_server_id', 'restore_point_id', 'backup_file_id', 'point_type')] == [None] * 4


def test_machine_name_splits_at_the_last_at_sign():
    assert machine_name('ops@corp@2025-01-02 03:04:05') == 'ops@corp'
    assert machine_name('plain') == 'plain' and machine_name(None) is None


def test_public_facts_write_fixed_width_utc_text():
    facts = normalize_restore_point(_parsed([restore_point(1, created='2025-03-14T02:17:55Z')], 'vm', 'xml')[0], 'vm')
    public = public_facts(facts)
    assert public['creation_time'] == '2025-03-14T02:17:55.000000Z'
    assert isinstance(facts['creation_time'], datetime)  # the facts themselves keep the datetime


def test_newest_per_vm_keeps_one_point_per_vm_and_kind():
    base = datetime(2025, 3, 14, tzinfo=UTC)

    def point(n, vm, hours, kind='vm', ref=None):
        return {'id': str(n), 'kind': kind, 'vm_name': vm, 'hierarchy_ref': ref, 'creation_time': base + timedelta(hours=hours)}
    points = [point(1, 'db', 1, ref='urn:VMware:Vm:a.vm-1'), point(2, 'DB', 5, ref='urn:VMware:Vm:a.vm-1'),
              point(3, 'db', 3, ref='urn:VMware:Vm:b.vm-1'),  # the same name on another vCenter is another VM
              point(4, 'pc1', 2, kind='agent'), point(5, 'PC1', 4, kind='agent'), point(6, 'pc1', 9)]
    assert [facts['id'] for facts in newest_per_vm(points)] == ['6', '2', '5', '3']
