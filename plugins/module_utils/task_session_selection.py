# -*- coding: utf-8 -*-
# The Selection of task sessions (selection.py) for every front-end: each option's conversion, the check
# across options, and what is derived once (the filters, so a selection too long for EM fails before any
# request; the wait watch). The module takes every option of task_session_options.py; the lookup, the
# inventory and the EDA source take some (their specs are beside their code) and get the same attributes.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import JOB_SESSION_URN, TASK_SESSION_URN
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import DEFAULT_PAGE_SIZE
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import normalize_job_types
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import as_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import RUNNING_STATES, TASK_SESSION_RESULTS, TASK_SESSION_STATES
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import (
    Conversion,
    Selection,
    SelectionSpec,
    build_selection,
    enums,
    flag,
    number,
    object_ids,
    strings,
    time,
    values_of,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS, validate_fields
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import SELECTION_OPTIONS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc

# option -> its Selection attributes (the names the query type, the row checks and the messages read).
TASK_SESSION_CONVERSIONS = dict((conversion.option, conversion) for conversion in (
    object_ids('id', TASK_SESSION_URN, 'ids', inputs='id_inputs'),
    object_ids('job_session_id', JOB_SESSION_URN, 'job_session_uids', with_urn=True),
    strings('vm_name', 'vm_names'),
    strings('job_name', 'job_names'),
    strings('backup_server_name', 'backup_server_names'),
    enums('state', 'states', TASK_SESSION_STATES),
    enums('result', 'results', TASK_SESSION_RESULTS),
    values_of('job_type', 'job_types', lambda option, values: normalize_job_types(values, option)),
    time('since'),
    time('until'),
    Conversion('filter', lambda value, now: {'raw_filter': str(value).strip() if value is not None else ''}),
    flag('latest_per_vm'),
    number('limit', 1),
    flag('wait'),
    number('wait_timeout', 0),
    number('wait_sleep', 1),
    Conversion('fields', lambda value, now: {'fields': validate_fields(as_list(value))}),
))


def until_not_before_since(selection):
    since, until = selection.get('since'), selection.get('until')
    if since is not None and until is not None and until < since:
        raise EMInputError('until (%s) is before since (%s).' % (format_utc(until), format_utc(since)), hint='Swap them, or leave one out.')


def hides_running(selection):
    """Whether the selection leaves out sessions that still run: any result (a running session has none yet),
    or states without both running states. Waiting on what it selects would then return before they end."""
    return bool(selection.results) or bool(selection.states and not set(selection.states).issuperset(RUNNING_STATES))


def wait_watch(selection):
    """With wait, for a selection that hides running sessions: the same selection of the running sessions,
    whatever their result, each of them (no limit, no latest_per_vm, every key); else None."""
    if not (selection.wait and hides_running(selection)):
        return None
    watch = selection.replace(states=list(RUNNING_STATES), results=[], limit=None, latest_per_vm=False, fields=None, wait_watch=None)
    return watch.replace(filters=TASK_SESSIONS.filters(watch))


def task_session_spec(options, conversions=None, derive=(('filters', TASK_SESSIONS.filters), ('wait_watch', wait_watch))):
    """The spec of a front-end that takes these rows of the option table (and its own), with conversions of its own."""
    return SelectionSpec(options, dict(TASK_SESSION_CONVERSIONS, **(conversions or {})), checks=(until_not_before_since,), derive=derive)


MODULE_SELECTION = task_session_spec(SELECTION_OPTIONS)


def task_session_selection(values, spec=MODULE_SELECTION, now=None, validated=False, page_size=None):
    """The Selection of task sessions of option values (see build_selection); a Selection passes unchanged.
    page_size is no option (the bench and the tests set it)."""
    if isinstance(values, Selection):
        return values
    values = dict(values or {})
    page_size = number('page_size', 1).convert(values.pop('page_size', page_size) or DEFAULT_PAGE_SIZE, now)['page_size']
    return build_selection(spec, values, now=now, validated=validated, page_size=page_size)
