# -*- coding: utf-8 -*-
# Lookup backup_task_session: task session IDs (or UIDs, or facts) for IDs, task session names and VM
# names, inside templates. Thin glue: options -> plugin_utils/lookup_resolution.py over one EMClient.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
name: backup_task_session
short_description: Resolve Veeam backup task sessions inside playbooks
version_added: 0.1.0
description:
  - Turns what a playbook author knows (a task session ID, a task session name, or a VM name) into backup task
    sessions of Veeam Backup Enterprise Manager (EM), for C(when) conditions, loops and M(ansible.builtin.set_fact).
  - Returns one item per term, in the order of the terms. A term that matches no task session fails the lookup,
    or is left out (see O(on_missing)).
  - Logs on to EM once per lookup call for all its terms, resolves them with as few EM queries as possible
    (IDs and task session names share one query, VM names another), and always logs off, also when the lookup fails.
  - Uses the same EM client as M(vbr.enterprise_manager.backup_task_session_info); with O(output=facts) an item is
    the same dictionary as one item of that module's RV(vbr.enterprise_manager.backup_task_session_info#module:backup_task_sessions).
author:
  - vbr.enterprise_manager maintainers (@vbr-ansible)
requirements:
  - python >= 3.9 on the controller
  - requests
  - xmltodict
extends_documentation_fragment:
  - vbr.enterprise_manager.connection
  - vbr.enterprise_manager.connection.plugins
  - vbr.enterprise_manager.selection
options:
  _terms:
    description:
      - What to resolve. Each term is taken as one of the three kinds below.
      - A task session ID, a bare GUID such as V(5e0b7c1d-3f42-4a8e-b9d6-2c7a41f08e93), or a task session UID
        V(urn:veeam:BackupTaskSession:<GUID>). It is checked to exist and returned as found.
      - An exact task session name as EM shows it, C(<VM name>@<yyyy-MM-dd HH:mm:ss>) in UTC, for example
        V(fileserver02@2025-03-07 22:14:05).
      - Anything else is a VM name (as EM displays it, in any letter case); it resolves to the newest task session of
        that VM among those that match O(result), O(state), O(job_name), O(job_type) and O(since), of a primary backup
        job type unless O(job_type) is given. A backup copy job's session (V(BackupCopy), V(ImmediateBackupCopy),
        V(ImmediateBackupCopyWorker)) that ran after the VM's backup is never taken for it.
      - O(result), O(state), O(job_name), O(job_type) and O(since) narrow VM name terms only; an ID or a task session name
        names one session and is returned as found.
      - A UID of another kind of EM object (any other C(urn:veeam:...)) is refused before any request.
      - A list given as one term is unpacked.
    type: list
    elements: str
    required: true
  output:
    description:
      - What each item is.
      - V(id) is the task session ID (GUID), V(uid) the task session UID (C(urn:veeam:BackupTaskSession:<GUID>)),
        V(facts) the dictionary of the task session with the keys the info module returns
        (C(id), C(uid), C(name), C(vm_name), C(job_name), C(job_type), C(is_retry), C(creation_time), C(end_time),
        C(state), C(result), C(reason), ...).
    type: str
    choices: [id, uid, facts]
    default: id
  on_missing:
    description:
      - What to do when a term matches no task session.
      - V(error) fails the lookup with an error that names every such term.
      - V(warn) leaves the term's item out and shows a warning; V(ignore) leaves it out silently. The result then
        has fewer items than terms.
    type: str
    choices: [error, warn, ignore]
    default: error
notes:
  - EM's task sessions carry no job type, so each task session query is followed by one query of the job sessions of
    the sessions it found, which give C(job_type) and C(is_retry).
  - Lookups run on the Ansible controller, whatever host the task targets. EM must be reachable from the controller,
    and C(requests) and C(xmltodict) must be installed in the controller's Python.
  - Lookups ignore a play's or task's C(environment) keyword, which only reaches modules. The E(VEEAM_EM_*) variables
    must be set in the environment of C(ansible-playbook) itself; or use the C(ansible_vbr_em_*) variables, the
    C([vbr_enterprise_manager]) section of C(ansible.cfg), or the options of the lookup.
  - C(module_defaults), also of the action group C(group/vbr.enterprise_manager.enterprise_manager), do not reach lookups
    either. Set the C(ansible_vbr_em_*) variables for lookups, for example in the same play as C(module_defaults).
  - Templates are evaluated lazily, every time a value is used. A C(vars) entry that holds this lookup logs on to EM
    again at each use of the variable, and may give a different answer when a newer session ran in between. Store the
    result once with M(ansible.builtin.set_fact) and use that fact.
  - C(lookup()) joins the IDs of several terms with commas into one string; use C(query()) or O(ignore:wantlist=true)
    for a list. With one item, C(lookup()) returns that ID or dictionary; with none (O(on_missing=ignore)), an empty list.
  - VM names are matched the way EM compares them, without regard to letter case. A term that looks like a GUID or
    a task session name is never taken as a VM name.
  - Every task session EM returns is checked against the term and the options it was asked for; one that does not
    satisfy them is left out and named in a warning.
  - All times returned are UTC in ISO 8601 and end in V(Z).
  - The password, the EM logon token and the logon session ID are never shown, at any verbosity. With C(-vvv) each
    EM request is shown as one line (method, URL without secrets, status, time).
seealso:
  - module: vbr.enterprise_manager.backup_task_session_info
  - name: Enterprise Manager REST API, query service
    description: Filter syntax and the fields of backup task sessions.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_backuptasksession.html
'''

EXAMPLES = r'''
# The connection comes from the environment of ansible-playbook (VEEAM_EM_URL, VEEAM_EM_USERNAME,
# VEEAM_EM_PASSWORD), from ansible_vbr_em_* variables, from ansible.cfg, or from the lookup's options.

- name: Resolve task sessions from the controller
  hosts: localhost
  gather_facts: false
  vars:
    ansible_vbr_em_url: https://em.example.com:9398
    ansible_vbr_em_username: 'CORP\svc-ansible'
    ansible_vbr_em_password: "{{ vault_em_password }}"
    ansible_vbr_em_ca_path: /etc/pki/tls/certs/em-ca.pem
  tasks:
    - name: Store the newest task session of two VMs, once (a lookup in vars would log on at every use)
      ansible.builtin.set_fact:
        newest_sessions: "{{ query('vbr.enterprise_manager.backup_task_session', 'sqlprod03', 'fileserver02', output='facts') }}"

    - name: Fail when one of them did not succeed
      ansible.builtin.assert:
        that: newest_sessions | rejectattr('result', 'equalto', 'Success') | list | length == 0
        fail_msg: "{{ newest_sessions | rejectattr('result', 'equalto', 'Success') | map(attribute='vm_name') | list }}"

    - name: ID of the newest failed session of sqlprod03 in the last 24 hours, if any
      ansible.builtin.set_fact:
        failed_id: "{{ lookup('vbr.enterprise_manager.backup_task_session', 'sqlprod03', result='Failed', since='24h',
                       on_missing='ignore') }}"

    - name: UIDs of the newest completed sessions of a job's VMs; VMs without one are reported and left out
      ansible.builtin.set_fact:
        job_uids: "{{ query('vbr.enterprise_manager.backup_task_session', vm_names, job_name='SQL Backup',
                      state='Completed', output='uid', on_missing='warn') }}"
      vars:
        vm_names: [sql01, sql02, sql03]

    - name: Check that a task session ID (or UID) still exists, and read its result
      ansible.builtin.debug:
        msg: "{{ lookup('vbr.enterprise_manager.backup_task_session', 'urn:veeam:BackupTaskSession:5e0b7c1d-3f42-4a8e-b9d6-2c7a41f08e93',
                 output='facts').result }}"

    - name: A task session by its name
      ansible.builtin.debug:
        msg: "{{ lookup('vbr.enterprise_manager.backup_task_session', 'fileserver02@2025-10-19 05:23:44') }}"

- name: One task per inventory VM, with the connection given to the lookup itself
  hosts: vmware_vms
  gather_facts: false
  tasks:
    - name: Newest backup of this VM (the lookup runs on the controller)
      ansible.builtin.set_fact:
        last_backup: "{{ lookup('vbr.enterprise_manager.backup_task_session', inventory_hostname, output='facts',
                         url='https://em.example.com:9398', username='CORP\\svc-ansible', password=vault_em_password) }}"
'''

RETURN = r'''
_raw:
  description:
    - One item per term that matched a task session, in the order of the terms.
    - With O(output=id) the task session ID (GUID), with O(output=uid) its UID, with O(output=facts) a dictionary with
      the keys of RV(vbr.enterprise_manager.backup_task_session_info#module:backup_task_sessions) (C(id), C(uid),
      C(name), C(href), C(vm_name), C(vm_uid), C(job_name), C(job_session_id), C(job_session_uid), C(job_session_name),
      C(job_type), C(is_retry), C(backup_server_id), C(backup_server_name), C(creation_time), C(end_time), C(duration_seconds), C(state),
      C(result), C(reason), C(total_size), C(restore_point_id)).
  type: list
  elements: raw
  sample:
    - 5e0b7c1d-3f42-4a8e-b9d6-2c7a41f08e93
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError, EMNotFoundError
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.lookup_resolution import (
    MISSING_HINT,
    describe_missing,
    prepare_lookup,
    render,
    resolve_terms,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import SHARED_SELECTION_NAMES
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.em_connection import connection_vars, em_session
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.plugin_options import check_keyword_options, plugin_definitions

display = Display()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        try:
            # Ansible would ignore a misspelled keyword, and so widen the answer without a word
            check_keyword_options(kwargs, plugin_definitions(self), 'lookup vbr.enterprise_manager.backup_task_session')
        except EMError as exc:
            raise exc.to_ansible_error(AnsibleLookupError) from None
        self.set_options(var_options=connection_vars(variables, self._templar), direct=kwargs)
        try:
            # output and on_missing are one of their choices: Ansible checks them in set_options()
            output = self.get_option('output')
            on_missing = self.get_option('on_missing')
            # bad terms and options fail here, before any request
            lookup = prepare_lookup(terms, **dict((name, self.get_option(name)) for name in SHARED_SELECTION_NAMES))
            if not lookup.terms:
                return []
            resolved = self._resolve(lookup)
            values, missing = render(resolved, output)
        except EMError as exc:
            # from None: an expected error needs no chained traceback at -vvv, only its message
            raise exc.to_ansible_error(AnsibleLookupError) from None
        if missing:
            message = describe_missing(lookup, missing)
            if on_missing == 'error':
                raise EMNotFoundError(message, hint=MISSING_HINT).to_ansible_error(AnsibleLookupError)
            if on_missing == 'warn':
                display.warning(message)
        return values

    def _resolve(self, lookup):
        """One logon for every term, logoff always, client warnings shown."""
        with em_session(self.get_option, log=display.vvv, warn=display.warning) as client:
            return resolve_terms(client, lookup)
