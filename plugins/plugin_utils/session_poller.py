# -*- coding: utf-8 -*-
# The work of the EDA source vbr.enterprise_manager.task_sessions (extensions/eda/plugins/event_source/):
# its arguments, what one poll asks EM and which finished task sessions become events (each once,
# oldest first, with bounded memory), and the loop that polls until it is cancelled: one EM logon
# across polls, faults logged and retried with backoff, logoff at the end. The arguments are a
# Selection (source_options.py), each poll one read of the collection's reader (em_reader.py, with
# job_sessions.py for job_type and is_retry). Runs where ansible-rulebook runs.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import asyncio
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import checked_answers
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import OPTION_NAMES
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError, EMInputError, redact
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_sessions import JobSessionTypes, describe_parent, parent_of
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import is_running
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import build_selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_latest import creation_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.text_lists import shown_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc, utc_now
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.em_connection import build_client
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.source_options import SOURCE_SELECTION

logger = logging.getLogger('vbr.enterprise_manager.task_sessions')

# The first logon or query failing this way is a setting to fix, not an outage: the source ends at start.
FATAL_AT_START = frozenset(('input', 'authentication', 'authorization', 'not_found', 'tls', 'query'))
MAX_BACKOFF = 300.0
MAX_REMEMBERED = 50000  # a safety cap on the dedup memory, far above what one overlap window holds
# Job sessions whose type is remembered across polls; past this a fresh cache starts (a long-running source
# must not grow it without bound; a job's task sessions end close together, so little is read twice).
MAX_JOB_SESSIONS = 10000

# Seams for the unit tests: the pause between polls, and what EMClient gets besides the options.
_sleep = asyncio.sleep
_client_args = {}


# --- arguments ------------------------------------------------------------------------------------

def connection_arguments(args):
    """The connection arguments for em_connection: an empty one counts as absent (an EDA credential
    without a CA injects ''), so it falls back to VEEAM_EM_* like a missing one."""
    return dict((name, args[name]) for name in OPTION_NAMES if name in args and args[name] != '')


def parse_arguments(args, now):
    """The Selection of the source's arguments besides the connection (raises EMInputError naming the argument)."""
    known = set(SOURCE_SELECTION.accepted) | set(OPTION_NAMES)
    unknown = sorted(name for name in args if name not in known and not name.startswith('eda_'))
    if unknown:
        raise EMInputError('Unknown argument(s) of vbr.enterprise_manager.task_sessions: %s.' % ', '.join(unknown),
                           hint='Known: %s.' % ', '.join(sorted(known)))
    selection = build_selection(SOURCE_SELECTION, args, now=now)
    poll_filters(selection, selection.start)  # a selection too long for EM fails here, before any request
    return selection


def poll_filters(selection, ended_since):
    """The EM filters of one poll (one, unless the names are too many for one URL): the selection, and
    EndTime at or after ended_since."""
    return TASK_SESSIONS.filters(selection, ended_since=ended_since)


# --- one poll ---------------------------------------------------------------------------------------

class TaskSessionPoller(object):
    """What the source remembers between polls: the watermark, the sessions seen inside the overlap window and
    the job sessions read (their job_type and is_retry). poll() runs in a worker thread (the client is blocking);
    the rest in the loop."""

    def __init__(self, client, selection):
        self.client = client
        self.selection = selection
        self.watermark = selection.start  # the newest end time seen (EM's clock), never before since
        self.overlap = timedelta(seconds=selection.overlap)
        self.seen = OrderedDict()  # (id, end_time) -> end datetime, oldest first
        self.types = None  # the JobSessionTypes of the last polls, see job_session_types()

    def window_start(self):
        return max(self.selection.start, self.watermark - self.overlap)

    def poll(self):
        """(new finished sessions oldest first, newest end time among all finished ones) of one poll."""
        selection = self.selection
        with checked_answers(self.client, ('the arguments', '')) as check:
            finished = [(facts['end_time'], facts) for facts in read(self.client, TASK_SESSIONS, selection, chunks=poll_filters(selection, self.window_start()),
                                                                     accepts=check.bind(TASK_SESSIONS.checks(selection)), key=self._key)
                        if facts['end_time'] is not None and not is_running(facts)]  # running: its end is the event
        newest = max((ended for ended, _facts in finished), default=None)
        fresh = [(ended, facts) for ended, facts in finished if self._key(facts) not in self.seen and ended >= selection.start]
        if fresh:  # an idle poll reads no job session
            fresh = self.typed(fresh)
        fresh.sort(key=lambda item: (item[0], creation_key(item[1]), item[1]['id'] or ''))
        return fresh, newest

    def job_session_types(self):
        """The cache of job sessions read, fresh when it has grown past MAX_JOB_SESSIONS."""
        if self.types is None or len(self.types.known) + len(self.types.absent) > MAX_JOB_SESSIONS:
            # no job_type filter on its queries: a parent of another type must be told apart from a missing one
            self.types = JobSessionTypes(self.client, by_uid=True)
        return self.types

    def typed(self, fresh):
        """The (ended, facts) pairs of fresh with job_type and is_retry filled in, as the info module's (one job
        session query for the parents not read yet), less those the job_type selection drops (remembered as
        seen). A session whose parent EM does not return is logged; with a job_type selection it is not an event
        and the next poll asks EM again, without one it is an event with job_type null."""
        types = self.job_session_types()
        completed = types.complete([facts for _ended, facts in fresh])
        self._log_unreadable(types)
        wanted = self.selection.job_types
        kept = []
        for (ended, _facts), facts in zip(fresh, completed):
            parent = parent_of(facts)
            if not wanted or facts['job_type'] in wanted:
                kept.append((ended, facts))
            elif parent in types.known:  # of another type: never an event
                self.remember(facts, ended)
            else:  # not remembered: the next poll finds it again and asks EM for its job session once more
                types.absent.discard(parent)
        return kept

    def _log_unreadable(self, types):
        """One warning per poll for the sessions whose job session EM did not return (then forgotten: bounded)."""
        missing = list(types.unreadable.values())
        types.unreadable.clear()
        if not missing:
            return
        then = (' They cannot match job_type and are not events; the next poll asks again.' if self.selection.job_types
                else ' They are events with job_type null.')
        logger.warning('Enterprise Manager did not return the job session of %d new task session(s), so their job_type '
                       'and is_retry are unknown: %s.%s', len(missing), shown_list(missing, describe_parent), then)

    def remember(self, facts, ended):
        self.seen[self._key(facts)] = ended
        while len(self.seen) > MAX_REMEMBERED:
            self.seen.popitem(last=False)

    def advance(self, newest):
        """Move the watermark to the newest end time seen (not past the local clock plus the overlap, so a bogus
        future end time cannot blind the source) and forget the sessions that fell out of the window."""
        if newest is not None:
            self.watermark = max(self.watermark, min(newest, utc_now() + self.overlap))
        start = self.window_start()
        for key in [key for key, ended in self.seen.items() if ended < start]:
            del self.seen[key]

    @staticmethod
    def _key(facts):
        return (facts['id'] or facts['uid'], facts['end_time'])


def event_of(facts):
    return {'vbr_em': TASK_SESSIONS.export(facts), 'meta': {'hosts': facts['vm_name']}}


# --- the loop ---------------------------------------------------------------------------------------

def _describe(exc, secrets):
    """A fault for the log: an EMError's own message (already without secrets), else its type and text redacted."""
    if isinstance(exc, EMError):
        return redact(exc.full_message, secrets)
    return redact('%s: %s' % (type(exc).__name__, exc), secrets)


def _log_client_warnings(client):
    for warning in client.warnings:
        logger.warning(warning)
    del client.warnings[:]


async def _in_thread(executor, function, *args):
    """Run blocking client work in the source's one worker thread: polls and the logoff never overlap."""
    return await asyncio.wrap_future(executor.submit(function, *args))


def _log_off(client):
    """Log off and close the client's connections (what leaving its context does)."""
    client.__exit__(None, None, None)


async def _poll_forever(queue, poller, executor, interval, secrets):
    failures = 0
    first = True
    while True:
        try:
            fresh, newest = await _in_thread(executor, poller.poll)
        except Exception as exc:  # pylint: disable=broad-except
            # a transient fault must not end the rulebook; a setting EM rejects at once must
            if first and getattr(exc, 'kind', None) in FATAL_AT_START:
                raise
            failures += 1
            delay = min(interval * 2 ** (failures - 1), max(interval, MAX_BACKOFF))
            logger.warning('Polling Enterprise Manager failed (%d in a row): %s Next attempt in %d seconds.',
                           failures, _describe(exc, secrets), delay)
            logger.debug('The failed poll raised %s.', type(exc).__name__)
        else:
            first = False
            if failures:
                logger.warning('Polling Enterprise Manager works again after %d failed poll(s).', failures)
            failures = 0
            delay = interval
            for ended, facts in fresh:
                await queue.put(event_of(facts))
                poller.remember(facts, ended)
            poller.advance(newest)
            logger.debug('Poll done: %d new task session(s); window starts at %s.', len(fresh), format_utc(poller.window_start()))
        _log_client_warnings(poller.client)
        await _sleep(delay)


async def run(queue, args):
    """The source's main(queue, args): check the arguments, then poll until cancelled, then log off."""
    args = dict(args or {})
    selection = parse_arguments(args, utc_now())
    params, client = build_client(connection_arguments(args), log=logger.debug, **_client_args)  # checked before any request
    poller = TaskSessionPoller(client, selection)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix='vbr-em-eda')
    logger.info('Polling %s every %s seconds for task sessions that finished since %s (results: %s).',
                client.base_url, selection.interval, format_utc(selection.start), ', '.join(selection.results))
    try:
        await _poll_forever(queue, poller, executor, selection.interval, [params['password']])
    finally:
        # Cancelled or failed: the logoff waits for a poll still in its thread, then ends the EM logon session.
        try:
            await _in_thread(executor, _log_off, client)
            _log_client_warnings(client)
        finally:
            executor.shutdown(wait=False)
