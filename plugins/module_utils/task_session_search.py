# -*- coding: utf-8 -*-
# The task session selection shared by the backup_task_session_info module and the lookup plugin:
# criteria -> validated search (before any request) -> EM query service filters -> normalised facts,
# newest first, with missing IDs, truncation, a summary, and optional waiting for running sessions.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import checked_answers, search_checks, search_origin
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import as_list, whole_number
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import (
    MAX_FILTER_LENGTH,
    TASK_SESSION_QUERY_TYPE,
    TASK_SESSION_RESULTS,
    TASK_SESSION_STATES,
    normalize_enum,
    string_values,
    task_session_filters,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import DEFAULT_PAGE_SIZE
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_sessions import JobSessionTypes
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import normalize_job_types
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import JOB_SESSION_URN, TASK_SESSION_URN, parse_object_id
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import (
    TASK_SESSION_KEYS,
    normalize_task_session,
    project,
    validate_fields,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_gaps import (
    FAIL,
    NAME_OPTION_NAMES,
    POLL,
    WARN,
    empty_wait,
    no_task_session_error,
    no_task_session_timeout,
    nothing_warning,
    unmatched_names,
    unmatched_warning,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_latest import (
    LIMIT_STOP,
    NAMES_STOP,
    creation_key,
    keep_newest,
    read_newest_per_vm,
    streams,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import selection_defaults
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_wait import (
    hides_running,
    running_sessions,
    still_running_error,
    watch_values,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import (
    format_utc,
    parse_user_time,
    utc_now,
)

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
        job_types=normalize_job_types(as_list(merged['job_type'])),
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
    search.wait_watch = None
    if search.wait and hides_running(search):
        search.wait_watch = PreparedSearch(**watch_values(search))
        search.wait_watch.filters = query_filters(search.wait_watch)
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


# The keys the selection itself reads (de-duplication, sorting, latest_per_vm, summary, wait messages, unmatched):
# with `fields`, each session keeps only these and the chosen ones while the pages are read.
_INTERNAL_KEYS = ('id', 'uid', 'vm_name', 'vm_uid', 'job_name', 'job_session_id', 'job_type', 'creation_time', 'state',
                  'result', 'backup_server_name')


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


def _read_all(client, search, filter_text, collected, types):
    """Read one filter's sessions; True when EM had more than the limit.
    IDs: every one asked for is read, so missing_ids stays exact; the limit applies afterwards. A job_type
    selection is applied to what EM returns, so with a limit the pages are read until enough were selected."""
    if search.job_types and search.limit is not None and not search.ids:
        selected = 0
        pager = client.query(TASK_SESSION_QUERY_TYPE, filter=filter_text, page_size=search.page_size)
        for page in pager.iter_pages():
            batch = types.complete([facts for facts in (collected.add(entity) for entity in page) if facts is not None])
            selected += sum(1 for facts in batch if types.selected(facts))
            if selected > search.limit:
                return True
        return False
    pager = client.query(TASK_SESSION_QUERY_TYPE, filter=filter_text, page_size=search.page_size,
                         limit=None if search.ids or search.job_types else search.limit, prefetch=True)
    for entity in pager:
        collected.add(entity)
    return pager.truncated


def _newest_first(search, sessions, newest, streamed):
    """(the sessions to return, newest first, within the limit; True when the limit cut them)."""
    if search.latest_per_vm:
        if not streamed:
            for facts in sessions:
                keep_newest(newest, facts)
        sessions = list(newest.values())
    sessions.sort(key=creation_key, reverse=True)
    if search.limit is not None and len(sessions) > search.limit:
        return sessions[:search.limit], True
    return sessions, False


def _select_once(client, search, accepts, types):
    """One pass of the selection: (facts newest first, truncated, every session selected, the name options
    whose reading stopped before the last page)."""
    collected = _Collected(_kept_keys(search.fields), accepts)
    newest = {}
    stops = set()
    streamed = search.latest_per_vm and not search.ids and streams(search)
    for filter_text in search.filters:
        if streamed:
            stops.add(read_newest_per_vm(client, search, filter_text, collected, newest, types))
        elif _read_all(client, search, filter_text, collected, types):
            stops.add(LIMIT_STOP)
    # the job types of what the pages brought (those read page by page have theirs already)
    selected = [facts for facts in types.complete(collected.sessions) if types.selected(facts)]
    sessions, cut = _newest_first(search, selected, newest, streamed)
    # every named VM of a filter was seen when NAMES_STOP ended its reading; the other names may come later
    unread = NAME_OPTION_NAMES if LIMIT_STOP in stops else ('job_name', 'backup_server_name') if NAMES_STOP in stops else ()
    return sessions, LIMIT_STOP in stops or cut, selected, unread


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


def search_task_sessions(client, criteria, now=None, sleep=time.sleep, monotonic=time.monotonic):
    """Select backup task sessions through a connected EMClient.

    criteria: a dict with the module's option names (or a PreparedSearch from prepare_criteria()).
    Returns dict(backup_task_sessions, count, missing_ids, unmatched, truncated, summary). Rows EM returns that
    do not satisfy the selection are dropped and named in a warning of the client (see row_check.py), as are
    the names that matched nothing (task_session_gaps.py)."""
    search = prepare_criteria(criteria, now=now)
    with checked_answers(client, search_origin(search)) as check:
        return _search(client, search, check, sleep, monotonic)


def _search(client, search, check, sleep, monotonic):
    deadline = monotonic() + (search.wait_timeout or 0)
    types = JobSessionTypes(client, search.job_types, since=search.since, until=search.until,
                            by_uid=bool(search.ids or search.job_session_uids), page_size=search.page_size)
    accepts = check.bind(search_checks(search))
    watch = search.wait_watch  # the running sessions the selection would hide, or None
    watch_accepts = check.bind(search_checks(watch)) if watch is not None else None
    waited = False  # a poll selected sessions: an empty answer after it is what they became (state), no typo
    while True:
        running = _select_once(client, watch, watch_accepts, types)[0] if watch is not None else []
        waited = waited or bool(running)
        if not running:
            sessions, truncated, selected, unread = _select_once(client, search, accepts, types)
            waited = waited or bool(selected)
            nothing = empty_wait(search) if search.wait and not waited else None
            if nothing == FAIL:
                raise no_task_session_error(search)
            running = running_sessions(sessions) if search.wait and watch is None else []
            if not running and nothing != POLL:
                break
        remaining = deadline - monotonic()
        if remaining <= 0:
            raise still_running_error(search, running) if running else no_task_session_timeout(search)
        sleep(min(search.wait_sleep, remaining))

    unmatched = unmatched_names(search, selected, unread)
    for warning in (types.warning(), unmatched_warning(unmatched), nothing_warning(search) if nothing == WARN else None):
        if warning:
            client.warnings.append(warning)
    found = set(str(facts.get('id') or facts.get('uid')).lower() for facts in selected)
    missing = [given for guid, given in zip(search.ids, search.id_inputs) if guid not in found]
    return {
        'backup_task_sessions': [project(s, search.fields) for s in sessions],
        'count': len(sessions),
        'missing_ids': missing,
        'unmatched': unmatched,
        'truncated': truncated,
        'summary': summarize(sessions),
    }
