# -*- coding: utf-8 -*-
# One EM VmRestorePoint or AgentRestorePoint entity (canonical dict from representation.py) -> the
# restore point facts: `creation_time` stays a datetime inside the collection, public_facts() turns it into
# ISO 8601 UTC text where the facts leave it. Also the newest point per VM of a list of facts.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import guid_from_urn, id_from_href
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import as_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_fact_time, parse_em_time

VM = 'vm'
AGENT = 'agent'
KINDS = (VM, AGENT)
# The EM query type of each kind.
QUERY_TYPES = {VM: 'VmRestorePoint', AGENT: 'AgentRestorePoint'}

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
    for link in as_list(entity.get('Links')):
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


def public_facts(facts):
    """The facts as they leave the collection: creation_time as ISO 8601 UTC text with six fractional
    digits and Z (fixed width, so sorting the strings sorts the times)."""
    return dict(facts, creation_time=format_fact_time(facts.get('creation_time')))


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
