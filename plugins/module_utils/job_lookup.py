# -*- coding: utf-8 -*-
# Finding jobs in Enterprise Manager: by ID (GET /jobs/{ID}, then /agents/jobs/{ID}, /nas/jobs/{ID}) or by name
# (query type=Job, then the agent and file share job collections, which the Job query does not cover); names
# repeat across backup servers, so an ambiguous name is an error that lists them. Also the newest job sessions
# of a job (query type=BackupJobSession), which say whether it runs and which runs an action made.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import checked_answers
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMAuthorizationError, EMInputError, EMNotFoundError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import (
    COLLECTIONS, JOB_RUNS, JOB_URN, JOBS, OTHER_JOB_TYPES, VM_JOB_TYPES, normalize_job, normalize_job_session,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import entity_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Selection

ADMIN_ROLE = 'Portal Administrator'
# Child sessions that share their job's UID but are no run of it (one per computer of an agent job run).
_CHILD_SESSION_TYPES = ('agentmanagement',)


def role_error(exc, what='Reading and controlling jobs'):
    """A 403 of a job request, naming the role it needs (EM's own message only says "Access denied")."""
    return EMAuthorizationError(
        'Enterprise Manager refused %s (HTTP 403): %s needs the %s role.' % (exc.url or 'the request', what, ADMIN_ROLE),
        hint='Log on with a Portal Administrator account. A Portal User cannot even read /jobs, but may quick-backup '
             'VMs (vbr.enterprise_manager.quick_backup).', status=exc.status, url=exc.url, em_message=exc.em_message)


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
            return entity_list(value)
    return []


def job_selection(names=(), backup_server_names=(), job_types=(), schedule_enabled=None):
    """The Selection find_jobs reads (canonical values: job_info.JOB_SELECTION builds it from the module's options)."""
    return Selection({'job_names': list(names), 'backup_server_names': list(backup_server_names), 'job_types': list(job_types),
                      'schedule_enabled': schedule_enabled,
                      'schedule_states': [] if schedule_enabled is None else [str(bool(schedule_enabled)).lower()]})


def find_jobs(client, selection):
    """Job facts of the jobs of selection (job_names, backup_server_names, job_types, schedule_enabled: all jobs
    when none is given), each with an `_entity` key holding its entity. The query type Job covers the VM jobs;
    agent and file share jobs come from their own collections, which EM does not filter: the same checks select them."""
    job_types = selection.job_types
    found = []
    try:
        if not job_types or set(job_types) & set(VM_JOB_TYPES):
            with checked_answers(client, ('the options of the job selection', ''), noun='job') as check:
                found.extend(read(client, JOBS, selection, accepts=check.bind(JOBS.checks(selection)), page_size=100))
        if not job_types or set(job_types) & set(OTHER_JOB_TYPES):
            checks = JOBS.checks(selection)
            for collection in COLLECTIONS[1:]:
                jobs = (dict(normalize_job(entity, collection), _entity=entity) for entity in _collection_entities(client, collection))
                found.extend(facts for facts in jobs if all(check.matches(facts) for check in checks))
    except EMAuthorizationError as exc:
        raise role_error(exc)
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
    found = find_jobs(client, job_selection([name], [backup_server_name] if backup_server_name else []))
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
    selection = Selection({'job_uids': [job['uid'] or JOB_URN + job['id']]})
    sessions = read(client, JOB_RUNS, selection, limit=count, page_size=count + 1)
    return [s for s in sessions if str(s.get('job_type') or '').lower() not in _CHILD_SESSION_TYPES]


def job_session(client, session_id):
    """The facts of one job session, read by its ID (a renewed logon finds it the same way)."""
    return normalize_job_session(client.get_entity('/api/backupSessions/%s' % session_id, 'BackupJobSession'))
