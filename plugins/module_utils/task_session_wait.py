# -*- coding: utf-8 -*-
# What wait=true watches: the selected task sessions that still run, or, when the selection's result or
# state hides running sessions (a session has no result until it ends), the running sessions that match
# every other option; and the error that names them at wait_timeout.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMWaitTimeoutError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import RUNNING_STATES, is_running

SHOWN_RUNNING = 10


def hides_running(search):
    """Whether the selection leaves out sessions that still run: any result (a running session has none yet),
    or states without both running states. Waiting on what it selects would then return before they end."""
    return bool(search.results) or bool(search.states and not set(search.states).issuperset(RUNNING_STATES))


def watch_values(search):
    """The options of the watch of a search that hides running sessions: the same selection of the running
    sessions, whatever their result, each of them (no limit, no latest_per_vm, every key)."""
    values = search.as_dict()
    values.update(states=list(RUNNING_STATES), results=[], limit=None, latest_per_vm=False, fields=None, wait_watch=None)
    return values


def running_sessions(sessions):
    return [s for s in sessions if is_running(s)]


def _describe(facts):
    return '%s (%s, job %s, id %s)' % (facts.get('vm_name'), facts.get('state'), facts.get('job_name'), facts.get('id'))


def still_running_error(search, running):
    shown = ', '.join(_describe(s) for s in running[:SHOWN_RUNNING])
    more = ' and %d more' % (len(running) - SHOWN_RUNNING) if len(running) > SHOWN_RUNNING else ''
    return EMWaitTimeoutError('%d task session(s) still running after wait_timeout=%s seconds: %s%s.'
                              % (len(running), search.wait_timeout, shown, more),
                              hint='Raise wait_timeout, or check these sessions in Veeam Backup & Replication.',
                              running=[s.get('id') for s in running])
