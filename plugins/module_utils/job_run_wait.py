# -*- coding: utf-8 -*-
# Following one job run (job session) by its ID until EM says Stopped, one read per poll interval, and the task
# sessions of a run as backup_task_session_info returns them. Reading by ID means a logon renewed during a long
# wait (the client logs on again after a 401) finds the same run again.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMWaitTimeoutError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import is_finished
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import JOB_SESSION_URN
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_lookup import job_session
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS


def follow_run(client, session, wait_timeout, wait_sleep, sleep, clock):
    """The facts of the job session once it is Stopped; EMWaitTimeoutError after wait_timeout seconds."""
    deadline = clock() + wait_timeout
    while not is_finished(session):
        if clock() >= deadline:
            raise EMWaitTimeoutError('Job session %s of job %s is still %s (progress %s%%) after wait_timeout=%s seconds.'
                                     % (session.get('name'), session.get('job_name'), session.get('state'), session.get('progress'),
                                        wait_timeout),
                                     hint='Raise wait_timeout, or follow the run with vbr.enterprise_manager.backup_job_info.',
                                     running=[session.get('id')])
        sleep(max(0.0, min(wait_sleep, deadline - clock())))
        session = job_session(client, session['id'])
    return session


def run_task_sessions(client, session):
    """The task sessions of a job session (newest first), as backup_task_session_info returns them (times as
    text: they leave the collection in the module's result); job_type and is_retry are the job session's."""
    selection = Selection({'job_session_uids': [session['uid'] or JOB_SESSION_URN + session['id']]})
    return [TASK_SESSIONS.export(dict(item, job_type=session.get('job_type'), is_retry=session.get('is_retry')))
            for item in read(client, TASK_SESSIONS, selection)]
