# -*- coding: utf-8 -*-
# What the backup_vms inventory plugin computes (controller-only, hence plugin_utils): the options
# checked before any request, the task sessions of the window read with the module's selection, one
# `vbr_em` host variable per VM judged on its primary backups (job_types.py), the state groups, the
# host names from the `hostnames` templates without silent merges, and the cache entry. The plugin
# (plugins/inventory/backup_vms.py) is the glue to Ansible's inventory, templating and cache.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections import OrderedDict, namedtuple
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import normalize_url
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import is_running
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS, vm_identity
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_fact_time, parse_duration, utc_now
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.inventory_options import DEFAULT_SINCE, INVENTORY_SELECTION, INVENTORY_SELECTION_NAMES

# Every host is in at most these groups of its own; they always exist, so a play can target an empty one.
STATE_GROUPS = ('backup_ok', 'backup_failed', 'backup_warning', 'backup_running', 'backup_stale', 'backup_copy_failed')

DEFAULT_HOSTNAMES = ('vm_name',)
DEFAULT_MAX_AGE = '24h'

# Bumped when the cached `vms` change shape: an older entry is then read as a miss.
CACHE_FORMAT = 1

_TIME_OPTIONS = ('since',)


class InventorySettings(namedtuple('InventorySettings', 'search max_age allow_warning now em_host fingerprint')):
    """The checked options of one sync (relative times fixed at preparation)."""

    __slots__ = ()

    @property
    def success_results(self):
        return ('Success', 'Warning') if self.allow_warning else ('Success',)


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
    max_age = parse_duration(options.get('max_age') or DEFAULT_MAX_AGE, 'max_age')
    allow_warning = options.get('allow_warning')
    if allow_warning is not None and not isinstance(allow_warning, bool):
        raise EMInputError('allow_warning must be true or false, not %r.' % (allow_warning,))
    fingerprint = dict((name, _plain(options.get(name))) for name in INVENTORY_SELECTION_NAMES + ('max_age', 'allow_warning'))
    url = normalize_url(url)
    fingerprint.update(url=url, username=_plain(username), format=CACHE_FORMAT)
    return InventorySettings(search=search, max_age=max_age, allow_warning=allow_warning is not False,
                             now=now, em_host=urlsplit(url).hostname, fingerprint=fingerprint)


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


def read_sessions(client, settings):
    """The task sessions of the window, newest first, through the module's selection (job_type
    included: EM is asked for the job sessions of those types); its warnings come through the client."""
    return search_task_sessions(client, settings.search, export=False)['backup_task_sessions']


def sessions_by_vm(sessions):
    """VM key -> that VM's sessions, both in the order given (newest first stays newest first)."""
    grouped = OrderedDict()
    for facts in sessions:
        grouped.setdefault(vm_identity(facts), []).append(facts)
    return grouped


def _names(sessions, key):
    return sorted(set(facts[key] for facts in sessions if facts.get(key) is not None))


def backup_state(primary, settings):
    """(last_result, last_success_time, backed_up, running, stale) from a VM's primary sessions,
    newest first. last_result is that of the newest finished one: a running retry does not hide a
    failure, and a running backup does not undo the restore point of the one before."""
    finished = next((facts for facts in primary if not is_running(facts)), None)
    last_result = finished.get('result') if finished else None
    success = next((facts for facts in primary if not is_running(facts) and facts.get('result') in settings.success_results), None)
    last_success_time = success.get('creation_time') if success else None
    stale = last_success_time is None or last_success_time < settings.now - timedelta(seconds=settings.max_age)
    backed_up = last_result in settings.success_results and not stale
    running = bool(primary) and is_running(primary[0])
    return last_result, last_success_time, backed_up, running, stale


def vm_facts(sessions, settings):
    """The `vbr_em` host variable of one VM from its sessions, newest first. Backup copy sessions
    never count as backups: latest is the newest primary session (the newest of any type only when
    the VM has none, and then backed_up is false); latest_copy keeps the copies visible."""
    primary = [facts for facts in sessions if not is_copy(facts.get('job_type'))]
    copies = [facts for facts in sessions if is_copy(facts.get('job_type'))]
    latest = primary[0] if primary else sessions[0]
    last_result, last_success_time, backed_up, running, stale = backup_state(primary, settings)
    return {
        'vm_name': latest.get('vm_name'),
        'vm_uid': latest.get('vm_uid'),
        'latest': TASK_SESSIONS.export(latest),
        'latest_copy': TASK_SESSIONS.export(copies[0]) if copies else None,
        'last_result': last_result,
        'last_success_time': format_fact_time(last_success_time),
        'backed_up': backed_up,
        'running': running,
        'stale': stale,
        'sessions': len(sessions),
        'jobs': _names(sessions, 'job_name'),
        'job_types': _names(sessions, 'job_type'),
        'backup_servers': _names(sessions, 'backup_server_name'),
        'enterprise_manager': settings.em_host,
        'synced_at': format_fact_time(settings.now),
    }


def inventory_vms(sessions, settings):
    """The `vbr_em` of every VM with a session in the window, in a stable order (name, then UID)."""
    vms = [vm_facts(group, settings) for group in sessions_by_vm(sessions).values()]
    vms.sort(key=lambda vm: (str(vm.get('vm_name') or ''), str(vm.get('vm_uid') or '')))
    return vms


def state_groups(vm):
    """The STATE_GROUPS one VM's `vbr_em` puts it in."""
    latest_copy = vm.get('latest_copy') or {}
    member = (
        ('backup_ok', vm.get('backed_up')),
        ('backup_failed', vm.get('last_result') == 'Failed'),
        ('backup_warning', vm.get('last_result') == 'Warning'),
        ('backup_running', vm.get('running')),
        ('backup_stale', vm.get('stale')),
        ('backup_copy_failed', latest_copy.get('result') == 'Failed'),
    )
    return [group for group, condition in member if condition]


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
