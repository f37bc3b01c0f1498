# -*- coding: utf-8 -*-
# latest_per_vm of the task session selection: the newest task session per VM and job type, read
# newest first, stopping early when a limit is reached or every named VM has been seen.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import TASK_SESSION_QUERY_TYPE, comparison

PRIMARY = 'primary'
COPY = 'copy'

# Why read_newest_per_vm stopped before the last page: the limit, or every named VM seen.
LIMIT_STOP = 'limit'
NAMES_STOP = 'names'


def creation_key(facts):
    """Sort key of a creation_time: the fixed-width text of format_fact_time sorts as the time does."""
    return facts.get('creation_time') or ''


def vm_identity(facts):
    """A VM's identity: its EM UID when EM reports one (names can repeat across vCenters), else its
    name (a session without either is a VM of its own). The one identity of the collection: latest_per_vm,
    the verdict, the inventory and the report use it."""
    if facts.get('vm_uid'):
        return ('uid', facts['vm_uid'])
    if facts.get('vm_name') is not None:
        return ('name', facts['vm_name'])
    return ('session', facts.get('id'))


def vm_key(facts):
    """A VM's identity and the job type: a copy job's session never hides the VM's newest backup, nor the reverse."""
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

    def __init__(self, search, filter_text):
        # the names this filter asks for (a long vm_name list is split over several filters)
        self.pending = dict((name.casefold(), set(self.classes(search.job_types))) for name in search.vm_names
                            if comparison('VmDisplayName', '==', name) in filter_text)
        self.active = bool(self.pending)  # no name found in the filter: never stop early

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


def read_newest_per_vm(client, search, filter_text, collected, newest, types):
    """latest_per_vm, stopping early: one filter's pages, newest first, into newest (key -> facts);
    LIMIT_STOP or NAMES_STOP when the reading stopped before the last page, else None. With a limit, once more (VM, job type) pairs than that
    were seen, the newest session of each of the first `limit` pairs is known. Named VMs without
    `since`: reading stops at the end of the page where every name was seen (NamedVmStop)."""
    chunk_newest = {}
    stopped = None
    stop = NamedVmStop(search, filter_text) if NamedVmStop.applies(search) else None
    pager = client.query(TASK_SESSION_QUERY_TYPE, filter=filter_text, page_size=search.page_size)
    for page in pager.iter_pages():
        batch = types.complete([facts for facts in (collected.add(entity) for entity in page) if facts is not None])
        batch = [facts for facts in batch if types.selected(facts)]
        for facts in batch:
            keep_newest(chunk_newest, facts)
        if search.limit is not None and len(chunk_newest) > search.limit:
            stopped = LIMIT_STOP
            break
        if stop is not None and stop.done(batch):
            stopped = NAMES_STOP
            break
    for facts in chunk_newest.values():
        keep_newest(newest, facts)
    return stopped
