# -*- coding: utf-8 -*-
# latest_per_vm of the task session selection: the newest task session per VM and job type, read
# newest first, stopping early when a limit is reached or every named VM has been seen.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from datetime import datetime, timezone

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS, vm_identity

PRIMARY = 'primary'
COPY = 'copy'

# Why read_newest_per_vm stopped before the last page: the limit, or every named VM seen.
LIMIT_STOP = 'limit'
NAMES_STOP = 'names'

_NEVER = datetime(1, 1, 1, tzinfo=timezone.utc)


def creation_key(facts):
    """Sort key of a creation_time (an aware datetime; a session without one sorts last)."""
    return facts.get('creation_time') or _NEVER


def vm_key(facts):
    """A VM's identity (task_session.vm_identity) and the job type: a copy job's session never hides the
    VM's newest backup, nor the reverse."""
    return vm_identity(facts) + (facts.get('job_type'),)


def keep_newest(newest, facts):
    """Record facts in newest (key -> facts) when it is the newest session of its VM and job type so far."""
    key = vm_key(facts)
    if key not in newest or creation_key(facts) > creation_key(newest[key]):
        newest[key] = facts


def job_class(job_type):
    return COPY if is_copy(job_type) else PRIMARY


class NamedVmStop(object):
    """When reading a query of named VMs newest first may stop: once every name of it was seen with a
    session of each job type class needed (primary backups; or the classes of the job_type selection).
    A VM of another vCenter with the same name is then returned only if its newest session was read."""

    def __init__(self, search, chunk):
        # the names this chunk asks for (a long vm_name list is split over several filters)
        self.pending = dict((name.casefold(), set(self.classes(search.job_types))) for name in chunk.lists.get('vm_names') or ())
        self.active = bool(self.pending)

    @staticmethod
    def classes(job_types):
        return set(job_class(name) for name in job_types) if job_types else {PRIMARY}

    @staticmethod
    def applies(search):
        return bool(search.vm_names) and search.since is None and not search.ids

    def done(self, batch):
        """Note the sessions of batch (selected ones); True once nothing is pending."""
        if not self.active:
            return False
        for facts in batch:
            classes = self.pending.get(str(facts.get('vm_name') or '').casefold())
            if classes is not None:
                classes.discard(job_class(facts.get('job_type')))
        self.pending = dict((name, classes) for name, classes in self.pending.items() if classes)
        return not self.pending


def streams(search):
    """Whether latest_per_vm reads page by page (to stop early) rather than every page with prefetch."""
    return search.limit is not None or NamedVmStop.applies(search)


class _NewestStop(object):
    """The early stop of latest_per_vm, per chunk: once more (VM, job type) pairs than the limit were seen, the
    newest session of each of the first `limit` pairs is known; named VMs without `since`: at the end of the
    page where every name was seen (NamedVmStop). Every selected session goes into newest on the way."""

    def __init__(self, search, types, newest):
        self.search = search
        self.types = types
        self.newest = newest
        self.reasons = set()

    def __call__(self, chunk):
        chunk_newest = {}
        named = NamedVmStop(self.search, chunk) if NamedVmStop.applies(self.search) else None

        def done(batch):
            batch = [facts for facts in batch if self.types.selected(facts)]
            for facts in batch:
                keep_newest(chunk_newest, facts)
                keep_newest(self.newest, facts)
            if self.search.limit is not None and len(chunk_newest) > self.search.limit:
                self.reasons.add(LIMIT_STOP)
                return True
            if named is not None and named.done(batch):
                self.reasons.add(NAMES_STOP)
                return True
            return False
        return done


def read_newest_per_vm(client, search, accepts, types, newest, keep=None):
    """latest_per_vm, stopping early: the selection's chunks, page by page, newest first, each selected session
    into newest (key -> facts). (every session read, LIMIT_STOP or NAMES_STOP when a chunk's reading stopped
    before its last page, else None)."""
    stop = _NewestStop(search, types, newest)
    sessions = list(read(client, TASK_SESSIONS, search, chunks=search.filters, accepts=accepts, enrich=types.complete,
                         stop=stop, keep=keep))
    return sessions, LIMIT_STOP if LIMIT_STOP in stop.reasons else NAMES_STOP if NAMES_STOP in stop.reasons else None
