# -*- coding: utf-8 -*-
# Filter task_session_report: turns backup_task_session_info facts into the data of the compliance
# report (summary, per-VM compliance, failed sessions, per-day counts, per job/VM rows, chart geometry).
# Kept in Python because time arithmetic, grouping and ranking are unreadable in Jinja.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: task_session_report
short_description: Build a backup compliance report from backup task session facts
version_added: 0.1.0
author:
  - vbr.enterprise_manager maintainers
description:
  - Takes the result of M(vbr.enterprise_manager.backup_task_session_info) (or its C(backup_task_sessions) list)
    and returns everything the C(vbr.enterprise_manager.task_session_report) role
    renders and gates on.
  - For every VM in O(required_vms) it checks that its newest successful backup task session started at most O(max_age)
    before the report time; a session counts as successful when it is no longer running and its result is V(Success),
    or V(Warning) when O(allow_warning=true). VM names are compared without regard to case.
  - Sessions whose result is in O(fail_on_results) are listed as failed sessions; with O(fail_on_latest_only=true)
    only the newest finished session of each VM in each job counts, so a failure that a later retry fixed does not.
  - The report passes when no required VM is out of compliance and there is no failed session.
  - All times in the output are UTC ISO 8601 ending in V(Z).
options:
  _input:
    description:
      - The registered result of M(vbr.enterprise_manager.backup_task_session_info), or its C(backup_task_sessions) list.
    type: raw
    required: true
  required_vms:
    description:
      - Names of the VMs that must have a successful backup task session within O(max_age).
      - A string is split at commas.
    type: list
    elements: str
    default: []
  max_age:
    description:
      - How old the newest successful session of a required VM may be, as a number with a unit
        V(s), V(m), V(h), V(d) or V(w) (V(30m), V(24h), V(7d)), or a number of seconds.
    type: raw
    default: 24h
  allow_warning:
    description: Whether a session with the result V(Warning) counts as successful.
    type: bool
    default: true
  fail_on_results:
    description: Session results that make a session a failed session.
    type: list
    elements: str
    default: [Failed]
  fail_on_latest_only:
    description:
      - Look only at the newest finished session of each VM in each job for O(fail_on_results).
      - Set to V(false) to count every matching session in the window.
    type: bool
    default: true
  since:
    description:
      - Start of the report window, as given to the module (ISO 8601 with a zone, or an age such as V(7d)).
      - Used for the chart's first day and in the texts; the sessions themselves are not filtered again.
    type: str
  until:
    description:
      - End of the report window (ISO 8601 with a zone, or an age). Compliance is judged as of this time
        (as of O(now) when not set).
    type: str
  now:
    description: The current time as ISO 8601 with a zone (for reproducible reports); the clock when not set.
    type: str
  filters:
    description: The selection that was given to the module (shown in the report only).
    type: dict
    default: {}
'''

EXAMPLES = r'''
- name: Read the last week of backup task sessions
  vbr.enterprise_manager.backup_task_session_info:
    since: 7d
  register: sessions

- name: Build the report data
  ansible.builtin.set_fact:
    report: "{{ sessions | vbr.enterprise_manager.task_session_report(required_vms=['dc01', 'sql01'], max_age='24h') }}"

- name: Show who is out of compliance
  ansible.builtin.debug:
    msg: "{{ report.compliance | rejectattr('compliant') | map(attribute='reason') | list }}"
'''

RETURN = r'''
_value:
  description:
    - The report data. Main keys are C(summary) (C(passed), C(sessions), C(by_result), C(by_state), C(required_vms),
      C(compliant_vms), C(out_of_compliance_vms), C(out_of_compliance), C(failed_sessions), C(truncated)),
      C(compliance) (one entry per required VM, out-of-compliance VMs first, with C(vm_name), C(compliant), C(status)
      (V(ok), V(no_session), V(too_old), V(unsuccessful) or V(in_progress)), C(reason), C(last_success_time),
      C(last_success_age_seconds) and C(latest_session)), C(failed_sessions) (newest first), C(per_day) (C(date),
      C(Success), C(Warning), C(Failed), C(Other), C(total) for every UTC day of the window), C(jobs) (per job, then
      per VM, failures first, with counts, the C(latest) and C(latest_finished) sessions and the newest session that
      did not succeed, C(last_problem)), C(sessions)
      (all sessions, newest first), C(warnings), C(generated_at), C(as_of), C(window), C(filters), C(settings) and
      C(chart) (SVG geometry of the per-day chart, for the HTML template).
  type: dict
'''

import math
import re
from datetime import timedelta

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc, parse_em_time, parse_user_time, utc_now

RESULTS = ('Success', 'Warning', 'Failed')
RUNNING_STATES = ('InProgress', 'Pending')
# Latest results in the order the report lists them: failures first, anything unexpected next.
_RESULT_RANK = {'Failed': 0, 'Warning': 2, 'Success': 3}
_OTHER_RANK = 1
_DURATION = re.compile(r'^\s*(\d+)\s*([smhdw]?)\s*$', re.IGNORECASE)
_UNIT_SECONDS = {'': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
# Kept from the facts for a session summary in compliance entries and table rows.
_SESSION_SUMMARY_KEYS = ('id', 'vm_name', 'job_name', 'backup_server_name', 'creation_time', 'end_time',
                         'duration_seconds', 'state', 'result', 'reason', 'total_size')
MAX_CHART_DAYS = 400
CHART = {'height': 260, 'left': 48, 'right': 12, 'top': 12, 'bottom': 40, 'slot_min': 14, 'slot_max': 110, 'width_min': 960}


def parse_max_age(value):
    """Seconds of a max_age value (24h, 30m, 7d, 2w, or a number of seconds)."""
    if isinstance(value, bool):
        raise AnsibleFilterError('max_age must be an age such as 24h, not %r.' % (value,))
    if isinstance(value, int):
        seconds = value
    else:
        match = _DURATION.match(str(value if value is not None else ''))
        if not match:
            raise AnsibleFilterError('max_age %r is not an age: give a number with s, m, h, d or w (30m, 24h, 7d, 2w).' % (value,))
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise AnsibleFilterError('max_age must be longer than zero, not %r.' % (value,))
    return seconds


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


def _sessions_of(data):
    if isinstance(data, dict):
        if 'backup_task_sessions' not in data:
            raise AnsibleFilterError('task_session_report expects the result of backup_task_session_info '
                                     '(a dict with backup_task_sessions) or a list of sessions.')
        return list(data.get('backup_task_sessions') or []), bool(data.get('truncated'))
    if isinstance(data, (list, tuple)):
        return list(data), False
    raise AnsibleFilterError('task_session_report expects a dict or a list, not %s.' % type(data).__name__)


def _user_time(value, option, now):
    if value is None or value == '':
        return None
    try:
        return parse_user_time(value, option=option, now=now)
    except EMInputError as exc:
        raise AnsibleFilterError(str(exc))


def _is_ok(session, ok_results):
    return session.get('result') in ok_results and session.get('state') not in RUNNING_STATES


def _is_running(session):
    return session.get('state') in RUNNING_STATES


def _summary_of(session):
    if session is None:
        return None
    return dict((key, session.get(key)) for key in _SESSION_SUMMARY_KEYS)


def _result_key(result):
    return result if result in RESULTS else 'Other'


def _count_by(sessions, key):
    counts = {}
    for session in sessions:
        value = session.get(key)
        value = 'None' if value is None else str(value)
        counts[value] = counts.get(value, 0) + 1
    return counts


def _newest_first(entries):
    """Sessions (with their parsed start as '_start') sorted newest first; no start sorts last."""
    return sorted(entries, key=lambda s: (s['_start'] is not None, s['_start'] or 0), reverse=True)


def _describe(session, as_of):
    start = session['_start']
    when = format_utc(start.replace(microsecond=0)) if start else 'an unknown time'
    if start is not None:
        when += ' (%s ago)' % age_text((as_of - start).total_seconds())
    return when


def _judge_vm(name, vm_sessions, ok_results, cutoff, as_of, max_age_label, window_since):
    """One compliance entry for a required VM."""
    newest = vm_sessions[0] if vm_sessions else None
    last_ok = next((s for s in vm_sessions if _is_ok(s, ok_results)), None)
    entry = {
        'vm_name': name,
        'compliant': False,
        'status': None,
        'reason': '',
        'last_success_time': format_utc(last_ok['_start']) if last_ok and last_ok['_start'] else None,
        'last_success_age_seconds': int((as_of - last_ok['_start']).total_seconds()) if last_ok and last_ok['_start'] else None,
        'latest_session': _summary_of(newest),
    }
    if last_ok is not None and last_ok['_start'] is not None and last_ok['_start'] >= cutoff:
        entry['compliant'] = True
        entry['status'] = 'ok'
        entry['reason'] = 'last successful backup task session started %s' % _describe(last_ok, as_of)
        return entry
    last_success = ''
    if last_ok is not None:
        last_success = '; last success started %s' % _describe(last_ok, as_of)
    if newest is None:
        entry['status'] = 'no_session'
        scope = 'since %s' % format_utc(window_since.replace(microsecond=0)) if window_since else 'in the selected sessions'
        entry['reason'] = 'no backup task session %s' % scope
        return entry
    recent = [s for s in vm_sessions if s['_start'] is not None and s['_start'] >= cutoff]
    if not recent:
        entry['status'] = 'too_old'
        if last_ok is not None:
            entry['reason'] = 'last successful backup task session started %s, longer ago than the maximum age of %s' % (
                _describe(last_ok, as_of), max_age_label)
        else:
            entry['reason'] = 'no backup task session within the maximum age of %s; the newest one started %s and ended %s' % (
                max_age_label, _describe(newest, as_of), newest.get('result'))
        return entry
    finished = [s for s in recent if not _is_running(s)]
    if _is_running(recent[0]) and not finished:
        entry['status'] = 'in_progress'
        entry['reason'] = 'no successful backup task session within %s; one is %s since %s%s' % (
            max_age_label, recent[0].get('state'), _describe(recent[0], as_of), last_success)
        return entry
    latest = finished[0]
    entry['status'] = 'unsuccessful'
    detail = latest.get('result')
    if detail == 'Warning' and 'Warning' not in ok_results:
        detail = 'Warning (warnings do not count as success)'
    reason_text = (latest.get('reason') or '').strip()
    entry['reason'] = 'no successful backup task session within %s; the newest one started %s and ended %s%s%s' % (
        max_age_label, _describe(latest, as_of), detail, ': ' + reason_text if reason_text else '', last_success)
    return entry


def _days(start_day, end_day):
    count = (end_day - start_day).days + 1
    return [start_day + timedelta(days=i) for i in range(max(count, 0))]


def _per_day(sessions, window_since, as_of, warnings):
    starts = [s['_start'] for s in sessions if s['_start'] is not None]
    end_day = max([as_of] + starts).date()
    if window_since is not None:
        start_day = window_since.date()
    elif starts:
        start_day = min(starts).date()
    else:
        start_day = end_day
    if (end_day - start_day).days >= MAX_CHART_DAYS:
        start_day = end_day - timedelta(days=MAX_CHART_DAYS - 1)
        warnings.append('The per-day counts cover the last %d days only.' % MAX_CHART_DAYS)
    rows = {}
    for day in _days(start_day, end_day):
        rows[day] = {'date': day.isoformat(), 'Success': 0, 'Warning': 0, 'Failed': 0, 'Other': 0, 'total': 0}
    for session in sessions:
        if session['_start'] is None:
            continue
        row = rows.get(session['_start'].date())
        if row is None:
            continue
        row[_result_key(session.get('result'))] += 1
        row['total'] += 1
    return [rows[day] for day in sorted(rows)]


def _nice_step(maximum):
    """A round tick step (1, 2 or 5 times a power of ten) giving at most five ticks."""
    if maximum <= 5:
        return 1
    raw = maximum / 5.0
    power = 10 ** int(math.floor(math.log10(raw)))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return int(factor * power)
    return int(10 * power)


def chart_geometry(per_day):
    """Coordinates of the stacked per-day bar chart (SVG user units), so the template only draws."""
    days = len(per_day)
    slot = max(CHART['slot_min'], min(CHART['slot_max'], (CHART['width_min'] - CHART['left'] - CHART['right']) // max(days, 1)))
    plot_width = slot * days
    width = CHART['left'] + plot_width + CHART['right']
    plot_height = CHART['height'] - CHART['top'] - CHART['bottom']
    baseline = CHART['top'] + plot_height
    maximum = max([row['total'] for row in per_day] + [0])
    step = _nice_step(maximum)
    top_value = max(step, int(math.ceil(maximum / float(step))) * step)
    scale = plot_height / float(top_value)
    bar_width = max(2, int(slot * 0.7))
    label_every = max(1, int(math.ceil(days / 16.0)))
    bars = []
    for index, row in enumerate(per_day):
        x = CHART['left'] + index * slot + (slot - bar_width) // 2
        y = float(baseline)
        segments = []
        for result in ('Success', 'Warning', 'Failed', 'Other'):
            count = row[result]
            if not count:
                continue
            height = count * scale
            y -= height
            segments.append({'result': result, 'count': count, 'y': round(y, 2), 'height': round(height, 2)})
        bars.append({
            'date': row['date'], 'total': row['total'], 'x': x, 'width': bar_width, 'segments': segments,
            'label': row['date'][5:] if index % label_every == 0 or index == days - 1 else '',
            'label_x': x + bar_width / 2.0,
        })
    ticks = [{'value': value, 'y': round(baseline - value * scale, 2)} for value in range(0, top_value + 1, step)]
    return {
        'width': width, 'height': CHART['height'], 'left': CHART['left'], 'right': width - CHART['right'],
        'top': CHART['top'], 'baseline': baseline, 'label_y': baseline + 16, 'bars': bars, 'ticks': ticks,
        'has_other': any(row['Other'] for row in per_day),
    }


def _vm_rank(row):
    # A running session says nothing yet: rank by the newest finished one.
    ranked = row['latest_finished'] or row['latest']
    return (_RESULT_RANK.get(ranked.get('result'), _OTHER_RANK), -row['by_result'].get('Failed', 0), row['vm_name'].lower())


def _jobs(sessions):
    """Rows per job and VM (sessions already newest first), failures first."""
    groups = {}
    for session in sessions:
        job = session.get('job_name') or '(no job)'
        vm = session.get('vm_name') or '(unknown VM)'
        groups.setdefault(job, {}).setdefault(vm, []).append(session)
    jobs = []
    for job, vms in groups.items():
        rows = []
        for vm, vm_sessions in vms.items():
            finished = [s for s in vm_sessions if not _is_running(s)]
            problems = [s for s in finished if s.get('result') != 'Success']
            rows.append({
                'vm_name': vm,
                'sessions': len(vm_sessions),
                'by_result': dict((r, sum(1 for s in vm_sessions if _result_key(s.get('result')) == r)) for r in RESULTS + ('Other',)),
                'latest': _summary_of(vm_sessions[0]),
                'latest_finished': _summary_of(finished[0]) if finished else None,
                'last_problem': _summary_of(problems[0]) if problems else None,
            })
        rows.sort(key=_vm_rank)
        by_result = dict((r, sum(row['by_result'][r] for row in rows)) for r in RESULTS + ('Other',))
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
        if _is_running(session):
            continue
        key = ((session.get('job_name') or '').lower(), (session.get('vm_name') or '').lower())
        if key in seen:
            continue
        seen.add(key)
        if session.get('result') in fail_on_results:
            failed.append(session)
    return failed


def _clean(session):
    return dict((k, v) for k, v in session.items() if not k.startswith('_'))


def _flag(value, option):
    # Survey answers and extra vars often arrive as strings: 'false' must not count as true.
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleFilterError('%s must be true or false, not %r.' % (option, value))


def _names(values, option):
    if values is None:
        return []
    if isinstance(values, str):
        # a comma-separated string (an AWX survey text field); names with a comma need a list
        values = values.split(',') if values.strip() else []
    names = []
    for value in values:
        text = str(value).strip() if value is not None else ''
        if not text:
            raise AnsibleFilterError('%s must not contain empty names.' % option)
        if text.lower() not in [n.lower() for n in names]:
            names.append(text)
    return names


def build_report(data, required_vms=None, max_age='24h', allow_warning=True, fail_on_results=None, fail_on_latest_only=True,
                 since=None, until=None, now=None, filters=None):
    """The report data (see RETURN)."""
    sessions, truncated = _sessions_of(data)
    required = _names(required_vms, 'required_vms')
    fail_on = _names(['Failed'] if fail_on_results is None else fail_on_results, 'fail_on_results')
    max_age_seconds = parse_max_age(max_age)
    max_age_label = str(max_age).strip() if not isinstance(max_age, int) else age_text(max_age)
    current = _user_time(now, 'now', utc_now()) or utc_now()
    window_since = _user_time(since, 'since', current)
    window_until = _user_time(until, 'until', current)
    as_of = (window_until or current).replace(microsecond=0)
    allow_warning = _flag(allow_warning, 'allow_warning')
    fail_on_latest_only = _flag(fail_on_latest_only, 'fail_on_latest_only')
    ok_results = ('Success', 'Warning') if allow_warning else ('Success',)
    warnings = []
    if truncated:
        warnings.append('The module returned a truncated list of sessions: counts and compliance may be incomplete.')

    entries = []
    for session in sessions:
        if not isinstance(session, dict):
            raise AnsibleFilterError('Every backup task session must be a dict, not %s.' % type(session).__name__)
        entry = dict(session)
        entry['_start'] = parse_em_time(session.get('creation_time'))
        entries.append(entry)
    entries = _newest_first(entries)
    undated = sum(1 for e in entries if e['_start'] is None)
    if undated:
        warnings.append('%d session(s) have no creation time and are left out of the chart and the compliance check.' % undated)

    cutoff = as_of - timedelta(seconds=max_age_seconds)
    if required and window_since is not None and window_since > cutoff:
        warnings.append('The report window starts at %s, less than %s before %s: older successful sessions were not read.' % (
            format_utc(window_since), max_age_label, format_utc(as_of)))
    by_vm = {}
    for entry in entries:
        by_vm.setdefault((entry.get('vm_name') or '').lower(), []).append(entry)
    compliance = [_judge_vm(name, by_vm.get(name.lower(), []), ok_results, cutoff, as_of, max_age_label, window_since) for name in required]
    compliance.sort(key=lambda c: (c['compliant'], c['vm_name'].lower()))
    out_of_compliance = [c['vm_name'] for c in compliance if not c['compliant']]

    failed = _failed_sessions(entries, fail_on, fail_on_latest_only)
    per_day = _per_day(entries, window_since, as_of, warnings)
    by_result = dict((r, 0) for r in RESULTS)
    by_result.update(_count_by(entries, 'result'))
    summary = {
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
    }
    return {
        'generated_at': format_utc(current.replace(microsecond=0)),
        'as_of': format_utc(as_of),
        'window': {'since': format_utc(window_since), 'until': format_utc(window_until)},
        'filters': dict((k, v) for k, v in (filters or {}).items() if v not in (None, '', [], {})),
        'settings': {
            'required_vms': required, 'max_age': max_age_label, 'max_age_seconds': max_age_seconds,
            'allow_warning': allow_warning, 'ok_results': list(ok_results), 'fail_on_results': fail_on,
            'fail_on_latest_only': fail_on_latest_only,
        },
        'summary': summary,
        'compliance': compliance,
        'failed_sessions': [_clean(s) for s in failed],
        'per_day': per_day,
        'jobs': _jobs(entries),
        'sessions': [_clean(s) for s in entries],
        'warnings': warnings,
        'chart': chart_geometry(per_day),
    }


class FilterModule(object):
    """The task_session_report filter."""

    def filters(self):
        return {'task_session_report': build_report}
