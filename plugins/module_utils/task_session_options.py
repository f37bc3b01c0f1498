# -*- coding: utf-8 -*-
# The task session selection options, one row each (the Option shape is in option_table.py). The rows
# produce the module argument spec, the defaults and the options of every task session Selection (module,
# lookup, inventory, EDA source: task_session_selection.py converts them) and the `selection` doc fragment
# (written by tools/option_docs.py). The values are checked when a Selection is built, not here.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option, argument_spec, defaults, pick
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSION_KEYS

SELECTION_OPTIONS = (
    Option('id', 'list', [
        'Task session IDs to return, each a bare GUID or C(urn:veeam:BackupTaskSession:<GUID>).',
        'IDs that match no session are returned in RV(missing_ids), which is not a failure (with O(wait=true) it is when '
        'none matches).',
    ], elements='str'),
    Option('job_session_id', 'list', [
        'Only task sessions of these job sessions (job runs), each a bare GUID or C(urn:veeam:BackupJobSession:<GUID>).',
    ], elements='str'),
    Option('vm_name', 'list', [
        'Only task sessions of VMs (or other objects) with these names, as EM displays them. Give a YAML list for names '
        'with a comma.',
        'Names that match no selected session get a warning; M(vbr.enterprise_manager.backup_task_session_info) also '
        'returns them in C(unmatched). The same holds for O(job_name) and O(backup_server_name).',
    ], elements='str'),
    Option('job_name', 'list', [
        'Only task sessions of jobs with these names.',
    ], elements='str'),
    Option('backup_server_name', 'list', [
        'Only task sessions of these backup servers, named as EM lists them.',
    ], elements='str'),
    Option('state', 'list', [
        'Only task sessions in these states, in any letter case: V(InProgress), V(Pending), V(Completed).',
    ], elements='str'),
    Option('result', 'list', [
        'Only task sessions with these results, in any letter case: V(Success), V(Warning), V(Failed).',
    ], elements='str'),
    Option('job_type', 'list', [
        'Only task sessions whose job session has one of these job types, in any letter case: V(Backup), V(BackupCopy), '
        'V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker), V(AgentBackup), V(AgentManagement), V(NasBackup).',
        'The three copy types are backup copy jobs; the others count as primary backups.',
    ], elements='str'),
    Option('since', 'str', [
        'Only task sessions created at or after this time: ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z)), or '
        'an age before now in V(s), V(m), V(h), V(d) or V(w), such as V(30m), V(24h) or V(7d). A time without a zone is '
        'rejected.',
    ]),
    Option('until', 'str', [
        'Only task sessions created at or before this time, in the forms of O(since); not before O(since).',
        'Inclusive: the RV(backup_task_sessions[].creation_time) of a session, given here, includes that session.',
    ]),
    Option('filter', 'str', [
        'A raw EM query filter for what the other options do not cover, ANDed with them, for example '
        'V(TotalSize>1073741824) or V(Reason!="").',
        'Fields such as C(Reason), C(TotalSize), C(EndTime); C(==) C(!=) C(<) C(>) C(<=) C(>=), C(;) for AND, C(,) for '
        'OR; strings and times (UTC with Z) in double quotes. A filter EM cannot use fails with EM\'s message.',
    ]),
    Option('latest_per_vm', 'bool', [
        'Return only the newest task session of each VM and job type, so that a backup copy that ran after a failed '
        'backup never hides the failure.',
        'With O(vm_name) and no O(since), reading stops once every named VM has shown a primary backup session; give '
        'O(since) to read the whole window.',
    ], default=False),
    Option('limit', 'int', [
        'Return at most this many task sessions (the newest). RV(truncated) tells whether more were selected.',
    ]),
    Option('fields', 'list', [
        'Return only these keys of each task session (default all). Useful to keep large results small.',
    ], elements='str', choices=TASK_SESSION_KEYS),
    Option('wait', 'bool', [
        'Poll every O(wait_sleep) seconds until no selected task session is V(InProgress) or V(Pending); fail after '
        'O(wait_timeout) seconds naming those still running.',
        'With O(result), waits until nothing the other options select runs, then applies O(result): O(job_session_id) '
        'with O(result=Failed) gives the failures of the whole run. O(id) or O(job_session_id) matching nothing fails.',
    ], default=False),
    Option('wait_timeout', 'int', [
        'Seconds to wait with O(wait=true).',
    ], default=600),
    Option('wait_sleep', 'int', [
        'Seconds between polls with O(wait=true).',
    ], default=10),
)

SELECTION_NAMES = tuple(option.name for option in SELECTION_OPTIONS)

# The narrowing options the lookup takes too (for its VM name terms): the `selection` doc fragment.
# The others are the module's alone: the `selection.module` fragment.
SHARED_SELECTION_NAMES = ('job_name', 'job_type', 'state', 'result', 'since')
MODULE_SELECTION_NAMES = tuple(name for name in SELECTION_NAMES if name not in SHARED_SELECTION_NAMES)


def selection_options(names=SELECTION_NAMES):
    """The rows of these options, in the order of names (a plugin picks those it takes)."""
    return pick(SELECTION_OPTIONS, names)


def selection_argument_spec():
    """Argument spec entries of the module's selection options."""
    return argument_spec(SELECTION_OPTIONS)


def selection_defaults():
    """name -> default of every selection option (None where there is none): what an absent option means."""
    return defaults(SELECTION_OPTIONS)
