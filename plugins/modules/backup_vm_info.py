#!/usr/bin/python
# -*- coding: utf-8 -*-
# Module backup_vm_info: the verdict per VM ("is it backed up well enough to patch?") from Veeam Backup
# Enterprise Manager's task sessions and restore points. Thin glue over module_utils (backup_vm_search.py).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: backup_vm_info
short_description: Whether VMs are backed up well enough to patch, from Veeam Backup Enterprise Manager
version_added: 0.1.0
description:
  - Answers "is this VM safe to patch?" for each VM named (or every VM backed up in the window), with one verdict
    per VM, C(vms[name].protected) and one C(vms[name].status), with the reason in one line.
  - The verdict is the same code as the P(vbr.enterprise_manager.backup_vms#inventory) inventory's C(vbr_em) variable and
    state groups and the compliance of the C(vbr.enterprise_manager.task_session_report) role, so all three agree.
  - 'A VM is judged by its primary backup task sessions of the window (backup copy jobs never count as its backup) and by
    its newest restore point: status V(ok) (protected), V(warning) (protected only with O(allow_warning=true)), V(failed),
    V(running), V(stale), V(no_restore_point) or V(never); C(vms[name].copy_failed) tells about its backup copies. The table of
    the statuses, their precedence and what each holds is in the collection''s C(docs/verdict.md).'
  - A name that matches no task session of the window (misspelled, new, or in no job) is V(never) and in RV(unprotected),
    never left out. So C(assert that unprotected == []) with O(vm_name="{{ ansible_play_hosts }}") gates a play on every
    one of its hosts.
  - Logs on once and always logs off. The task sessions of the named VMs are read with OR'd name filters, as many names per
    request as fit in a URL, and the restore points likewise, only for the VMs whose task sessions would protect them;
    never one request per VM. Without O(vm_name), the restore points created within O(max_age) are read without name
    filters, one query per kind (fewer requests when every VM is judged).
  - "Run it where EM is reachable and the Python requirements are installed, usually the controller
    (C(delegate_to: localhost) and C(run_once: true) for all hosts of a play)."
author:
  - vbr.enterprise_manager maintainers (@vbr-ansible)
requirements:
  - python >= 3.9
  - requests
  - xmltodict
extends_documentation_fragment:
  - vbr.enterprise_manager.connection
  - vbr.enterprise_manager.verdict
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - vbr.enterprise_manager.attributes
notes:
  - All times returned are UTC in ISO 8601 and end in V(Z).
  - The connection options are those of M(vbr.enterprise_manager.backup_task_session_info), from the same sources, and
    C(module_defaults) of the group C(group/vbr.enterprise_manager.enterprise_manager) sets them for both.
  - The password, the EM logon token and the logon session ID never appear in the output, at any verbosity. With C(-vvv)
    the task shows one line per EM request.
seealso:
  - module: vbr.enterprise_manager.backup_task_session_info
  - plugin: vbr.enterprise_manager.backup_vms
    plugin_type: inventory
  - name: Enterprise Manager REST API, VM restore points
    description: The query of VM restore points the verdict reads.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_vmrestorepoint.html
'''

EXAMPLES = r'''
# The gate of a patch play: every host of the play must be protected, or nothing is patched.
- name: Patch only VMs that are backed up
  hosts: linux_web
  gather_facts: false
  serial: 0
  pre_tasks:
    - name: Judge the backups of the play's hosts (one EM logon for all of them)
      vbr.enterprise_manager.backup_vm_info:
        vm_name: "{{ ansible_play_hosts }}"
        max_age: 24h
      delegate_to: localhost
      run_once: true
      register: backups

    - name: Stop unless every host is protected
      ansible.builtin.assert:
        that: backups.unprotected == []
        fail_msg: "Not safe to patch: {{ backups.unprotected | map('extract', backups.vms) | map(attribute='reason')
                   | zip(backups.unprotected) | map('reverse') | map('join', ': ') | join('; ') }}"
      run_once: true
  tasks:
    - name: Patch
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} was backed up at {{ backups.vms[inventory_hostname].last_success_time }}"

# Per host instead: skip the hosts that are not protected and patch the others.
- name: Patch what is protected, skip the rest
  hosts: linux_web
  gather_facts: false
  tasks:
    - name: Judge the backups of the play's hosts
      vbr.enterprise_manager.backup_vm_info:
        vm_name: "{{ ansible_play_hosts }}"
      delegate_to: localhost
      run_once: true
      register: backups

    - name: End the play for hosts that are not protected
      ansible.builtin.meta: end_host
      when: not backups.vms[inventory_hostname].protected

# Every VM backed up in the last 3 days, with a failed backup copy counting as unprotected.
- name: Estate overview
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Judge every VM of the window
      vbr.enterprise_manager.backup_vm_info:
        since: 3d
        max_age: 36h
        fail_on_copy: true
      register: estate

    - name: Counts per status
      ansible.builtin.debug:
        var: estate.counts
'''

RETURN = r'''
vms:
  description:
    - The verdict of each VM, by the name given in O(vm_name) (spelled as given), or by the VM's name as EM displays it
      when O(vm_name) is left out; so C(vms[inventory_hostname].protected) works in a play.
    - When one name is several VMs (two vCenters), its verdict is the worst of them and C(vms[name].vm_uids) lists them.
  returned: always
  type: dict
  contains:
    protected:
      description: Whether the VM is safe to patch (status V(ok), or V(warning) with O(allow_warning=true)).
      type: bool
      sample: true
    status:
      description:
        - One of V(ok), V(warning), V(failed), V(running), V(stale), V(no_restore_point), V(never) (C(docs/verdict.md)
          defines each and their precedence).
      type: str
      sample: ok
    copy_failed:
      description: Whether the newest finished backup copy task session of the VM failed (reported beside C(vms[name].status)).
      type: bool
      sample: false
    reason:
      description: One line saying why, with the job, the start time and its age, and EM's reason text (shortened).
      type: str
      sample: 'the newest backup (job Nightly SQL started 2025-09-22T03:41:17Z (5h 2m ago)) succeeded; restore point created 2025-09-22T03:42:01Z (5h 1m ago)'
    vm_name:
      description: The VM's name as EM displays it (the name given when nothing matched).
      type: str
      sample: sql01
    vm_uid:
      description: The EM UID of the VM judged; null when EM reports none or nothing matched.
      type: str
      sample: urn:VMware:Vm:4f2b8e61-c0d9-4a37-b815-6e9d02a7c3fb.vm-4127
    vm_uids:
      description: The EM UIDs of every VM of this name (more than one when two vCenters have a VM of the name).
      type: list
      elements: str
      sample: [urn:VMware:Vm:4f2b8e61-c0d9-4a37-b815-6e9d02a7c3fb.vm-4127]
    last_success_time:
      description:
        - Start of the newest finished primary backup task session that ended with V(Success) (or V(Warning) with
          O(allow_warning=true)); null when none.
      type: str
      sample: '2025-09-22T03:41:17.204000Z'
    age_seconds:
      description: Seconds since C(vms[name].last_success_time); null without one.
      type: int
      sample: 18120
    last_restore_point_time:
      description:
        - Creation time of the VM's newest restore point; null when it has none, and when restore points were not read for it
          (O(require_restore_point=false), or its task sessions do not protect it).
      type: str
      sample: '2025-09-22T03:42:01.000000Z'
    latest:
      description: The newest primary backup task session of the VM (the facts of M(vbr.enterprise_manager.backup_task_session_info)); null for V(never).
      type: dict
    latest_copy:
      description: The newest backup copy task session of the VM, or null.
      type: dict
    restore_point:
      description: The facts of the newest restore point (see C(vms[name].last_restore_point_time)), or null.
      type: dict
unprotected:
  description: The names of RV(vms) that are not protected, in the order of O(vm_name) (sorted without it).
  returned: always
  type: list
  elements: str
  sample: [sql-prod-01x, web07]
copy_failed:
  description: The names of RV(vms) whose newest finished backup copy task session failed.
  returned: always
  type: list
  elements: str
  sample: []
counts:
  description: The number of RV(vms) per status, every status present.
  returned: always
  type: dict
  sample: {ok: 40, warning: 2, failed: 1, running: 0, stale: 1, no_restore_point: 0, never: 1}
count:
  description: The number of RV(vms).
  returned: always
  type: int
  sample: 45
settings:
  description: What the verdicts were judged by; times UTC.
  returned: always
  type: dict
  sample: {since: '2025-09-15T09:00:00Z', as_of: '2025-09-22T09:00:00.311000Z', max_age_seconds: 86400, allow_warning: true,
           require_restore_point: true, fail_on_copy: false}
'''

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.backup_vm_search import read_vm_verdicts
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.info_module import module_argument_spec, run_info_module
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict_options import VERDICT_SELECTION, verdict_selection


def argument_spec():
    return module_argument_spec(VERDICT_SELECTION.argument_spec())


def main():
    run_info_module(argument_spec(), lambda params: verdict_selection(params, validated=True), read_vm_verdicts)


if __name__ == '__main__':
    main()
