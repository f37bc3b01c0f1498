# -*- coding: utf-8 -*-
# The options of the restore_point_info module, one row each (the Option shape is in option_table.py), and
# prepare_points(), which checks their values once, before any request, into the PointQuery of each kind.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option, argument_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import as_list, whole_number
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import normalize_enum, string_values
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import KINDS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_query import POINT_TYPES, PointQuery
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc, parse_user_time, utc_now

ALL_POINT_TYPES = POINT_TYPES['vm']

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


def restore_point_argument_spec():
    return argument_spec(RESTORE_POINT_OPTIONS)


class PointSelection(object):
    """The checked options: one PointQuery per kind asked for (relative times fixed here), and the rest."""

    def __init__(self, queries, vm_names, latest_per_vm, limit):
        self.queries = queries
        self.vm_names = vm_names
        self.latest_per_vm = latest_per_vm
        self.limit = limit


def prepare_points(params, now=None):
    """The PointSelection of the module's option values; EMInputError for a bad value, before any request."""
    now = now or utc_now()
    since = parse_user_time(params.get('since'), 'since', now=now)
    until = parse_user_time(params.get('until'), 'until', now=now)
    if since is not None and until is not None and until < since:
        raise EMInputError('until (%s) is before since (%s).' % (format_utc(until), format_utc(since)),
                           hint='Swap them, or leave one out.')
    kinds = normalize_enum('kind', as_list(params.get('kind')) or list(KINDS), KINDS)
    point_types = normalize_enum('point_type', as_list(params.get('point_type')), ALL_POINT_TYPES)
    names = string_values('vm_name', as_list(params.get('vm_name')))
    servers = string_values('backup_server_name', as_list(params.get('backup_server_name')))
    limit = params.get('limit')
    limit = None if limit is None else whole_number('limit', limit, 1)
    queries = [PointQuery(kind, names, servers, point_types, since, until) for kind in kinds]
    for query in queries:
        query.filters()  # a selection too long for one request URL fails here
    return PointSelection([query for query in queries if not query.empty], names, bool(params.get('latest_per_vm')), limit)
