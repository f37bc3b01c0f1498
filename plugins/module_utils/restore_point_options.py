# -*- coding: utf-8 -*-
# The options of the restore_point_info module, one row each (the Option shape is in option_table.py), and
# their Selection (selection.py): each option's conversion, the check across options, and each kind's
# filters, derived once so that a selection too long for one request URL fails before any request.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import (
    AGENT,
    AGENT_RESTORE_POINTS,
    KINDS,
    POINT_TYPES,
    VM,
    VM_RESTORE_POINTS,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import SelectionSpec, enums, flag, number, strings, time
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import until_not_before_since

ALL_POINT_TYPES = POINT_TYPES[VM]

RESTORE_POINT_OPTIONS = (
    Option('vm_name', 'list', [
        'Only restore points of machines with these names: VMs as EM displays them (C(VmDisplayName)), and computers of '
        'Veeam Agent backups (C(ComputerName)), in any letter case.',
        'Names that match no selected restore point are returned in RV(unmatched) and named in a warning.',
        'Give a YAML list for names that contain a comma. A long list is split over several queries, each request URL '
        'short enough for EM and proxies.',
    ], elements='str'),
    Option('kind', 'list', [
        'Which restore points to read: V(vm) (EM C(VmRestorePoint)) and V(agent) (C(AgentRestorePoint), Veeam Agent '
        'backups of physical computers).',
    ], elements='str', default=['vm', 'agent'], choices=KINDS),
    Option('backup_server_name', 'list', [
        'Only restore points on these backup servers, named as EM lists them.',
    ], elements='str'),
    Option('point_type', 'list', [
        'Only restore points of these types, in any letter case: V(Full), V(Increment), V(ReverseIncrement) (agent '
        'points are V(Full) or V(Increment)).',
    ], elements='str'),
    Option('since', 'str', [
        'Only restore points created at or after this time.',
        'ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z), V(2025-08-15T08:00:00+02:00)), converted to UTC; '
        'a time without a zone is rejected.',
        'Or an age before now, a number followed by V(s), V(m), V(h), V(d) or V(w), for example V(24h) or V(7d).',
    ]),
    Option('until', 'str', [
        'Only restore points created at or before this time. Same forms as O(since); it must not be before O(since).',
    ]),
    Option('latest_per_vm', 'bool', [
        'Return only the newest restore point of each machine (per kind; a VM is identified by its hierarchy reference, '
        'which EM also uses in jobs, else by its name).',
        'With O(vm_name) and no O(since), reading (newest first) stops at the end of the result page on which every '
        'named machine was seen, instead of reading their whole retention.',
    ], default=False),
    Option('limit', 'int', [
        'Return at most this many restore points (the newest). RV(truncated) tells whether more were selected.',
    ]),
)

OPTION_NAMES = tuple(option.name for option in RESTORE_POINT_OPTIONS)

RESTORE_POINT_CONVERSIONS = dict((conversion.option, conversion) for conversion in (
    strings('vm_name', 'vm_names'),
    enums('kind', 'kinds', KINDS),
    strings('backup_server_name', 'backup_server_names'),
    enums('point_type', 'point_types', ALL_POINT_TYPES),
    time('since'),
    time('until'),
    flag('latest_per_vm'),
    number('limit', 1),
))

# kind -> the Selection attribute holding the filters of its query type (derived when the selection is built).
FILTERS = {VM: 'vm_filters', AGENT: 'agent_filters'}

RESTORE_POINT_SELECTION = SelectionSpec(
    RESTORE_POINT_OPTIONS, RESTORE_POINT_CONVERSIONS, checks=(until_not_before_since,),
    derive=((FILTERS[VM], VM_RESTORE_POINTS.filters), (FILTERS[AGENT], AGENT_RESTORE_POINTS.filters)))


def kinds_of(selection):
    """The kinds a selection reads: those asked for (all without), in the documented order."""
    return [kind for kind in KINDS if kind in (selection.get('kinds') or KINDS)]
