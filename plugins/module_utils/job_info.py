# -*- coding: utf-8 -*-
# What backup_job_info returns per job: its facts, its newest run (job session) and, on request, the objects it
# includes (GET /jobs/{ID}/includes: VMs and VM containers, each with its hierarchy reference).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError, EMNotFoundError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_lookup import JOB_TYPES, find_jobs, job_by_id, recent_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import normalize_enum
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import as_list, to_int

OBJECT_KEYS = ('id', 'name', 'display_name', 'hierarchy_ref', 'order')


def normalize_object(entity):
    return {
        'id': entity.get('ObjectInJobId'),
        'name': entity.get('Name'),
        'display_name': entity.get('DisplayName') or entity.get('Name'),
        'hierarchy_ref': entity.get('HierarchyObjRef'),
        'order': to_int(entity.get('Order')),
    }


def job_objects(client, job):
    """The objects a job includes; [] for a job kind without includes (copy, agent and file share jobs)."""
    if job['collection'] != 'jobs' or job.get('job_type') in ('BackupCopy', 'ImmediateBackupCopy'):
        return []
    try:
        data = client.get('/api/jobs/%s/includes' % job['id'], what='entity').data
    except EMNotFoundError:
        return []
    items = []
    for key, value in (data.items() if isinstance(data, dict) else []):
        if key.lower() in ('objectinjob', 'objectsinjob'):
            items = as_list(value)
    return [normalize_object(item) for item in items if isinstance(item, dict)]


def select_jobs(client, params):
    """The job facts backup_job_info returns, sorted by name then backup server."""
    job_types = normalize_enum('job_type', params.get('job_type') or [], JOB_TYPES)
    if params.get('id'):
        jobs = [job_by_id(client, job_id)[0] for job_id in params['id']]
    else:
        if params.get('backup_server_name') and not all(params['backup_server_name']):
            raise EMInputError('backup_server_name holds an empty name.')
        jobs = find_jobs(client, params.get('name'), params.get('backup_server_name'), job_types, params.get('schedule_enabled'))
    result = []
    for job in sorted(jobs, key=lambda item: (str(item['name']).casefold(), str(item['backup_server_name']))):
        job.pop('_entity', None)
        if params.get('last_session'):
            # an agent job's runs come with a child session per computer, which recent_sessions leaves out
            newest = recent_sessions(client, job, count=1 if job['collection'] == 'jobs' else 20)
            job['last_session'] = newest[0] if newest else None
        if params.get('objects'):
            job['objects'] = job_objects(client, job)
        result.append(job)
    return result
