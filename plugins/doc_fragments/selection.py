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
      - 'Only task sessions whose job session has one of these job types, in any letter case: V(Backup), V(BackupCopy), V(ImmediateBackupCopy),
        V(ImmediateBackupCopyWorker), V(AgentBackup), V(AgentManagement), V(NasBackup).'
      - The three copy types are backup copy jobs; the others count as primary backups.
    type: list
    elements: str
  state:
    description:
      - 'Only task sessions in these states, in any letter case: V(InProgress), V(Pending), V(Completed).'
    type: list
    elements: str
  result:
    description:
      - 'Only task sessions with these results, in any letter case: V(Success), V(Warning), V(Failed).'
    type: list
    elements: str
  since:
    description:
      - 'Only task sessions created at or after this time: ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z)), or an age before
        now in V(s), V(m), V(h), V(d) or V(w), such as V(30m), V(24h) or V(7d). A time without a zone is rejected.'
    type: str
'''

    # The selection options of the module alone (vbr.enterprise_manager.selection.module).
    MODULE = r'''
---
options:
  id:
    description:
      - Task session IDs to return, each a bare GUID or C(urn:veeam:BackupTaskSession:<GUID>).
      - IDs that match no session are returned in RV(missing_ids), which is not a failure (with O(wait=true) it is when none matches).
    type: list
    elements: str
  job_session_id:
    description:
      - Only task sessions of these job sessions (job runs), each a bare GUID or C(urn:veeam:BackupJobSession:<GUID>).
    type: list
    elements: str
  vm_name:
    description:
      - Only task sessions of VMs (or other objects) with these names, as EM displays them. Give a YAML list for names with a comma.
      - Names that match no selected session get a warning; M(vbr.enterprise_manager.backup_task_session_info) also returns them in
        C(unmatched). The same holds for O(job_name) and O(backup_server_name).
    type: list
    elements: str
  backup_server_name:
    description:
      - Only task sessions of these backup servers, named as EM lists them.
    type: list
    elements: str
  until:
    description:
      - Only task sessions created at or before this time, in the forms of O(since); not before O(since).
      - 'Inclusive: the RV(backup_task_sessions[].creation_time) of a session, given here, includes that session.'
    type: str
  filter:
    description:
      - A raw EM query filter for what the other options do not cover, ANDed with them, for example V(TotalSize>1073741824) or V(Reason!="").
      - Fields such as C(Reason), C(TotalSize), C(EndTime); C(==) C(!=) C(<) C(>) C(<=) C(>=), C(;) for AND, C(,) for OR; strings and
        times (UTC with Z) in double quotes. A filter EM cannot use fails with EM's message.
    type: str
  latest_per_vm:
    description:
      - Return only the newest task session of each VM and job type, so that a backup copy that ran after a failed backup never hides
        the failure.
      - With O(vm_name) and no O(since), reading stops once every named VM has shown a primary backup session; give O(since) to read
        the whole window.
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
      - Poll every O(wait_sleep) seconds until no selected task session is V(InProgress) or V(Pending); fail after O(wait_timeout) seconds
        naming those still running.
      - 'With O(result), waits until nothing the other options select runs, then applies O(result): O(job_session_id) with O(result=Failed)
        gives the failures of the whole run. O(id) or O(job_session_id) matching nothing fails.'
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
      - 'Only task sessions created at or after this time: ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z)), or an age before
        now in V(s), V(m), V(h), V(d) or V(w), such as V(30m), V(24h) or V(7d). A time without a zone is rejected.'
      - 'The window of the inventory: a VM (or agent computer) with no task session in it is no host. Keep it longer than O(max_age),
        or a VM whose last backup is older than O(max_age) drops out of the inventory instead of showing in C(backup_stale).'
    type: str
    default: 7d
  job_name:
    description:
      - Only task sessions of jobs with these names.
    type: list
    elements: str
  vm_name:
    description:
      - Only task sessions of VMs (or other objects) with these names, as EM displays them. Give a YAML list for names with a comma.
      - Names that match no selected session get a warning; M(vbr.enterprise_manager.backup_task_session_info) also returns them in
        C(unmatched). The same holds for O(job_name) and O(backup_server_name).
    type: list
    elements: str
  backup_server_name:
    description:
      - Only task sessions of these backup servers, named as EM lists them.
    type: list
    elements: str
  job_type:
    description:
      - 'Only task sessions whose job session has one of these job types, in any letter case: V(Backup), V(BackupCopy), V(ImmediateBackupCopy),
        V(ImmediateBackupCopyWorker), V(AgentBackup), V(AgentManagement), V(NasBackup).'
      - The three copy types are backup copy jobs; the others count as primary backups.
    type: list
    elements: str
'''
