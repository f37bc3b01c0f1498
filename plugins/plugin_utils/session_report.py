# -*- coding: utf-8 -*-
# The computation behind the task_session_report filter: backup_task_session_info facts -> the data of
# the compliance report (summary, per-VM compliance, failed sessions, per-day counts, per job/VM rows,
# chart geometry). In Python because time arithmetic, grouping and ranking are unreadable in Jinja;
# controller-only, hence plugin_utils. Bad input is an EMInputError (the filter makes it its own error).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import COPY_JOB_TYPES
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import TASK_SESSION_RESULTS, is_running
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import (
    format_utc,
    parse_duration,
    parse_em_time,
    utc_now,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict import STATUS_NAMES, VerdictRules, age_text
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.vm_verdicts import export_verdict, judge_identities, verdicts_by_name
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.report_copies import copy_rows, copy_summary, split_copies
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.report_chart import (
    RESULT_COLUMNS,
    chart_geometry,
    per_day,
    result_column,
)
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.report_input import entries_of, flag, names, sessions_of, user_time
# Latest results in the order the report lists them: failures first, anything unexpected next.
_RESULT_RANK = {'Failed': 0, 'Warning': 2, 'Success': 3}
_OTHER_RANK = 1
# Kept from the facts for a session summary in compliance entries and table rows.
_SESSION_SUMMARY_KEYS = ('id', 'vm_name', 'job_name', 'job_type', 'is_retry', 'backup_server_name', 'creation_time', 'end_time',
                         'duration_seconds', 'state', 'result', 'reason', 'total_size')


def _summary_of(entry):
    if entry is None:
        return None
    source = entry['_source']
    return dict((key, source.get(key)) for key in _SESSION_SUMMARY_KEYS)


def _session_summary(facts):
    return None if facts is None else dict((key, facts.get(key)) for key in _SESSION_SUMMARY_KEYS)


def _count_by(sessions, key):
    counts = {}
    for session in sessions:
        value = session.get(key)
        value = 'None' if value is None else str(value)
        counts[value] = counts.get(value, 0) + 1
    return counts


def _compliance_entry(name, verdict):
    """A compliance entry of the report: the verdict (verdict.py) of one required VM."""
    success = parse_em_time(verdict.get('last_success_time'))
    return {
        'vm_name': name,
        'compliant': bool(verdict['protected']),
        'status': verdict['status'],
        'reason': verdict['reason'],
        'copy_failed': bool(verdict.get('copy_failed')),
        'last_success_time': format_utc(success),
        'last_success_age_seconds': verdict.get('age_seconds'),
        'last_restore_point_time': verdict.get('last_restore_point_time'),
        'latest_session': _session_summary(verdict.get('latest')),
        'latest_copy_session': _session_summary(verdict.get('latest_copy')),
    }


def _verdicts(entries, required, rules, given):
    """name -> verdict of the required VMs: from `given` (a backup_vm_info result, which read their restore points),
    else judged here on the sessions alone (no restore point is known, so none is required)."""
    if given is not None:
        vms = given.get('vms') if isinstance(given, dict) else None
        if not isinstance(vms, dict):
            raise EMInputError('verdicts expects the result of backup_vm_info (a dict with vms).')
        by_key = dict((name_key(name), verdict) for name, verdict in vms.items())
        missing = [name for name in required if name_key(name) not in by_key]
        if missing:
            raise EMInputError('The backup_vm_info result has no verdict of the required VM(s) %s.' % ', '.join(missing),
                               hint='Give backup_vm_info the required VMs as vm_name.')
        return dict((name, by_key[name_key(name)]) for name in required)
    # the verdict judges facts with datetimes; the report's input is module output (text): its times as facts hold them
    sessions = [dict(entry['_source'], creation_time=entry['_start'], end_time=parse_em_time(entry['_source'].get('end_time')))
                for entry in entries]
    judged = verdicts_by_name(judge_identities(sessions, [], rules), required, rules)
    return dict((name, export_verdict(verdict)) for name, verdict in judged.items())


def _compliance(entries, required, rules, given):
    """The compliance entries of the required VMs (names compared as EM compares them), out of compliance first."""
    verdicts = _verdicts(entries, required, rules, given)
    compliance = [_compliance_entry(name, verdicts[name]) for name in required]
    compliance.sort(key=lambda c: (c['compliant'], c['vm_name'].lower()))
    return compliance


def _vm_rank(row):
    # A running session says nothing yet: rank by the newest finished one.
    ranked = row['latest_finished'] or row['latest']
    return (_RESULT_RANK.get(ranked.get('result'), _OTHER_RANK), -row['by_result'].get('Failed', 0), row['vm_name'].lower())


def _vm_row(vm, vm_sessions):
    finished = [s for s in vm_sessions if not is_running(s)]
    problems = [s for s in finished if s.get('result') != 'Success']
    return {
        'vm_name': vm,
        'sessions': len(vm_sessions),
        'by_result': dict((r, sum(1 for s in vm_sessions if result_column(s.get('result')) == r)) for r in RESULT_COLUMNS),
        'latest': _summary_of(vm_sessions[0]),
        'latest_finished': _summary_of(finished[0]) if finished else None,
        'last_problem': _summary_of(problems[0]) if problems else None,
    }


def _jobs(sessions):
    """Rows per job and VM (sessions already newest first), failures first."""
    groups = {}
    for session in sessions:
        job = session.get('job_name') or '(no job)'
        vm = session.get('vm_name') or '(unknown VM)'
        groups.setdefault(job, {}).setdefault(vm, []).append(session)
    jobs = []
    for job, vms in groups.items():
        rows = sorted((_vm_row(vm, vm_sessions) for vm, vm_sessions in vms.items()), key=_vm_rank)
        by_result = dict((r, sum(row['by_result'][r] for row in rows)) for r in RESULT_COLUMNS)
        jobs.append({'job_name': job, 'sessions': sum(row['sessions'] for row in rows), 'vms': rows, 'by_result': by_result,
                     'rank': _vm_rank(rows[0])[0]})
    jobs.sort(key=lambda j: (j['rank'], -j['by_result']['Failed'], j['job_name'].lower()))
    for job in jobs:
        del job['rank']
    return jobs


def _failed_sessions(sessions, fail_on_results, latest_only):
    if not latest_only:
        return [s for s in sessions if s.get('result') in fail_on_results]
    seen = set()
    failed = []
    for session in sessions:
        if is_running(session):
            continue
        key = ((session.get('job_name') or '').lower(), (session.get('vm_name') or '').lower())
        if key in seen:
            continue
        seen.add(key)
        if session.get('result') in fail_on_results:
            failed.append(session)
    return failed


def _gated(failed, required, gate_on_failed_sessions):
    if not required or gate_on_failed_sessions:
        return failed
    keys = set(name_key(name) for name in required)
    return [session for session in failed if name_key(session.get('vm_name') or '') in keys]


def _clean(entry):
    """The session as given, every key."""
    return dict(entry['_source'])


def _summary(entries, required, compliance, failed, truncated, copies, gate_on_failed_sessions):
    out_of_compliance = [c['vm_name'] for c in compliance if not c['compliant']]
    by_result = dict((r, 0) for r in TASK_SESSION_RESULTS)
    by_result.update(_count_by(entries, 'result'))
    # with required VMs the gate judges them; the estate's failed sessions count only when asked for
    failed_count = bool(failed) and (not required or gate_on_failed_sessions)
    return {
        'passed': not out_of_compliance and not failed_count,
        'sessions': len(entries),
        'vms': len(set((e.get('vm_name') or '').lower() for e in entries)),
        'jobs': len(set(e.get('job_name') for e in entries)),
        'backup_servers': len(set(e.get('backup_server_name') for e in entries if e.get('backup_server_name'))),
        'by_result': by_result,
        'by_state': _count_by(entries, 'state'),
        'required_vms': len(required),
        'compliant_vms': len(required) - len(out_of_compliance),
        'out_of_compliance_vms': len(out_of_compliance),
        'out_of_compliance': out_of_compliance,
        'by_status': dict((status, sum(1 for c in compliance if c['status'] == status)) for status in STATUS_NAMES),
        'failed_sessions': len(failed),
        'failed_vms': sorted(set(s.get('vm_name') or '(unknown VM)' for s in failed), key=lambda n: n.lower()),
        'truncated': truncated,
        **copy_summary(copies, failed),
    }


def build_report(data, required_vms=None, max_age='24h', allow_warning=True, fail_on_results=None, fail_on_latest_only=True,
                 since=None, until=None, now=None, filters=None, all_sessions=False, verdicts=None, gate_on_failed_sessions=False):
    """The report data (see the filter's RETURN); bad input is an EMInputError.

    The compliance of the required VMs is their verdict (verdict.py): from verdicts (the result of backup_vm_info,
    which also read their restore points) when given, else judged on these sessions alone, without restore points.

    Every session is in it only with all_sessions: at 100,000 sessions that list is most of the data, and
    Ansible pays for every value of a fact it carries between tasks; the counts and the rows per job and VM
    are there either way.
    """
    sessions, truncated = sessions_of(data)
    required = names(required_vms, 'required_vms')
    fail_on = names(['Failed'] if fail_on_results is None else fail_on_results, 'fail_on_results')
    max_age_seconds = parse_duration(max_age, 'max_age')
    max_age_label = str(max_age).strip() if not isinstance(max_age, int) else age_text(max_age)
    current = user_time(now, 'now', utc_now()) or utc_now()
    window_since = user_time(since, 'since', current)
    window_until = user_time(until, 'until', current)
    as_of = (window_until or current).replace(microsecond=0)
    allow_warning = flag(allow_warning, 'allow_warning')
    fail_on_latest_only = flag(fail_on_latest_only, 'fail_on_latest_only')
    all_sessions = flag(all_sessions, 'all_sessions')
    gate_on_failed_sessions = flag(gate_on_failed_sessions, 'gate_on_failed_sessions')
    ok_results = ('Success', 'Warning') if allow_warning else ('Success',)
    warnings = []
    if truncated:
        warnings.append('The module returned a truncated list of sessions: counts and compliance may be incomplete.')
    entries = entries_of(sessions, warnings)

    cutoff = as_of - timedelta(seconds=max_age_seconds)
    if required and window_since is not None and window_since > cutoff:
        warnings.append('The report window starts at %s, less than %s before %s: older successful sessions were not read.' % (
            format_utc(window_since), max_age_label, format_utc(as_of)))
    _primary, copies = split_copies(entries)  # listed beside the backups; the verdict never counts them as one
    rules = VerdictRules(now=as_of, max_age=max_age_seconds, allow_warning=allow_warning, require_restore_point=False,
                         fail_on_copy=False, since=window_since)
    compliance = _compliance(entries, required, rules, verdicts)
    evidence = (verdicts.get('settings') or {}) if isinstance(verdicts, dict) else {}
    failed = _failed_sessions(entries, fail_on, fail_on_latest_only)
    per_day_rows = per_day(entries, window_since, as_of, warnings)
    report = {
        'generated_at': format_utc(current.replace(microsecond=0)),
        'as_of': format_utc(as_of),
        'window': {'since': format_utc(window_since), 'until': format_utc(window_until)},
        'filters': dict((k, v) for k, v in (filters or {}).items() if v not in (None, '', [], {})),
        'settings': {
            'required_vms': required, 'max_age': max_age_label, 'max_age_seconds': max_age_seconds,
            'allow_warning': allow_warning, 'ok_results': list(ok_results), 'fail_on_results': fail_on,
            'fail_on_latest_only': fail_on_latest_only, 'all_sessions': all_sessions, 'copy_job_types': list(COPY_JOB_TYPES),
            'gate_on_failed_sessions': gate_on_failed_sessions,
            'require_restore_point': bool(evidence.get('require_restore_point')), 'fail_on_copy': bool(evidence.get('fail_on_copy')),
        },
        'summary': _summary(entries, required, compliance, failed, truncated, copies, gate_on_failed_sessions),
        'compliance': compliance,
        'failed_sessions': [_clean(s) for s in failed],
        # what the gate judges of them: all without required VMs (or with gate_on_failed_sessions), else the required VMs' own
        'gate_failed_sessions': [_clean(s) for s in _gated(failed, required, gate_on_failed_sessions)],
        'copies': copy_rows(copies, _summary_of),
        'per_day': per_day_rows,
        'jobs': _jobs(entries),
        'warnings': warnings,
        'chart': chart_geometry(per_day_rows),
    }
    if all_sessions:
        report['sessions'] = [_clean(s) for s in entries]
    return report
