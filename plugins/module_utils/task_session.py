# -*- coding: utf-8 -*-
# The EM query type BackupTaskSession, declared for the reader (em_reader.py): one entity (canonical dict
# from representation.py) -> the documented facts with snake_case keys (times as datetimes), the filter's
# OR-lists and terms, the row checks; plus the `fields` projection helper.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import TASK_SESSION_URN, guid_from_urn, id_from_href
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import OrList, QueryType
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import any_of, comparison, enum_comparison, raw_group
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import entity_list, to_int
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import duration_seconds, parse_em_time

# The keys of every returned task session, in documentation order.
TASK_SESSION_KEYS = (
    'id', 'uid', 'name', 'href', 'vm_name', 'vm_uid', 'job_name', 'job_session_id', 'job_session_uid',
    'job_session_name', 'job_type', 'is_retry', 'backup_server_id', 'backup_server_name', 'creation_time', 'end_time',
    'duration_seconds', 'state', 'result', 'reason', 'total_size', 'restore_point_id',
)


def normalize_task_session(entity):
    """The documented facts of one BackupTaskSession entity (all keys always present; creation_time and
    end_time aware datetimes, text only where the facts leave the collection: TASK_SESSIONS.export)."""
    uid = entity.get('UID')
    href = entity.get('Href')
    # one pass over the links, matched by Type (case-insensitive; EM 13 JSON may change spelling)
    server = job_session = restore_point = None
    for link in entity_list(entity.get('Links')):
        link_type = link.get('Type') if isinstance(link, dict) else None
        if not link_type:
            continue
        link_type = link_type.lower()
        if link_type == 'backupserverreference':
            server = server or link
        elif link_type == 'backupjobsessionreference':
            job_session = job_session or link
        elif link_type == 'vmrestorepoint':
            restore_point = restore_point or link
    job_session_uid = entity.get('JobSessionUid')
    job_session_name = job_session.get('Name') if job_session else None
    created = parse_em_time(entity.get('CreationTimeUTC'))
    ended = parse_em_time(entity.get('EndTimeUTC'))
    if job_session_uid:
        job_session_id = guid_from_urn(job_session_uid)
    else:
        job_session_id = id_from_href(job_session.get('Href')) if job_session else None
    facts = {
        'id': guid_from_urn(uid) if uid else id_from_href(href),
        'uid': uid,
        'name': entity.get('Name'),
        'href': href,
        'vm_name': entity.get('VmDisplayName'),
        'vm_uid': entity.get('VmUid'),
        # "<job name>@<yyyy-MM-dd HH:mm:ss>": job names may contain '@', the date never does.
        'job_name': job_session_name.rsplit('@', 1)[0] if job_session_name and '@' in job_session_name else job_session_name,
        'job_session_id': job_session_id,
        'job_session_uid': job_session_uid,
        'job_session_name': job_session_name,
        # the parent job session's: job_sessions.JobSessionTypes gives the final facts with them
        'job_type': None,
        'is_retry': None,
        'backup_server_id': id_from_href(server.get('Href')) if server else None,
        'backup_server_name': server.get('Name') if server else None,
        'creation_time': created,
        'end_time': ended,
        'duration_seconds': duration_seconds(created, ended),
        'state': entity.get('State'),
        'result': entity.get('Result'),
        'reason': entity.get('Reason') or '',
        'total_size': to_int(entity.get('TotalSize')),
        'restore_point_id': id_from_href(restore_point.get('Href')) if restore_point else None,
    }
    return facts


def task_session_terms(selection, ended_since=None):
    """The AND terms of a task session filter besides its OR-lists. ended_since: sessions that finished (EndTime)
    at or after it (the EDA source's poll window)."""
    since, until = selection.get('since'), selection.get('until')
    return [
        any_of([enum_comparison('State', state) for state in selection.get('states') or []]),
        any_of([enum_comparison('Result', result) for result in selection.get('results') or []]),
        comparison('CreationTime', '>=', since) if since is not None else '',
        # EM keeps 100 ns ticks, datetimes (and so the facts) microseconds: `until` takes in its whole
        # microsecond, so a creation_time from the facts, given as until, includes that very session.
        comparison('CreationTime', '<', until + timedelta(microseconds=1)) if until is not None else '',
        comparison('EndTime', '>=', ended_since) if ended_since is not None else '',
        raw_group(selection.get('raw_filter')),
    ]


# The structured criteria EM applies, each checked again on every row:
# (option, fact key, comparison, Selection attribute holding the values).
TASK_SESSION_CRITERIA = (
    ('id', 'id', 'guid', 'ids'),
    ('job_session_id', 'job_session_id', 'guid', 'job_session_uids'),
    ('vm_name', 'vm_name', 'name', 'vm_names'),
    ('job_name', 'job_name', 'job_name', 'job_names'),
    ('backup_server_name', 'backup_server_name', 'name', 'backup_server_names'),
    ('state', 'state', 'enum', 'states'),
    ('result', 'result', 'enum', 'results'),
)

TASK_SESSIONS = QueryType(
    'BackupTaskSession', normalize_task_session,
    lists=(OrList('ids', 'UID', 'id', lambda guid: TASK_SESSION_URN + guid),
           OrList('job_session_uids', 'JobSessionUid', 'job_session_id'),
           OrList('vm_names', 'VmDisplayName', 'vm_name'),
           OrList('job_names', 'JobName', 'job_name'),
           OrList('backup_server_names', 'BackupServerName', 'backup_server_name')),
    terms=task_session_terms, criteria=TASK_SESSION_CRITERIA, window=('since', 'until'),
    keys=TASK_SESSION_KEYS, times=('creation_time', 'end_time'))


def vm_identity(facts):
    """A VM's identity: its EM UID when EM reports one (names can repeat across vCenters), else its name,
    else (no VM at all) the session's. latest_per_vm and the inventory both group by it."""
    if facts.get('vm_uid'):
        return ('uid', facts['vm_uid'])
    if facts.get('vm_name') is not None:
        return ('name', facts['vm_name'])
    return ('session', facts.get('id'))


def validate_fields(fields):
    """The list of keys to return (all when fields is empty); unknown names are an EMInputError."""
    if not fields:
        return list(TASK_SESSION_KEYS)
    unknown = [f for f in fields if f not in TASK_SESSION_KEYS]
    if unknown:
        raise EMInputError('Unknown fields: %s.' % ', '.join(repr(u) for u in unknown),
                           hint='Choose from: %s.' % ', '.join(TASK_SESSION_KEYS))
    return [k for k in TASK_SESSION_KEYS if k in fields]


def project(facts, fields):
    """Only the chosen keys of one session's facts (in documentation order)."""
    if fields is None or len(fields) == len(TASK_SESSION_KEYS):
        return facts
    return dict((key, facts.get(key)) for key in fields)
