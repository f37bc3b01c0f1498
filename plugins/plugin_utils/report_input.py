# -*- coding: utf-8 -*-
# The input side of the task_session_report computation: the sessions out of a module result, the
# options as the role and AWX surveys hand them over (strings for flags and name lists), and working
# copies of the sessions with their parsed start. Controller-only, hence plugin_utils.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import parse_em_time, parse_user_time

# The keys of every session the counts, verdicts and rankings use; anything else is read from '_source'.
JUDGED_KEYS = ('vm_name', 'job_name', 'job_type', 'backup_server_name', 'state', 'result')


def sessions_of(data):
    """(sessions, truncated) of a backup_task_session_info result or a list of sessions."""
    if isinstance(data, dict):
        if 'backup_task_sessions' not in data:
            raise EMInputError('task_session_report expects the result of backup_task_session_info '
                               '(a dict with backup_task_sessions) or a list of sessions.')
        return list(data.get('backup_task_sessions') or []), bool(data.get('truncated'))
    if isinstance(data, (list, tuple)):
        return list(data), False
    raise EMInputError('task_session_report expects a dict or a list, not %s.' % type(data).__name__)


def user_time(value, option, now):
    if value is None or value == '':
        return None
    return parse_user_time(value, option=option, now=now)


def flag(value, option):
    # Survey answers and extra vars often arrive as strings: 'false' must not count as true.
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise EMInputError('%s must be true or false, not %r.' % (option, value))


def names(values, option):
    if values is None:
        return []
    if isinstance(values, str):
        # a comma-separated string (an AWX survey text field); names with a comma need a list
        values = values.split(',') if values.strip() else []
    found = []
    for value in values:
        text = str(value).strip() if value is not None else ''
        if not text:
            raise EMInputError('%s must not contain empty names.' % option)
        if text.lower() not in [n.lower() for n in found]:
            found.append(text)
    return found


def newest_first(entries):
    """Sessions (with their parsed start as '_start') sorted newest first; no start sorts last."""
    return sorted(entries, key=lambda s: (s['_start'] is not None, s['_start'] or 0), reverse=True)


def entries_of(sessions, warnings):
    """Working copies of the sessions, newest first: the keys every session is judged by, the parsed start as
    '_start' and the session itself as '_source' (its other keys are read only for the few shown in detail)."""
    entries = []
    for session in sessions:
        if not isinstance(session, dict):
            raise EMInputError('Every backup task session must be a dict, not %s.' % type(session).__name__)
        # Read once, and only these: in a template every value read from a variable costs Ansible a lookup.
        entry = dict((key, session.get(key)) for key in JUDGED_KEYS)
        entry['_start'] = parse_em_time(session.get('creation_time'))
        entry['_source'] = session
        entries.append(entry)
    undated = sum(1 for e in entries if e['_start'] is None)
    if undated:
        warnings.append('%d session(s) have no creation time and are left out of the chart and the compliance check.' % undated)
    return newest_first(entries)
