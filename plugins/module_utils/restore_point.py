# -*- coding: utf-8 -*-
# The EM query types VmRestorePoint and AgentRestorePoint, declared for the reader (em_reader.py): one
# entity (canonical dict from representation.py) -> the restore point facts (creation_time a datetime;
# text only where the facts leave the collection: public_facts), the filter (machine names OR'd: EM
# filters VMs by VmDisplayName, agents by ComputerName, and the point type as `Type`), the row checks;
# plus the newest point per machine of a list of facts.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import guid_from_urn, id_from_href
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import OrList, QueryType
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import any_of, comparison, enum_comparison
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import entity_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import parse_em_time

VM = 'vm'
AGENT = 'agent'
KINDS = (VM, AGENT)
# The point types EM documents per kind (`PointType` of the entity, `Type` in a filter).
POINT_TYPES = {VM: ('Full', 'Increment', 'ReverseIncrement'), AGENT: ('Full', 'Increment')}

# The keys of every restore point's facts, in documentation order.
RESTORE_POINT_KEYS = (
    'id', 'uid', 'kind', 'name', 'vm_name', 'creation_time', 'point_type', 'algorithm', 'hierarchy_ref',
    'backup_server_name', 'backup_server_id', 'restore_point_id', 'backup_file_id',
)

# Link Type (lower case) -> the link's role in the facts.
_LINKS = {'backupserverreference': 'server', 'restorepointreference': 'restore_point', 'backupfilereference': 'backup_file'}


def machine_name(point_name):
    """The machine part of a point's Name, `<vm or computer>@<yyyy-MM-dd HH:mm:ss>` (the time holds no `@`)."""
    if not point_name:
        return None
    return str(point_name).rsplit('@', 1)[0] if '@' in str(point_name) else str(point_name)


def normalize_restore_point(entity, kind):
    """The facts of one VmRestorePoint (kind 'vm') or AgentRestorePoint (kind 'agent') entity; every key is
    present. An agent point has no VM name element: the computer is the Name before its `@`."""
    links = {}
    for link in entity_list(entity.get('Links')):
        role = _LINKS.get(str(link.get('Type') or '').lower()) if isinstance(link, dict) else None
        if role and role not in links:
            links[role] = link
    uid = entity.get('UID')
    name = entity.get('Name')
    if kind == VM:
        vm_name = entity.get('VmDisplayName') or entity.get('VmName') or machine_name(name)
    else:
        vm_name = entity.get('ComputerName') or machine_name(name)
    server = links.get('server')
    return {
        'id': guid_from_urn(uid) if uid else id_from_href(entity.get('Href')),
        'uid': uid,
        'kind': kind,
        'name': name,
        'vm_name': vm_name,
        'creation_time': parse_em_time(entity.get('CreationTimeUTC')),
        'point_type': entity.get('PointType'),
        'algorithm': entity.get('Algorithm'),
        'hierarchy_ref': entity.get('HierarchyObjRef') if kind == VM else None,
        'backup_server_name': server.get('Name') if server else None,
        'backup_server_id': id_from_href(server.get('Href')) if server else None,
        'restore_point_id': _link_id(links.get('restore_point')),
        'backup_file_id': _link_id(links.get('backup_file')),
    }


def _link_id(link):
    return id_from_href(link.get('Href')) if link else None


def point_types_of(selection, kind):
    """The selection's point types that exist for kind (agents have no ReverseIncrement)."""
    return [value for value in selection.get('point_types') or [] if value in POINT_TYPES[kind]]


def nothing_to_read(selection, kind):
    """Point types were asked for and none exists for kind: its query would select nothing."""
    return bool(selection.get('point_types')) and not point_types_of(selection, kind)


def _terms(kind):
    def terms(selection, **extra):
        """The point types and the creation time window of a restore point filter."""
        since, until = selection.get('since'), selection.get('until')
        return [
            any_of([enum_comparison('Type', value) for value in point_types_of(selection, kind)]),
            comparison('CreationTime', '>=', since) if since is not None else '',
            # EM keeps 100 ns ticks, the facts microseconds: `until` takes in its whole microsecond.
            comparison('CreationTime', '<', until + timedelta(microseconds=1)) if until is not None else '',
        ]
    return terms


# Each row is checked again on what its filter asked for: (option, fact key, comparison, Selection attribute).
RESTORE_POINT_CRITERIA = (
    ('vm_name', 'vm_name', 'name', 'vm_names'),
    ('backup_server_name', 'backup_server_name', 'name', 'backup_server_names'),
    ('point_type', 'point_type', 'enum', 'point_types'),
)


def _declare(kind, type_name, name_field):
    return QueryType(
        type_name, lambda entity: normalize_restore_point(entity, kind),
        lists=(OrList('vm_names', name_field, 'vm_name'), OrList('backup_server_names', 'BackupServerName', 'backup_server_name')),
        terms=_terms(kind), criteria=RESTORE_POINT_CRITERIA, window=('since', 'until'), keys=RESTORE_POINT_KEYS, times=('creation_time',))


VM_RESTORE_POINTS = _declare(VM, 'VmRestorePoint', 'VmDisplayName')  # VmName is no query field
AGENT_RESTORE_POINTS = _declare(AGENT, 'AgentRestorePoint', 'ComputerName')
QUERIES = {VM: VM_RESTORE_POINTS, AGENT: AGENT_RESTORE_POINTS}


def public_facts(facts):
    """The facts as they leave the collection: creation_time as ISO 8601 UTC text with six fractional digits
    and Z (fixed width, so sorting the strings sorts the times)."""
    return QUERIES[facts.get('kind') or VM].export(facts)


def newest_first_key(facts):
    """Sort key for newest first (with reverse=True); a point without a time sorts last."""
    created = facts.get('creation_time')
    return (created is not None, created.timestamp() if created is not None else 0.0, facts.get('id') or '')


def point_identity(facts):
    """A VM's identity among restore points: its kind and hierarchy reference (names can repeat across
    vCenters) or, without one (agents), its name as EM compares names."""
    if facts.get('hierarchy_ref'):
        return facts.get('kind'), 'ref', str(facts['hierarchy_ref']).lower()
    return facts.get('kind'), 'name', name_key(facts.get('vm_name') or '')


def newest_per_vm(points):
    """The newest point of each VM (point_identity) among facts, newest first."""
    newest = {}
    for facts in points:
        key = point_identity(facts)
        if key not in newest or newest_first_key(facts) > newest_first_key(newest[key]):
            newest[key] = facts
    return sorted(newest.values(), key=newest_first_key, reverse=True)
