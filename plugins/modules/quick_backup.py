#!/usr/bin/python
# -*- coding: utf-8 -*-
# Module quick_backup: an incremental backup now of each VM given, by the job that already protects it, through
# Veeam Backup Enterprise Manager, with per-VM results. Thin glue over module_utils (quick_backup_targets, _run).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: quick_backup
short_description: Quick-back-up VMs through Veeam Backup Enterprise Manager and wait for each VM's result
version_added: 0.1.0
description:
  - Runs a quick backup of each VM given (an incremental backup now, by the backup job that already protects the VM)
    through Veeam Backup Enterprise Manager (EM), and returns the result of each VM, for example to patch only the VMs
    whose backup succeeded.
  - VMs are given by name (O(vm_name); each is resolved to its hierarchy reference and backup server from its newest task
    session, else from its newest VM restore point) or by reference (O(vm_refs), with O(backup_server_name)).
  - EM takes one VM per request. At most O(max_in_flight) VMs are in flight at once (sent and not yet ended with
    O(wait=true), or not yet shown as a run without it); the next VM is sent when one ends.
  - A VM that no backup job protects, or that cannot be resolved, fails on its own with a reason (RV(vms), RV(failed_vms)); the
    others go on. The task itself fails only with O(fail_on).
  - A request that failed on the way is not repeated (it may have reached EM); that VM fails, saying so.
  - Logs on once per task and always logs off, also when the task fails or is interrupted (Ctrl-C).
  - "Run it where EM is reachable and the Python requirements are installed, usually the controller
    (C(hosts: localhost) or C(delegate_to: localhost)), once for all VMs rather than once per host."
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
  vm_name:
    description:
      - Names of the VMs (compared in any letter case). Each is resolved from its newest task session in EM, which gives
        its hierarchy reference (VmUid) and backup server.
      - A VM whose task sessions carry no VmUid (EM versions before it was added) is resolved from its newest VM restore
        point (its HierarchyObjRef), read for all such VMs in one query; a VM EM has neither of fails on its own.
    type: list
    elements: str
    default: []
  vm_refs:
    description:
      - Hierarchy references of VMs, for example V(urn:VMware:Vm:7f3c1a2b-0d4e-4f5a-9b6c-1d2e3f4a5b6c.vm-85541)
        (RV(vbr.enterprise_manager.backup_job_info#module:jobs[].objects[].hierarchy_ref)), all on O(backup_server_name).
    type: list
    elements: str
    default: []
  backup_server_name:
    description:
      - The backup server of O(vm_refs); needed when EM has more than one.
    type: str
  wait:
    description:
      - Follow each VM's run until it has ended, then return the VM's result (C(result) of its entry in RV(vms)).
      - Without it the task returns once each VM's run shows in EM; RV(succeeded_vms) is then empty and RV(started_vms) lists them.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds for all VMs together; VMs still running then (or not yet sent) fail with that reason.
    type: int
    default: 3600
  wait_sleep:
    description:
      - Seconds between the reads of the VMs in flight (one request per VM in flight and read).
    type: int
    default: 10
  max_in_flight:
    description:
      - At most this many VMs in flight at once.
    type: int
    default: 5
  fail_on:
    description:
      - Fail the task when a VM's result is one of these. V(Failed) also covers VMs that could not be quick-backed-up.
    type: list
    elements: str
    choices: [Warning, Failed]
    default: []
attributes:
  check_mode:
    support: full
    details: Resolves the VMs and reports which would be quick-backed-up (C(changed)); it sends no quick backup.
notes:
  - Quick backup needs the EM role Portal Administrator or Portal User.
  - All times returned are UTC in ISO 8601 with six fractional digits and end in V(Z).
  - The password, the EM logon token and the logon session ID never appear in the output, at any verbosity.
  - Connection options work as for M(vbr.enterprise_manager.backup_task_session_info).
seealso:
  - module: vbr.enterprise_manager.backup_job
  - name: Enterprise Manager REST API, quick backup
    description: One VM per request.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/post_backupservers_id_quickbackup.html
'''

EXAMPLES = r'''
- name: Back up the play's hosts before patching them
  vbr.enterprise_manager.quick_backup:
    vm_name: "{{ ansible_play_hosts }}"
    max_in_flight: 4
  delegate_to: localhost
  run_once: true
  register: before_patching

- name: Patch only the hosts whose backup succeeded
  ansible.builtin.meta: end_host
  when: inventory_hostname not in before_patching.succeeded_vms

- name: Quick-back-up two VMs by reference, failing the task when one fails
  vbr.enterprise_manager.quick_backup:
    vm_refs:
      - urn:VMware:Vm:7f3c1a2b-0d4e-4f5a-9b6c-1d2e3f4a5b6c.vm-85541
      - urn:VMware:Vm:7f3c1a2b-0d4e-4f5a-9b6c-1d2e3f4a5b6c.vm-85542
    backup_server_name: vbr01.example.com
    fail_on: [Failed]
'''

RETURN = r'''
vms:
  description: Per VM (by the name or reference given), what became of its quick backup.
  returned: always
  type: dict
  contains:
    vm_name:
      description: The name (or reference) given.
      type: str
    vm_ref:
      description: The VM's hierarchy reference sent to EM.
      type: str
    backup_server_name:
      description: The backup server asked to back it up.
      type: str
    backup_server_id:
      description: Its ID.
      type: str
    task:
      description: The EM task of the request (keys as M(vbr.enterprise_manager.backup_job)'s RV(vbr.enterprise_manager.backup_job#module:task)).
      type: dict
    job_session:
      description: The run EM made, with the keys of M(vbr.enterprise_manager.backup_job)'s RV(vbr.enterprise_manager.backup_job#module:job_session).
      type: dict
    task_session:
      description:
        - The VM's task session of that run (with O(wait=true)), with the keys of
          M(vbr.enterprise_manager.backup_task_session_info)'s RV(vbr.enterprise_manager.backup_task_session_info#module:backup_task_sessions).
      type: dict
    result:
      description: V(Success), V(Warning) or V(Failed) from the task session; null without a finished task session.
      type: str
    reason:
      description: EM's reason of a warning or failure.
      type: str
    error:
      description: Why the VM could not be quick-backed-up or followed (not resolved, in no backup job, timed out); null otherwise.
      type: str
succeeded_vms:
  description: VMs (as given) whose run ended with V(Success) or V(Warning) (a restore point was made). Empty without O(wait).
  returned: always
  type: list
  elements: str
failed_vms:
  description:
    - VMs whose run failed, or which could not be quick-backed-up or followed (see C(error) of their entries in RV(vms)).
    - Not named C(failed), which Ansible reserves for the task's own outcome.
  returned: always
  type: list
  elements: str
started_vms:
  description: VMs for which EM started a quick backup.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient, HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import connection_argument_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError, EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.quick_backup_run import SUCCEEDED, QuickBackups
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.quick_backup_targets import resolve_names, resolve_refs
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.xml_reader import HAS_XMLTODICT, XMLTODICT_IMPORT_ERROR


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        vm_name=dict(type='list', elements='str', default=[]),
        vm_refs=dict(type='list', elements='str', default=[]),
        backup_server_name=dict(type='str'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=3600),
        wait_sleep=dict(type='int', default=10),
        max_in_flight=dict(type='int', default=5),
        fail_on=dict(type='list', elements='str', choices=['Warning', 'Failed'], default=[]),
    )
    return spec


def check_params(params):
    names = [str(name) for name in params['vm_name'] if str(name).strip()]
    refs = [str(ref).strip() for ref in params['vm_refs'] if str(ref).strip()]
    if not names and not refs:
        raise EMInputError('Give the VMs to back up in vm_name or vm_refs.')
    for option, minimum in (('wait_timeout', 0), ('wait_sleep', 1), ('max_in_flight', 1)):
        if params[option] < minimum:
            raise EMInputError('%s must be at least %d, not %d.' % (option, minimum, params[option]))
    return names, refs


def summary(targets, sent_any):
    vms = dict((target.name, target.facts()) for target in targets)
    succeeded = [t.name for t in targets if not t.error and (t.task_session or {}).get('result') in SUCCEEDED]
    failed = [t.name for t in targets if t.error or (t.task_session or {}).get('result') == 'Failed']
    started = [t.name for t in targets if t.job_session is not None]
    return {'changed': sent_any, 'vms': vms, 'succeeded_vms': succeeded, 'failed_vms': failed, 'started_vms': started}


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not (HAS_REQUESTS and HAS_XMLTODICT):
        module.fail_json(msg=missing_required_lib('requests and xmltodict'), exception=REQUESTS_IMPORT_ERROR or XMLTODICT_IMPORT_ERROR)
    client = None
    error = None
    result = {}
    log = [] if module._verbosity >= 3 else None
    params = module.params
    try:
        names, refs = check_params(params)
        client = EMClient(params, on_secret=module.no_log_values.add, log=None if log is None else log.append)
        with client:
            targets = (resolve_names(client, names) if names else []) + (resolve_refs(client, refs, params['backup_server_name']) if refs else [])
            if module.check_mode:
                result = summary(targets, any(not t.error for t in targets))
            else:
                run = QuickBackups(client, targets, params['wait'], params['wait_timeout'], params['wait_sleep'], params['max_in_flight'])
                run.run()
                result = summary(targets, run.sent > 0)
    except EMError as exc:
        error = exc
    for warning in client.warnings if client is not None else []:
        module.warn(warning)
    extra = {} if log is None else {'_vbr_em_log': log}
    if error is not None:
        module.fail_json(**dict(error.fail_json_kwargs(), **extra))
    for name in result['failed_vms']:
        vm = result['vms'][name]
        module.warn('Quick backup of %s: %s' % (name, vm['error'] or 'the run ended with Failed (%s)' % vm['reason']))
    bad = [name for name, vm in result['vms'].items()
           if (vm['result'] in params['fail_on']) or ('Failed' in params['fail_on'] and vm['error'])]
    if bad:
        module.fail_json(msg='Quick backup of %d VM(s) ended with %s (fail_on): %s.' % (len(bad), ' or '.join(params['fail_on']), ', '.join(bad)),
                         **dict(result, **extra))
    module.exit_json(**dict(result, **extra))


if __name__ == '__main__':
    main()
