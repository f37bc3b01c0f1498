# -*- coding: utf-8 -*-
# An in-memory stand-in for EMClient for the unit tests of job control: jobs and job sessions as canonical
# entities (what representation.py makes of EM's answers), the query service over them, tasks, and actions whose
# effect a test scripts. Requests are recorded, so a test can assert which were sent (a POST never twice).

from __future__ import annotations

import re

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMConnectionError, EMNotFoundError
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.fake_query_client import FakePager

EM = 'https://em.example.com:9398'
SERVER = ('3b1c7f5e-a08d-4e62-9c47-d2f6a1e85b09', 'vbr01.example.com')


def job_entity(guid, name='Nightly', job_type='Backup', actions=('Start', 'Stop', 'Retry', 'ToggleScheduleEnabled'),
               schedule_enabled=True, server=SERVER, collection='jobs'):
    href = '%s/api/%s/%s' % (EM, collection, guid)
    links = [{'Rel': 'Up', 'Type': 'BackupServerReference', 'Href': '%s/api/backupServers/%s' % (EM, server[0]), 'Name': server[1]},
             {'Rel': 'Alternate', 'Type': 'JobReference', 'Href': href, 'Name': name}]
    links += [{'Rel': rel, 'Href': '%s?action=%s' % (href, rel[0].lower() + rel[1:])} for rel in actions]
    return {'UID': 'urn:veeam:Job:' + guid, 'Name': name, 'Href': href + '?format=Entity', 'Type': 'Job', 'JobType': job_type,
            'Platform': 'VMware', 'ScheduleConfigured': 'true', 'ScheduleEnabled': 'true' if schedule_enabled else 'false',
            'NextRun': '2025-10-13T02:00:00Z', 'Links': links}


def session_entity(guid, job, created, state='Stopped', result='Success', is_retry=False):
    return {'UID': 'urn:veeam:BackupJobSession:' + guid, 'Name': '%s@%s' % (job['Name'], created[:19].replace('T', ' ')),
            'Href': '%s/api/backupSessions/%s?format=Entity' % (EM, guid), 'Type': 'BackupJobSession', 'JobUid': job['UID'], 'JobName': job['Name'],
            'JobType': job['JobType'], 'CreationTimeUTC': created, 'EndTimeUTC': None if state != 'Stopped' else created,
            'State': state, 'Result': 'None' if state != 'Stopped' else result, 'Progress': '100' if state == 'Stopped' else '10',
            'IsRetry': 'true' if is_retry else 'false',
            'Links': [{'Rel': 'Up', 'Type': 'BackupServerReference', 'Href': '%s/api/backupServers/%s' % (EM, SERVER[0]), 'Name': SERVER[1]}]}


def guid(n):
    return '%08x-0000-4000-8000-%012x' % (n, n)


class Doc(object):
    def __init__(self, data):
        self.data = data
        self.root = None


class StubEM(object):
    """jobs: job entities; sessions: job session entities (any order). on_post(href) -> task dict (or raises);
    task_states: the states a task reports to successive reads (the last one repeats)."""

    def __init__(self, jobs, sessions=(), em_date='Sun, 12 Oct 2025 14:00:00 GMT'):
        self.jobs = list(jobs)
        self.sessions = list(sessions)
        self.em_date = em_date
        self.requests = []
        self.warnings = []
        self.on_post = None
        self.task = None
        self.task_reads = []  # successive answers to GET of the task (dicts, or an exception to raise)
        self.on_read = None  # called before each read of the job's sessions (a run appearing later)

    def _log(self, method, what):
        self.requests.append('%s %s' % (method, what))

    def query(self, type_name, filter=None, sort_desc=None, page_size=100, limit=None, **unused):
        self._log('GET', 'query %s %s' % (type_name, filter))
        if type_name == 'Job':
            names = re.findall(r'Name=="([^"]*)"', filter or '')
            return FakePager([job for job in self.jobs if not names or job['Name'] in names], page_size, None)
        if type_name == 'BackupJobSession':
            if self.on_read is not None:
                self.on_read(self)
            uid = filter.split('==', 1)[1].strip('"')
            found = sorted((s for s in self.sessions if s['JobUid'] == uid), key=lambda s: s['CreationTimeUTC'], reverse=True)
            return FakePager(found, page_size, limit)
        return FakePager([], page_size, None)

    def get(self, path, what=None, then=None):
        self._log('GET', path)
        if '/api/tasks/' in path:
            answer = self.task_reads.pop(0) if len(self.task_reads) > 1 else self.task_reads[0]
            if isinstance(answer, Exception):
                raise answer
            return Doc(answer)
        if path.endswith('/agents/jobs?format=Entity') or path.endswith('/nas/jobs?format=Entity'):
            raise EMNotFoundError('no such collection')
        raise AssertionError('unexpected GET %s' % path)

    def get_entity(self, path, entity_type=None):
        self._log('GET', path)
        for item in self.jobs + self.sessions:
            if item['Href'].split('?')[0].endswith(path.split('?')[0].split('/api', 1)[-1]):
                return item
        raise EMNotFoundError('unknown %s' % path)

    def request(self, method, href, what=None, body=None, content_type=None):
        self._log(method, href)
        answer = self.on_post(href)
        if isinstance(answer, Exception):
            raise answer
        return Doc(answer)


def task(task_id='task-1', state='Running', operation='StartJob', success=None, message=''):
    data = {'TaskId': task_id, 'State': state, 'Operation': operation, 'Href': '%s/api/tasks/%s' % (EM, task_id), 'Type': 'Task'}
    if success is not None:
        data['Result'] = {'Success': 'true' if success else 'false', 'Message': message}
    return data


def transport_failure():
    return EMConnectionError('The connection to em.example.com:9398 was reset.')
