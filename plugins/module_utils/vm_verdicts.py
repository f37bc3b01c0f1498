# -*- coding: utf-8 -*-
# The verdicts of many VMs from the task sessions and restore points read for them: sessions grouped by VM
# identity (task_session.vm_identity), each identity judged once (verdict.judge_vm), restore points
# matched to it, and the verdicts handed out by the names asked for, so a name that matches nothing is
# `never` and no name is dropped. Pure, like verdict.py: the reading is in backup_vm_search.py.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections import OrderedDict

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import public_facts
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS, vm_identity
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_fact_time
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict import STATUS_NAMES, judge_vm

# The keys of a verdict a VM's other views carry too (the inventory's vbr_em host variable).
VERDICT_KEYS = ('protected', 'status', 'reason', 'copy_failed', 'last_success_time', 'last_restore_point_time', 'age_seconds',
                'latest_copy', 'restore_point')

# Worst first: when one name is several VMs (two vCenters), the name gets the verdict of its worst one.
_RANK = dict((status, rank) for rank, status in enumerate(STATUS_NAMES))


def sessions_by_identity(sessions):
    """VM identity -> that VM's sessions, in the order given."""
    grouped = OrderedDict()
    for facts in sessions:
        grouped.setdefault(vm_identity(facts), []).append(facts)
    return grouped


def _point_time(point):
    return point.get('creation_time')


def newest_point(points, vm_uid=None):
    """The newest of a VM's restore points (those of its name). A point whose hierarchy_ref is the VM's UID
    belongs to it for sure: when any does, only those count (a VM of the same name in another vCenter has
    other points); else every point of the name does."""
    points = [point for point in points or () if _point_time(point) is not None]
    if vm_uid:
        own = [point for point in points if str(point.get('hierarchy_ref') or '').lower() == str(vm_uid).lower()]
        points = own or points
    return max(points, key=_point_time) if points else None


def points_by_name(points):
    """name_key(vm_name) -> the restore point facts of that name."""
    grouped = {}
    for point in points or ():
        if point and point.get('vm_name') is not None:
            grouped.setdefault(name_key(point['vm_name']), []).append(point)
    return grouped


def judge_identities(sessions, points, rules):
    """[verdict] of every VM identity of the sessions (vm_name and vm_uid added), with the restore points
    (a list of point facts, any VMs) matched by name and, where they say it, by UID."""
    by_name = points_by_name(points)
    verdicts = []
    for group in sessions_by_identity(sessions).values():
        first = group[0]
        point = newest_point(by_name.get(name_key(first.get('vm_name') or '')), first.get('vm_uid'))
        verdict = judge_vm(group, point, rules)
        verdict['vm_name'] = first.get('vm_name')
        verdict['vm_uid'] = first.get('vm_uid')
        verdicts.append(verdict)
    return verdicts


def _merge(verdicts):
    """One name's verdict from those of its VMs: the worst, with vm_uids listing all of them."""
    worst = min(verdicts, key=lambda v: (v['protected'], _RANK.get(v['status'], -1)))
    merged = dict(worst)
    merged['vm_uids'] = [v['vm_uid'] for v in verdicts]
    if len(verdicts) > 1:
        merged['reason'] = '%d VMs have this name; the worst: %s' % (len(verdicts), worst['reason'])
    return merged


def never_verdict(name, rules):
    verdict = judge_vm([], None, rules)
    verdict.update(vm_name=name, vm_uid=None, vm_uids=[])
    return verdict


def verdicts_by_name(verdicts, names, rules):
    """OrderedDict name -> verdict: for the names asked for (matched as EM compares names: any letter case,
    trailing spaces ignored), in their order, `never` where nothing matched; for names=None every VM's own
    name, sorted. Two VMs of one name get one entry, the worse verdict (see _merge)."""
    grouped = OrderedDict()
    for verdict in verdicts:
        grouped.setdefault(name_key(verdict.get('vm_name') or ''), []).append(verdict)
    result = OrderedDict()
    if names is None:
        for key in sorted(grouped, key=lambda k: (k, str(grouped[k][0].get('vm_name')))):
            result[grouped[key][0].get('vm_name')] = _merge(grouped[key])
        return result
    for name in names:
        found = grouped.get(name_key(name))
        result[name] = _merge(found) if found else never_verdict(name, rules)
    return result


def status_counts(by_name):
    """Count per status, every status present."""
    counts = OrderedDict((status, 0) for status in reversed(STATUS_NAMES))
    for verdict in by_name.values():
        counts[verdict['status']] = counts.get(verdict['status'], 0) + 1
    return counts


def export_verdict(verdict):
    """The verdict as it leaves the collection: times as ISO 8601 text with Z, the sessions and the restore
    point as the info modules return them."""
    exported = dict(verdict)
    for key in ('last_success_time', 'last_restore_point_time'):
        exported[key] = format_fact_time(verdict.get(key))
    for key in ('latest', 'latest_copy'):
        exported[key] = TASK_SESSIONS.export(verdict[key]) if verdict.get(key) else None
    exported['restore_point'] = public_facts(verdict['restore_point']) if verdict.get('restore_point') else None
    return exported


def summarize(by_name):
    """The module's result keys around the verdicts (exported): vms, unprotected (names, in order), counts per
    status, copy_failed (names)."""
    return {
        'vms': dict((name, export_verdict(verdict)) for name, verdict in by_name.items()),
        'unprotected': [name for name, verdict in by_name.items() if not verdict['protected']],
        'copy_failed': [name for name, verdict in by_name.items() if verdict['copy_failed']],
        'counts': dict(status_counts(by_name)),
        'count': len(by_name),
    }


def without_points(rules):
    """The rules of a first judgement that needs no restore point: the VMs it protects are the only ones whose
    verdict a restore point (or its absence) can change, so only theirs are read. The copy check comes after
    the restore point check in judge_vm, so it is left out here too."""
    return rules._replace(require_restore_point=False, fail_on_copy=False)
