# -*- coding: utf-8 -*-
# The job type and retry flag of task sessions, read from their parent job sessions
# (type=BackupJobSession): EM's task sessions carry neither. With as few requests as possible: one
# query over the time window of the task sessions (one job session per job run: far fewer than task
# sessions), then OR'd UID filters for the parents it did not return (a job that started before the
# window); selections by ID go by UID filters directly.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import JOB_SESSION_URN, guid_from_urn, id_from_href
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import Chunk, OrList, QueryType, read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import (
    MAX_FILTER_LENGTH,
    all_of,
    any_of,
    comparison,
    encode_filter,
    enum_comparison,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import DEFAULT_PAGE_SIZE
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.text_lists import shown_list

# A job session starts before its tasks: without `since`, the window asked for the parents of some task
# sessions reaches back this far before the oldest of them (a longer run is found by its UID).
PARENT_LEAD = timedelta(days=1)


def parent_of(facts):
    """The lower-case GUID of a task session's job session, or None."""
    guid = facts.get('job_session_id')
    return str(guid).lower() if guid else None


def _flag(value):
    """IsRetry as a bool: XML says 'true'/'false', JSON true/false; None when EM did not say."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    return True if text == 'true' else False if text == 'false' else None


def job_session_facts(entity):
    """What a task session takes from its job session: its lower-case GUID, job_type and is_retry."""
    guid = guid_from_urn(entity.get('UID')) or id_from_href(entity.get('Href'))
    return {'id': guid.lower() if guid else None, 'job_type': entity.get('JobType'), 'is_retry': _flag(entity.get('IsRetry'))}


def job_session_terms(selection):
    """The job types, and the creation time window [lower, upper] (datetimes or None)."""
    lower, upper = selection.get('lower'), selection.get('upper')
    return [comparison('CreationTime', '>=', lower) if lower is not None else '',
            comparison('CreationTime', '<', upper + timedelta(microseconds=1)) if upper is not None else '',
            any_of([enum_comparison('JobType', name) for name in selection.get('job_types') or []])]


JOB_SESSIONS = QueryType('BackupJobSession', job_session_facts, terms=job_session_terms,
                         lists=(OrList('uids', 'UID', 'job_session_id', lambda guid: JOB_SESSION_URN + guid),))


class JobSessionTypes(object):
    """Fills job_type and is_retry into task session facts, batch by batch, reading each parent once.

    job_types: the job_type selection (canonical spellings), applied to the job session queries and
    by selected(); a task session whose parent EM does not return then is not selected. since/until:
    the selection's window (datetimes or None). by_uid: read parents by UID only (selections by ID)."""

    def __init__(self, client, job_types=(), since=None, until=None, by_uid=False, page_size=DEFAULT_PAGE_SIZE,
                 max_length=MAX_FILTER_LENGTH):
        self.client = client
        self.job_types = list(job_types or [])
        self.since = since
        self.until = until
        self.by_uid = by_uid
        self.page_size = page_size
        self.max_length = max_length
        self.known = {}  # parent GUID -> (job_type, is_retry)
        self.absent = set()  # parent GUIDs EM did not return
        self.window_read = False
        self.unreadable = {}  # task session id -> facts, for the warning

    def complete(self, batch):
        """The final facts of batch (a list of task session facts without their job's): new dicts with
        job_type and is_retry, reading the parents not known yet."""
        unknown = self._unknown(batch)
        if unknown and not self.by_uid and not self.window_read:
            self._read_window(unknown)
            unknown = self._unknown(unknown)
        if unknown:
            self._read_uids(sorted(set(parent_of(facts) for facts in unknown)))
        return [self._completed(facts) for facts in batch]

    def selected(self, facts):
        """Whether the job_type selection keeps a completed task session."""
        return not self.job_types or facts.get('job_type') in self.job_types

    def warning(self):
        """The warning about task sessions whose parent EM did not return (None when there are none).
        With a job_type selection such sessions are not selected, which the option's docs say."""
        if not self.unreadable or self.job_types:
            return None
        return ('Enterprise Manager did not return the job session of %d task session(s), so their job_type and is_retry '
                'are null and they count as primary backups: %s.' % (len(self.unreadable), shown_list(self.unreadable.values(), describe_parent)))

    def _unknown(self, batch):
        return [facts for facts in batch
                if parent_of(facts) and parent_of(facts) not in self.known and parent_of(facts) not in self.absent]

    def _completed(self, facts):
        parent = parent_of(facts)
        job_type, is_retry = self.known.get(parent, (None, None))
        facts = dict(facts, job_type=job_type, is_retry=is_retry)
        if parent not in self.known:
            self.unreadable[facts.get('id') or facts.get('uid')] = facts
        return facts

    def _read_window(self, unknown):
        """One query of the job sessions that started in the window: the selection's, or else the
        span of these task sessions (reaching back PARENT_LEAD) narrowed to their jobs' names."""
        names = set()
        if self.since is not None:
            self.window_read = True  # the whole window at once: later batches only need parents from before it
            lower, upper = self.since, self.until
        else:
            starts = [f['creation_time'] for f in unknown if f.get('creation_time') is not None]
            lower = min(starts) - PARENT_LEAD if starts else None
            upper = self.until if self.until is not None else (max(starts) if starts else None)
            names = set(f.get('job_name') for f in unknown)
        window = JOB_SESSIONS.filter_text(Selection(dict(lower=lower, upper=upper, job_types=self.job_types)))
        text = all_of([window, any_of([comparison('JobName', '==', name) for name in sorted(n for n in names if n)])])
        if not all(names) or len(encode_filter(text)) > self.max_length:
            text = window  # the names do not fit (or are not known): every job's sessions of the span
        self._read([Chunk(text, {})])

    def _read_uids(self, guids):
        """The parents by OR'd UID filters, as many per query as fit; those EM does not return are absent."""
        self._read(JOB_SESSIONS.filters(Selection(dict(uids=guids, job_types=self.job_types)), max_length=self.max_length))
        self.absent.update(guid for guid in guids if guid not in self.known)

    def _read(self, chunks):
        for facts in read(self.client, JOB_SESSIONS, chunks=chunks, page_size=self.page_size, prefetch=True):
            if facts['id']:
                self.known[facts['id']] = (facts['job_type'], facts['is_retry'])


def describe_parent(facts):
    return '%s (id %s, job session %s)' % (facts.get('vm_name'), facts.get('id'), facts.get('job_session_id'))
