# -*- coding: utf-8 -*-
# Inventory plugin backup_vms: the VMs with backup task sessions in Enterprise Manager as hosts,
# grouped by their backup state. Thin glue: options, cache and Ansible's inventory here; what is
# computed (settings, sessions, host variables, groups, host names) in plugin_utils/backup_inventory.py.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
name: backup_vms
short_description: VMs backed up by Veeam as hosts, grouped by their backup state
version_added: 0.1.0
description:
  - 'Reads the backup task sessions of a time window (O(since)) from Veeam Backup Enterprise Manager (EM) and makes every VM
    (or agent computer) that has one a host, so that a play can target the VMs that are safely backed up
    (C(hosts: backup_ok)) and AWX can sync, cache and show them.'
  - 'The configuration is a YAML file whose name ends in C(backup_vms.yml) or C(backup_vms.yaml), with
    C(plugin: vbr.enterprise_manager.backup_vms). One file reads one EM; several EMs are several files.'
  - Logs on to EM once per sync and always logs off, also when the sync fails. The task sessions are read with the same
    selection as M(vbr.enterprise_manager.backup_task_session_info), paging followed to the end.
  - 'Every host has one variable, C(vbr_em) (so nothing collides with the variables of other inventories): C(latest)
    (the newest task session of the VM among its primary backups, the same dictionary as one item of the info module''s
    RV(vbr.enterprise_manager.backup_task_session_info#module:backup_task_sessions)), C(latest_copy) (the newest task
    session of a backup copy job, or V(null)), C(last_result) (the result of the newest finished primary session),
    C(last_success_time), C(backed_up), C(running), C(stale), C(sessions) (the number of task sessions in the window),
    C(jobs), C(job_types), C(backup_servers) (sorted names), C(vm_name), C(vm_uid), C(enterprise_manager) (the host name of
    EM) and C(synced_at) (when EM was read, UTC).'
  - C(backed_up) is true when the newest finished primary session of the VM is a V(Success) (or a V(Warning) with
    O(allow_warning=true)) that started within O(max_age). A backup that runs now does not change it.
  - 'Groups, always present (possibly empty): C(backup_ok) (C(backed_up) true), C(backup_failed) (the newest finished
    primary session V(Failed)), C(backup_warning) (it ended with V(Warning)), C(backup_running) (the newest primary session
    is V(InProgress) or V(Pending)), C(backup_stale) (no success within O(max_age)) and C(backup_copy_failed) (the newest
    backup copy session V(Failed)). Add your own with O(compose), O(groups) and O(keyed_groups).'
  - Backup copy jobs (job types V(BackupCopy), V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker)) never make a VM
    backed up. A copy job's task session often succeeds after the primary backup of the same VM failed; the VM stays in
    C(backup_failed) and out of C(backup_ok), and a failed copy shows in C(backup_copy_failed). Every other job type, and
    a session whose job type is not known, counts as a primary backup.
author:
  - vbr.enterprise_manager maintainers (@vbr-ansible)
requirements:
  - python >= 3.9 on the controller
  - requests
extends_documentation_fragment:
  - vbr.enterprise_manager.connection
  - vbr.enterprise_manager.connection.inventory
  - vbr.enterprise_manager.selection.inventory
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it marks the file as a source of this plugin.
    type: str
    required: true
    choices: [vbr.enterprise_manager.backup_vms]
  hostnames:
    description:
      - How a VM's host name is made, in order of preference; the first that gives a non-empty name wins.
      - 'Each entry is a Jinja2 expression as in O(compose), for example V(vm_name) or V(vm_name ~ "_" ~ latest.backup_server_name),
        or a template such as V({{ vm_name | lower }}). It sees the keys of C(vbr_em) (C(vm_name), C(vm_uid), C(latest),
        C(backup_servers), ...) as names of their own and C(vbr_em) itself.'
      - A VM is one EM VM UID (or one name when EM reports no UID). Two VMs that would get the same host name (two vCenters
        with a VM of the same name) are never merged into one host. The second one gets its next entry of O(hostnames)
        that is free, with a warning; when none is, it is left out, with a warning naming both VMs. Add an entry that
        tells them apart, for example V(vm_name ~ "_" ~ vm_uid).
      - An entry that fails (an undefined name) is skipped, or fails the sync with O(strict=true).
    type: list
    elements: str
    default: [vm_name]
  max_age:
    description:
      - How recent a VM's last successful backup must be for C(backed_up) (and C(backup_ok)); older is C(backup_stale).
      - A number followed by V(s), V(m), V(h), V(d) or V(w), for example V(24h), V(36h) or V(7d); a bare number is seconds.
    type: str
    default: 24h
  allow_warning:
    description:
      - Whether a backup that ended with V(Warning) counts as a success for C(backed_up), C(last_success_time) and C(backup_stale).
    type: bool
    default: true
notes:
  - The inventory runs on the Ansible controller (or in the AWX execution environment); EM must be reachable from there,
    and C(requests) must be installed in its Python.
  - 'The connection options may be given in the file (as Jinja templates too, for example
    V({{ lookup("ansible.builtin.env", "EM_PASSWORD") }}), or as vaulted strings), through the E(VEEAM_EM_*) environment
    variables, or in the C([vbr_enterprise_manager]) section of C(ansible.cfg). Variables such as C(ansible_vbr_em_url)
    do not reach an inventory source: it is read before any variable exists.'
  - 'With O(cache=true) and a cache plugin that keeps its data between runs (V(ansible.builtin.jsonfile) with
    O(cache_connection), not the default V(memory)), a sync within O(cache_timeout) of the last one that read EM sends no request to EM, and a cache hit
    does not extend the timeout. C(ansible-inventory --flush-cache), C(ansible-playbook --flush-cache) and
    C(meta: refresh_inventory) read EM again. A cache entry read with other selection options (O(since), O(job_name), ...,
    O(max_age), O(allow_warning), O(url), O(username)) is not used. The cache holds the C(vbr_em) variables only, never the
    password, the token or the logon session ID; a failed sync writes nothing.'
  - A failed sync (EM unreachable, logon rejected, a bad option) fails with the message the info module gives, no traceback.
    Use C(ansible-inventory) or AWX (which sets E(ANSIBLE_INVENTORY_UNPARSED_FAILED)) to see it fail; C(ansible-playbook)
    warns and goes on with the other sources.
  - O(job_type) is applied as the info module applies it, through the job sessions of those types (EM cannot filter task
    sessions on a job type); a task session whose job session EM does not return is then left out.
  - All times are UTC in ISO 8601 and end in V(Z). With C(-vvv) each EM request is shown as one line without secrets.
seealso:
  - module: vbr.enterprise_manager.backup_task_session_info
  - name: Enterprise Manager REST API, query service
    description: Filter syntax and the fields of backup task sessions.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_backuptasksession.html
'''

EXAMPLES = r'''
# em01.backup_vms.yml: connection in the file (password vaulted), a 3-day window, cache for AWX and the command line.
# (Without url, username and password the VEEAM_EM_* environment variables are used.)
plugin: vbr.enterprise_manager.backup_vms
url: https://em01.example.com:9398
username: 'CORP\svc-ansible'
password: "{{ lookup('ansible.builtin.env', 'EM01_PASSWORD') }}"  # or a vaulted string: password: !vault |
ca_path: /etc/pki/tls/certs/em-ca.pem
since: 3d
max_age: 36h
job_name: [SQL nightly, File servers]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 900

# Two vCenters with VMs of the same name: host names that tell them apart, a variable and groups of your own.
# plugin: vbr.enterprise_manager.backup_vms
# hostnames:
#   - vm_name | lower
#   - (vm_name ~ '_' ~ latest.backup_server_name) | lower
# compose:
#   ansible_host: vbr_em.vm_name
# groups:
#   copy_without_primary: vbr_em.latest_copy is not none and not vbr_em.backed_up
# keyed_groups:
#   - key: vbr_em.backup_servers
#     prefix: server
#   - key: vbr_em.latest.job_name
#     prefix: job
# strict: true

# The play: patch only what is backed up (ansible-playbook -i em01.backup_vms.yml -i vcenter.vms.yml patch.yml)
# - hosts: backup_ok:&linux_web
#   tasks: ...
'''

import re

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError, EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.backup_inventory import (
    STATE_GROUPS,
    assign_host_names,
    cache_entry,
    cached_vms,
    host_name_variables,
    inventory_vms,
    prepare_inventory,
    read_sessions,
    state_groups,
    unquoted_time_error,
)
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.inventory_file_name import accepted_file_name
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.inventory_options import INVENTORY_SELECTION_NAMES
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.plugin_options import did_you_mean

display = Display()

_PATH = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$')
_MISSING = object()

_FILE_ENDINGS = ('backup_vms.yml', 'backup_vms.yaml')
_OWN_OPTIONS = INVENTORY_SELECTION_NAMES + ('max_age', 'allow_warning')


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'vbr.enterprise_manager.backup_vms'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and accepted_file_name(path, _FILE_ENDINGS, display.warning)

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        config = self._config_data(path)
        try:
            self._check_option_names(config)
            settings = prepare_inventory(dict((name, self.get_option(name)) for name in _OWN_OPTIONS),
                                         url=self._rendered('url'), username=self._rendered('username'))
            vms = self._vms(path, settings, cache)
        except EMError as exc:
            # from None: an expected failure needs its message, not a chained traceback
            raise exc.to_ansible_error(AnsibleParserError) from None
        self._populate(assign_host_names(vms, self._host_names, display.warning))

    def _config_data(self, path):
        """The source's options, read and checked by Ansible; an unquoted time, which Ansible only calls an invalid
        value, is named with what to do (the file is read again only then)."""
        try:
            return self._read_config_data(path)
        except AnsibleError:
            try:
                explained = unquoted_time_error(self.loader.load_from_file(path, cache='none'))
            except Exception:  # unreadable as YAML: Ansible's own message says it
                explained = None
            if explained is None:
                raise
            raise explained.to_ansible_error(AnsibleParserError) from None

    def _check_option_names(self, config):
        """A misspelled option would otherwise be dropped without a word (and select more than meant)."""
        unknown = sorted(str(name) for name in config if name not in self._options)
        if unknown:
            named = ', '.join(name + did_you_mean(name, sorted(self._options)) for name in unknown)
            raise EMInputError('Unknown option(s) in the inventory source: %s.' % named,
                               hint='Known options: %s.' % ', '.join(sorted(self._options)))

    def _vms(self, path, settings, cache):
        """The VMs from the cache when it may be used and holds an entry of these options, else from EM.
        A hit writes nothing (the entry's timeout runs on); only a complete read is written."""
        use_cache = self.get_option('cache')
        key = self.get_cache_key(path)
        if use_cache and cache:  # cache is False with --flush-cache and meta: refresh_inventory
            try:
                vms = cached_vms(self._cache[key], settings)
            except KeyError:  # no entry, or it expired
                vms = None
            if vms is not None:
                display.vvv('backup_vms: %d VMs from the inventory cache' % len(vms))
                return vms
        vms = self._read_em(settings)
        if use_cache:
            self._cache[key] = cache_entry(settings, vms)
        return vms

    def _rendered(self, name):
        """A connection option as the EM client will see it (templates rendered), for the cache fingerprint."""
        value = self.get_option(name)
        return self.templar.template(value) if value is not None else None

    def _read_em(self, settings):
        """One logon, the task sessions of the window, logoff always; the VMs' vbr_em. The EM client (and
        requests) is imported only here: a cache hit does without it."""
        from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.em_connection import em_session
        with em_session(self.get_option, display.vvv, display.warning, templar=self.templar) as client:
            return inventory_vms(read_sessions(client, settings), settings)

    def _host_names(self, vm):
        """The non-empty results of the hostnames entries for one VM, in order."""
        names = []
        variables = host_name_variables(vm)
        for entry in self.get_option('hostnames'):
            try:
                name = self._render(entry, variables)
            except Exception as exc:  # an undefined name in one entry: the next one may do
                if self.get_option('strict'):
                    raise AnsibleParserError('Could not make a host name from hostnames entry %r for VM %r: %s'
                                             % (entry, vm.get('vm_name'), exc)) from None
                continue
            if name is not None and str(name).strip() and str(name) not in names:
                names.append(str(name))
        return names

    def _render(self, entry, variables):
        """An expression as compose has them, or a whole template ("{{ ... }}"). A plain name or dotted path
        (the default vm_name) is looked up directly: compiling the same Jinja expression for each of
        thousands of VMs costs more than the rest of a cached sync."""
        found = _lookup_path(entry, variables)
        if found is not _MISSING:
            return found
        if '{{' in entry or '{%' in entry:
            self.templar.available_variables = variables
            return self.templar.template(entry)
        return self._compose(entry, variables)

    def _populate(self, hosts):
        """Each host in one pass: added, its vbr_em, its state groups, then the constructed options."""
        construct = self._constructor()
        for group in STATE_GROUPS:
            self.inventory.add_group(group)
        for name, vm in hosts:
            self.inventory.add_host(name)
            self.inventory.set_variable(name, 'vbr_em', vm)
            for group in state_groups(vm):
                self.inventory.add_child(group, name)
            if construct:
                construct(name)

    def _constructor(self):
        """What applies compose, groups and keyed_groups to one host, or None when none is set: then no host's
        variables are gathered and nothing is called per host (most sources, and every cache hit without them)."""
        compose, groups, keyed_groups = (self.get_option(name) for name in ('compose', 'groups', 'keyed_groups'))
        if not (compose or groups or keyed_groups):
            return None
        strict = self.get_option('strict')

        def construct(name):
            variables = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(compose, variables, name, strict=strict)
            self._add_host_to_composed_groups(groups, variables, name, strict=strict)
            self._add_host_to_keyed_groups(keyed_groups, variables, name, strict=strict)
        return construct


def _lookup_path(entry, variables):
    """The value at a dotted path of dictionary keys (vm_name, latest.backup_server_name), or _MISSING when
    entry is no such path or a key is absent (then Jinja decides, with its own errors)."""
    match = _PATH.match(str(entry))
    if not match:
        return _MISSING
    value = variables
    for key in match.group(1).split('.'):
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value
