# -*- coding: utf-8 -*-
# What wait=true watches: the selected task sessions that still run, or, when the selection's result or
# state hides running sessions (a session has no result until it ends), the running sessions that match
# every other option; and the error that names them at wait_timeout.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMWaitTimeoutError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import is_running
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.text_lists import shown_list


def running_sessions(sessions):
    return [s for s in sessions if is_running(s)]


def _describe(facts):
    return '%s (%s, job %s, id %s)' % (facts.get('vm_name'), facts.get('state'), facts.get('job_name'), facts.get('id'))


def still_running_error(search, running):
    return EMWaitTimeoutError('%d task session(s) still running after wait_timeout=%s seconds: %s.'
                              % (len(running), search.wait_timeout, shown_list(running, _describe)),
                              hint='Raise wait_timeout, or check these sessions in Veeam Backup & Replication.',
                              running=[s.get('id') for s in running])
