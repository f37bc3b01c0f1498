# -*- coding: utf-8 -*-
# Documentation fragment of the task session selection options.
# Written by tools/option_docs.py from plugins/module_utils/task_session_options.py: edit the table and run
# `python tools/option_docs.py`; tests/unit/plugins/test_option_docs.py fails when this file is stale.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    # The selection options of the module that the lookup takes too (for its VM name terms).
    DOCUMENTATION = r'''
---
options:
  job_name:
    description:
      - Only task sessions of jobs with these names.
    type: list
    elements: str
  job_type:
    description:
      - Only task sessions whose job session is of these job types, in any letter case.
      - One or more of V(Backup), V(BackupCopy), V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker), V(AgentBackup), V(AgentManagement), V(NasBackup);
        other values are rejected. A job type EM reports beyond these is returned in C(job_type) but cannot be selected.
      - EM cannot filter task sessions by job type, so their job sessions are queried with these types and only the task sessions of the job sessions EM
        returns are kept (a task session whose job session EM does not return is not selected).
      - V(BackupCopy), V(ImmediateBackupCopy) and V(ImmediateBackupCopyWorker) are backup copy jobs; every other type counts as a primary backup.
    type: list
    elements: str
  state:
    description:
      - Only task sessions in these states, in any letter case.
      - One or more of V(InProgress), V(Pending), V(Completed); other values are rejected.
    type: list
    elements: str
  result:
    description:
      - Only task sessions with these results, in any letter case.
      - One or more of V(Success), V(Warning), V(Failed); other values are rejected.
    type: list
    elements: str
  since:
    description:
      - Only task sessions created at or after this time.
      - ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z), V(2025-08-15T08:00:00+02:00)), converted to UTC; a time without a zone is rejected.
      - Or an age before now, a number followed by V(s), V(m), V(h), V(d) or V(w), for example V(30m), V(24h), V(7d) or V(2w).
    type: str
'''

    # The selection options of the module alone (vbr.enterprise_manager.selection.module).
    MODULE = r'''
---
options:
  id:
    description:
      - Task session IDs to return, each a bare GUID or C(urn:veeam:BackupTaskSession:<GUID>).
      - IDs are checked before any request. IDs that match no session are returned in RV(missing_ids), which is not a failure, unless none matches with
        O(wait=true) (see there).
    type: list
    elements: str
  job_session_id:
    description:
      - Only task sessions of these job sessions (job runs), each a bare GUID or C(urn:veeam:BackupJobSession:<GUID>).
    type: list
    elements: str
  vm_name:
    description:
      - Only task sessions of VMs (or other backed-up objects) with these names, as EM displays them.
      - Give a YAML list for names that contain a comma.
      - Names that match no selected session get a warning, and M(vbr.enterprise_manager.backup_task_session_info) returns them in C(unmatched); so do those
        of O(job_name) and O(backup_server_name).
    type: list
    elements: str
  backup_server_name:
    description:
      - Only task sessions of these backup servers, named as EM lists them.
    type: list
    elements: str
  until:
    description:
      - Only task sessions created at or before this time. Same forms as O(since); it must not be before O(since).
      - The time is inclusive to the microsecond, so a RV(backup_task_sessions[].creation_time) returned by this module includes that session (EM keeps
        finer times than the microseconds shown).
    type: str
  filter:
    description:
      - A raw EM query filter for what the other options do not cover, ANDed with them, for example V(TotalSize>1073741824) or V(Reason!="").
      - 'Syntax: fields such as C(VmDisplayName), C(JobName), C(BackupServerName), C(State), C(Result), C(Reason), C(TotalSize), C(CreationTime), C(EndTime);
        operators C(==) C(!=) C(<) C(>) C(<=) C(>=); C(;) for AND, C(,) for OR, parentheses to group; strings in double quotes with inner double quotes
        doubled; times in UTC with Z, quoted.'
      - 'EM applies this filter alone: the sessions EM returns are checked again against the other options, never against this one. A filter EM cannot use
        fails at once with EM''s message (HTTP 400, or HTTP 500 with an EM error, repeated once rather than O(retries) times).'
    type: str
  latest_per_vm:
    description:
      - Return only the newest task session of each VM and job type among the selected ones.
      - A VM is identified by its EM UID when EM reports one, else by its name.
      - 'Per job type, so that a backup copy job that ran after a failed backup never hides that failure: a VM with a backup job and a backup copy job has
        two entries, one per RV(backup_task_sessions[].job_type).'
      - 'With O(vm_name) and no O(since), reading (newest first) stops at the end of the result page on which every named VM was seen with a primary backup
        session (with O(job_type), a session of each kind given: primary or copy), instead of reading the VMs'' whole history. The newest session of a job
        type older than that is then not returned, nor is a VM of another vCenter with the same name whose sessions are all older; give O(since) to read
        every session of the window.'
    type: bool
    default: false
  limit:
    description:
      - Return at most this many task sessions (the newest). RV(truncated) tells whether more were selected.
    type: int
  fields:
    description:
      - Return only these keys of each task session (default all). Useful to keep large results small.
    type: list
    elements: str
    choices:
      - id
      - uid
      - name
      - href
      - vm_name
      - vm_uid
      - job_name
      - job_session_id
      - job_session_uid
      - job_session_name
      - job_type
      - is_retry
      - backup_server_id
      - backup_server_name
      - creation_time
      - end_time
      - duration_seconds
      - state
      - result
      - reason
      - total_size
      - restore_point_id
  wait:
    description:
      - Poll until no selected task session is V(InProgress) or V(Pending), then return.
      - The selection is repeated every O(wait_sleep) seconds with the same criteria (relative times are fixed at the start). Fails after O(wait_timeout)
        seconds, naming the sessions that still run.
      - 'A running session has no result yet, so with O(result) (or with O(state) values that leave out V(InProgress) or V(Pending)) the task waits until
        no task session that satisfies the other options runs, then selects with O(result) and O(state): O(job_session_id) with O(result=Failed) gives the
        failures of the whole run once it has ended, not those so far.'
      - A selection by O(id) or O(job_session_id) that matches nothing is no silent success. Task session IDs of which none matches fail at once (a task
        session ID does not appear later). A job session without task sessions is polled until one appears, because EM lists the task sessions of a job
        run shortly after the run starts; the task fails at O(wait_timeout) naming the job session (with several job sessions, once none of them has any).
      - 'With other options as well (O(vm_name), O(job_name), O(backup_server_name), O(state), O(result), O(job_type), O(since), O(until), O(filter)), nothing
        can be the right answer (no failed task session in a run that has ended): when nothing of the selection runs, the task then returns at once with
        a warning that nothing was waited for. An empty answer after a poll that selected (or watched) running sessions is no warning.'
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true).
    type: int
    default: 600
  wait_sleep:
    description:
      - Seconds between polls with O(wait=true).
    type: int
    default: 10
'''

    # The selection options of the backup_vms inventory plugin (vbr.enterprise_manager.selection.inventory).
    INVENTORY = r'''
---
options:
  since:
    description:
      - Only task sessions created at or after this time.
      - ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z), V(2025-08-15T08:00:00+02:00)), converted to UTC; a time without a zone is rejected.
      - Or an age before now, a number followed by V(s), V(m), V(h), V(d) or V(w), for example V(30m), V(24h), V(7d) or V(2w).
      - 'The window of the inventory: a VM (or agent computer) with no task session in it is no host. Keep it longer than O(max_age), or a VM whose last
        backup is older than O(max_age) drops out of the inventory instead of showing in C(backup_stale).'
    type: str
    default: 7d
  job_name:
    description:
      - Only task sessions of jobs with these names.
    type: list
    elements: str
  vm_name:
    description:
      - Only task sessions of VMs (or other backed-up objects) with these names, as EM displays them.
      - Give a YAML list for names that contain a comma.
      - Names that match no selected session get a warning, and M(vbr.enterprise_manager.backup_task_session_info) returns them in C(unmatched); so do those
        of O(job_name) and O(backup_server_name).
    type: list
    elements: str
  backup_server_name:
    description:
      - Only task sessions of these backup servers, named as EM lists them.
    type: list
    elements: str
  job_type:
    description:
      - Only task sessions whose job session is of these job types, in any letter case.
      - One or more of V(Backup), V(BackupCopy), V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker), V(AgentBackup), V(AgentManagement), V(NasBackup);
        other values are rejected. A job type EM reports beyond these is returned in C(job_type) but cannot be selected.
      - EM cannot filter task sessions by job type, so their job sessions are queried with these types and only the task sessions of the job sessions EM
        returns are kept (a task session whose job session EM does not return is not selected).
      - V(BackupCopy), V(ImmediateBackupCopy) and V(ImmediateBackupCopyWorker) are backup copy jobs; every other type counts as a primary backup.
    type: list
    elements: str
'''
