# Format-neutral descriptions (Node) of what EM returns for each record: attributes, links and child
# elements in EM's order. xml_render and json_render turn the same Node into XML or JSON.
# Hrefs are kept relative (`/api/...`); the renderers put the scheme and Host the client used in front.
from __future__ import annotations

import zlib

from .timefmt import iso_z, name_stamp


class Node:
    """kind 'entity' or 'ref'; attrs/fields are (name, value) lists; links are (rel, href, name, type) tuples.

    Field values: str, int or bool; '' is an empty element (JSON ""); None is left out of XML (JSON null).
    """
    __slots__ = ('tag', 'kind', 'attrs', 'links', 'fields', 'variant')

    def __init__(self, tag, kind, attrs, links, fields, variant):
        self.tag = tag
        self.kind = kind
        self.attrs = attrs
        self.links = links
        self.fields = fields
        self.variant = variant


def _variant(guid):
    return zlib.crc32(guid.encode('ascii'))


def _server_link(server):
    return ('Up', '/api/backupServers/' + server.id, server.name, 'BackupServerReference')


def task_session_entity(task):
    session = task.job_session
    href = '/api/backupTaskSessions/' + task.id
    links = [
        _server_link(session.job.server),
        ('Up', '/api/backupSessions/' + session.id, session.name, 'BackupJobSessionReference'),
        ('Alternate', href, task.name, 'BackupTaskSessionReference'),
    ]
    if task.restore_point is not None:
        point, ticks = task.restore_point
        links.append(('Related', '/api/vmRestorePoints/%s?format=Entity' % point, '%s@%s' % (task.vm.name, name_stamp(ticks)),
                      'VmRestorePoint'))
    return Node('BackupTaskSession', 'entity', [
        ('Href', href + '?format=Entity'), ('Type', 'BackupTaskSession'), ('Name', task.name), ('UID', task.uid),
        ('VmDisplayName', task.vm.name),
    ], links, [
        ('JobSessionUid', session.uid),
        ('CreationTimeUTC', iso_z(task.creation)),
        ('EndTimeUTC', iso_z(task.end) if task.end is not None else None),
        ('State', task.state),
        ('Result', task.result),
        ('Reason', task.reason),
        ('TotalSize', task.total_size),
        # agent computers have none (its form is not documented); EM versions before VmUid send none at all
        ('VmUid', (task.vm.uid or None) if task.vm.uid_in_tasks else None),
    ], task.variant)


def task_session_ref(task, tag='Ref'):
    session = task.job_session
    href = '/api/backupTaskSessions/' + task.id
    return Node(tag, 'ref', [
        ('Href', href), ('Type', 'BackupTaskSessionReference'), ('Name', task.name), ('UID', task.uid),
    ], [
        _server_link(session.job.server),
        ('Up', '/api/backupSessions/' + session.id, session.name, 'BackupJobSessionReference'),
        ('Alternate', href + '?format=Entity', task.name, 'BackupTaskSession'),
    ], [], task.variant)


def job_session_entity(session):
    href = '/api/backupSessions/' + session.id
    job = session.job
    links = [
        _server_link(job.server),
        ('Up', '/api/jobs/' + job.id, job.name, 'JobReference'),
        ('Alternate', href, session.name, 'BackupJobSessionReference'),
        ('Down', href + '/taskSessions', session.name, 'BackupTaskSessionReferenceList'),
    ]
    if session.state == 'Working':
        links.append(('Stop', href + '?action=stop', None, None))
    return Node('BackupJobSession', 'entity', [
        ('Href', href + '?format=Entity'), ('Type', 'BackupJobSession'), ('Name', session.name), ('UID', session.uid),
    ], links, [
        ('JobUid', job.uid),
        ('JobName', job.name),
        ('JobType', session.job_type),
        ('CreationTimeUTC', iso_z(session.creation)),
        ('EndTimeUTC', iso_z(session.end) if session.end is not None else None),
        ('State', session.state),
        ('Result', session.result),
        ('Progress', session.progress),
        ('FailureMessage', session.failure_message),
        ('IsRetry', session.is_retry),
    ], _variant(session.id))


def job_session_ref(session, tag='Ref'):
    href = '/api/backupSessions/' + session.id
    return Node(tag, 'ref', [
        ('Href', href), ('Type', 'BackupJobSessionReference'), ('Name', session.name), ('UID', session.uid),
    ], [
        _server_link(session.job.server),
        ('Alternate', href + '?format=Entity', session.name, 'BackupJobSession'),
    ], [], _variant(session.id))


def backup_server_entity(server):
    href = '/api/backupServers/' + server.id
    return Node('BackupServer', 'entity', [
        ('Href', href + '?format=Entity'), ('Type', 'BackupServer'), ('Name', server.name), ('UID', server.uid),
    ], [
        ('Alternate', href, server.name, 'BackupServerReference'),
    ], [
        ('Description', server.description), ('Port', server.port), ('Version', server.version),
    ], _variant(server.id))


def backup_server_ref(server, tag='Ref'):
    href = '/api/backupServers/' + server.id
    return Node(tag, 'ref', [
        ('Href', href), ('Type', 'BackupServerReference'), ('Name', server.name), ('UID', server.uid),
    ], [
        ('Alternate', href + '?format=Entity', server.name, 'BackupServer'),
    ], [], _variant(server.id))


# The LogonSession links a task session client may follow (the real list has about 55).
_LOGON_LINKS = [
    ('Up', '/api/', None, 'EnterpriseManager'),
    ('Down', '/api/backupServers', None, 'BackupServerReferenceList'),
    ('Down', '/api/backupSessions', None, 'BackupJobSessionReferenceList'),
    ('Down', '/api/backupTaskSessions', None, 'BackupTaskSessionReferenceList'),
    ('Down', '/api/querySvc', None, 'QueryService'),
    ('Down', '/api/lookupSvc', None, 'LookupService'),
    ('Down', '/api/backupSessions?format=Entity', None, 'BackupJobSessionList'),
    ('Down', '/api/backupTaskSessions?format=Entity', None, 'BackupTaskSessionList'),
]


def logon_session(session):
    href = '/api/logonSessions/' + session.session_id
    return Node('LogonSession', 'entity', [('Href', href), ('Type', 'LogonSession')],
                _LOGON_LINKS + [('Delete', href, None, 'LogonSession')],
                [('UserName', session.user_name), ('SessionId', session.session_id)], _variant(session.session_id))


SUPPORTED_VERSIONS = ['v1_5', 'v1_6', 'v1_7']


class Paging:
    """PagingInfo: numbers plus (rel, href) links."""
    __slots__ = ('page_num', 'page_size', 'pages_count', 'links')

    def __init__(self, page_num, page_size, pages_count, links):
        self.page_num = page_num
        self.page_size = page_size
        self.pages_count = pages_count
        self.links = links
