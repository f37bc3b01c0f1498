# -*- coding: utf-8 -*-
# One EM BackupTaskSession entity (canonical dict from representation.py) -> the documented facts
# with snake_case keys, plus the `fields` projection helper.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import guid_from_urn, id_from_href
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import as_list, to_int
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import duration_seconds, format_fact_time, parse_em_time

# The keys of every returned task session, in documentation order.
TASK_SESSION_KEYS = (
    'id', 'uid', 'name', 'href', 'vm_name', 'vm_uid', 'job_name', 'job_session_id', 'job_session_uid',
    'job_session_name', 'job_type', 'is_retry', 'backup_server_id', 'backup_server_name', 'creation_time', 'end_time',
    'duration_seconds', 'state', 'result', 'reason', 'total_size', 'restore_point_id',
)


def normalize_task_session(entity):
    """The documented facts of one BackupTaskSession entity (all keys always present)."""
    uid = entity.get('UID')
    href = entity.get('Href')
    # one pass over the links, matched by Type (case-insensitive; EM 13 JSON may change spelling)
    server = job_session = restore_point = None
    for link in as_list(entity.get('Links')):
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
        # the parent job session's: job_sessions.JobSessionTypes fills them in
        'job_type': None,
        'is_retry': None,
        'backup_server_id': id_from_href(server.get('Href')) if server else None,
        'backup_server_name': server.get('Name') if server else None,
        'creation_time': format_fact_time(created),
        'end_time': format_fact_time(ended),
        'duration_seconds': duration_seconds(created, ended),
        'state': entity.get('State'),
        'result': entity.get('Result'),
        'reason': entity.get('Reason') or '',
        'total_size': to_int(entity.get('TotalSize')),
        'restore_point_id': id_from_href(restore_point.get('Href')) if restore_point else None,
    }
    return facts


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
