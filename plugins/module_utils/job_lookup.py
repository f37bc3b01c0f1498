# -*- coding: utf-8 -*-
# Finding jobs in Enterprise Manager: by ID (GET /jobs/{ID}, then /agents/jobs/{ID}, /nas/jobs/{ID}) or by name
# (query type=Job, then the agent and file share job collections, which the Job query does not cover); names
# repeat across backup servers, so an ambiguous name is an error that lists them. Also the newest job sessions
# of a job (query type=BackupJobSession), which say whether it runs and which runs an action made.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMAuthorizationError, EMInputError, EMNotFoundError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import (
    COLLECTIONS, JOB_URN, normalize_job, normalize_job_session,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import all_of, any_of, comparison, enum_comparison
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import as_list

JOB_QUERY_TYPE = 'Job'
JOB_SESSION_QUERY_TYPE = 'BackupJobSession'
ADMIN_ROLE = 'Portal Administrator'
# Child sessions that share their job's UID but are no run of it (one per computer of an agent job run).
_CHILD_SESSION_TYPES = ('agentmanagement',)


def role_error(exc, what='Reading and controlling jobs'):
    """A 403 of a job request, naming the role it needs (EM's own message only says "Access denied")."""
    return EMAuthorizationError(
        'Enterprise Manager refused %s (HTTP 403): %s needs the %s role.' % (exc.url or 'the request', what, ADMIN_ROLE),
        hint='Log on with a Portal Administrator account. A Portal User cannot even read /jobs, but may quick-backup '
             'VMs (vbr.enterprise_manager.quick_backup).', status=exc.status, url=exc.url, em_message=exc.em_message)


def read_query(client, type_name, filter_text, sort_desc=None, limit=None, page_size=100):
    """Every entity of a query (or the first `limit`).
    TO MOVE: onto the collection's one generic reader (issue 20) once it has landed on main; QueryPager until then."""
    return list(client.query(type_name, filter=filter_text or None, sort_desc=sort_desc, page_size=page_size, limit=limit))


def _same_name(left, right):
    """EM's SQL Server collation: any letter case, trailing spaces ignored."""
    return str(left or '').rstrip().casefold() == str(right or '').rstrip().casefold()


def _collection_entities(client, collection):
    """The entities of /agents/jobs or /nas/jobs; none when this EM does not serve the collection (404)."""
    try:
        doc = client.get('/api/%s?format=Entity' % collection, what='entity')
    except EMNotFoundError:
        return []
    data = doc.data if isinstance(doc.data, dict) else {}
    for key, value in data.items():
        # JSON wraps the list ({"AgentJobs": [...]}); XML gives the repeated element (<AgentJobs><AgentJob/>...)
        if key.lower().rstrip('s') in ('agentjob', 'nasjob', 'job', 'agentbackupjob', 'filesharejob'):
            return as_list(value)
    return []


# JobType values of the query type Job; agent and file share jobs are read from their own collections.
VM_JOB_TYPES = ('Backup', 'BackupCopy', 'ImmediateBackupCopy', 'Replica')
OTHER_JOB_TYPES = ('AgentBackup', 'NasBackup')
JOB_TYPES = VM_JOB_TYPES + OTHER_JOB_TYPES


def find_jobs(client, names=None, backup_server_names=None, job_types=None, schedule_enabled=None):
    """Job facts of the jobs selected by name, backup server, job type (canonical spellings) and schedule state
    (all jobs when none is given), each with an `_entity` key holding its entity."""
    names = [n for n in (names or []) if n]
    servers = [n for n in (backup_server_names or []) if n]
    job_types = list(job_types or [])
    vm_types = [kind for kind in job_types if kind in VM_JOB_TYPES]
    terms = [any_of([comparison('Name', '==', name) for name in names]),
             any_of([comparison('BackupServerName', '==', name) for name in servers]),
             any_of([enum_comparison('JobType', kind) for kind in vm_types])]
    if schedule_enabled is not None:
        terms.append('ScheduleEnabled==%s' % ('true' if schedule_enabled else 'false'))
    entities = []
    try:
        if vm_types or not job_types:
            entities.extend((entity, 'jobs') for entity in read_query(client, JOB_QUERY_TYPE, all_of(terms), sort_desc='Name'))
        if not job_types or set(job_types) & set(OTHER_JOB_TYPES):
            for collection in COLLECTIONS[1:]:
                entities.extend((entity, collection) for entity in _collection_entities(client, collection))
    except EMAuthorizationError as exc:
        raise role_error(exc)
    found = []
    for entity, collection in entities:
        facts = normalize_job(entity, collection)
        # checked here too: EM may split a quoted value, and the other collections are not filtered by EM
        if names and not any(_same_name(facts['name'], name) for name in names):
            continue
        if servers and not any(_same_name(facts['backup_server_name'], name) for name in servers):
            continue
        if job_types and facts['job_type'] not in job_types:
            continue
        if schedule_enabled is not None and facts['schedule_enabled'] is not schedule_enabled:
            continue
        facts['_entity'] = entity
        found.append(facts)
    return found


def job_by_id(client, job_id):
    """(facts, entity) of the job with this GUID, from whichever collection has it."""
    for collection in COLLECTIONS:
        try:
            entity = client.get_entity('/api/%s/%s' % (collection, job_id))
        except EMNotFoundError:
            continue
        except EMAuthorizationError as exc:
            raise role_error(exc)
        return normalize_job(entity, collection), entity
    raise EMNotFoundError('Enterprise Manager knows no job with id %s (looked in /jobs, /agents/jobs and /nas/jobs).' % job_id,
                          hint='Check the id (vbr.enterprise_manager.backup_job_info lists the jobs), or give name.')


def one_job(client, name=None, backup_server_name=None, job_id=None):
    """(facts, entity) of exactly one job, by id or by name (+ backup server)."""
    if job_id:
        return job_by_id(client, job_id)
    found = find_jobs(client, [name], [backup_server_name] if backup_server_name else None)
    if not found:
        where = ' on backup server %s' % backup_server_name if backup_server_name else ''
        raise EMNotFoundError('Enterprise Manager knows no job named %r%s.' % (name, where),
                              hint='Check the name (vbr.enterprise_manager.backup_job_info lists the jobs and their backup servers).')
    if len(found) > 1:
        servers = sorted('%s (id %s)' % (facts['backup_server_name'], facts['id']) for facts in found)
        raise EMInputError('The job name %r is ambiguous: %d jobs have it, on the backup servers %s.'
                           % (name, len(found), ', '.join(servers)),
                           hint='Add backup_server_name, or give the job id.')
    facts = found[0]
    return facts, facts.pop('_entity')


def recent_sessions(client, job, count=10):
    """The newest `count` runs of a job (job session facts, newest first)."""
    text = comparison('JobUid', '==', job['uid'] or JOB_URN + job['id'])
    sessions = [normalize_job_session(entity)
                for entity in read_query(client, JOB_SESSION_QUERY_TYPE, text, sort_desc='CreationTime', limit=count, page_size=count + 1)]
    return [s for s in sessions if str(s.get('job_type') or '').lower() not in _CHILD_SESSION_TYPES]


def job_session(client, session_id):
    """The facts of one job session, read by its ID (a renewed logon finds it the same way)."""
    return normalize_job_session(client.get_entity('/api/backupSessions/%s' % session_id, 'BackupJobSession'))
