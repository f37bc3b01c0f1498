# -*- coding: utf-8 -*-
# Event-Driven Ansible source vbr.enterprise_manager.task_sessions: polls the EM query service for backup task
# sessions that finished since the last poll and puts each one on the rulebook's queue once.
# Thin glue over the collection's module_utils (client, filter builder, normaliser, time helpers).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
name: task_sessions
short_description: Finished Veeam backup task sessions as Event-Driven Ansible events
version_added: 0.2.0
description:
  - Polls Veeam Backup Enterprise Manager (EM) every O(interval) seconds for the backup task sessions that
    finished (by their end time) since the previous poll, and puts each one on the rulebook's queue once, oldest
    first, as C({"vbr_em": <facts>, "meta": {"hosts": <VM name>}}). The facts are the same dictionary as one item
    of the C(backup_task_sessions) list of the vbr.enterprise_manager.backup_task_session_info module.
  - Each poll is one EM query (one request when nothing finished) for the sessions that ended at or after the
    newest end time seen so far minus O(overlap) seconds, filtered by EM on O(results), O(job_name) and
    O(vm_name). Sessions seen before are recognised by their ID and end time and not sent again; only the
    sessions inside the overlap window are remembered, so memory stays bounded.
  - Sessions still running are not events. A session that ended before O(since) is never an event.
  - One EM logon session serves all polls; when EM has expired it (15 minutes idle), the next poll logs on again.
    The source logs off when it is cancelled (a rulebook C(shutdown) action, or the engine stopping its sources).
  - EM faults (unreachable, HTTP 5xx, an expired logon session, answers that are not EM's) are logged without
    secrets and retried at the next poll, with the wait doubling after each failed poll up to 5 minutes; they never
    end the rulebook. Bad arguments, and a first logon that EM rejects (wrong password or role, wrong URL, TLS
    verification failure), end the source at start with a message that says what to fix.
author:
  - vbr.enterprise_manager maintainers (@vbr-ansible)
requirements:
  - ansible-rulebook (a decision environment) with ansible-core and the Python library C(requests)
options:
  url:
    description:
      - URL of the Enterprise Manager REST API, for example V(https://em.example.com:9398).
      - Falls back to the E(VEEAM_EM_URL) environment variable, as do all connection options below (E(VEEAM_EM_<NAME>)),
        when the argument is absent, null or empty.
    type: str
  username:
    description:
      - Account used to log on to Enterprise Manager, as V(DOMAIN\\user) or V(user@domain).
      - Falls back to E(VEEAM_EM_USERNAME).
    type: str
  password:
    description:
      - Password of O(username). It is never logged. Falls back to E(VEEAM_EM_PASSWORD).
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of Enterprise Manager; prefer O(ca_path) over V(false). Falls back to E(VEEAM_EM_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the EM certificate. Falls back to E(VEEAM_EM_CA_PATH).
    type: path
  timeout:
    description:
      - Seconds to wait for a connection and for each answer from EM. Falls back to E(VEEAM_EM_TIMEOUT).
    type: int
    default: 30
  retries:
    description:
      - How many times a read is repeated inside one poll after a transient failure. Falls back to E(VEEAM_EM_RETRIES).
    type: int
    default: 3
  api_version:
    description:
      - EM REST API version to log on with, V(latest) or a name such as V(v1_7). Falls back to E(VEEAM_EM_API_VERSION).
    type: str
    default: latest
  response_format:
    description:
      - V(xml) or V(json). Falls back to E(VEEAM_EM_RESPONSE_FORMAT).
    type: str
    default: xml
    choices: [xml, json]
  interval:
    description:
      - Seconds between two polls (a number greater than 0).
    type: float
    default: 60
  results:
    description:
      - Only task sessions with these results, in any letter case. One or more of V(Success), V(Warning), V(Failed).
    type: list
    elements: str
    default: [Failed, Warning]
  job_name:
    description:
      - Only task sessions of jobs with these names (exact, as EM compares them).
    type: list
    elements: str
  job_type:
    description:
      - Only task sessions whose parent job session has one of these C(JobType) values, in any letter case
        (V(Backup), V(BackupCopy), V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker), V(AgentBackup),
        V(AgentManagement), V(NasBackup)).
      - EM cannot filter task sessions on the job type, so the job sessions of the sessions a poll finds are read
        with one extra query (their types are remembered), and the others are dropped here.
    type: list
    elements: str
  vm_name:
    description:
      - Only task sessions of VMs with these names (as EM displays them).
    type: list
    elements: str
  since:
    description:
      - Where the first poll starts. By default the start of the source, so a restart does not replay history.
      - An ISO 8601 time with V(Z) or an offset (V(2025-08-15T06:00:00Z)), or an age before now such as V(30m) or
        V(2h), replays the sessions that finished since then.
    type: str
  overlap:
    description:
      - Seconds before the newest end time seen that every poll reads again, to catch sessions EM records late.
    type: int
    default: 120
notes:
  - The source runs where ansible-rulebook runs (the decision environment), which must reach EM.
  - ansible-rulebook ends at once on SIGINT and SIGTERM without cancelling its sources, so a killed rulebook does
    not log off; EM expires that one logon session after 15 minutes idle. End a rulebook with a C(shutdown) action
    to log off cleanly.
  - All times are UTC in ISO 8601 and end in V(Z). The window follows EM's clock (the end times it reports), except
    the default O(since), which is the clock of the host running the source; keep both in time (NTP).
seealso:
  - name: The collection's EDA guide
    description: When polling fits, how far it scales, the credential type and the syslog alternative (docs/eda.md).
    link: https://github.com/vbr-ansible/enterprise_manager/blob/main/docs/eda.md
'''

EXAMPLES = r'''
- name: React to failed Veeam backups
  hosts: localhost
  sources:
    - name: Finished task sessions
      vbr.enterprise_manager.task_sessions:
        url: https://em.example.com:9398
        username: "{{ veeam_em_username }}"
        password: "{{ veeam_em_password }}"
        interval: 60
        results: [Failed]
        job_name: [Nightly SQL]
  rules:
    - name: Retry the VM's backup
      condition: event.vbr_em.result == "Failed"
      throttle:
        once_within: 15 minutes
        group_by_attributes:
          - event.vbr_em.job_name
      action:
        run_playbook:
          name: retry_backup.yml
'''

import asyncio
import logging
import math
import os
import sys
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta


def _collections_root():
    """The directory holding ansible_collections/ of this collection's installed copy: ansible-rulebook runs a
    source file with runpy, outside Ansible's collection loader, so the collection's own module_utils are found
    through sys.path (first, so that another copy of the collection elsewhere cannot shadow them)."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = here.split(os.sep)
    if len(parts) > 7 and parts[-7] == 'ansible_collections':  # .../ansible_collections/vbr/enterprise_manager/extensions/eda/plugins/event_source
        return os.sep.join(parts[:-7]) or os.sep
    return None


_ROOT = _collections_root()
if _ROOT and _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import CONNECTION_OPTIONS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError, EMInputError, redact
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import whole_number
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import (
    TASK_SESSION_RESULTS,
    all_of,
    any_of,
    build_task_session_filter,
    comparison,
    encode_filter,
    normalize_enum,
    string_values,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import normalize_task_session
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import MAX_FILTER_LENGTH, QUERY_TYPE, RUNNING_STATES
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc, parse_em_time, parse_user_time, utc_now

logger = logging.getLogger('vbr.enterprise_manager.task_sessions')

# The documented JobType values of a BackupJobSession (issue 13 brings them, and the job type facts, to module_utils).
JOB_TYPES = ('Backup', 'BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker', 'AgentBackup', 'AgentManagement', 'NasBackup')
JOB_SESSION_QUERY_TYPE = 'BackupJobSession'
SOURCE_DEFAULTS = {'interval': 60, 'results': ['Failed', 'Warning'], 'job_name': None, 'job_type': None, 'vm_name': None,
                   'since': None, 'overlap': 120}
# The first logon or query failing this way is a setting to fix, not an outage: the source ends at start.
FATAL_AT_START = frozenset(('input', 'authentication', 'authorization', 'not_found', 'tls', 'query'))
MAX_BACKOFF = 300.0
MAX_REMEMBERED = 50000  # a safety cap on the dedup memory, far above what one overlap window holds
MAX_JOB_TYPES = 10000

# Seams for the unit tests: the client class and the pause between polls.
_client_class = EMClient
_sleep = asyncio.sleep


# --- glue to re-point at plugin_utils when the shared option table and client base land ------------------

def build_client(args, environ=None):
    """An EMClient (not yet logged on) from the source's connection arguments, VEEAM_EM_* for absent ones."""
    environ = os.environ if environ is None else environ
    params = {}
    for option in CONNECTION_OPTIONS:
        value = args.get(option.name)
        if value is None or value == '':
            value = environ.get(option.env) or None
        if value is not None and option.type == 'bool':
            try:
                value = boolean(value, strict=True)
            except TypeError:
                raise EMInputError('The %s argument must be true or false, not %r.' % (option.name, value))
        params[option.name] = value
    return _client_class(params, log=logger.debug)


def build_filter(selection, ended_since):
    """The EM filter of one poll: the selection, and EndTime at or after ended_since."""
    chosen = build_task_session_filter(vm_names=selection['vm_name'], job_names=selection['job_name'], results=selection['results'])
    return all_of([chosen, comparison('EndTime', '>=', ended_since)])


# --- arguments ----------------------------------------------------------------------------------------

def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _interval(value):
    if isinstance(value, bool):
        raise EMInputError('The interval argument must be a number of seconds, not %r.' % (value,))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EMInputError('The interval argument must be a number of seconds, not %r.' % (value,))
    if not math.isfinite(number) or number <= 0:
        raise EMInputError('The interval argument must be greater than 0, not %r.' % (value,))
    return number


def parse_arguments(args, now):
    """The validated selection and timing arguments (raises EMInputError naming the argument)."""
    known = set(SOURCE_DEFAULTS) | set(option.name for option in CONNECTION_OPTIONS)
    unknown = sorted(name for name in args if name not in known and not name.startswith('eda_'))
    if unknown:
        raise EMInputError('Unknown argument(s) of vbr.enterprise_manager.task_sessions: %s.' % ', '.join(unknown),
                           hint='Known: %s.' % ', '.join(sorted(known)))
    merged = dict(SOURCE_DEFAULTS)
    merged.update(dict((k, v) for k, v in args.items() if k in SOURCE_DEFAULTS and v is not None))
    results = normalize_enum('results', _as_list(merged['results']), TASK_SESSION_RESULTS)
    if not results:
        raise EMInputError('The results argument is empty.', hint='Give one or more of %s.' % ', '.join(TASK_SESSION_RESULTS))
    return {
        'interval': _interval(merged['interval']),
        'results': results,
        'job_name': string_values('job_name', _as_list(merged['job_name'])),
        'job_type': normalize_enum('job_type', _as_list(merged['job_type']), JOB_TYPES),
        'vm_name': string_values('vm_name', _as_list(merged['vm_name'])),
        'since': parse_user_time(merged['since'], 'since', now=now) if merged['since'] not in (None, '') else now,
        'overlap': whole_number('overlap', merged['overlap'], 0),
    }


# --- the poller ---------------------------------------------------------------------------------------

class TaskSessionPoller(object):
    """What the source remembers between polls: the watermark, the sessions seen inside the overlap window and
    the job types of job sessions. poll() runs in a worker thread (the client is blocking); the rest in the loop."""

    def __init__(self, client, selection):
        self.client = client
        self.selection = selection
        self.watermark = selection['since']  # the newest end time seen (EM's clock), never before since
        self.overlap = timedelta(seconds=selection['overlap'])
        self.seen = OrderedDict()  # (id, end_time) -> end datetime, oldest first
        self.job_types = OrderedDict()  # job session UID (lower case) -> JobType

    def window_start(self):
        return max(self.selection['since'], self.watermark - self.overlap)

    def poll(self):
        """(new finished sessions oldest first, newest end time among all finished ones) of one query."""
        pager = self.client.query(QUERY_TYPE, filter=build_filter(self.selection, self.window_start()))
        finished = []
        for entity in pager:
            facts = normalize_task_session(entity)
            ended = parse_em_time(facts['end_time'])
            if ended is None or str(facts['state'] or '').lower() in RUNNING_STATES:
                continue  # still running: its end is the event
            finished.append((ended, facts))
        newest = max((ended for ended, _facts in finished), default=None)
        fresh = [(ended, facts) for ended, facts in finished if self._key(facts) not in self.seen and ended >= self.selection['since']]
        if self.selection['job_type'] and fresh:
            fresh = self._of_job_types(fresh)
        fresh.sort(key=lambda item: (item[0], item[1]['creation_time'] or '', item[1]['id'] or ''))
        return fresh, newest

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

    def _of_job_types(self, sessions):
        """The sessions whose job session has a wanted JobType; the job types not known yet come from one
        BackupJobSession query (per chunk of UIDs that fits in a URL)."""
        missing = {}  # lower case (the cache key) -> as EM spells it (what the filter sends)
        for _ended, facts in sessions:
            key = self._job_session(facts)
            if key and key not in self.job_types:
                missing[key] = facts['job_session_uid']
        for chunk in _uid_chunks([missing[key] for key in sorted(missing)]):
            for entity in self.client.query(JOB_SESSION_QUERY_TYPE, filter=any_of([comparison('UID', '==', uid) for uid in chunk])):
                uid = str(entity.get('UID') or '').lower()
                if uid:
                    self.job_types[uid] = str(entity.get('JobType') or '')
        while len(self.job_types) > MAX_JOB_TYPES:
            self.job_types.popitem(last=False)
        wanted = set(name.lower() for name in self.selection['job_type'])
        kept = []
        for ended, facts in sessions:
            job_type = self.job_types.get(self._job_session(facts))
            if job_type is None:
                logger.warning('The job session of task session %s (%s) is unknown to EM; it cannot be matched to job_type.',
                               facts['id'], facts['vm_name'])
            elif job_type.lower() in wanted:
                kept.append((ended, facts))
            else:
                self.remember(facts, ended)  # seen: its job type is not wanted, no need to look at it again
        return kept

    @staticmethod
    def _job_session(facts):
        return str(facts['job_session_uid']).lower() if facts['job_session_uid'] else None


def _uid_chunks(uids):
    chunk = []
    for uid in uids:
        if chunk and len(encode_filter(any_of([comparison('UID', '==', u) for u in chunk + [uid]]))) > MAX_FILTER_LENGTH:
            yield chunk
            chunk = []
        chunk.append(uid)
    if chunk:
        yield chunk


def event_of(facts):
    return {'vbr_em': facts, 'meta': {'hosts': facts['vm_name']}}


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


async def _run(queue, poller, executor, interval, secrets):
    client = poller.client
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
        _log_client_warnings(client)
        await _sleep(delay)


async def main(queue, args):
    """The EDA source entry point: poll until cancelled, then log off."""
    args = dict(args or {})
    selection = parse_arguments(args, utc_now())
    client = build_client(args)  # validates the connection arguments before any request
    secrets = [client.settings['password']]
    poller = TaskSessionPoller(client, selection)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix='vbr-em-eda')
    logger.info('Polling %s every %s seconds for task sessions that finished since %s (results: %s).',
                client.base_url, selection['interval'], format_utc(selection['since']), ', '.join(selection['results']))
    try:
        await _run(queue, poller, executor, selection['interval'], secrets)
    finally:
        # Cancelled or failed: the logoff waits for a poll still in its thread, then ends the EM logon session.
        try:
            await _in_thread(executor, _log_off, client)
            _log_client_warnings(client)
        finally:
            executor.shutdown(wait=False)
