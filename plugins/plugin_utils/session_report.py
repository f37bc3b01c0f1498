# -*- coding: utf-8 -*-
# The computation behind the task_session_report filter: backup_task_session_info facts -> the data of
# the compliance report (summary, per-VM compliance, failed sessions, per-day counts, per job/VM rows,
# chart geometry). In Python because time arithmetic, grouping and ranking are unreadable in Jinja;
# controller-only, hence plugin_utils. Bad input is an EMInputError (the filter makes it its own error).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections import namedtuple
from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import COPY_JOB_TYPES
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import TASK_SESSION_RESULTS, is_running
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import (
    format_utc,
    parse_duration,
    utc_now,
)
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.report_copies import attach_copies, copy_rows, copy_summary, split_copies
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

# What a required VM is judged by: the results that count as success, the oldest start that still
# counts, the report time, max_age as given (for texts), and the start of the window (or None).
_Rules = namedtuple('_Rules', 'ok_results cutoff as_of max_age_label window_since')


def age_text(seconds):
    """A short human age: 45s, 12m, 5h 12m, 3d 4h."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return '%dd %dh' % (days, hours) if hours else '%dd' % days
    if hours:
        return '%dh %dm' % (hours, minutes) if minutes else '%dh' % hours
    if minutes:
        return '%dm' % minutes
    return '%ds' % secs


def _is_ok(session, ok_results):
    return session.get('result') in ok_results and not is_running(session)


def _summary_of(entry):
    if entry is None:
        return None
    source = entry['_source']
    return dict((key, source.get(key)) for key in _SESSION_SUMMARY_KEYS)


def _count_by(sessions, key):
    counts = {}
    for session in sessions:
        value = session.get(key)
        value = 'None' if value is None else str(value)
        counts[value] = counts.get(value, 0) + 1
    return counts


def _describe(session, as_of):
    start = session['_start']
    when = format_utc(start.replace(microsecond=0)) if start else 'an unknown time'
    if start is not None:
        when += ' (%s ago)' % age_text((as_of - start).total_seconds())
    return when


def _too_old_reason(newest, last_ok, rules):
    if last_ok is not None:
        return 'last successful backup task session started %s, longer ago than the maximum age of %s' % (
            _describe(last_ok, rules.as_of), rules.max_age_label)
    return 'no backup task session within the maximum age of %s; the newest one started %s and ended %s' % (
        rules.max_age_label, _describe(newest, rules.as_of), newest.get('result'))


def _unsuccessful_reason(latest, rules):
    detail = latest.get('result')
    if detail == 'Warning' and 'Warning' not in rules.ok_results:
        detail = 'Warning (warnings do not count as success)'
    reason_text = (latest['_source'].get('reason') or '').strip()
    return 'no successful backup task session within %s; the newest one started %s and ended %s%s' % (
        rules.max_age_label, _describe(latest, rules.as_of), detail, ': ' + reason_text if reason_text else '')


def _verdict(vm_sessions, last_ok, rules):
    """(status, reason) of a required VM whose sessions are vm_sessions, newest first."""
    if last_ok is not None and last_ok['_start'] is not None and last_ok['_start'] >= rules.cutoff:
        return 'ok', 'last successful backup task session started %s' % _describe(last_ok, rules.as_of)
    if not vm_sessions:
        since = rules.window_since
        scope = 'since %s' % format_utc(since.replace(microsecond=0)) if since else 'in the selected sessions'
        return 'no_session', 'no backup task session %s' % scope
    recent = [s for s in vm_sessions if s['_start'] is not None and s['_start'] >= rules.cutoff]
    if not recent:
        return 'too_old', _too_old_reason(vm_sessions[0], last_ok, rules)
    last_success = '; last success started %s' % _describe(last_ok, rules.as_of) if last_ok is not None else ''
    finished = [s for s in recent if not is_running(s)]
    if is_running(recent[0]) and not finished:
        return 'in_progress', 'no successful backup task session within %s; one is %s since %s%s' % (
            rules.max_age_label, recent[0].get('state'), _describe(recent[0], rules.as_of), last_success)
    return 'unsuccessful', _unsuccessful_reason(finished[0], rules) + last_success


def _judge_vm(name, vm_sessions, rules):
    """One compliance entry for a required VM."""
    last_ok = next((s for s in vm_sessions if _is_ok(s, rules.ok_results)), None)
    started = last_ok['_start'] if last_ok else None
    status, reason = _verdict(vm_sessions, last_ok, rules)
    return {
        'vm_name': name,
        'compliant': status == 'ok',
        'status': status,
        'reason': reason,
        'last_success_time': format_utc(started) if started else None,
        'last_success_age_seconds': int((rules.as_of - started).total_seconds()) if started else None,
        'latest_session': _summary_of(vm_sessions[0] if vm_sessions else None),
    }


def _compliance(entries, required, rules):
    """The compliance entries of the required VMs (names compared without case), out of compliance first."""
    by_vm = {}
    for entry in entries:
        by_vm.setdefault((entry.get('vm_name') or '').lower(), []).append(entry)
    compliance = [_judge_vm(name, by_vm.get(name.lower(), []), rules) for name in required]
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


def _clean(entry):
    """The session as given, every key."""
    return dict(entry['_source'])


def _summary(entries, required, compliance, failed, truncated, copies):
    out_of_compliance = [c['vm_name'] for c in compliance if not c['compliant']]
    by_result = dict((r, 0) for r in TASK_SESSION_RESULTS)
    by_result.update(_count_by(entries, 'result'))
    return {
        'passed': not out_of_compliance and not failed,
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
        'failed_sessions': len(failed),
        'failed_vms': sorted(set(s.get('vm_name') or '(unknown VM)' for s in failed), key=lambda n: n.lower()),
        'truncated': truncated,
        **copy_summary(copies, failed),
    }


def build_report(data, required_vms=None, max_age='24h', allow_warning=True, fail_on_results=None, fail_on_latest_only=True,
                 since=None, until=None, now=None, filters=None, all_sessions=False):
    """The report data (see the filter's RETURN); bad input is an EMInputError.

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
    ok_results = ('Success', 'Warning') if allow_warning else ('Success',)
    warnings = []
    if truncated:
        warnings.append('The module returned a truncated list of sessions: counts and compliance may be incomplete.')
    entries = entries_of(sessions, warnings)

    cutoff = as_of - timedelta(seconds=max_age_seconds)
    if required and window_since is not None and window_since > cutoff:
        warnings.append('The report window starts at %s, less than %s before %s: older successful sessions were not read.' % (
            format_utc(window_since), max_age_label, format_utc(as_of)))
    primary, copies = split_copies(entries)  # a VM is judged by its own backups, never by a copy job
    compliance = attach_copies(_compliance(primary, required, _Rules(ok_results, cutoff, as_of, max_age_label, window_since)),
                               copies, _summary_of)
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
        },
        'summary': _summary(entries, required, compliance, failed, truncated, copies),
        'compliance': compliance,
        'failed_sessions': [_clean(s) for s in failed],
        'copies': copy_rows(copies, _summary_of),
        'per_day': per_day_rows,
        'jobs': _jobs(entries),
        'warnings': warnings,
        'chart': chart_geometry(per_day_rows),
    }
    if all_sessions:
        report['sessions'] = [_clean(s) for s in entries]
    return report
