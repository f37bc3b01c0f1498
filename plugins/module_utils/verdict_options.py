# -*- coding: utf-8 -*-
# The options of the verdict (verdict.py), one row each: what backup_vm_info takes, and the judgement
# options (max_age, allow_warning, require_restore_point, fail_on_copy) the backup_vms inventory and the
# report role take too; and their Selection (a task session selection with the verdict's rules), built once.
# The `verdict` doc fragment is written from the rows by tools/option_docs.py.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import as_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import string_values
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Conversion, build_selection, flag
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import selection_options
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc, parse_duration
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict import VerdictRules

DEFAULT_SINCE = '7d'
DEFAULT_MAX_AGE = '24h'

JUDGEMENT_OPTIONS = (
    Option('max_age', 'str', [
        'How recent the last successful backup (and, with O(require_restore_point), the newest restore point) of a VM '
        'must be for it to be protected; older is status V(stale) (or V(no_restore_point)).',
        'A number followed by V(s), V(m), V(h), V(d) or V(w), for example V(24h), V(36h) or V(7d); a bare number is seconds.',
    ], default=DEFAULT_MAX_AGE),
    Option('allow_warning', 'bool', [
        'Whether a backup that ended with V(Warning) protects the VM (status V(warning), protected). With V(false) it is '
        'status V(warning), not protected, and only a V(Success) counts as the last success.',
    ], default=True),
    Option('require_restore_point', 'bool', [
        'Whether a protected VM also needs a restore point created within O(max_age), as Enterprise Manager lists them '
        '(VM restore points and agent restore points, by name). A successful task session does not prove that a '
        'restore point still exists: retention removes points, and a backup copy task has none. Without one the '
        'status is V(no_restore_point).',
        'Restore points are read only for the VMs whose task sessions would protect them.',
    ], default=True),
    Option('fail_on_copy', 'bool', [
        'Whether a failed backup copy job unprotects a VM whose own backup is good (status V(failed)). Either way '
        'C(copy_failed) tells whether the newest finished backup copy task session of the VM failed.',
    ], default=False),
)


def _vm_name():
    option = selection_options(('vm_name',))[0]
    return option.replace(description=(
        'The VMs (or agent computers) to judge, by the names Enterprise Manager displays, for example '
        'V("{{ ansible_play_hosts }}") or V("{{ inventory_hostname }}").',
        'Names compare as a case-insensitive EM compares them (any letter case, trailing spaces ignored). A name that '
        'matches no task session of the window is status V(never) and unprotected, never left out.',
        'Without it, every VM with a backup task session in the window (O(since)) is judged.',
    ))


def _since():
    option = selection_options(('since',))[0]
    return option.replace(default=DEFAULT_SINCE, description=option.description + (
        'The window read: a VM without a primary backup task session in it is V(never). It must reach back at '
        'least O(max_age), so that a success within O(max_age) is always seen.',))


def _job_type():
    option = selection_options(('job_type',))[0]
    return option.replace(description=(
        'Only the task sessions of these job types (the type of their job session), in any letter case, for example '
        'V(Backup) and V(AgentBackup); the values are those of O(vbr.enterprise_manager.backup_task_session_info#module:job_type).',
        'The verdict judges the primary backups among them and reports the backup copies (V(BackupCopy), '
        'V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker)) beside them; at least one primary type is needed.',
    ))


VM_INFO_OPTIONS = (_vm_name(), _since(), _job_type()) + JUDGEMENT_OPTIONS
JUDGEMENT_NAMES = tuple(option.name for option in JUDGEMENT_OPTIONS)


def _vm_names(value, now):
    """vm_names for the task session filters; judged: the names asked for, or None for every VM of the window."""
    if value is None:
        return {'vm_names': [], 'judged': None}
    names = string_values('vm_name', as_list(value))
    if not names:
        raise EMInputError('vm_name is an empty list, so there is no VM to judge.',
                           hint='Give the VM names, or leave vm_name out to judge every VM of the window.')
    return {'vm_names': names, 'judged': names}


def _max_age(value, now):
    # the judgement's clock is the Selection's: the moment relative times were fixed
    return {'max_age': parse_duration(value, 'max_age'), 'as_of': now}


def _primary_types(selection):
    if selection.job_types and all(is_copy(name) for name in selection.job_types):
        raise EMInputError('job_type holds backup copy types only (%s); the verdict judges primary backups.' % ', '.join(selection.job_types),
                           hint='Add the primary types to judge (Backup, AgentBackup, ...), or leave job_type out.')


def _window_reaches_max_age(selection):
    """A window that starts after now - max_age would miss a success within max_age: refused."""
    since = selection.since
    if since is not None and since > selection.as_of - timedelta(seconds=selection.max_age):
        raise EMInputError('since (%s) starts less than max_age before now, so a successful backup within max_age '
                           'could be missed.' % format_utc(since.replace(microsecond=0)),
                           hint='Give since at least max_age back (since: 7d with max_age: 24h), or leave since out.')


def _rules(selection):
    return VerdictRules(now=selection.as_of, max_age=selection.max_age, allow_warning=selection.allow_warning,
                        require_restore_point=selection.require_restore_point, fail_on_copy=selection.fail_on_copy,
                        since=selection.since)


# The judgement options' conversions and the rules derived from them: backup_vm_info's and the inventory's.
JUDGEMENT_CONVERSIONS = {
    'max_age': Conversion('max_age', _max_age),
    'allow_warning': flag('allow_warning'),
    'require_restore_point': flag('require_restore_point'),
    'fail_on_copy': flag('fail_on_copy'),
}
JUDGEMENT_RULES = (('rules', _rules),)

# The Selection of backup_vm_info: the task sessions of the window (the task session conversions), plus
# `judged` (the names asked for, or None) and `rules` (VerdictRules).
VERDICT_SELECTION = task_session_spec(VM_INFO_OPTIONS).extended(
    conversions=dict(JUDGEMENT_CONVERSIONS, vm_name=Conversion('vm_name', _vm_names)),
    checks=(_primary_types, _window_reaches_max_age),
    derive=JUDGEMENT_RULES)


def verdict_selection(values, now=None, validated=False):
    """The Selection of backup_vm_info's options (module params with validated=True; any option values else)."""
    return build_selection(VERDICT_SELECTION, values, now=now, validated=validated, page_size=None)
