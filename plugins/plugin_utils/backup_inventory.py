# -*- coding: utf-8 -*-
# What the backup_vms inventory plugin computes (controller-only, hence plugin_utils): the options
# checked before any request, the task sessions of the window read with the module's selection, one
# `vbr_em` host variable per VM holding its verdict (verdict.py, as backup_vm_info judges), the groups, the
# host names from the `hostnames` templates without silent merges, and the cache entry. The plugin
# (plugins/inventory/backup_vms.py) is the glue to Ansible's inventory, templating and cache.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections import namedtuple
from datetime import date, datetime
from urllib.parse import urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import normalize_url
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.backup_vm_search import judge_read_sessions, read_restore_points
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import is_running
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_fact_time, utc_now
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict import STALE, STATUS_NAMES
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.vm_verdicts import VERDICT_KEYS, export_verdict, sessions_by_identity
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.inventory_options import DEFAULT_SINCE, INVENTORY_SELECTION, INVENTORY_SELECTION_NAMES

# Every host is in exactly one state group, that of its verdict's status (verdict.py); they always exist,
# so a play can target an empty one. Beside them: the protected hosts (ok, and warning with allow_warning),
# the hosts whose newest backup copy failed, and every host of a sync that succeeded.
STATE_GROUPS = tuple('backup_' + status for status in reversed(STATUS_NAMES))
PROTECTED_GROUP = 'backup_protected'
COPY_FAILED_GROUP = 'backup_copy_failed'
SYNCED_GROUP = 'vbr_em_synced'
GROUPS = STATE_GROUPS + (PROTECTED_GROUP, COPY_FAILED_GROUP, SYNCED_GROUP)

DEFAULT_HOSTNAMES = ('vm_name',)

# Bumped when the cached `vms` change shape: an older entry is then read as a miss.
CACHE_FORMAT = 2

_TIME_OPTIONS = ('since',)

InventorySettings = namedtuple('InventorySettings', 'search now em_host fingerprint')
InventorySettings.__doc__ = """The checked options of one sync: search, the Selection (with its verdict rules,
search.rules; relative times fixed at preparation), now, the EM host name and the cache fingerprint."""


def _plain(value):
    """An option value as JSON-stable plain data (the fingerprint survives a jsonfile cache unchanged)."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int)):
        return value
    return str(value)


def prepare_inventory(options, url, username, now=None):
    """The settings of a sync from the plugin's option values (name -> value), or an EMInputError
    before any request. url (the checked EM URL) and username only enter the cache fingerprint and
    the `enterprise_manager` host variable; no secret does."""
    now = now or utc_now()
    criteria = dict((name, options.get(name)) for name in INVENTORY_SELECTION_NAMES)
    criteria['since'] = criteria.get('since') or DEFAULT_SINCE
    search = task_session_selection(criteria, spec=INVENTORY_SELECTION, now=now)
    fingerprint = dict((name, _plain(options.get(name))) for name in INVENTORY_SELECTION_NAMES)
    url = normalize_url(url)
    fingerprint.update(url=url, username=_plain(username), format=CACHE_FORMAT)
    return InventorySettings(search=search, now=now, em_host=urlsplit(url).hostname, fingerprint=fingerprint)


def unquoted_time_error(config):
    """An EMInputError naming the first option of the source file (a mapping as YAML read it) whose value YAML took
    for a date or a time (since: 2025-09-12T14:00:00Z unquoted), or None. Ansible refuses such a value as text
    without saying why, so a failed read of the options is explained with this before its own message."""
    for name, value in (config.items() if isinstance(config, dict) else ()):
        for item in (value if isinstance(value, list) else [value]):
            if isinstance(item, date):  # a datetime is a date too
                text = item.isoformat().replace('+00:00', 'Z')
                return EMInputError('The %s value %s in the inventory source is unquoted, so YAML reads it as a date or time, '
                                    'not as text.' % (name, text), hint='Quote it: %s: "%s".' % (name, _time_text(name, item, text)))
    return None


def _time_text(name, value, text):
    """What to write instead: the text itself, or for a time option a complete UTC time (a date alone is midnight UTC;
    a time without a zone is taken as UTC, as EM's times are)."""
    if name not in _TIME_OPTIONS:
        return text
    if not isinstance(value, datetime):
        return text + 'T00:00:00Z'
    return text if value.tzinfo is not None else text + 'Z'


def read_vms(client, settings, read_points=read_restore_points):
    """The `vbr_em` of every VM with a task session in the window: the sessions read through the module's selection
    (job_type included: EM is asked for the job sessions of those types), the restore points of the VMs they would
    protect, and each VM's verdict, as backup_vm_info judges it. Warnings come through the client."""
    sessions = search_task_sessions(client, settings.search, export=False)['backup_task_sessions']
    groups = list(sessions_by_identity(sessions).values())
    verdicts = judge_read_sessions(client, sessions, settings.search.rules, not settings.search.get('vm_names'), read_points)
    return inventory_vms(groups, verdicts, settings)


def _names(sessions, key):
    return sorted(set(facts[key] for facts in sessions if facts.get(key) is not None))


def vm_facts(sessions, verdict, settings):
    """The `vbr_em` host variable of one VM from its sessions (newest first) and its verdict (verdict.py), as
    backup_vm_info returns it; latest is the newest primary session (the newest of any type when the VM has
    none, and then its status is never); latest_copy keeps the copies visible."""
    exported = export_verdict(verdict)
    primary = [facts for facts in sessions if not is_copy(facts.get('job_type'))]
    finished = next((facts for facts in primary if not is_running(facts)), None)
    vm = dict((key, exported.get(key)) for key in VERDICT_KEYS)
    vm.update({
        'vm_name': sessions[0].get('vm_name'),
        'vm_uid': sessions[0].get('vm_uid'),
        'latest': exported['latest'] or TASK_SESSIONS.export(sessions[0]),
        'last_result': finished.get('result') if finished else None,
        'backed_up': verdict['protected'],  # the name of before the verdict, kept for the plays that use it
        'running': bool(primary) and is_running(primary[0]),  # a backup runs now (the status says what it means)
        'stale': verdict['status'] == STALE,
        'sessions': len(sessions),
        'jobs': _names(sessions, 'job_name'),
        'job_types': _names(sessions, 'job_type'),
        'backup_servers': _names(sessions, 'backup_server_name'),
        'enterprise_manager': settings.em_host,
        'synced_at': format_fact_time(settings.now),
    })
    return vm


def inventory_vms(groups, verdicts, settings):
    """The `vbr_em` of every VM (its sessions and its verdict, in the same order), in a stable order (name, then UID)."""
    vms = [vm_facts(sessions, verdict, settings) for sessions, verdict in zip(groups, verdicts)]
    vms.sort(key=lambda vm: (str(vm.get('vm_name') or ''), str(vm.get('vm_uid') or '')))
    return vms


def host_groups(vm):
    """The groups of one VM's `vbr_em`: its state group, backup_protected when protected, backup_copy_failed when
    its newest finished backup copy failed, and vbr_em_synced."""
    groups = ['backup_' + vm['status']]
    if vm.get('protected'):
        groups.append(PROTECTED_GROUP)
    if vm.get('copy_failed'):
        groups.append(COPY_FAILED_GROUP)
    return groups + [SYNCED_GROUP]


def _describe(vm):
    return '%r (vm_uid %s)' % (vm.get('vm_name'), vm.get('vm_uid') or 'unknown')


DUPLICATE_HINT = ("Give hostnames a template that tells them apart, for example hostnames: "
                  "['vm_name', \"vm_name ~ '_' ~ latest.backup_server_name\", \"vm_name ~ '_' ~ vm_uid\"].")


def assign_host_names(vms, candidates, warn):
    """[(host name, vm)]: each VM gets the first of its candidate names (candidates(vm): the non-empty
    results of the hostnames templates, in order) that no VM before it took. Two VMs are never merged
    into one host: a VM whose first name is taken gets its next free one, with a warning; one with no
    free name is left out, with a warning naming both VMs."""
    taken = {}
    hosts = []
    for vm in vms:
        names = candidates(vm)
        if not names:
            warn('VM %s is left out: no hostnames template gave it a name.' % _describe(vm))
            continue
        free = next((name for name in names if name not in taken), None)
        if free is None:
            warn('VM %s is left out: its host name %r is taken by VM %s. %s'
                 % (_describe(vm), names[0], _describe(taken[names[0]]), DUPLICATE_HINT))
            continue
        if free != names[0]:
            warn('VMs %s and %s would both be host %r; the second one is host %r (its next hostnames template).'
                 % (_describe(taken[names[0]]), _describe(vm), names[0], free))
        taken[free] = vm
        hosts.append((free, vm))
    return hosts


def host_name_variables(vm):
    """What the hostnames templates see: the keys of vbr_em (vm_name, vm_uid, latest, ...) and vbr_em itself."""
    variables = dict(vm)
    variables['vbr_em'] = vm
    return variables


def cache_entry(settings, vms):
    """What the cache keeps: the fingerprint of the options it was read with and the VMs (no secret)."""
    return {'format': CACHE_FORMAT, 'settings': settings.fingerprint, 'vms': vms}


def cached_vms(entry, settings):
    """The VMs of a cache entry read with the same options, else None (a miss: read EM again)."""
    if not isinstance(entry, dict) or entry.get('format') != CACHE_FORMAT or entry.get('settings') != settings.fingerprint:
        return None
    vms = entry.get('vms')
    return vms if isinstance(vms, list) else None
