# -*- coding: utf-8 -*-
# EM Job and BackupJobSession entities (canonical dicts of representation.py) -> documented facts with
# snake_case keys, the actions a job entity offers (its Rel links), and EM Task facts; the query types Job and
# BackupJobSession (a job's runs) declared for the reader (em_reader.py).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import guid_from_urn, id_from_href
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import OrList, QueryType
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import any_of, enum_comparison
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import entity_list, to_int
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import duration_seconds, format_fact_time, parse_em_time

JOB_URN = 'urn:veeam:Job:'
# The action links of a job entity, by Rel (case-insensitive), as the action names EM's URLs use.
ACTION_RELS = ('start', 'stop', 'retry', 'sync', 'toggleScheduleEnabled', 'clone', 'edit')
_ACTION_BY_LOWER = dict((name.lower(), name) for name in ACTION_RELS)
# Where EM serves each kind of job (the collection's path names the kind).
COLLECTIONS = ('jobs', 'agents/jobs', 'nas/jobs')

JOB_KEYS = ('id', 'uid', 'name', 'href', 'collection', 'job_type', 'platform', 'description', 'schedule_configured',
            'schedule_enabled', 'next_run', 'backup_server_id', 'backup_server_name', 'actions')
JOB_SESSION_KEYS = ('id', 'uid', 'name', 'href', 'job_id', 'job_uid', 'job_name', 'job_type', 'backup_server_id',
                    'backup_server_name', 'creation_time', 'end_time', 'duration_seconds', 'state', 'result', 'progress',
                    'is_retry', 'failure_message')


def to_bool(value):
    """true/false as EM sends them (XML text or JSON booleans) -> bool; None when absent or unreadable."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    return True if text == 'true' else False if text == 'false' else None


def _link(entity, link_type):
    for link in entity_list(entity.get('Links')):
        if isinstance(link, dict) and str(link.get('Type') or '').lower() == link_type.lower():
            return link
    return None


def action_links(entity):
    """{action name: href} of the action links of a job entity, in EM's order."""
    found = {}
    for link in entity_list(entity.get('Links')):
        if not isinstance(link, dict):
            continue
        name = _ACTION_BY_LOWER.get(str(link.get('Rel') or '').lower())
        if name is not None and link.get('Href') and name not in found:
            found[name] = link['Href']
    return found


def collection_of(href, default='jobs'):
    """Which job collection an entity's Href belongs to: jobs, agents/jobs or nas/jobs."""
    path = str(href or '').lower().split('?', 1)[0]
    for collection in ('agents/jobs', 'nas/jobs'):
        if '/api/%s/' % collection in path:
            return collection
    return default if '/api/jobs/' not in path else 'jobs'


def normalize_job(entity, collection=None):
    """The documented facts of one job entity (every key present)."""
    uid = entity.get('UID')
    href = entity.get('Href')
    server = _link(entity, 'BackupServerReference')
    return {
        'id': guid_from_urn(uid) if uid else id_from_href(href),
        'uid': uid,
        'name': entity.get('Name'),
        'href': href,
        'collection': collection or collection_of(href),
        'job_type': entity.get('JobType'),
        'platform': entity.get('Platform'),
        'description': entity.get('Description') or '',
        'schedule_configured': to_bool(entity.get('ScheduleConfigured')),
        'schedule_enabled': to_bool(entity.get('ScheduleEnabled')),
        'next_run': format_fact_time(parse_em_time(entity.get('NextRun'))),
        'backup_server_id': id_from_href(server.get('Href')) if server else None,
        'backup_server_name': server.get('Name') if server else None,
        'actions': list(action_links(entity)),
    }


def normalize_job_session(entity):
    """The documented facts of one BackupJobSession entity. `result` is null while it runs (EM says None)."""
    uid = entity.get('UID')
    href = entity.get('Href')
    server = _link(entity, 'BackupServerReference')
    job = _link(entity, 'JobReference')
    created = parse_em_time(entity.get('CreationTimeUTC'))
    ended = parse_em_time(entity.get('EndTimeUTC'))
    result = entity.get('Result')
    job_uid = entity.get('JobUid')
    return {
        'id': guid_from_urn(uid) if uid else id_from_href(href),
        'uid': uid,
        'name': entity.get('Name'),
        'href': href,
        'job_id': guid_from_urn(job_uid) if job_uid else (id_from_href(job.get('Href')) if job else None),
        'job_uid': job_uid,
        'job_name': entity.get('JobName'),
        'job_type': entity.get('JobType'),
        'backup_server_id': id_from_href(server.get('Href')) if server else None,
        'backup_server_name': server.get('Name') if server else None,
        'creation_time': format_fact_time(created),
        'end_time': format_fact_time(ended),
        'duration_seconds': duration_seconds(created, ended),
        'state': entity.get('State'),
        'result': None if result in (None, 'None') else result,
        'progress': to_int(entity.get('Progress')),
        'is_retry': to_bool(entity.get('IsRetry')),
        'failure_message': entity.get('FailureMessage') or '',
    }


def is_finished(session_facts):
    """A job session has ended when its State is Stopped (also after a success)."""
    return str(session_facts.get('state') or '').lower() == 'stopped'


def normalize_task(data):
    """An EM Task (the answer to an action) -> {id, href, state, operation, success, message, job_session_id}.
    success/message come from <Result Success><Message>, present once the operation was applied; the message text
    varies between EM versions and is shown, never interpreted."""
    result = data.get('Result') if isinstance(data.get('Result'), dict) else {}
    related = None
    for link in entity_list(data.get('Links')):
        if isinstance(link, dict) and str(link.get('Rel') or '').lower() == 'related' and \
                str(link.get('Type') or '').lower().startswith('backupjobsession'):
            related = id_from_href(link.get('Href'))
    task_id = data.get('TaskId')
    return {
        'id': task_id,
        'href': data.get('Href'),
        'state': data.get('State'),
        'operation': data.get('Operation'),
        'success': to_bool(result.get('Success')),
        'message': result.get('Message') or '',
        'job_session_id': related,
    }


def task_done(task_facts):
    """Running -> OperationFinished (done on the backup server) -> Finished (EM collected it)."""
    return str(task_facts.get('state') or '').lower() in ('operationfinished', 'finished')


# JobType values of the query type Job; agent and file share jobs are read from their own collections.
VM_JOB_TYPES = ('Backup', 'BackupCopy', 'ImmediateBackupCopy', 'Replica')
OTHER_JOB_TYPES = ('AgentBackup', 'NasBackup')
JOB_TYPES = VM_JOB_TYPES + OTHER_JOB_TYPES


def job_terms(selection):
    """The job types the query type Job covers (the others come from their own collections), and the schedule state."""
    enabled = selection.get('schedule_enabled')
    return [any_of([enum_comparison('JobType', kind) for kind in selection.get('job_types') or [] if kind in VM_JOB_TYPES]),
            'ScheduleEnabled==%s' % ('true' if enabled else 'false') if enabled is not None else '']


# (option, fact key, kind, Selection attribute): checked on every row, also on the unfiltered agent and file share
# job collections (schedule_states: ['true'] or ['false'] for schedule_enabled, compared as text).
JOB_CRITERIA = (
    ('name', 'name', 'name', 'job_names'),
    ('backup_server_name', 'backup_server_name', 'name', 'backup_server_names'),
    ('job_type', 'job_type', 'enum', 'job_types'),
    ('schedule_enabled', 'schedule_enabled', 'enum', 'schedule_states'),
)


def job_with_entity(entity):
    """A job's facts with its entity under `_entity` (its action links; taken off before the facts leave)."""
    return dict(normalize_job(entity), _entity=entity)


JOBS = QueryType('Job', job_with_entity, sort='Name', terms=job_terms, criteria=JOB_CRITERIA, keys=JOB_KEYS,
                 lists=(OrList('job_names', 'Name', 'name'), OrList('backup_server_names', 'BackupServerName', 'backup_server_name')))

# The runs of jobs, by the job's UID (newest first).
JOB_RUNS = QueryType('BackupJobSession', normalize_job_session, keys=JOB_SESSION_KEYS,
                     lists=(OrList('job_uids', 'JobUid', 'job_uid'),))
