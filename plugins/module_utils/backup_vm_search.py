# -*- coding: utf-8 -*-
# What backup_vm_info does between its options and its result: the options checked before any request,
# the task sessions of the VMs (or of every VM) of the window read with the task session selection (OR'd
# name chunks, never one request per VM), the restore points of the VMs whose sessions would protect them,
# and the verdicts by the names asked for (vm_verdicts.py).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections import namedtuple
from datetime import timedelta

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy, normalize_job_types
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import as_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import string_values
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import prepare_criteria, search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc, parse_duration, parse_user_time, utc_now
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict import VerdictRules
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict_options import vm_info_defaults
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.vm_verdicts import (
    judge_identities,
    summarize,
    verdicts_by_name,
    without_points,
)

VmQuery = namedtuple('VmQuery', 'names search rules')
VmQuery.__doc__ = """The checked options of one backup_vm_info run: names (asked for, or None for every VM of the
window), search (the task session selection, prepared) and rules (VerdictRules)."""


def flag(value, option):
    """A bool option as the module, the inventory and the role get it (an AWX survey sends 'false')."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise EMInputError('%s must be true or false, not %r.' % (option, value))


def judgement_rules(options, now, since=None):
    """VerdictRules from max_age, allow_warning, require_restore_point and fail_on_copy (absent: their defaults)."""
    merged = dict(vm_info_defaults())
    merged.update((name, value) for name, value in options.items() if value is not None)
    return VerdictRules(now=now, max_age=parse_duration(merged['max_age'], 'max_age'),
                        allow_warning=flag(merged['allow_warning'], 'allow_warning'),
                        require_restore_point=flag(merged['require_restore_point'], 'require_restore_point'),
                        fail_on_copy=flag(merged['fail_on_copy'], 'fail_on_copy'), since=since)


def check_window(since, rules):
    """A window that starts after now - max_age would miss a success within max_age: refused."""
    if since is not None and since > rules.now - timedelta(seconds=rules.max_age):
        raise EMInputError('since (%s) starts less than max_age before now, so a successful backup within max_age '
                           'could be missed.' % format_utc(since.replace(microsecond=0)),
                           hint='Give since at least max_age back (since: 7d with max_age: 24h), or leave since out.')


def prepare_vm_query(params, now=None):
    """The checked options (module option names -> values) of one run, or an EMInputError before any request."""
    now = now or utc_now()
    merged = dict(vm_info_defaults())
    merged.update((name, value) for name, value in (params or {}).items() if name in merged and value is not None)
    names = None
    if params.get('vm_name') is not None:
        names = string_values('vm_name', as_list(params['vm_name']))
        if not names:
            raise EMInputError('vm_name is an empty list, so there is no VM to judge.',
                               hint='Give the VM names, or leave vm_name out to judge every VM of the window.')
    job_types = normalize_job_types(as_list(merged['job_type']))
    if job_types and all(is_copy(name) for name in job_types):
        raise EMInputError('job_type holds backup copy types only (%s); the verdict judges primary backups.' % ', '.join(job_types),
                           hint='Add the primary types to judge (Backup, AgentBackup, ...), or leave job_type out.')
    since = parse_user_time(merged['since'], 'since', now=now)
    rules = judgement_rules(merged, now, since=since)
    check_window(since, rules)
    search = prepare_criteria({'vm_name': names, 'since': since, 'job_type': job_types}, now=now)
    return VmQuery(names=names, search=search, rules=rules)


def protected_machines(verdicts):
    """(VM names, agent computer names), sorted, once each, of the machines a first judgement without restore points
    protects: only their restore points can change a verdict. A machine backed up by an AgentBackup job is a computer."""
    vms, computers = set(), set()
    for verdict in verdicts:
        if verdict['protected'] and verdict.get('vm_name') is not None:
            agent = (verdict.get('latest') or {}).get('job_type') == 'AgentBackup'
            (computers if agent else vms).add(verdict['vm_name'])
    return sorted(vms), sorted(computers)


def judge_sessions(client, sessions, names, rules, read_points):
    """OrderedDict name -> verdict of the sessions read: restore points are read (read_points(client, vm_names,
    computer_names, since) -> a list of restore point facts) only when required, and only for the machines the
    sessions would protect."""
    points = []
    if rules.require_restore_point:
        vms, computers = protected_machines(judge_identities(sessions, [], without_points(rules)))
        points = read_points(client, vms, computers, rules.since) if vms or computers else []
    return verdicts_by_name(judge_identities(sessions, points, rules), names, rules)


def read_restore_points(client, vm_names, computer_names, since):
    """The restore point facts of the named VMs (VM and agent restore points, newest per name), for the verdict."""
    raise NotImplementedError('restore point reading lands with restore_point_info')


def read_vm_verdicts(client, query, read_points):
    """The module's result: vms (by name asked for), unprotected, copy_failed, counts, count, and the window and
    rules applied (since, max_age_seconds, allow_warning, require_restore_point, fail_on_copy)."""
    sessions = search_task_sessions(client, query.search)['backup_task_sessions']
    result = summarize(judge_sessions(client, sessions, query.names, query.rules, read_points))
    rules = query.rules
    result['settings'] = {'since': format_utc(rules.since), 'as_of': format_utc(rules.now), 'max_age_seconds': rules.max_age,
                          'allow_warning': rules.allow_warning, 'require_restore_point': rules.require_restore_point,
                          'fail_on_copy': rules.fail_on_copy}
    return result
