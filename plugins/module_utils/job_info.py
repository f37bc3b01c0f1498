# -*- coding: utf-8 -*-
# What backup_job_info returns per job: its facts, its newest run (job session) and, on request, the objects it
# includes (GET /jobs/{ID}/includes: VMs and VM containers, each with its hierarchy reference).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMNotFoundError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import JOB_TYPES, JOB_URN
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_lookup import find_jobs, job_by_id, job_selection, recent_sessions
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import entity_list, to_int
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Conversion, SelectionSpec, enums, object_ids, strings

# The selecting options of backup_job_info (its DOCUMENTATION describes them) and their Selection.
JOB_OPTIONS = (
    Option('name', 'list', ['Jobs with these names.'], elements='str'),
    Option('backup_server_name', 'list', ['Jobs on these backup servers.'], elements='str'),
    Option('id', 'list', ['Jobs with these IDs.'], elements='str'),
    Option('job_type', 'list', ['Jobs of these types.'], elements='str'),
    Option('schedule_enabled', 'bool', ['Jobs whose schedule is enabled or disabled.']),
)


JOB_SELECTION = SelectionSpec(JOB_OPTIONS, {
    'name': strings('name', 'job_names'),
    'backup_server_name': strings('backup_server_name', 'backup_server_names'),
    'id': object_ids('id', JOB_URN, 'ids'),
    'job_type': enums('job_type', 'job_types', JOB_TYPES),
    # the schedule state also as the text a row check compares (schedule_states)
    'schedule_enabled': Conversion('schedule_enabled', lambda value, now: dict(
        (name, getattr(job_selection(schedule_enabled=value), name)) for name in ('schedule_enabled', 'schedule_states'))),
})

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
            items = entity_list(value)
    return [normalize_object(item) for item in items if isinstance(item, dict)]


def select_jobs(client, selection, last_session=True, objects=False):
    """The job facts backup_job_info returns (selection: of JOB_SELECTION), sorted by name then backup server."""
    if selection.ids:
        jobs = [dict(job_by_id(client, job_id)[0]) for job_id in selection.ids]
    else:
        jobs = find_jobs(client, selection)
    result = []
    for job in sorted(jobs, key=lambda item: (str(item['name']).casefold(), str(item['backup_server_name']))):
        job.pop('_entity', None)
        if last_session:
            # an agent job's runs come with a child session per computer, which recent_sessions leaves out
            newest = recent_sessions(client, job, count=1 if job['collection'] == 'jobs' else 20)
            job['last_session'] = newest[0] if newest else None
        if objects:
            job['objects'] = job_objects(client, job)
        result.append(job)
    return result
