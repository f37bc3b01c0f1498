# -*- coding: utf-8 -*-
# The verdict of one VM, "is it backed up well enough to patch?": from its primary backup task sessions,
# its backup copy task sessions and its newest restore point, one status, protected or not, and why.
# Pure (no request, no clock of its own): backup_vm_info, the backup_vms inventory and the report role
# all judge with judge_vm, so the three never disagree. docs/verdict.md holds the same table as STATUSES
# (a unit test keeps them in step). Times are aware datetimes, as the facts hold them.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
from collections import namedtuple
from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import is_running
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_latest import creation_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc

OK = 'ok'
WARNING = 'warning'
FAILED = 'failed'
RUNNING = 'running'
STALE = 'stale'
NO_RESTORE_POINT = 'no_restore_point'
NEVER = 'never'

# Every status, in the order a report lists them (worst first), with when it is given and whether the VM
# is protected: the table of docs/verdict.md, word for word (the precedence is documented there).
STATUSES = (
    (NEVER, 'no', 'The VM has no primary backup task session in the window (misspelled, new, in no job, or only '
                  'backup copy sessions).'),
    (RUNNING, 'no', 'A primary backup task session runs now and the newest finished one would not protect the VM '
                    '(it failed, ended with a warning not allowed, is stale or has no restore point), or none has '
                    'finished yet.'),
    (FAILED, 'no', 'The newest finished primary backup task session did not end with Success or Warning; or, with '
                   'fail_on_copy, the VM would be protected but its newest finished backup copy task session failed.'),
    (WARNING, 'with allow_warning', 'The newest finished primary backup task session ended with Warning. Protected only '
                                    'with allow_warning true, and only when it is neither stale nor without a restore point.'),
    (STALE, 'no', 'The last successful primary backup task session (Success, or Warning with allow_warning) started longer '
                  'ago than max_age.'),
    (NO_RESTORE_POINT, 'no', 'With require_restore_point, the last success is within max_age but the VM has no restore '
                             'point created within max_age (retention removed it, or the job made none).'),
    (OK, 'yes', 'The newest finished primary backup task session ended with Success within max_age and (with '
                'require_restore_point) the VM has a restore point created within max_age.'),
)
STATUS_NAMES = tuple(name for name, _protected, _text in STATUSES)

# How much of EM's reason text a one-line reason quotes.
_REASON_CHARS = 200
_SPACE = re.compile(r'\s+')

VerdictRules = namedtuple('VerdictRules', 'now max_age allow_warning require_restore_point fail_on_copy since')
VerdictRules.__doc__ = """What a verdict is judged by: now (aware UTC datetime), max_age (seconds), allow_warning,
require_restore_point and fail_on_copy (bools), since (the start of the window, an aware datetime, or None)."""


def success_results(rules):
    return ('Success', 'Warning') if rules.allow_warning else ('Success',)


def split_sessions(sessions):
    """(primary, copies) of a VM's task sessions, each newest first. A session without a job type counts as primary."""
    ordered = sorted(sessions, key=creation_key, reverse=True)
    return [s for s in ordered if not is_copy(s.get('job_type'))], [s for s in ordered if is_copy(s.get('job_type'))]


def age_text(seconds):
    """A short age: 45s, 12m, 5h 12m, 3d 4h."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return '%dd %dh' % (days, hours) if hours else '%dd' % days
    if hours:
        return '%dh %dm' % (hours, minutes) if minutes else '%dh' % hours
    return '%dm' % minutes if minutes else '%ds' % secs


def _when(value, now):
    """'2025-03-14T02:00:00Z (10h ago)' of an aware datetime; 'an unknown time' without one."""
    if value is None:
        return 'an unknown time'
    return '%s (%s ago)' % (format_utc(value.replace(microsecond=0)), age_text((now - value).total_seconds()))


def _em_reason(session):
    text = _SPACE.sub(' ', str(session.get('reason') or '')).strip()
    if len(text) > _REASON_CHARS:
        text = text[:_REASON_CHARS - 3].rstrip() + '...'
    return ': ' + text if text else ''


def _session_text(session, now):
    """'job Nightly, started 2025-03-14T02:00:00Z, 10h ago' (inside parentheses of the reason)."""
    parsed = session.get('creation_time')
    started = 'started %s, %s ago' % (format_utc(parsed.replace(microsecond=0)), age_text((now - parsed).total_seconds())) \
        if parsed is not None else 'start unknown'
    return 'job %s, %s' % (session.get('job_name') or '(unknown)', started)


def _finished_verdict(primary, copies, restore_point, rules):
    """(status, reason) judged on the finished sessions only (primary has at least one session)."""
    now = rules.now
    finished = [s for s in primary if not is_running(s)]
    if not finished:
        return RUNNING, 'no primary backup task session has finished yet; the newest (%s) is %s' % (
            _session_text(primary[0], now), primary[0].get('state'))
    newest = finished[0]
    result = newest.get('result')
    if result not in ('Success', 'Warning'):
        return FAILED, 'the newest backup (%s) ended %s%s%s' % (
            _session_text(newest, now), result, _em_reason(newest), _last_success(finished, rules))
    if result == 'Warning' and not rules.allow_warning:
        return WARNING, 'the newest backup (%s) ended Warning (warnings do not count as success)%s%s' % (
            _session_text(newest, now), _em_reason(newest), _last_success(finished, rules))
    oldest_allowed = now - timedelta(seconds=rules.max_age)
    started = newest.get('creation_time')
    if started is None or started < oldest_allowed:
        return STALE, 'the last successful backup (%s) is older than max_age %s' % (
            _session_text(newest, now), age_text(rules.max_age))
    if rules.require_restore_point:
        point_time = (restore_point or {}).get('creation_time')
        if point_time is None:
            window = ' since %s' % format_utc(rules.since.replace(microsecond=0)) if rules.since is not None else ''
            return NO_RESTORE_POINT, 'the last backup (%s) succeeded, but Enterprise Manager lists no restore point of the VM%s' % (
                _session_text(newest, now), window)
        if point_time < oldest_allowed:
            return NO_RESTORE_POINT, 'the last backup (%s) succeeded, but the newest restore point was created %s, ' \
                                     'longer ago than max_age %s' % (_session_text(newest, now), _when(point_time, now),
                                                                     age_text(rules.max_age))
    copy = _newest_finished(copies)
    if rules.fail_on_copy and copy is not None and copy.get('result') == 'Failed':
        return FAILED, 'the backup is good, but the newest backup copy (%s) failed%s (fail_on_copy=true)' % (
            _session_text(copy, now), _em_reason(copy))
    point = '; restore point created %s' % _when((restore_point or {}).get('creation_time'), now) if restore_point else ''
    if result == 'Warning':
        return WARNING, 'the newest backup (%s) ended with Warning, accepted with allow_warning=true%s' % (
            _session_text(newest, now), point)
    return OK, 'the newest backup (%s) succeeded%s' % (_session_text(newest, now), point)


def _last_success(finished, rules):
    """'; last success started T (age ago)' of the newest finished session that counts as a success, or ''."""
    success = next((s for s in finished if s.get('result') in success_results(rules)), None)
    return '; last success started %s' % _when(success.get('creation_time'), rules.now) if success else ''


def _newest_finished(sessions):
    return next((s for s in sessions if not is_running(s)), None)


def is_protected(status, rules):
    """Whether a VM of this status is safe to patch: ok, and warning with allow_warning."""
    return status == OK or (status == WARNING and bool(rules.allow_warning))


def _never_reason(copies, rules):
    window = 'since %s' % format_utc(rules.since.replace(microsecond=0)) if rules.since is not None else 'in the selected sessions'
    if copies:
        return 'only backup copy task sessions %s, no backup of its own' % window
    return 'no backup task session %s' % window


def judge_vm(sessions, restore_point, rules):
    """The verdict of one VM (one identity) from all its task sessions of the window (any order, primary and
    copies mixed), its newest restore point facts (or None) and VerdictRules: a dict with protected, status,
    copy_failed, reason, last_success_time, last_restore_point_time (aware datetimes or None), age_seconds,
    latest (the newest primary session), latest_copy (the newest copy session) and restore_point, as facts
    with datetimes: vm_verdicts.export_verdict() gives the text where the verdict leaves the collection."""
    primary, copies = split_sessions(sessions)
    if not primary:
        status, reason = NEVER, _never_reason(copies, rules)
    else:
        status, reason = _finished_verdict(primary, copies, restore_point, rules)
        if is_running(primary[0]) and not is_protected(status, rules) and status != RUNNING:
            reason = 'a backup (%s) is %s; until it ends: %s' % (_session_text(primary[0], rules.now), primary[0].get('state'), reason)
            status = RUNNING
    accepted = success_results(rules)
    success = next((s for s in primary if not is_running(s) and s.get('result') in accepted), None)
    success_time = success.get('creation_time') if success else None
    point_time = (restore_point or {}).get('creation_time')
    copy = _newest_finished(copies)
    return {
        'protected': is_protected(status, rules),
        'status': status,
        'copy_failed': copy is not None and copy.get('result') == 'Failed',
        'reason': reason,
        'last_success_time': success_time,
        'last_restore_point_time': point_time,
        'age_seconds': int((rules.now - success_time).total_seconds()) if success_time else None,
        'latest': primary[0] if primary else None,
        'latest_copy': copies[0] if copies else None,
        'restore_point': restore_point,
    }
