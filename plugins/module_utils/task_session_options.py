# -*- coding: utf-8 -*-
# The task session selection options, one row each (the Option shape is in option_table.py). The rows
# produce the module argument spec, the defaults of prepare_criteria() (task_session_search.py), the
# lookup's narrowing options and the `selection` doc fragment (written by tools/option_docs.py).
# The values are checked by prepare_criteria(), not here.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option, argument_spec, defaults, pick
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSION_KEYS

SELECTION_OPTIONS = (
    Option('id', 'list', [
        'Task session IDs to return, each a bare GUID or C(urn:veeam:BackupTaskSession:<GUID>).',
        'IDs are checked before any request. IDs that match no session are returned in RV(missing_ids), which is '
        'not a failure, unless none matches with O(wait=true) (see there).',
    ], elements='str'),
    Option('job_session_id', 'list', [
        'Only task sessions of these job sessions (job runs), each a bare GUID or C(urn:veeam:BackupJobSession:<GUID>).',
    ], elements='str'),
    Option('vm_name', 'list', [
        'Only task sessions of VMs (or other backed-up objects) with these names, as EM displays them.',
        'Give a YAML list for names that contain a comma.',
        'Names that match no selected session get a warning, and M(vbr.enterprise_manager.backup_task_session_info) '
        'returns them in C(unmatched); so do those of O(job_name) and O(backup_server_name).',
    ], elements='str'),
    Option('job_name', 'list', [
        'Only task sessions of jobs with these names.',
    ], elements='str'),
    Option('backup_server_name', 'list', [
        'Only task sessions of these backup servers, named as EM lists them.',
    ], elements='str'),
    Option('state', 'list', [
        'Only task sessions in these states, in any letter case.',
        'One or more of V(InProgress), V(Pending), V(Completed); other values are rejected.',
    ], elements='str'),
    Option('result', 'list', [
        'Only task sessions with these results, in any letter case.',
        'One or more of V(Success), V(Warning), V(Failed); other values are rejected.',
    ], elements='str'),
    Option('job_type', 'list', [
        'Only task sessions whose job session is of these job types, in any letter case.',
        'One or more of V(Backup), V(BackupCopy), V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker), V(AgentBackup), '
        'V(AgentManagement), V(NasBackup); other values are rejected. A job type EM reports beyond these is returned in '
        'C(job_type) but cannot be selected.',
        'EM cannot filter task sessions by job type, so their job sessions are queried with these types and only the task '
        'sessions of the job sessions EM returns are kept (a task session whose job session EM does not return is not '
        'selected).',
        'V(BackupCopy), V(ImmediateBackupCopy) and V(ImmediateBackupCopyWorker) are backup copy jobs; every other type '
        'counts as a primary backup.',
    ], elements='str'),
    Option('since', 'str', [
        'Only task sessions created at or after this time.',
        'ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z), V(2025-08-15T08:00:00+02:00)), converted to UTC; '
        'a time without a zone is rejected.',
        'Or an age before now, a number followed by V(s), V(m), V(h), V(d) or V(w), for example V(30m), V(24h), V(7d) or V(2w).',
    ]),
    Option('until', 'str', [
        'Only task sessions created at or before this time. Same forms as O(since); it must not be before O(since).',
        'The time is inclusive to the microsecond, so a RV(backup_task_sessions[].creation_time) returned by this module '
        'includes that session (EM keeps finer times than the microseconds shown).',
    ]),
    Option('filter', 'str', [
        'A raw EM query filter for what the other options do not cover, ANDed with them, for example '
        'V(TotalSize>1073741824) or V(Reason!="").',
        'Syntax: fields such as C(VmDisplayName), C(JobName), C(BackupServerName), C(State), C(Result), C(Reason), '
        'C(TotalSize), C(CreationTime), C(EndTime); operators C(==) C(!=) C(<) C(>) C(<=) C(>=); C(;) for AND, '
        'C(,) for OR, parentheses to group; strings in double quotes with inner double quotes doubled; times in UTC '
        'with Z, quoted.',
        'EM applies this filter alone: the sessions EM returns are checked again against the other options, never '
        'against this one. A filter EM cannot use fails at once with EM\'s message (HTTP 400, or HTTP 500 with an EM '
        'error, repeated once rather than O(retries) times).',
    ]),
    Option('latest_per_vm', 'bool', [
        'Return only the newest task session of each VM and job type among the selected ones.',
        'A VM is identified by its EM UID when EM reports one, else by its name.',
        'Per job type, so that a backup copy job that ran after a failed backup never hides that failure: a VM with a '
        'backup job and a backup copy job has two entries, one per RV(backup_task_sessions[].job_type).',
        'With O(vm_name) and no O(since), reading (newest first) stops at the end of the result page on which every '
        'named VM was seen with a primary backup session (with O(job_type), a session of each kind given: primary or '
        'copy), instead of reading the VMs\' whole history. The newest session of a job type older than that is then '
        'not returned, nor is a VM of another vCenter with the same name whose sessions are all older; give O(since) to '
        'read every session of the window.',
    ], default=False),
    Option('limit', 'int', [
        'Return at most this many task sessions (the newest). RV(truncated) tells whether more were selected.',
    ]),
    Option('fields', 'list', [
        'Return only these keys of each task session (default all). Useful to keep large results small.',
    ], elements='str', choices=TASK_SESSION_KEYS),
    Option('wait', 'bool', [
        'Poll until no selected task session is V(InProgress) or V(Pending), then return.',
        'The selection is repeated every O(wait_sleep) seconds with the same criteria (relative times are fixed at '
        'the start). Fails after O(wait_timeout) seconds, naming the sessions that still run.',
        'A running session has no result yet, so with O(result) (or with O(state) values that leave out V(InProgress) or '
        'V(Pending)) the task waits until no task session that satisfies the other options runs, then selects with '
        'O(result) and O(state): O(job_session_id) with O(result=Failed) gives the failures of the whole run once it has '
        'ended, not those so far.',
        'A selection by O(id) or O(job_session_id) that matches nothing is no silent success. Task session IDs of which '
        'none matches fail at once (a task session ID does not appear later). A job session without task sessions is '
        'polled until one appears, because EM lists the task sessions of a job run shortly after the run starts; the '
        'task fails at O(wait_timeout) naming the job session (with several job sessions, once none of them has any).',
        'With other options as well (O(vm_name), O(job_name), O(backup_server_name), O(state), O(result), O(job_type), '
        'O(since), O(until), O(filter)), nothing can be the right answer (no failed task session in a run that has '
        'ended): when nothing of the selection runs, the task then returns at once with a warning that nothing was '
        'waited for. An empty answer after a poll that selected (or watched) running sessions is no warning.',
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
