# -*- coding: utf-8 -*-
# The VMs of a quick backup: each VM name resolved to its hierarchy reference (VmUid) and backup server from its
# newest task session (read newest first, stopping once every name is found), else from its newest VM restore
# point (HierarchyObjRef: EM versions before VmUid, or task sessions aged out of EM's window), or references given
# as such with the backup server named (or the only one EM has). A VM that cannot be resolved gets an error of its
# own; the others go on.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import checked_answers
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import id_from_href
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import entity_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_query import newest_restore_points
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS


class Target(object):
    """One VM to quick-back-up, and what became of it."""

    def __init__(self, name, vm_ref=None, server_id=None, server_name=None, error=None):
        self.name = name
        self.vm_ref = vm_ref
        self.server_id = server_id
        self.server_name = server_name
        self.error = error
        self.task = None
        self.job_session = None
        self.task_session = None
        self.done = error is not None

    def facts(self):
        session = self.task_session or {}
        return {'vm_name': self.name, 'vm_ref': self.vm_ref, 'backup_server_id': self.server_id,
                'backup_server_name': self.server_name, 'task': self.task, 'job_session': self.job_session,
                'task_session': self.task_session, 'result': session.get('result'), 'reason': session.get('reason') or '',
                'error': self.error}


def _fold(name):
    return str(name or '').rstrip().casefold()


def resolve_names(client, names):
    """Targets for VM names, from the newest task session of each that carries a VmUid (read newest first; a
    query of some names stops at the end of the page on which each of them was resolved), then, for the names
    left, from the newest VM restore point of each (one OR'd query of those names, not one per VM)."""
    targets = dict((_fold(name), Target(name)) for name in names)
    missing = set(targets)
    selection = Selection({'vm_names': sorted(set(names))})

    def stop(chunk):
        asked = set(_fold(name) for name in chunk.lists['vm_names'])
        return lambda batch: not missing & asked

    with checked_answers(client, ('the VM names', '')) as check:
        for facts in read(client, TASK_SESSIONS, selection, accepts=check.bind(TASK_SESSIONS.checks(selection)), stop=stop,
                          keep=('id', 'vm_name', 'vm_uid', 'backup_server_id', 'backup_server_name')):
            key = _fold(facts['vm_name'])
            if key in missing and facts['vm_uid']:
                _resolved(targets[key], facts['vm_uid'], facts)
                missing.discard(key)
    if missing:
        points = newest_restore_points(client, vm_names=sorted(targets[key].name for key in missing))
        for name, point in points.items():
            if point is not None and point.get('hierarchy_ref') and point.get('backup_server_id'):
                _resolved(targets[_fold(name)], point['hierarchy_ref'], point)
                missing.discard(_fold(name))
    for key in missing:
        targets[key].error = ('Enterprise Manager has neither a task session with a VM reference (VmUid) nor a VM restore '
                              'point of a VM named %r, so its hierarchy reference is not known. Check the name, or give the '
                              'reference in vm_refs, with backup_server_name.' % targets[key].name)
        targets[key].done = True
    return [targets[_fold(name)] for name in names]


def _resolved(target, vm_ref, facts):
    target.vm_ref, target.server_id, target.server_name = vm_ref, facts['backup_server_id'], facts['backup_server_name']


def backup_servers(client):
    """[(id, name)] of EM's backup servers."""
    data = client.get('/api/backupServers?format=Entity', what='entity').data
    servers = []
    for key, value in (data.items() if isinstance(data, dict) else []):
        if key.lower() in ('backupserver', 'backupservers'):
            for item in entity_list(value):
                servers.append((id_from_href(item.get('Href')), item.get('Name')))
    return servers


def resolve_refs(client, refs, backup_server_name):
    """Targets for hierarchy references on one backup server (backup_server_name, or the only one EM has)."""
    servers = backup_servers(client)
    if backup_server_name:
        chosen = [server for server in servers if _fold(server[1]) == _fold(backup_server_name)]
        if not chosen:
            raise EMInputError('Enterprise Manager has no backup server named %r; it has %s.'
                               % (backup_server_name, ', '.join(sorted(name for unused, name in servers)) or 'none'))
    elif len(servers) == 1:
        chosen = servers
    else:
        raise EMInputError('vm_refs needs backup_server_name: Enterprise Manager has %d backup servers (%s).'
                           % (len(servers), ', '.join(sorted(name for unused, name in servers))),
                           hint='Name the backup server whose job protects these VMs.')
    server_id, server_name = chosen[0]
    return [Target(ref, ref, server_id, server_name) for ref in refs]
