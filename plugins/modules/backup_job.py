#!/usr/bin/python
# -*- coding: utf-8 -*-
# Module backup_job: start, stop or retry a job through Veeam Backup Enterprise Manager, enable or disable its
# schedule, and wait for the run. Thin glue over module_utils (client, job_lookup, job_control).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: backup_job
short_description: Start, stop or retry a backup job through Veeam Backup Enterprise Manager and wait for the run
version_added: 0.1.0
description:
  - Starts, stops or retries a job (backup, backup copy, agent or file share job) that Veeam Backup Enterprise Manager (EM)
    knows, enables or disables its schedule, and with O(wait=true) follows the run until it ends and returns it with its
    task sessions, as M(vbr.enterprise_manager.backup_task_session_info) returns them.
  - The job is found by O(name) (with O(backup_server_name) when several backup servers have a job of that name) or by O(id).
  - Idempotent. O(state=started) on a job that runs returns that run with C(changed=false) (unless O(force=true));
    O(state=stopped) on a job that does not run is C(changed=false); O(schedule_enabled) reads the schedule first and
    toggles it only when it differs (EM's action is a toggle).
  - Every action is sent through the job's own action link, so the actions a job has are the ones EM offers for it. A
    backup copy job has no start action and starts with EM's sync action; it has no stop or retry action through EM.
  - EM answers an action with a task that only says the action was triggered and does not name the run it made. The
    module finds the run itself among the job's runs (job sessions) that did not exist before the action, by EM's clock.
    A run that started before the action was answered (most likely by the job's schedule) is named in a warning and in
    RV(concurrent_job_sessions), not taken silently; when EM refused the start because such a run had just begun, that
    run is returned with C(changed=false).
  - An action request that may have reached EM is never sent twice. When the connection fails while it is sent, the job's
    runs are read to see whether it took.
  - A long wait survives the expiry of the EM logon session (15 minutes idle), because the client logs on again and finds
    the run by its ID. Logs on once per task and always logs off, also when the task fails or is interrupted (Ctrl-C).
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
      - Name of the job, as EM shows it (compared as EM does, in any letter case).
      - Job names repeat across backup servers; when several match, the task fails listing their backup servers.
      - Exactly one of O(name) and O(id) is required.
    type: str
  backup_server_name:
    description:
      - Name of the backup server the job belongs to, to tell apart jobs of the same name. Only with O(name).
    type: str
  id:
    description:
      - ID of the job, as a GUID or as its UID V(urn:veeam:Job:<GUID>) (RV(vbr.enterprise_manager.backup_job_info#module:jobs[].id) of
        M(vbr.enterprise_manager.backup_job_info)).
    type: str
  state:
    description:
      - V(started) runs the job (a backup copy job is synced); a job that runs already is left alone
        (C(changed=false)) unless O(force=true).
      - V(stopped) stops the job's running run; a job that does not run is C(changed=false).
      - V(retried) retries the job's last run, which must have ended with V(Failed) (EM retries only such a run);
        a retry that runs already is C(changed=false).
      - Omit it to only change O(schedule_enabled).
    type: str
    choices: [started, stopped, retried]
  schedule_enabled:
    description:
      - Whether the job's schedule should be enabled. Read first; toggled only when it differs.
      - Applied before O(state).
    type: bool
  force:
    description:
      - With O(state=started) or O(state=retried), send the action even when the job runs already. EM then decides
        (it refuses to run a job twice, which fails the task with its message).
    type: bool
    default: false
  wait:
    description:
      - Follow the run the action made (or the running run that O(state=started) found) until EM says it has ended
        (V(Stopped)), reading it every O(wait_sleep) seconds, then return it with its task sessions.
      - Without it the task returns as soon as EM shows the new run (or after O(wait_timeout), at most 60 seconds, with an error).
      - With O(state=stopped) it follows the stopped run until it has ended.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true); then the task fails naming the run, which goes on in EM.
    type: int
    default: 3600
  wait_sleep:
    description:
      - Seconds between the reads of the run with O(wait=true). While looking for the run an action made, the job's runs
        are read every O(wait_sleep) seconds, at most every 2 seconds.
    type: int
    default: 15
  fail_on:
    description:
      - Fail the task when the run it returns ended with one of these results. By default a run that failed is reported,
        in RV(job_session.result), without failing the task.
    type: list
    elements: str
    choices: [Warning, Failed]
    default: []
attributes:
  check_mode:
    support: full
    details: Reads the job and its runs and reports what it would do (C(changed), RV(action)); it sends no action.
notes:
  - Starting, stopping and retrying jobs needs the EM role Portal Administrator. A Portal User cannot even read jobs (EM
    answers 403); the task then fails naming the role. A Portal User may quick-backup VMs.
  - All times returned are UTC in ISO 8601 with six fractional digits and end in V(Z).
  - The password, the EM logon token and the logon session ID never appear in the output, at any verbosity.
  - Connection options can be set once for all modules of the collection with C(module_defaults) and the group
    C(group/vbr.enterprise_manager.enterprise_manager); unset ones come, on the controller, from the
    C(ansible_vbr_em_<option>) variables, the E(VEEAM_EM_<OPTION>) environment variables and the
    C([vbr_enterprise_manager]) section of C(ansible.cfg), as for M(vbr.enterprise_manager.backup_task_session_info).
  - With C(-vvv) the task shows where each connection option came from (names only) and one line per EM request.
seealso:
  - module: vbr.enterprise_manager.backup_job_info
  - module: vbr.enterprise_manager.backup_task_session_info
  - name: Enterprise Manager REST API, starting a job
    description: The job actions and the task they answer with.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/post_jobs_id_actionstart.html
'''

EXAMPLES = r'''
# Ad hoc, with the connection from VEEAM_EM_URL / VEEAM_EM_USERNAME / VEEAM_EM_PASSWORD:
#   ansible localhost -m vbr.enterprise_manager.backup_job -a 'name="SQL Nightly" state=started wait=true'

- name: Run a job now and wait for its result
  vbr.enterprise_manager.backup_job:
    name: SQL Nightly
    backup_server_name: vbr01.example.com
    state: started
    wait: true
    wait_timeout: 7200
    wait_sleep: 30
  register: run

- name: Show the VMs that did not succeed
  ansible.builtin.debug:
    msg: "{{ run.backup_task_sessions | rejectattr('result', 'equalto', 'Success') | map(attribute='vm_name') | list }}"

- name: Retry the job that failed last night, failing the task when the retry fails too
  vbr.enterprise_manager.backup_job:
    name: SQL Nightly
    state: retried
    wait: true
    fail_on: [Failed]

- name: Start the copy job after the backup (a backup copy job is synced)
  vbr.enterprise_manager.backup_job:
    name: Offsite Copy
    state: started

- name: Pause the schedule of a job during maintenance
  vbr.enterprise_manager.backup_job:
    id: 5658281f-625e-4627-89dd-d2a0c48be99e
    schedule_enabled: false

- name: Stop a job that runs (nothing happens when it does not)
  vbr.enterprise_manager.backup_job:
    name: SQL Nightly
    state: stopped
    wait: true
'''

RETURN = r'''
job:
  description: The job, as M(vbr.enterprise_manager.backup_job_info) returns it (after a schedule change, read again).
  returned: always
  type: dict
  sample: {id: 5658281f-625e-4627-89dd-d2a0c48be99e, name: SQL Nightly, job_type: Backup, schedule_enabled: true,
           actions: [edit, start, stop, retry, clone, toggleScheduleEnabled], backup_server_name: vbr01.example.com}
action:
  description:
    - The job action the task sent (or would send in check mode) for O(state), as EM names it (V(start), V(sync), V(stop),
      V(retry)); null when the job was already as asked.
  returned: always
  type: str
  sample: start
actions_sent:
  description: Every action the task sent to EM, in order (V(toggleScheduleEnabled) included). Empty in check mode.
  returned: always
  type: list
  elements: str
  sample: [toggleScheduleEnabled, start]
task:
  description:
    - The EM task of the last action sent (null when none was sent). Its C(success) only says whether EM triggered the
      action, not how the run went. Its C(message) is EM's text, which differs between EM versions.
  returned: always
  type: dict
  sample: {id: task-1, state: Finished, operation: StartJob, success: true, message: 'Job "SQL Nightly" triggered to start.'}
job_session:
  description:
    - The run (job session) of the job the task is about; null when there is none (a job that never ran, check mode of
      a start).
    - For V(started) and V(retried) the run the action made (or the running run that was found); for V(stopped) the run
      that was stopped (or the last one).
    - RV(job_session.result) is null while it runs; a finished run has RV(job_session.state=Stopped), also on success.
  returned: always
  type: dict
  contains:
    id:
      description:
        - Job session ID (GUID), for M(vbr.enterprise_manager.backup_task_session_info)'s
          O(vbr.enterprise_manager.backup_task_session_info#module:job_session_id).
      type: str
    uid:
      description: Job session UID.
      type: str
    name:
      description: EM display name, C(<job name>@<UTC start>).
      type: str
    href:
      description: EM URL of the job session, as EM wrote it.
      type: str
    job_id:
      description: ID of the job.
      type: str
    job_uid:
      description: UID of the job.
      type: str
    job_name:
      description: Name of the job.
      type: str
    job_type:
      description: EM's JobType of the run (V(Backup), V(BackupCopy), V(AgentBackup), V(NasBackup), ...).
      type: str
    backup_server_id:
      description: ID of the backup server.
      type: str
    backup_server_name:
      description: Name of the backup server.
      type: str
    creation_time:
      description: When the run started (UTC).
      type: str
    end_time:
      description: When it ended (UTC); null while it runs.
      type: str
    duration_seconds:
      description: Seconds from start to end; null while it runs.
      type: float
    state:
      description: V(Starting), V(Working), V(Stopping), V(Pausing), V(Resuming) or V(Stopped).
      type: str
    result:
      description: V(Success), V(Warning) or V(Failed); null while it runs.
      type: str
    progress:
      description: Percent done.
      type: int
    is_retry:
      description: Whether the run is a retry.
      type: bool
    failure_message:
      description: EM's summary of what went wrong (empty on success).
      type: str
backup_task_sessions:
  description:
    - The task sessions (one per VM) of RV(job_session), newest first, with the keys of
      M(vbr.enterprise_manager.backup_task_session_info)'s RV(vbr.enterprise_manager.backup_task_session_info#module:backup_task_sessions).
  returned: always
  type: list
  elements: dict
concurrent_job_sessions:
  description:
    - New runs of the job that the action did not make (they started before it was answered, most likely by the
      job's schedule), with the keys of RV(job_session). A warning names them too.
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient, HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import connection_argument_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import parse_object_id
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError, EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_control import JobController
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import JOB_URN
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.xml_reader import HAS_XMLTODICT, XMLTODICT_IMPORT_ERROR


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        name=dict(type='str'),
        backup_server_name=dict(type='str'),
        id=dict(type='str'),
        state=dict(type='str', choices=['started', 'stopped', 'retried']),
        schedule_enabled=dict(type='bool'),
        force=dict(type='bool', default=False),
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=3600),
        wait_sleep=dict(type='int', default=15),
        fail_on=dict(type='list', elements='str', choices=['Warning', 'Failed'], default=[]),
    )
    return spec


def check_params(params):
    """Option rules beyond the argument spec; the job id as a bare lower-case GUID."""
    if params.get('id') and params.get('backup_server_name'):
        raise EMInputError('backup_server_name goes with name, not with id (an id names one job already).')
    for option in ('wait_timeout', 'wait_sleep'):
        if params[option] < (0 if option == 'wait_timeout' else 1):
            raise EMInputError('%s must be at least %d, not %d.' % (option, 0 if option == 'wait_timeout' else 1, params[option]))
    if params.get('id'):
        params['id'] = parse_object_id(params['id'], JOB_URN, 'id')
    return params


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True, mutually_exclusive=[('name', 'id')],
                           required_one_of=[('name', 'id'), ('state', 'schedule_enabled')])
    if not (HAS_REQUESTS and HAS_XMLTODICT):
        module.fail_json(msg=missing_required_lib('requests and xmltodict'), exception=REQUESTS_IMPORT_ERROR or XMLTODICT_IMPORT_ERROR)
    client = None
    error = None
    result = {}
    log = [] if module._verbosity >= 3 else None
    try:
        params = check_params(dict(module.params))
        client = EMClient(module.params, on_secret=module.no_log_values.add, log=None if log is None else log.append)
        with client:
            result = JobController(client, params, module.warn).run(module.check_mode)
    except EMError as exc:
        error = exc
    for warning in client.warnings if client is not None else []:
        module.warn(warning)
    extra = {} if log is None else {'_vbr_em_log': log}
    if error is not None:
        module.fail_json(**dict(error.fail_json_kwargs(), **extra))
    session = result.get('job_session') or {}
    if session.get('result') in module.params['fail_on']:
        module.fail_json(msg='The run %s of job %s ended with %s (fail_on: %s). %s' % (
            session.get('name'), session.get('job_name'), session.get('result'), ', '.join(module.params['fail_on']),
            session.get('failure_message') or ''), **dict(result, **extra))
    module.exit_json(**dict(result, **extra))


if __name__ == '__main__':
    main()
