# -*- coding: utf-8 -*-
# Unit tests of how quick_backup finds a VM's task session in the run its quick backup made
# (module_utils/quick_backup_run.py): by VmUid, else by VM name where EM sends no VmUid.

from __future__ import annotations

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.quick_backup_run import _session_of
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.quick_backup_targets import Target

REF = 'urn:VMware:Vm:7c1e2a9b-5d43-4f8e-b061-3a9d2c4e5f70.vm-101'


def test_the_task_session_with_the_vm_uid_is_the_vms():
    sessions = [{'id': 1, 'vm_name': 'web01', 'vm_uid': REF.replace('101', '102')}, {'id': 2, 'vm_name': 'other', 'vm_uid': REF.upper()}]
    assert _session_of(Target('web01', REF), sessions)['id'] == 2


def test_without_vm_uids_the_task_session_of_the_vm_name_is_the_vms():
    sessions = [{'id': 1, 'vm_name': 'db01', 'vm_uid': None}, {'id': 2, 'vm_name': 'WEB01', 'vm_uid': None}]
    assert _session_of(Target('web01', REF), sessions)['id'] == 2
    # A session that names another VM by its VmUid is not taken by name.
    assert _session_of(Target('web01', REF), [{'id': 3, 'vm_name': 'web01', 'vm_uid': REF.replace('101', '102')}]) is None
    assert _session_of(Target('web01', REF), []) is None
