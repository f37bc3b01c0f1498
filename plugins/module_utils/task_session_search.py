# -*- coding: utf-8 -*-
# What the backup_task_session_info module (and the backup_vms inventory) answer for a Selection
# (task_session_selection.py): the task sessions read through the reader (em_reader.py), newest first, with
# missing IDs, truncation, a summary, and optional waiting for running sessions.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import checked_answers, search_origin
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_sessions import JobSessionTypes
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import TASK_SESSION_RESULTS, TASK_SESSION_STATES, is_running
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSION_KEYS, TASK_SESSIONS, project
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_gaps import (
    FAIL,
    NAME_OPTION_NAMES,
    POLL,
    WARN,
    empty_wait,
    no_task_session_error,
    no_task_session_timeout,
    still_running_error,
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
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection

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


class _SelectedCount(object):
    """The early stop of a job_type selection with a limit (EM cannot filter on the job type): a chunk's reading
    ends once more sessions than the limit were selected."""

    def __init__(self, limit, types):
        self.limit = limit
        self.types = types

    def __call__(self, chunk):
        counted = [0]

        def done(batch):
            counted[0] += sum(1 for facts in batch if self.types.selected(facts))
            return counted[0] > self.limit
        return done


def _read_all(client, search, accepts, types):
    """(every session of the selection's filters, True when EM had more than the limit).
    IDs: every one asked for is read, so missing_ids stays exact; the limit applies afterwards. A job_type
    selection is applied to what EM returns, so with a limit the pages are read until enough were selected."""
    keep = _kept_keys(search.fields)
    if search.job_types and search.limit is not None and not search.ids:
        reading = read(client, TASK_SESSIONS, search, chunks=search.filters, accepts=accepts, enrich=types.complete,
                       stop=_SelectedCount(search.limit, types), keep=keep)
        sessions = list(reading)
        return sessions, reading.stopped
    reading = read(client, TASK_SESSIONS, search, chunks=search.filters, accepts=accepts, enrich=types.complete, whole=True,
                   prefetch=True, limit=None if search.ids or search.job_types else search.limit, keep=keep)
    sessions = list(reading)
    return sessions, reading.truncated


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
    newest = {}
    streamed = search.latest_per_vm and not search.ids and streams(search)
    if streamed:
        read_sessions, stop = read_newest_per_vm(client, search, accepts, types, newest, _kept_keys(search.fields))
    else:
        read_sessions, cut = _read_all(client, search, accepts, types)
        stop = LIMIT_STOP if cut else None
    selected = [facts for facts in read_sessions if types.selected(facts)]
    sessions, cut = _newest_first(search, selected, newest, streamed)
    # every named VM of a filter was seen when NAMES_STOP ended its reading; the other names may come later
    unread = NAME_OPTION_NAMES if stop == LIMIT_STOP else ('job_name', 'backup_server_name') if stop == NAMES_STOP else ()
    return sessions, stop == LIMIT_STOP or cut, selected, unread


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


def search_task_sessions(client, criteria, now=None, sleep=time.sleep, monotonic=time.monotonic, export=True):
    """Select backup task sessions through a connected EMClient.

    criteria: a dict with the module's option names, or a Selection (task_session_selection()).
    Returns dict(backup_task_sessions, count, missing_ids, unmatched, truncated, summary). Rows EM returns that
    do not satisfy the selection are dropped and named in a warning of the client (see row_check.py), as are
    the names that matched nothing (task_session_gaps.py). export: the facts as they leave the collection (times
    as text); False keeps the datetimes (the inventory computes with them)."""
    search = task_session_selection(criteria, now=now)
    with checked_answers(client, search_origin(search)) as check:
        return _search(client, search, check, sleep, monotonic, export)


def _search(client, search, check, sleep, monotonic, export):
    deadline = monotonic() + (search.wait_timeout or 0)
    types = JobSessionTypes(client, search.job_types, since=search.since, until=search.until,
                            by_uid=bool(search.ids or search.job_session_uids), page_size=search.page_size)
    accepts = check.bind(TASK_SESSIONS.checks(search))
    watch = search.wait_watch  # the running sessions the selection would hide, or None
    watch_accepts = check.bind(TASK_SESSIONS.checks(watch)) if watch is not None else None
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
            running = [facts for facts in sessions if is_running(facts)] if search.wait and watch is None else []
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
        'backup_task_sessions': [TASK_SESSIONS.export(project(s, search.fields)) if export else s for s in sessions],
        'count': len(sessions),
        'missing_ids': missing,
        'unmatched': unmatched,
        'truncated': truncated,
        'summary': summarize(sessions),
    }
