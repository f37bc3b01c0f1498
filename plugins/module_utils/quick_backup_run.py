# -*- coding: utf-8 -*-
# Quick backups of many VMs: EM takes one VM per request (POST /backupServers/{ID}?action=quickbackup with one
# VmRef), each answered by a task that, once done, links the job session it made. At most `max_in_flight` VMs are
# in flight at once (sent and not yet ended), so a long list does not start every run on the backup servers at once;
# with wait each VM's run is followed by its ID until it has ended, then its task session gives the VM's result.
# A request that failed on the way is not repeated (it may have reached EM): that VM fails, saying so.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time
from xml.sax.saxutils import escape

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMAuthorizationError, EMConnectionError, EMError, EMNotFoundError, EMTimeoutError,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import is_finished, normalize_task, task_done
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_lookup import job_session
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_run_wait import run_task_sessions

NS = 'http://www.veeam.com/ent/v1.0'
SUCCEEDED = ('Success', 'Warning')  # the run made a restore point


def spec_body(vm_ref):
    """A QuickBackupStartupSpec with one VmRef (EM's XML; element order matters to EM)."""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<QuickBackupStartupSpec xmlns="%s"><VmRef>%s</VmRef></QuickBackupStartupSpec>'
            % (NS, escape(vm_ref))).encode('utf-8')


class QuickBackups(object):

    def __init__(self, client, targets, wait, wait_timeout, wait_sleep, max_in_flight, sleep=time.sleep, clock=time.monotonic):
        self.client = client
        self.targets = targets
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.wait_sleep = wait_sleep
        self.max_in_flight = max(1, max_in_flight)
        self.sleep = sleep
        self.clock = clock
        self.sent = 0
        self.most_in_flight = 0

    def run(self):
        pending = [target for target in self.targets if not target.done]
        active = []
        deadline = self.clock() + self.wait_timeout
        while pending or active:
            while pending and len(active) < self.max_in_flight:
                target = pending.pop(0)
                self._send(target)
                if not target.done:
                    active.append(target)
                self.most_in_flight = max(self.most_in_flight, len(active))
            if not active:
                continue
            if self.clock() >= deadline:
                for target in active + pending:
                    target.error = target.error or self._timed_out(target)
                    target.done = True
                return
            self.sleep(max(0.0, min(self.wait_sleep, deadline - self.clock())))
            for target in list(active):
                self._advance(target)
                if target.done:
                    active.remove(target)

    def _timed_out(self, target):
        if target.task is None:
            return 'Not sent: wait_timeout=%s seconds ran out before it was its turn (max_in_flight=%d).' % (self.wait_timeout, self.max_in_flight)
        where = 'its run %s is still %s' % (target.job_session['name'], target.job_session['state']) if target.job_session else \
            'its task %s is still %s' % (target.task.get('id'), target.task.get('state'))
        return 'Still running after wait_timeout=%s seconds: %s.' % (self.wait_timeout, where)

    def _send(self, target):
        path = '/api/backupServers/%s?action=quickbackup' % target.server_id
        try:
            doc = self.client.request('POST', path, what='action', body=spec_body(target.vm_ref), content_type='application/xml')
        except EMAuthorizationError as exc:
            raise EMAuthorizationError('Enterprise Manager refused the quick backup of %s (HTTP 403): quick backup needs the Portal '
                                       'Administrator or Portal User role.' % target.name, status=exc.status, url=exc.url,
                                       em_message=exc.em_message, hint='Log on with an account that has one of these roles.')
        except (EMConnectionError, EMTimeoutError) as exc:
            target.error = ('The quick backup request failed (%s). It may still have reached EM and was not repeated: check the VM in '
                            'Enterprise Manager before running it again.' % exc.message)
            target.done = True
            return
        except EMError as exc:
            target.error = 'Enterprise Manager refused the quick backup: %s' % exc.full_message
            target.done = True
            return
        self.sent += 1
        target.task = normalize_task(doc.data) if isinstance(doc.data, dict) else None
        if target.task is None or not target.task.get('id'):
            target.error = 'Enterprise Manager answered the quick backup without a task.'
            target.done = True

    def _advance(self, target):
        """One step: read the task until it is done, then (with wait) the run until it has ended."""
        if target.job_session is None:
            try:
                target.task = normalize_task(self.client.get(target.task['href'] or '/api/tasks/%s' % target.task['id']).data)
            except EMNotFoundError:
                target.error = 'The EM task %s of the quick backup is gone (the logon was renewed) before it named its run.' % target.task['id']
                target.done = True
                return
            if not task_done(target.task):
                return
            if target.task.get('success') is False:
                target.error = ('Enterprise Manager did not quick-back-up VM %s on %s: %s. A quick backup runs the backup job that '
                                'already protects the VM; it needs to be in a backup job of that backup server.'
                                % (target.name, target.server_name, target.task.get('message') or 'no reason given'))
                target.done = True
                return
            if not target.task.get('job_session_id'):
                if target.task.get('state') == 'Finished':
                    target.error = 'The finished quick backup task %s names no job session.' % target.task['id']
                    target.done = True
                return
            target.job_session = job_session(self.client, target.task['job_session_id'])
            if not self.wait:
                target.done = True
                return
        else:
            target.job_session = job_session(self.client, target.job_session['id'])
        if is_finished(target.job_session):
            target.task_session = _session_of(target, run_task_sessions(self.client, target.job_session))
            if target.task_session is None:
                target.error = 'The run %s of the quick backup ended without a task session of the VM.' % target.job_session['name']
            target.done = True


def _session_of(target, sessions):
    """The VM's task session in its run: by VmUid, else (EM versions whose task sessions carry none) by VM name."""
    for item in sessions:
        if str(item.get('vm_uid') or '').casefold() == target.vm_ref.casefold():
            return item
    for item in sessions:
        if not item.get('vm_uid') and str(item.get('vm_name') or '').casefold() == str(target.name).casefold():
            return item
    return None
