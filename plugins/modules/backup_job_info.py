#!/usr/bin/python
# -*- coding: utf-8 -*-
# Module backup_job_info: the jobs Veeam Backup Enterprise Manager knows, as normalised facts with the actions
# each offers and its newest run. Thin glue over module_utils (client, job_lookup, job_info).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: backup_job_info
short_description: Read the jobs of Veeam Backup Enterprise Manager, with their newest run
version_added: 0.1.0
description:
  - Returns the jobs that Veeam Backup Enterprise Manager (EM) knows on all its backup servers (backup, backup copy and
    replication jobs through the EM query service, agent and file share jobs from their own EM collections), as facts
    with snake_case keys, sorted by name and backup server.
  - Per job it tells its type, platform, schedule (enabled, next run), the actions EM offers for it (what
    M(vbr.enterprise_manager.backup_job) can do with it) and its newest run (job session) with its result.
  - On request, the objects each job includes (VMs and VM containers, with their hierarchy reference).
  - Options combine with AND, the values of one list option with OR. Logs on once per task and always logs off.
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
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - vbr.enterprise_manager.attributes
options:
  name:
    description:
      - Job names (compared as EM does, in any letter case). All jobs when not given.
    type: list
    elements: str
  backup_server_name:
    description:
      - Names of the backup servers whose jobs are returned.
    type: list
    elements: str
  id:
    description:
      - Job IDs (GUIDs or V(urn:veeam:Job:<GUID>)). An ID EM does not know fails the task. Not with the other selection
        options.
    type: list
    elements: str
  job_type:
    description:
      - EM job types (any letter case). V(Backup), V(BackupCopy), V(ImmediateBackupCopy) and V(Replica) come from the
        query service, V(AgentBackup) and V(NasBackup) from EM's agent and file share job collections.
    type: list
    elements: str
  schedule_enabled:
    description:
      - Only jobs whose schedule is enabled (V(true)) or disabled (V(false)).
    type: bool
  last_session:
    description:
      - Add RV(jobs[].last_session), the newest run of each job (one EM request per job).
    type: bool
    default: true
  objects:
    description:
      - Add RV(jobs[].objects), what each backup or replication job includes (one EM request per job).
    type: bool
    default: false
notes:
  - Reading jobs needs the EM role Portal Administrator; EM refuses even the read to a Portal User (HTTP 403), and the
    task then fails naming the role.
  - All times returned are UTC in ISO 8601 with six fractional digits and end in V(Z).
  - The password, the EM logon token and the logon session ID never appear in the output, at any verbosity.
  - Connection options work as for M(vbr.enterprise_manager.backup_task_session_info) (C(module_defaults) group
    C(group/vbr.enterprise_manager.enterprise_manager), C(ansible_vbr_em_*) variables, E(VEEAM_EM_*), C(ansible.cfg)).
seealso:
  - module: vbr.enterprise_manager.backup_job
  - name: Enterprise Manager REST API, query of jobs
    description: The fields of the query type Job.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_job.html
'''

EXAMPLES = r'''
# Ad hoc: ansible localhost -m vbr.enterprise_manager.backup_job_info -a 'job_type=Backup schedule_enabled=false'

- name: Jobs whose last run failed
  vbr.enterprise_manager.backup_job_info:
    job_type: [Backup, BackupCopy]
  register: jobs

- name: Show them
  ansible.builtin.debug:
    msg: "{{ jobs.jobs | selectattr('last_session.result', 'defined') | selectattr('last_session.result', 'equalto', 'Failed')
             | map(attribute='name') | list }}"

- name: What one job backs up
  vbr.enterprise_manager.backup_job_info:
    name: SQL Nightly
    backup_server_name: vbr01.example.com
    objects: true
  register: sql_job
'''

RETURN = r'''
jobs:
  description: The selected jobs, sorted by name and backup server.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Job ID (GUID), for M(vbr.enterprise_manager.backup_job)'s O(vbr.enterprise_manager.backup_job#module:id).
      type: str
      sample: 5658281f-625e-4627-89dd-d2a0c48be99e
    uid:
      description: Job UID.
      type: str
      sample: urn:veeam:Job:5658281f-625e-4627-89dd-d2a0c48be99e
    name:
      description: Job name.
      type: str
    href:
      description: EM URL of the job, as EM wrote it.
      type: str
    collection:
      description: The EM collection the job comes from, V(jobs), V(agents/jobs) or V(nas/jobs).
      type: str
    job_type:
      description: EM's JobType (V(Backup), V(BackupCopy), V(ImmediateBackupCopy), V(Replica), V(AgentBackup), V(NasBackup)).
      type: str
    platform:
      description: EM's Platform (V(VMware), V(Hyperv), V(vCloud); backup copy jobs show values such as V(CustomPlatform)).
      type: str
    description:
      description: The job's description.
      type: str
    schedule_configured:
      description: Whether the job has a schedule.
      type: bool
    schedule_enabled:
      description: Whether its schedule is enabled.
      type: bool
    next_run:
      description: Next scheduled run (UTC); null when EM gives none.
      type: str
    backup_server_id:
      description: ID of the job's backup server.
      type: str
    backup_server_name:
      description: Name of the job's backup server.
      type: str
    actions:
      description: The actions EM offers for the job (its action links), for example V(start), V(stop), V(retry), V(sync), V(toggleScheduleEnabled).
      type: list
      elements: str
    last_session:
      description:
        - The newest run of the job, with the keys of M(vbr.enterprise_manager.backup_job)'s RV(vbr.enterprise_manager.backup_job#module:job_session);
          null when it never ran (in EM's history). Only with O(last_session=true).
      type: dict
    objects:
      description: What the job includes (only with O(objects=true)); empty for job kinds without includes.
      type: list
      elements: dict
      contains:
        id:
          description: EM's ObjectInJobId.
          type: str
        name:
          description: Object name.
          type: str
        display_name:
          description: Display name.
          type: str
        hierarchy_ref:
          description: The object's hierarchy reference, for example V(urn:VMware:Vm:<vCenter>.vm-85541).
          type: str
        order:
          description: Position in the job.
          type: int
count:
  description: Number of jobs returned.
  returned: always
  type: int
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient, HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import connection_argument_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_info import JOB_SELECTION, select_jobs
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import build_selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.xml_reader import HAS_XMLTODICT, XMLTODICT_IMPORT_ERROR

SELECTION = ('name', 'backup_server_name', 'job_type', 'schedule_enabled')


def argument_spec():
    spec = connection_argument_spec()
    spec.update(JOB_SELECTION.argument_spec())
    spec.update(
        last_session=dict(type='bool', default=True),
        objects=dict(type='bool', default=False),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[('id', name) for name in SELECTION])
    if not (HAS_REQUESTS and HAS_XMLTODICT):
        module.fail_json(msg=missing_required_lib('requests and xmltodict'), exception=REQUESTS_IMPORT_ERROR or XMLTODICT_IMPORT_ERROR)
    client = None
    error = None
    jobs = []
    log = [] if module._verbosity >= 3 else None
    try:
        selection = build_selection(JOB_SELECTION, module.params, validated=True)
        client = EMClient(module.params, on_secret=module.no_log_values.add, log=None if log is None else log.append)
        with client:
            jobs = select_jobs(client, selection, module.params['last_session'], module.params['objects'])
    except EMError as exc:
        error = exc
    for warning in client.warnings if client is not None else []:
        module.warn(warning)
    extra = {} if log is None else {'_vbr_em_log': log}
    if error is not None:
        module.fail_json(**dict(error.fail_json_kwargs(), **extra))
    module.exit_json(changed=False, jobs=jobs, count=len(jobs), **extra)


if __name__ == '__main__':
    main()
