# -*- coding: utf-8 -*-
# BackupJobSession bodies for unit tests (the parents of the task sessions of em_bodies), in XML and
# JSON, and the expectation of the job session query that gives task sessions their job_type.

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import BASE, EM_HOST, JSON, NS, XML, XSD, XSI, camel

JOB_SESSION_URN = 'urn:veeam:BackupJobSession:'


def job_session_query(base=BASE):
    """The URLs of job session queries (any filter, any page)."""
    return re.compile(re.escape(base) + r'/api/query\?type=BackupJobSession&format=Entities&sortDesc=CreationTime&.*')


JOB_SESSION_QUERY = job_session_query()


def job_session(guid, job_type='Backup', is_retry=False, job_name='Nightly SQL', created='2025-03-14T02:16:58Z'):
    """The data of one BackupJobSession entity."""
    return {
        'Href': '%s/api/backupSessions/%s?format=Entity' % (EM_HOST, guid),
        'Type': 'BackupJobSession',
        'Name': '%s@%s' % (job_name, created[:19].replace('T', ' ')),
        'UID': JOB_SESSION_URN + guid,
        'JobName': job_name,
        'JobType': job_type,
        'CreationTimeUTC': created,
        'State': 'Stopped',
        'Result': 'Success',
        'Progress': 100,
        'IsRetry': is_retry,
    }


def parents_of(task_sessions, job_type='Backup', is_retry=False):
    """One job session per distinct JobSessionUid of some task session entities (em_bodies.task_session)."""
    seen = []
    for task in task_sessions:
        guid = task['JobSessionUid'].rsplit(':', 1)[-1]
        if guid not in seen:
            seen.append(guid)
    return [job_session(guid, job_type, is_retry) for guid in seen]


def _xml(data):
    attributes = ''.join(' %s=%s' % (k, quoteattr(str(data[k]))) for k in ('Href', 'Type', 'Name', 'UID'))
    children = ''.join('        <%s>%s</%s>\n' % (k, escape(str(data[k]).lower() if isinstance(data[k], bool) else str(data[k])), k)
                       for k in ('JobName', 'JobType', 'CreationTimeUTC', 'State', 'Result', 'Progress', 'IsRetry') if data.get(k) is not None)
    return '      <BackupJobSession%s>\n%s      </BackupJobSession>\n' % (attributes, children)


def job_session_page(job_sessions, fmt='xml', page=1, pages=1, page_size=1000):
    """FakeTransport.expect keyword arguments of one QueryResult page of job sessions."""
    if fmt == 'xml':
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<QueryResult xmlns="%s" xmlns:xsd="%s" xmlns:xsi="%s">\n'
                '  <Entities>\n    <BackupJobSessions>\n%s    </BackupJobSessions>\n  </Entities>\n'
                '  <PagingInfo PagesCount="%d" PageSize="%d" PageNum="%d" />\n</QueryResult>\n'
                % (NS, XSD, XSI, ''.join(_xml(j) for j in job_sessions), pages, page_size, page))
        return {'body': body, 'content_type': XML}
    result = {'Refs': None, 'Entities': {'BackupJobSessions': {'BackupJobSessions': list(job_sessions)}}, 'Resources': None,
              'Links': None, 'PagingInfo': {'Links': [], 'PageNum': page, 'PageSize': page_size, 'PagesCount': pages}}
    return {'body': json.dumps(camel(result) if fmt == 'camel' else result), 'content_type': JSON}


def job_filter(url):
    """The decoded filter of a query URL (None without one)."""
    values = parse_qs(urlsplit(url).query, keep_blank_values=True).get('filter')
    return unquote(values[0]) if values else None


_PARENT_UID = re.compile(r'urn:veeam:BackupJobSession:([0-9a-fA-F-]{36})')


def served_parents(transport):
    """The job session GUIDs named by the JobSessionUid of every body the fake answered so far, in order."""
    found = []
    for body in transport.served:
        for guid in _PARENT_UID.findall(body.decode('utf-8', 'replace')):
            if guid not in found:
                found.append(guid)
    return found


def expect_job_sessions(em, job_sessions=None, fmt=None, check=None, job_type='Backup', base=BASE):
    """One job session query (any filter, or one that passes check(filter_text)), answered with
    job_sessions (data of job_session(); task session entities stand for their parents), or by default
    with every parent of the task sessions answered before it, as job_type. The answer is in the
    format the client asked for unless fmt is given."""
    if job_sessions and job_sessions[0].get('Type') == 'BackupTaskSession':
        job_sessions = parents_of(job_sessions, job_type)

    def checked(request):
        if check is not None:
            check(job_filter(request.url))

    def respond(request, transport):
        answer = job_sessions if job_sessions is not None else [job_session(g, job_type) for g in served_parents(transport)]
        wanted = fmt or ('pascal' if 'json' in request.headers.get('Accept', '') else 'xml')
        kwargs = job_session_page(answer, wanted)
        return kwargs['body'], kwargs['content_type']
    em.expect('GET', job_session_query(base), check=checked, respond=respond)
