#!/usr/bin/python
# -*- coding: utf-8 -*-
# Module backup_task_session_info: select backup task sessions from Veeam Backup Enterprise Manager
# and return them as normalised facts. Thin glue over module_utils (client, search, normaliser).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: backup_task_session_info
short_description: Read backup task sessions from Veeam Backup Enterprise Manager
version_added: 0.1.0
description:
  - Answers "what happened to these VMs' backups?" in one task. Selects the backup task sessions (one per VM and job
    run) that Veeam Backup Enterprise Manager (EM) collects from all its backup servers and returns them as facts with
    snake_case keys, newest first, with a summary by result and state.
  - EM does the filtering (options combine with AND, the values of one list option with OR). Every result page is
    read, long lists are split over several queries, and O(limit) cuts explicitly and sets RV(truncated). One logon
    per task, logged off also when the task fails.
  - "Run it where EM is reachable and the Python requirements are installed, usually the controller
    (C(hosts: localhost) or C(delegate_to: localhost))."
author:
  - vbr.enterprise_manager maintainers (@vbr-ansible)
requirements:
  - python >= 3.9
  - requests
  - xmltodict
extends_documentation_fragment:
  - vbr.enterprise_manager.connection
  - vbr.enterprise_manager.selection
  - vbr.enterprise_manager.selection.module
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - vbr.enterprise_manager.attributes
notes:
  - All times returned are UTC in ISO 8601 with six fractional digits and end in V(Z), for example V(2025-09-22T03:41:17.204000Z).
  - EM keeps task sessions for a limited time; older sessions are not found.
  - Every task session EM returns is checked against the options (not O(filter)); one that does not satisfy them is left
    out and named in a warning.
  - The password, the EM logon token and the logon session ID never appear in the output, at any verbosity.
  - "A connection option that the task and C(module_defaults) (group C(group/vbr.enterprise_manager.enterprise_manager))
    leave unset comes, on the controller, from the C(ansible_vbr_em_<option>) variable, then E(VEEAM_EM_<OPTION>), then
    the C(<option>) key of C([vbr_enterprise_manager]) in C(ansible.cfg), as for the
    P(vbr.enterprise_manager.backup_task_session#lookup) lookup (docs/configuration.md of the collection)."
  - C(-vvv) shows where each connection option came from (names only) and one line per EM request, without secrets.
seealso:
  - name: Enterprise Manager REST API, query service
    description: Filter syntax and the fields of backup task sessions.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_backuptasksession.html
'''

EXAMPLES = r'''
# Ad hoc, with the connection from VEEAM_EM_URL / VEEAM_EM_USERNAME / VEEAM_EM_PASSWORD:
#   ansible localhost -m vbr.enterprise_manager.backup_task_session_info -a 'result=Failed since=24h'

- name: Backup results of the last night, from the controller
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/vbr.enterprise_manager.enterprise_manager:
      url: https://em.example.com:9398
      username: 'CORP\svc-ansible'
      password: "{{ vault_em_password }}"
      ca_path: /etc/pki/tls/certs/em-ca.pem
  tasks:
    - name: Failed task sessions of the last 24 hours
      vbr.enterprise_manager.backup_task_session_info:
        result: Failed
        since: 24h
      register: failed

    - name: Show what failed and why
      ansible.builtin.debug:
        msg: "{{ item.vm_name }} in {{ item.job_name }}: {{ item.reason }}"
      loop: "{{ failed.backup_task_sessions }}"
      loop_control:
        label: "{{ item.vm_name }}"

    - name: Newest task session of two VMs, per job type (a backup copy job's session never hides a failed backup)
      vbr.enterprise_manager.backup_task_session_info:
        vm_name:
          - ledgerdb01
          - fileserver02
        latest_per_vm: true
      register: latest

    - name: Gate on their results (the newest backup and the newest copy of each VM)
      ansible.builtin.assert:
        that: latest.backup_task_sessions | rejectattr('result', 'equalto', 'Success') | list | length == 0

    - name: Failed backup copy jobs of the last day
      vbr.enterprise_manager.backup_task_session_info:
        job_type: [BackupCopy, ImmediateBackupCopyWorker]
        result: Failed
        since: 24h
      register: failed_copies

- name: From an inventory host, talking to EM from the controller
  hosts: vmware_vms
  gather_facts: false
  tasks:
    - name: Newest task session of this VM in the last 7 days
      vbr.enterprise_manager.backup_task_session_info:
        vm_name: "{{ inventory_hostname }}"
        since: 7d
        latest_per_vm: true
        fields: [vm_name, result, end_time, reason]
      delegate_to: localhost
      register: vm_backup

- name: More examples (connection from the environment)
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Task sessions by ID (missing ones are listed, not an error)
      vbr.enterprise_manager.backup_task_session_info:
        id:
          - 5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17
          - urn:veeam:BackupTaskSession:6e1f0a92-3c5d-4b78-9e06-7d2a4b8c1f35
      register: by_id

    - name: Wait for the running tasks of one job run, at most 30 minutes
      vbr.enterprise_manager.backup_task_session_info:
        job_session_id: 2c9f41e7-80b3-4a5d-b6e2-95d13f07ac48
        wait: true
        wait_timeout: 1800
        wait_sleep: 30
      register: job_run

    - name: Large sessions of two jobs in a fixed window, with a raw EM filter
      vbr.enterprise_manager.backup_task_session_info:
        job_name: [Nightly SQL, SQL Backup]
        since: "2025-08-15T00:00:00Z"
        until: "2025-08-16T00:00:00Z"
        filter: TotalSize>107374182400
        limit: 100
      register: big
'''

RETURN = r'''
backup_task_sessions:
  description:
    - The selected task sessions, newest first (by RV(backup_task_sessions[].creation_time)).
    - Every item has all the keys below, unless O(fields) chose some.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Task session ID (GUID), for O(id) or the EM URL C(/api/backupTaskSessions/<id>).
      type: str
      sample: 5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17
    uid:
      description: Task session UID.
      type: str
      sample: urn:veeam:BackupTaskSession:5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17
    name:
      description: EM display name, C(<VM name>@<UTC start>). Display text only; use RV(backup_task_sessions[].creation_time).
      type: str
      sample: web-front03@2025-09-22 03:41:17
    href:
      description: EM URL of the task session entity, as EM wrote it (with EM's own host name).
      type: str
      sample: https://em.example.com:9398/api/backupTaskSessions/5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17?format=Entity
    vm_name:
      description: Name of the VM (or other object) the task processed.
      type: str
      sample: web-front03
    vm_uid:
      description: EM UID of the VM; null on EM versions that do not report it.
      type: str
      sample: urn:VMware:Vm:4f2b8e61-c0d9-4a37-b815-6e9d02a7c3fb.vm-4127
    job_name:
      description: Name of the backup job (the job session name before its last C(@)).
      type: str
      sample: Web Tier Daily
    job_session_id:
      description: ID (GUID) of the job session (job run) the task belongs to.
      type: str
      sample: 2c9f41e7-80b3-4a5d-b6e2-95d13f07ac48
    job_session_uid:
      description: UID of the job session.
      type: str
      sample: urn:veeam:BackupJobSession:2c9f41e7-80b3-4a5d-b6e2-95d13f07ac48
    job_session_name:
      description: EM display name of the job session, C(<job name>@<UTC start>).
      type: str
      sample: Web Tier Daily@2025-09-22 03:40:02
    job_type:
      description:
        - C(JobType) of the job session, which EM does not report on the task session itself. V(Backup),
          V(BackupCopy), V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker), V(AgentBackup), V(AgentManagement) or
          V(NasBackup); other values EM may send are passed through; null when EM did not return the job session (a warning
          names such task sessions).
        - The three copy types are backup copy jobs, whose task sessions copy restore points made by other jobs (they show
          V(Success) with RV(backup_task_sessions[].total_size) V(0)); every other type is a primary backup.
        - Read with one EM query of the job sessions of the selected time window (plus one per few dozen job sessions that
          started before it), or by their IDs for a selection by ID.
      type: str
      sample: Backup
    is_retry:
      description: Whether the job session is a retry of a failed run (C(IsRetry)); null when EM did not say.
      type: bool
      sample: false
    backup_server_id:
      description: ID of the backup server that ran the task, as known to EM.
      type: str
      sample: 9e04b6d3-1f7a-4c82-a5d9-3b68e2c0f471
    backup_server_name:
      description: Name of that backup server.
      type: str
      sample: vbr-west.corp.example
    creation_time:
      description:
        - Start of the task in UTC, ISO 8601 with exactly six fractional digits and V(Z) (C(YYYY-MM-DDTHH:MM:SS.ffffffZ)).
        - The width is fixed, so sorting these strings sorts the times.
      type: str
      sample: '2025-09-22T03:41:17.204000Z'
    end_time:
      description: End of the task, in the same fixed-width form as RV(backup_task_sessions[].creation_time); null while the task runs.
      type: str
      sample: '2025-09-22T03:42:16.924000Z'
    duration_seconds:
      description: Seconds from start to end, never negative; null while the task runs.
      type: float
      sample: 59.72
    state:
      description: V(InProgress), V(Pending) or V(Completed); other values EM may send are passed through.
      type: str
      sample: Completed
    result:
      description:
        - V(Success), V(Warning) or V(Failed) once the task has ended; the string V(None) (as EM sends it) while it runs.
        - Other values are passed through.
      type: str
      sample: Success
    reason:
      description: Warning or failure text, verbatim; an empty string when there is none.
      type: str
      sample: ''
    total_size:
      description: Size in bytes EM reports for the task (V(0) for failed tasks).
      type: int
      sample: 9663676416
    restore_point_id:
      description: ID of the VM restore point the task created; null when none was created.
      type: str
      sample: d6c2a815-4e9f-4b03-8c7a-0f51e93b26d4
count:
  description: Number of task sessions in RV(backup_task_sessions).
  returned: always
  type: int
  sample: 1
missing_ids:
  description:
    - The values of O(id) that matched no returned task session (unknown to EM, expired, or excluded by the other
      options), as given.
  returned: always
  type: list
  elements: str
  sample: ['6e1f0a92-3c5d-4b78-9e06-7d2a4b8c1f35']
unmatched:
  description:
    - The values of O(vm_name), O(job_name) and O(backup_server_name) that match no selected task session (within the
      other options), as given, per option; one warning names them. Only the options given are keys; an empty dict
      without them.
    - Names are compared as a case-insensitive EM compares them (any letter case, full-width letters as ASCII, trailing
      spaces ignored); a O(job_name) of a backup copy job also matches the sessions of its workers (C(<copy job>\<source job>)).
    - A value that matched a session O(limit) then left out is matched, not listed.
    - An option is left out (its names unknown, not unmatched) when the reading stopped before the last page for it, so
      that a name cut off is never reported as absent. That is when O(limit) stopped the reading (RV(truncated) is then
      true); for O(job_name) and O(backup_server_name), also when O(latest_per_vm) with O(vm_name) stopped reading once
      every named VM was seen. It is left out too when EM sent a selected session without that name.
  returned: always
  type: dict
  sample: {vm_name: [DC05], job_name: []}
truncated:
  description: True when O(limit) left out selected task sessions.
  returned: always
  type: bool
  sample: false
summary:
  description: Counts of RV(backup_task_sessions) by result and by state.
  returned: always
  type: dict
  contains:
    by_result:
      description:
        - Count per result. V(Success), V(Warning) and V(Failed) are always present; other values as they occur.
        - Running sessions, whose result EM reports as V(None), are counted under the key V(None) (a string); a session without any result is counted there too.
      type: dict
      sample: {Success: 1, Warning: 0, Failed: 0}
    by_state:
      description: Count per state. V(InProgress), V(Pending) and V(Completed) are always present; other values as they occur.
      type: dict
      sample: {InProgress: 0, Pending: 0, Completed: 1}
'''

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.info_module import module_argument_spec, run_info_module
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import selection_argument_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection


def argument_spec():
    return module_argument_spec(selection_argument_spec())


def main():
    run_info_module(argument_spec(), lambda params: task_session_selection(params, validated=True), search_task_sessions)


if __name__ == '__main__':
    main()
