# -*- coding: utf-8 -*-
# Documentation fragment of the options of the verdict (backup_vm_info).
# Written by tools/option_docs.py from plugins/module_utils/verdict_options.py: edit the table and run
# `python tools/option_docs.py`; tests/unit/plugins/test_option_docs.py fails when this file is stale.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    # The options of backup_vm_info: the VMs, the window and the judgement (vbr.enterprise_manager.verdict).
    DOCUMENTATION = r'''
---
options:
  vm_name:
    description:
      - The VMs (or agent computers) to judge, by the names Enterprise Manager displays, for example V("{{ ansible_play_hosts }}") or
        V("{{ inventory_hostname }}").
      - Names compare as a case-insensitive EM compares them (any letter case, trailing spaces ignored). A name that matches no task
        session of the window is status V(never) and unprotected, never left out.
      - Without it, every VM with a backup task session in the window (O(since)) is judged.
    type: list
    elements: str
  since:
    description:
      - 'Only task sessions created at or after this time: ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z)), or an age before
        now in V(s), V(m), V(h), V(d) or V(w), such as V(30m), V(24h) or V(7d). A time without a zone is rejected.'
      - 'The window read: a VM without a primary backup task session in it is V(never). It must reach back at least O(max_age), so that
        a success within O(max_age) is always seen.'
    type: str
    default: 7d
  job_type:
    description:
      - Only the task sessions of these job types (the type of their job session), in any letter case, for example V(Backup) and V(AgentBackup);
        the values are those of O(vbr.enterprise_manager.backup_task_session_info#module:job_type).
      - The verdict judges the primary backups among them and reports the backup copies (V(BackupCopy), V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker))
        beside them; at least one primary type is needed.
    type: list
    elements: str
  max_age:
    description:
      - How recent the last successful backup (and, with O(require_restore_point), the newest restore point) of a VM must be for it
        to be protected; older is status V(stale) (or V(no_restore_point)).
      - A number followed by V(s), V(m), V(h), V(d) or V(w), for example V(24h), V(36h) or V(7d); a bare number is seconds.
    type: str
    default: 24h
  allow_warning:
    description:
      - Whether a backup that ended with V(Warning) protects the VM (status V(warning), protected). With V(false) it is status V(warning),
        not protected, and only a V(Success) counts as the last success.
    type: bool
    default: true
  require_restore_point:
    description:
      - 'Whether a protected VM also needs a restore point created within O(max_age), as Enterprise Manager lists them (VM restore points
        and agent restore points, by name). A successful task session does not prove that a restore point still exists: retention removes
        points, and a backup copy task has none. Without one the status is V(no_restore_point).'
      - Restore points are read only for the VMs whose task sessions would protect them.
    type: bool
    default: true
  fail_on_copy:
    description:
      - Whether a failed backup copy job unprotects a VM whose own backup is good (status V(failed)). Either way C(copy_failed) tells
        whether the newest finished backup copy task session of the VM failed.
    type: bool
    default: false
'''
