#!/usr/bin/python
# -*- coding: utf-8 -*-
# Module restore_point_info: select VM and agent restore points from Veeam Backup Enterprise Manager and
# return them as normalised facts. Thin glue over module_utils (client, restore point queries, facts).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: restore_point_info
short_description: Read VM and agent restore points from Veeam Backup Enterprise Manager
version_added: 0.1.0
description:
  - Answers "which restore points exist now for these machines?" in one task.
  - A successful backup task session does not prove that a restore point exists today (retention removes old points, a
    backup copy job's task makes none, a backup can be deleted from disk); the restore points themselves do.
  - Selects VM restore points (EM C(VmRestorePoint)) and restore points of Veeam Agent backups of physical computers
    (C(AgentRestorePoint)) through the EM REST API query service, and returns them as facts with snake_case keys, newest
    first, with a summary.
  - Every selection option is turned into an EM query filter, so EM does the filtering; options combine with AND, the
    values of one list option with OR. A long O(vm_name) list is split over several queries, never one per VM.
  - Every restore point EM returns is checked against the options again; one that does not satisfy them is left out and
    named in a warning.
  - Logs on once per task and always logs off, also when the task fails.
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
  - vbr.enterprise_manager.restore_point
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - vbr.enterprise_manager.attributes
notes:
  - All times returned are UTC in ISO 8601 with six fractional digits and end in V(Z), for example V(2025-09-22T03:41:31.204000Z).
  - EM filters the point type as C(Type) (the entity calls it C(PointType)), VM restore points by C(VmDisplayName) (C(VmName) is
    no query field) and agent restore points by C(ComputerName); the module sends those names.
  - Names compare as EM's SQL Server collation does (any letter case, trailing spaces ignored).
  - The password, the EM logon token and the logon session ID never appear in the output, at any verbosity.
  - Connection options can be set once for all modules of the collection with
    C(module_defaults) and the group C(group/vbr.enterprise_manager.enterprise_manager).
  - "Each connection option the task (or C(module_defaults)) leaves unset is taken, on the controller, from the first of:
    the C(ansible_vbr_em_<option>) variable, the E(VEEAM_EM_<OPTION>) variable of the controller's environment (with the
    task's C(environment) keyword applied), the C(<option>) key of the C([vbr_enterprise_manager]) section of C(ansible.cfg),
    as for M(vbr.enterprise_manager.backup_task_session_info)."
  - With C(-vvv) the task shows where each connection option came from (names only) and one line per EM request.
seealso:
  - module: vbr.enterprise_manager.backup_task_session_info
  - name: Enterprise Manager REST API, VM restore points
    description: The query fields of VmRestorePoint.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_vmrestorepoint.html
  - name: Enterprise Manager REST API, agent restore points
    description: The query fields of AgentRestorePoint.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_agentrestorepoint.html
'''

EXAMPLES = r'''
# Ad hoc, with the connection from VEEAM_EM_URL / VEEAM_EM_USERNAME / VEEAM_EM_PASSWORD:
#   ansible localhost -m vbr.enterprise_manager.restore_point_info -a 'vm_name=ledgerdb01 latest_per_vm=true'

- name: Restore points before patching
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/vbr.enterprise_manager.enterprise_manager:
      url: https://em.example.com:9398
      username: 'CORP\svc-ansible'
      password: "{{ vault_em_password }}"
      ca_path: /etc/pki/tls/certs/em-ca.pem
  tasks:
    - name: Newest restore point of two VMs and one physical server
      vbr.enterprise_manager.restore_point_info:
        vm_name: [ledgerdb01, fileserver02, PHYS-SQL01]
        latest_per_vm: true
      register: newest

    - name: Which of them has no restore point of the last 24 hours (misspelled, never backed up, or removed)
      vbr.enterprise_manager.restore_point_info:
        vm_name: [ledgerdb01, fileserver02, PHYS-SQL01]
        since: 24h
        latest_per_vm: true
      register: recent

    - name: Every one has a recent restore point
      ansible.builtin.assert:
        that: recent.unmatched == []
        fail_msg: "No restore point of the last 24 hours: {{ recent.unmatched | join(', ') }}"

    - name: Full restore points of one backup server in a fixed window
      vbr.enterprise_manager.restore_point_info:
        kind: vm
        backup_server_name: vbr-west.corp.example
        point_type: Full
        since: "2025-09-01T00:00:00Z"
        until: "2025-09-08T00:00:00Z"
      register: fulls

    - name: The 20 newest agent restore points
      vbr.enterprise_manager.restore_point_info:
        kind: agent
        limit: 20
      register: agent_points
'''

RETURN = r'''
restore_points:
  description: The selected restore points, newest first (by RV(restore_points[].creation_time)).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Restore point ID (GUID), as in the EM URL C(/api/vmRestorePoints/<id>) or C(/api/agents/agentRestorePoints/<id>).
      type: str
      sample: d6c2a815-4e9f-4b03-8c7a-0f51e93b26d4
    uid:
      description: Restore point UID, C(urn:veeam:VmRestorePoint:<id>) or C(urn:veeam:AgentRestorePoint:<id>).
      type: str
      sample: urn:veeam:VmRestorePoint:d6c2a815-4e9f-4b03-8c7a-0f51e93b26d4
    kind:
      description: V(vm) for a VM restore point, V(agent) for one of a Veeam Agent backup.
      type: str
      sample: vm
    name:
      description: EM display name, C(<machine>@<UTC time>). Display text only; use RV(restore_points[].creation_time).
      type: str
      sample: ledgerdb01@2025-09-22 03:41:31
    vm_name:
      description:
        - The VM's name as EM displays it (C(VmDisplayName)), the name task sessions carry too.
        - For an agent restore point, the computer's name (the point's name before its C(@)).
      type: str
      sample: ledgerdb01
    creation_time:
      description:
        - When the restore point was created, UTC, ISO 8601 with exactly six fractional digits and V(Z).
        - The width is fixed, so sorting these strings sorts the times.
      type: str
      sample: '2025-09-22T03:41:31.204000Z'
    point_type:
      description: V(Full), V(Increment) or V(ReverseIncrement) (EM C(PointType)); other values EM may send are passed through.
      type: str
      sample: Increment
    algorithm:
      description: The backup method that made it, V(Full), V(Incremental), V(ReversedIncremental) or V(SyntheticFull).
      type: str
      sample: Incremental
    hierarchy_ref:
      description:
        - The VM's reference in the virtual infrastructure (C(HierarchyObjRef)), the same as in job includes and EM's
          lookup service, for example C(urn:VMware:Vm:<vCenter>.vm-<n>).
        - Null for agent restore points.
      type: str
      sample: urn:VMware:Vm:4f2b8e61-c0d9-4a37-b815-6e9d02a7c3fb.vm-4127
    backup_server_name:
      description: Name of the backup server that holds the restore point.
      type: str
      sample: vbr-west.corp.example
    backup_server_id:
      description: ID of that backup server, as known to EM.
      type: str
      sample: 9e04b6d3-1f7a-4c82-a5d9-3b68e2c0f471
    restore_point_id:
      description: ID of the backup restore point of the job run that holds this machine's point (EM C(/api/restorePoints/<id>)); null when EM gives none.
      type: str
      sample: 2c9f41e7-80b3-4a5d-b6e2-95d13f07ac48
    backup_file_id:
      description: ID of the backup file (C(.vbk), C(.vib) or C(.vrb)) that holds it (EM C(/api/backupFiles/<id>)); null when EM gives none.
      type: str
      sample: 0f51e93b-26d4-4e9f-8c7a-d6c2a8154b03
count:
  description: Number of restore points in RV(restore_points).
  returned: always
  type: int
  sample: 1
unmatched:
  description:
    - The values of O(vm_name) that match no selected restore point, as given; one warning names them.
    - Empty when O(limit) stopped the reading (RV(truncated) is then true), as those names are not known to be absent.
  returned: always
  type: list
  elements: str
  sample: [ledgerdb02]
truncated:
  description: True when O(limit) left out selected restore points.
  returned: always
  type: bool
  sample: false
summary:
  description: Counts of RV(restore_points) by kind and by point type.
  returned: always
  type: dict
  contains:
    by_kind:
      description: Count per kind; V(vm) and V(agent) are always present.
      type: dict
      sample: {vm: 1, agent: 0}
    by_point_type:
      description: Count per point type; V(Full), V(Increment) and V(ReverseIncrement) are always present, other values as they occur.
      type: dict
      sample: {Full: 0, Increment: 1, ReverseIncrement: 0}
'''

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.info_module import module_argument_spec, run_info_module
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_options import RESTORE_POINT_SELECTION
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_search import select_restore_points
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import build_selection


def argument_spec():
    return module_argument_spec(RESTORE_POINT_SELECTION.argument_spec())


def main():
    run_info_module(argument_spec(),
                    lambda params: build_selection(RESTORE_POINT_SELECTION, params, validated=True), select_restore_points)


if __name__ == '__main__':
    main()
