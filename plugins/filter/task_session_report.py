# -*- coding: utf-8 -*-
# Filter task_session_report: turns backup_task_session_info facts into the data of the compliance
# report (summary, per-VM compliance, failed sessions, per-day counts, per job/VM rows, chart geometry).
# Thin glue: the computation is plugin_utils/session_report.py; its input errors become filter errors.
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
  - Every VM in O(required_vms) gets its verdict (the collection's C(docs/verdict.md)), the same code as
    M(vbr.enterprise_manager.backup_vm_info) and the P(vbr.enterprise_manager.backup_vms#inventory) inventory. It is compliant
    when it is protected. Given O(verdicts) (the result of M(vbr.enterprise_manager.backup_vm_info) for those VMs, which
    read their restore points) the compliance is that result; else the VMs are judged here on the sessions given, as of
    the report time, without restore points. VM names are compared as a case-insensitive EM compares them.
  - Only a VM's primary backups count for compliance. Sessions whose C(job_type) is a backup copy type (V(BackupCopy),
    V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker)) never make a VM compliant; they are reported beside the
    backups (C(copies), C(latest_copy_session)), and a failed one is a failed session. Sessions without a C(job_type)
    count as primary backups.
  - Sessions whose result is in O(fail_on_results) are listed as failed sessions; with O(fail_on_latest_only=true)
    only the newest finished session of each VM in each job counts, so a failure that a later retry fixed does not.
  - The report passes when no required VM is out of compliance and, without O(required_vms) (or with
    O(gate_on_failed_sessions=true)), there is no failed session. With O(required_vms) the failed sessions of the other
    VMs are reported but do not fail it.
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
  all_sessions:
    description:
      - Also return every session (C(sessions), newest first). Off by default, because at large sizes that list is
        most of the data (about 1 KB per session) and Ansible pays for every value of a fact it carries from task to
        task; the counts (C(summary), C(per_day), C(jobs)) and the detail of what needs attention (C(compliance),
        C(failed_sessions), the newest problem of each VM in C(jobs)) are there either way.
    type: bool
    default: false
  verdicts:
    description:
      - The registered result of M(vbr.enterprise_manager.backup_vm_info) for O(required_vms), every required VM in it. It
        is then the compliance of those VMs, restore points included.
    type: dict
  gate_on_failed_sessions:
    description: With O(required_vms), also fail on the failed sessions of VMs that are not required.
    type: bool
    default: false
  warn:
    description:
      - Also emit every entry of C(warnings) (for example a window that starts less than O(max_age) before the
        report time) as an Ansible warning of the task that uses the filter.
    type: bool
    default: false
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
      C(compliant_vms), C(out_of_compliance_vms), C(out_of_compliance), C(failed_sessions), C(truncated), C(copy_sessions),
      C(failed_copy_sessions), C(by_status)),
      C(compliance) (one entry per required VM, out-of-compliance VMs first, with C(vm_name), C(compliant), C(status)
      (V(ok), V(warning), V(failed), V(running), V(stale), V(no_restore_point) or V(never)), C(reason), C(copy_failed),
      C(last_success_time), C(last_success_age_seconds), C(last_restore_point_time), C(latest_session) (the newest primary
      backup session) and C(latest_copy_session) (the newest backup copy session, or null)), C(failed_sessions) (newest
      first), C(gate_failed_sessions) (those the gate judges), C(copies) (the newest backup copy session per
      copy job and VM, failures first, with C(job_name), C(vm_name), C(job_type) and C(latest)), C(per_day) (C(date),
      C(Success), C(Warning), C(Failed), C(Other), C(total) for every UTC day of the window), C(jobs) (per job, then
      per VM, failures first, with counts, the C(latest) and C(latest_finished) sessions and the newest session that
      did not succeed, C(last_problem)), C(sessions)
      (all sessions, newest first; only with O(all_sessions=true)), C(warnings), C(generated_at), C(as_of), C(window), C(filters), C(settings) and
      C(chart) (SVG geometry of the per-day chart, for the HTML template).
  type: dict
'''

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.report_input import flag
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.session_report import build_report

display = Display()


def task_session_report(data, *args, **kwargs):
    """The filter: build_report() (see RETURN), a bad input as an AnsibleFilterError; with warn, its warnings as Ansible's."""
    try:
        warn = flag(kwargs.pop('warn', False), 'warn')
        report = build_report(data, *args, **kwargs)
    except EMInputError as exc:
        # from None: an expected error needs no chained traceback at -vvv, only its message
        raise exc.to_ansible_error(AnsibleFilterError) from None
    if warn:
        # In a task, ansible-core 2.19+ attaches these to the task's result ([WARNING] after it); 2.16-2.18
        # print them from the controller process. Identical texts are shown once.
        for warning in report['warnings']:
            display.warning('task_session_report: %s' % warning)
    return report


class FilterModule(object):
    """The task_session_report filter."""

    def filters(self):
        return {'task_session_report': task_session_report}
