# -*- coding: utf-8 -*-
# What backup_vm_info does between its Selection (verdict_options.py) and its result: the task sessions of
# the VMs (or of every VM) of the window read through the task session search (OR'd name chunks, never one
# request per VM), the newest restore points of the machines whose sessions would protect them
# (restore_point_query.py), and the verdicts by the names asked for (vm_verdicts.py).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_query import newest_restore_points
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.vm_verdicts import (
    judge_identities,
    summarize,
    verdicts_by_name,
    without_points,
)


def protected_machines(verdicts):
    """(VM names, agent computer names), sorted, once each, of the machines a first judgement without restore points
    protects: only their restore points can change a verdict. A machine backed up by an AgentBackup job is a computer."""
    vms, computers = set(), set()
    for verdict in verdicts:
        if verdict['protected'] and verdict.get('vm_name') is not None:
            agent = (verdict.get('latest') or {}).get('job_type') == 'AgentBackup'
            (computers if agent else vms).add(verdict['vm_name'])
    return sorted(vms), sorted(computers)


def read_restore_points(client, vm_names, computer_names, rules, every=False):
    """The newest restore point facts of the named machines (VM and agent restore points), as a list. First the
    points created within max_age, the only ones that can protect (every=True: one stream per kind without name
    filters, for when every VM of the window is judged); then, for the machines that have none, their newest point
    of the window, only so that the verdict can say when it was created."""
    recent = rules.now - timedelta(seconds=rules.max_age)
    if rules.since is not None and rules.since >= recent:
        recent = rules.since
    newest = newest_restore_points(client, vm_names=vm_names, computer_names=computer_names, since=recent, by_name=not every)
    if recent != rules.since:
        older = newest_restore_points(client, vm_names=[name for name in vm_names if newest.get(name) is None],
                                      computer_names=[name for name in computer_names if newest.get(name) is None],
                                      since=rules.since)
        newest.update((name, facts) for name, facts in older.items() if facts is not None and newest.get(name) is None)
    return [facts for facts in newest.values() if facts is not None]


def judge_read_sessions(client, sessions, rules, every=False, read_points=read_restore_points):
    """[verdict] of every VM identity of the sessions read (facts with datetimes; vm_name and vm_uid added), in the
    order of vm_verdicts.sessions_by_identity: restore points are read (read_points(client, vm_names, computer_names,
    rules, every) -> restore point facts) only when required, and only for the machines the sessions would protect.
    every: the sessions are those of every VM of the window (no VM names were asked for)."""
    points = []
    if rules.require_restore_point:
        vms, computers = protected_machines(judge_identities(sessions, [], without_points(rules)))
        points = read_points(client, vms, computers, rules, every) if vms or computers else []
    return judge_identities(sessions, points, rules)


def judge_sessions(client, sessions, names, rules, read_points=read_restore_points):
    """OrderedDict name -> verdict of the sessions read, by the names asked for (None: every VM's own name)."""
    return verdicts_by_name(judge_read_sessions(client, sessions, rules, names is None, read_points), names, rules)


def read_vm_verdicts(client, selection, read_points=read_restore_points):
    """The module's result: vms (by name asked for), unprotected, copy_failed, counts, count, and the window and
    rules applied (settings), for a Selection of verdict_options.VERDICT_SELECTION."""
    sessions = search_task_sessions(client, selection, export=False)['backup_task_sessions']
    rules = selection.rules
    result = summarize(judge_sessions(client, sessions, selection.judged, rules, read_points))
    result['settings'] = {'since': format_utc(rules.since), 'as_of': format_utc(rules.now), 'max_age_seconds': rules.max_age,
                          'allow_warning': rules.allow_warning, 'require_restore_point': rules.require_restore_point,
                          'fail_on_copy': rules.fail_on_copy}
    return result
