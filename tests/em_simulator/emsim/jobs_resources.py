# Format-neutral descriptions (resources.Node) of jobs (/jobs, /agents/jobs, /nas/jobs), the objects a job
# includes, and EM tasks, whose nested <Result Success="..."><Message/></Result> the Node model has no room
# for: task_document() renders a task in XML or JSON itself.
from __future__ import annotations

import hashlib

from .json_render import JsonWriter
from .resources import Node, _server_link, _variant
from .timefmt import iso_z
from .xml_render import text_escape

# (path prefix, entity tag, reference type) per job kind.
_KINDS = {
    'jobs': ('/api/jobs/', 'Job', 'JobReference'),
    'agents': ('/api/agents/jobs/', 'AgentJob', 'AgentJobReference'),
    'nas': ('/api/nas/jobs/', 'NASJob', 'NASJobReference'),
}


def _action_href(state, href, rel):
    if state.kind == 'nas':
        return href + '/' + rel.lower()  # file share jobs: POST /nas/jobs/{ID}/start
    return '%s?action=%s' % (href, rel[0].lower() + rel[1:])


def job_entity(state):
    job = state.job
    prefix, tag, ref_type = _KINDS[state.kind]
    href = prefix + job.id
    links = [_server_link(job.server), ('Alternate', href, job.name, ref_type)]
    for rel in state.actions():
        links.append((rel, href if rel == 'Edit' else _action_href(state, href, rel), None, None))
    if state.kind == 'jobs':
        if job.job_type not in ('BackupCopy', 'ImmediateBackupCopy'):
            links.append(('Down', href + '/includes', job.name, 'ObjectInJobList'))
        links.append(('Down', href + '/backupSessions', job.name, 'BackupJobSessionReferenceList'))
    next_run = state.next_run()
    fields = [
        ('JobType', job.job_type),
        ('Platform', 'VMware' if job.job_type in ('Backup', 'AgentBackup') else 'CustomPlatform'),
        ('Description', 'Created by EM\\ansible.'),
        ('ScheduleConfigured', True),
        ('ScheduleEnabled', state.schedule_enabled),
        ('NextRun', iso_z(next_run) if next_run is not None else None),
    ]
    return Node(tag, 'entity', [('Href', href + '?format=Entity'), ('Type', tag), ('Name', job.name), ('UID', job.uid)],
                links, fields, _variant(job.id))


def job_ref(state, tag='Ref'):
    job = state.job
    prefix, entity_tag, ref_type = _KINDS[state.kind]
    href = prefix + job.id
    return Node(tag, 'ref', [('Href', href), ('Type', ref_type), ('Name', job.name), ('UID', job.uid)], [
        _server_link(job.server), ('Alternate', href + '?format=Entity', job.name, entity_tag),
    ], [], _variant(job.id))


def object_in_job_id(job, vm):
    digest = hashlib.sha256(('%s/%s' % (job.id, vm.name)).encode('utf-8')).hexdigest()
    return '%s-%s-4%s-a%s-%s' % (digest[:8], digest[8:12], digest[13:16], digest[17:20], digest[20:32])


def object_in_job(state, vm, order):
    job = state.job
    object_id = object_in_job_id(job, vm)
    href = '/api/jobs/%s/includes/%s' % (job.id, object_id)
    return Node('ObjectInJob', 'entity', [('Href', href), ('Type', 'ObjectInJob')], [
        ('Up', '/api/jobs/' + job.id, job.name, 'Job'),
        ('Delete', href, None, 'Task'),
    ], [
        ('ObjectInJobId', object_id),
        ('HierarchyObjRef', vm.uid or None),
        ('Name', vm.name),
        ('DisplayName', vm.name),
        ('Order', order),
    ], _variant(object_id))


def task_node(task):
    href = '/api/tasks/' + task.task_id
    links = [('Delete', href, None, 'Task')]
    if task.job_session is not None and task.applied is not None:
        session = task.job_session
        links.append(('Related', '/api/backupSessions/%s?format=Entity' % session.id, session.name, 'BackupJobSession'))
    return Node('Task', 'entity', [('Href', href), ('Type', 'Task')], links, [
        ('TaskId', task.task_id), ('State', task.state()), ('Operation', task.operation),
    ], _variant(task.task_id))


def task_document(writer, task):
    """A Task in the writer's format; the Result element only once the operation was applied."""
    node = task_node(task)
    result = None if task.success is None else (task.success, task.message or '')
    if isinstance(writer, JsonWriter):
        data = writer.node(node)
        data['Result'] = None if result is None else {'Success': result[0], 'Message': result[1]}
        return writer.dumps(data)
    text = writer.document(node)
    if result is None:
        return text
    element = '  <Result Success="%s">\n    <Message>%s</Message>\n  </Result>\n' % (
        'true' if result[0] else 'false', text_escape(result[1]))
    return text.replace('</Task>\n', element + '</Task>\n')


def tasks_document(writer, tasks):
    if isinstance(writer, JsonWriter):
        return writer.dumps({'Tasks': [writer.node(task_node(task)) for task in tasks]})
    return writer.collection('Tasks', [task_node(task) for task in tasks])
