# -*- coding: utf-8 -*-
# The task session selection shared by the backup_task_session_info module and the lookup plugin:
# criteria -> validated search (before any request) -> EM query service filters -> normalised facts,
# newest first, with missing IDs, truncation, a summary, and optional waiting for running sessions.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import checked_answers, search_checks, search_origin
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError, EMWaitTimeoutError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import as_list, whole_number
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import (
    MAX_FILTER_LENGTH,
    RUNNING_STATES,
    TASK_SESSION_QUERY_TYPE,
    TASK_SESSION_RESULTS,
    TASK_SESSION_STATES,
    normalize_enum,
    string_values,
    task_session_filters,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_pager import DEFAULT_PAGE_SIZE
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import JOB_SESSION_URN, TASK_SESSION_URN, parse_object_id
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import (
    TASK_SESSION_KEYS,
    normalize_task_session,
    project,
    validate_fields,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import selection_defaults
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import (
    format_utc,
    parse_user_time,
    utc_now,
)

# EM states are compared without regard to case here.
_RUNNING = frozenset(state.lower() for state in RUNNING_STATES)

# What an absent option means: the option table's defaults (page_size is no option: the bench sets it).
SEARCH_DEFAULTS = dict(selection_defaults(), page_size=DEFAULT_PAGE_SIZE)


class PreparedSearch(object):
    """Validated, resolved criteria (relative times fixed at preparation)."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def as_dict(self):
        return dict(self.__dict__)


def _whole_number(criteria, name, minimum):
    value = criteria.get(name)
    return None if value is None else whole_number(name, value, minimum)


def prepare_criteria(criteria, now=None):
    """Validate and resolve the selection criteria without any request; raises EMInputError.
    A PreparedSearch passes through unchanged."""
    if isinstance(criteria, PreparedSearch):
        return criteria
    merged = dict(SEARCH_DEFAULTS)
    merged.update(dict((k, v) for k, v in (criteria or {}).items() if k in SEARCH_DEFAULTS and v is not None))
    now = now or utc_now()

    ids = []
    id_inputs = []
    for value in as_list(merged['id']):
        guid = parse_object_id(value, TASK_SESSION_URN, 'id')
        if guid not in ids:
            ids.append(guid)
            id_inputs.append(str(value).strip())
    job_session_uids = []
    for value in as_list(merged['job_session_id']):
        uid = JOB_SESSION_URN + parse_object_id(value, JOB_SESSION_URN, 'job_session_id')
        if uid not in job_session_uids:
            job_session_uids.append(uid)

    since = parse_user_time(merged['since'], 'since', now=now)
    until = parse_user_time(merged['until'], 'until', now=now)
    if since is not None and until is not None and until < since:
        raise EMInputError('until (%s) is before since (%s).' % (format_utc(until), format_utc(since)),
                           hint='Swap them, or leave one out.')

    raw_filter = merged['filter']
    raw_filter = str(raw_filter).strip() if raw_filter is not None else ''

    limit = _whole_number(merged, 'limit', 1)
    wait_timeout = _whole_number(merged, 'wait_timeout', 0)
    wait_sleep = _whole_number(merged, 'wait_sleep', 1)
    page_size = _whole_number(merged, 'page_size', 1)

    search = PreparedSearch(
        ids=ids,
        id_inputs=id_inputs,
        job_session_uids=job_session_uids,
        vm_names=string_values('vm_name', as_list(merged['vm_name'])),
        job_names=string_values('job_name', as_list(merged['job_name'])),
        backup_server_names=string_values('backup_server_name', as_list(merged['backup_server_name'])),
        states=normalize_enum('state', as_list(merged['state']), TASK_SESSION_STATES),
        results=normalize_enum('result', as_list(merged['result']), TASK_SESSION_RESULTS),
        since=since,
        until=until,
        raw_filter=raw_filter,
        latest_per_vm=bool(merged['latest_per_vm']),
        limit=limit,
        wait=bool(merged['wait']),
        wait_timeout=wait_timeout,
        wait_sleep=wait_sleep,
        fields=validate_fields(as_list(merged['fields'])),
        page_size=page_size,
    )
    search.filters = query_filters(search)  # a selection too long for EM fails here, before any request
    return search


# The option each OR-list of a search comes from, by its build_task_session_filter() argument name.
_OPTION_OF = {'uids': 'id', 'job_session_uids': 'job_session_id', 'vm_names': 'vm_name', 'job_names': 'job_name',
              'backup_server_names': 'backup_server_name'}


def query_filters(search, max_length=MAX_FILTER_LENGTH):
    """The filters to query: one, or one per chunk of the longest OR-list when the filter of all of them
    is too long for one URL (see task_session_filters). EMInputError when even that does not fit."""
    lists = {
        'uids': [TASK_SESSION_URN + guid for guid in search.ids],
        'job_session_uids': list(search.job_session_uids),
        'vm_names': list(search.vm_names),
        'job_names': list(search.job_names),
        'backup_server_names': list(search.backup_server_names),
    }
    return task_session_filters(lists, _OPTION_OF, max_length, states=search.states, results=search.results,
                                since=search.since, until=search.until, raw=search.raw_filter)


def _creation_key(facts):
    """Sort key of a creation_time: the fixed-width text of format_fact_time sorts as the time does."""
    return facts.get('creation_time') or ''


def _vm_key(facts):
    """A VM's identity: its EM UID when EM reports one (names can repeat across vCenters), else its name."""
    if facts.get('vm_uid'):
        return ('uid', facts['vm_uid'])
    if facts.get('vm_name') is not None:
        return ('name', facts['vm_name'])
    return ('session', facts.get('id'))


def _keep_newest(newest, facts):
    """Record facts in newest (VM key -> facts) when it is that VM's newest session so far."""
    key = _vm_key(facts)
    if key not in newest or _creation_key(facts) > _creation_key(newest[key]):
        newest[key] = facts


# The keys the selection itself reads (de-duplication, sorting, latest_per_vm, summary, wait messages):
# with `fields`, each session keeps only these and the chosen ones while the pages are read.
_INTERNAL_KEYS = ('id', 'uid', 'vm_name', 'vm_uid', 'job_name', 'creation_time', 'state', 'result')


def _kept_keys(fields):
    """The keys to keep per session while selecting (None: all of them)."""
    if fields is None or len(fields) == len(TASK_SESSION_KEYS):
        return None
    wanted = set(fields).union(_INTERNAL_KEYS)
    return tuple(key for key in TASK_SESSION_KEYS if key in wanted)


class _Collected(object):
    """The sessions one pass has read, each once, in reading order (facts cut to `kept` keys); a row
    `accepts` refuses (it does not satisfy the selection) is dropped."""

    def __init__(self, kept, accepts):
        self.kept = kept
        self.accepts = accepts
        self.sessions = []
        self.seen = set()

    def add(self, entity):
        """The facts of entity, or None when that session was read already (a session inserted while
        paging shifts the pages: the repeat is dropped) or does not satisfy the selection."""
        facts = normalize_task_session(entity)
        if not self.accepts(facts):
            return None
        if self.kept is not None:
            facts = dict((key, facts.get(key)) for key in self.kept)
        key = facts.get('id') or facts.get('uid')
        if key in self.seen:
            return None
        self.seen.add(key)
        self.sessions.append(facts)
        return facts


def _read_newest_per_vm(client, search, filter_text, collected, newest):
    """latest_per_vm without IDs: one filter's pages into newest (VM key -> facts); True when the
    limit cut the reading short. Sorted newest first: with a limit, once more VMs than that were seen, the newest session of each
    of the first `limit` VMs is known. (No early stop once every named VM showed up: VMs of several
    vCenters can share a name, and the newest of each is wanted.)"""
    chunk_newest = {}
    truncated = False
    # without a limit every page is read, so the next one can be fetched while this one is worked on
    pager = client.query(TASK_SESSION_QUERY_TYPE, filter=filter_text, page_size=search.page_size, prefetch=search.limit is None)
    for page in pager.iter_pages():
        for entity in page:
            facts = collected.add(entity)
            if facts is not None:
                _keep_newest(chunk_newest, facts)
        if search.limit is not None and len(chunk_newest) > search.limit:
            truncated = True
            break
    for facts in chunk_newest.values():
        _keep_newest(newest, facts)
    return truncated


def _read_all(client, search, filter_text, collected):
    """Read one filter's sessions; True when EM had more than the limit.
    IDs: every one asked for is read, so missing_ids stays exact; the limit applies afterwards."""
    pager = client.query(TASK_SESSION_QUERY_TYPE, filter=filter_text, page_size=search.page_size,
                         limit=None if search.ids else search.limit, prefetch=True)
    for entity in pager:
        collected.add(entity)
    return pager.truncated


def _newest_first(search, sessions, newest):
    """(the sessions to return, newest first, within the limit; True when the limit cut them)."""
    if search.latest_per_vm:
        if search.ids:
            for facts in sessions:
                _keep_newest(newest, facts)
        sessions = list(newest.values())
    sessions.sort(key=_creation_key, reverse=True)
    if search.limit is not None and len(sessions) > search.limit:
        return sessions[:search.limit], True
    return sessions, False


def _select_once(client, search, accepts):
    """One pass of the selection: (facts newest first, truncated, IDs of every session found)."""
    collected = _Collected(_kept_keys(search.fields), accepts)
    newest = {}
    truncated = False
    for filter_text in search.filters:
        if search.latest_per_vm and not search.ids:
            truncated = _read_newest_per_vm(client, search, filter_text, collected, newest) or truncated
        else:
            truncated = _read_all(client, search, filter_text, collected) or truncated
    sessions, cut = _newest_first(search, collected.sessions, newest)
    return sessions, truncated or cut, set(str(key).lower() for key in collected.seen if key)


def summarize(sessions):
    """Counts by result and by state (documented values always present, others as they come)."""
    by_result = dict((name, 0) for name in TASK_SESSION_RESULTS)
    by_state = dict((name, 0) for name in TASK_SESSION_STATES)
    for facts in sessions:
        result = facts.get('result') if facts.get('result') is not None else 'None'
        state = facts.get('state') if facts.get('state') is not None else 'None'
        by_result[result] = by_result.get(result, 0) + 1
        by_state[state] = by_state.get(state, 0) + 1
    return {'by_result': by_result, 'by_state': by_state}


def _running(sessions):
    return [s for s in sessions if str(s.get('state') or '').lower() in _RUNNING]


def _describe(facts):
    return '%s (%s, job %s, id %s)' % (facts.get('vm_name'), facts.get('state'), facts.get('job_name'), facts.get('id'))


def search_task_sessions(client, criteria, now=None, sleep=time.sleep, monotonic=time.monotonic):
    """Select backup task sessions through a connected EMClient.

    criteria: a dict with the module's option names (or a PreparedSearch from prepare_criteria()).
    Returns dict(backup_task_sessions, count, missing_ids, truncated, summary). Rows EM returns that do
    not satisfy the selection are dropped and named in a warning of the client (see row_check.py)."""
    search = prepare_criteria(criteria, now=now)
    with checked_answers(client, search_origin(search)) as check:
        return _search(client, search, check.bind(search_checks(search)), sleep, monotonic)


def _search(client, search, accepts, sleep, monotonic):
    deadline = monotonic() + (search.wait_timeout or 0)
    while True:
        sessions, truncated, found = _select_once(client, search, accepts)
        running = _running(sessions) if search.wait else []
        if not running:
            break
        remaining = deadline - monotonic()
        if remaining <= 0:
            shown = ', '.join(_describe(s) for s in running[:10])
            more = ' and %d more' % (len(running) - 10) if len(running) > 10 else ''
            raise EMWaitTimeoutError('%d task session(s) still running after wait_timeout=%s seconds: %s%s.'
                                     % (len(running), search.wait_timeout, shown, more),
                                     hint='Raise wait_timeout, or check these sessions in Veeam Backup & Replication.',
                                     running=[s.get('id') for s in running])
        sleep(min(search.wait_sleep, remaining))

    missing = [given for guid, given in zip(search.ids, search.id_inputs) if guid not in found]
    return {
        'backup_task_sessions': [project(s, search.fields) for s in sessions],
        'count': len(sessions),
        'missing_ids': missing,
        'truncated': truncated,
        'summary': summarize(sessions),
    }
