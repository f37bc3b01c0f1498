# VmRestorePoint and AgentRestorePoint over HTTP: the query types (fields EM 13 documents for filtering and
# sorting; the point type is filtered as `Type`, and VmName, HierarchyObjRef and JobUid are not query fields),
# the reference and entity nodes, and the GET /vmRestorePoints/{ID} and /agents/agentRestorePoints/{ID} routes.
from __future__ import annotations

from .errors import ApiError
from .query_fields import Field, QueryType
from .resources import Node
from .restore_points import store_of
from .timefmt import iso_z

POINT_TYPES = ['Full', 'Increment', 'ReverseIncrement']
AGENT_POINT_TYPES = ['Full', 'Increment']
ALGORITHMS = ['Full', 'ReversedIncremental', 'Incremental', 'SyntheticFull']
_ALIASES = {'CreationTimeUTC': 'CreationTime'}


def _common(type_values):
    return [
        Field('UID', 'uid', lambda point: point.uid),
        Field('Name', 'text', lambda point: point.name),
        Field('CreationTime', 'time', lambda point: point.creation),
        Field('Type', 'enum', lambda point: point.point_type, type_values),
        Field('Algorithm', 'enum', lambda point: point.algorithm, ALGORITHMS),
        Field('RestorePointId', 'uid', lambda point: point.point_uid),
        Field('RestorePointName', 'text', lambda point: point.point_name),
        Field('BackupServerUid', 'uid', lambda point: point.server.uid),
        Field('BackupServerName', 'text', lambda point: point.server.name),
    ]


VM_RESTORE_POINT = QueryType('VmRestorePoint', 'VmRestorePoints', _common(POINT_TYPES) + [
    Field('VmDisplayName', 'text', lambda point: point.vm.name),
], _ALIASES)

AGENT_RESTORE_POINT = QueryType('AgentRestorePoint', 'AgentRestorePoints', _common(AGENT_POINT_TYPES) + [
    Field('ComputerName', 'text', lambda point: point.vm.name),
    Field('BackupUid', 'uid', lambda point: point.backup_uid),
    Field('BackupName', 'text', lambda point: point.job.name),
    Field('BackupFileUid', 'uid', lambda point: point.file_uid),
    Field('BackupFileName', 'text', lambda point: point.file_name),
], _ALIASES)

QUERY_TYPES = {'vmrestorepoint': VM_RESTORE_POINT, 'agentrestorepoint': AGENT_RESTORE_POINT}


def query_sources(dataset):
    """The query service's record lists of both types: callables, as live sessions change the points."""
    store = store_of(dataset)
    return {'vmrestorepoint': lambda: store.points('vm'), 'agentrestorepoint': lambda: store.points('agent')}


def _href(point):
    if point.kind == 'vm':
        return '/api/vmRestorePoints/' + point.id
    return '/api/agents/agentRestorePoints/' + point.id


def _up_links(point):
    server = point.server
    return [
        ('Up', '/api/backupServers/' + server.id, server.name, 'BackupServerReference'),
        ('Up', '/api/restorePoints/' + point.point_id, point.point_name, 'RestorePointReference'),
        ('Up', '/api/backupFiles/' + point.file_id, point.file_name, 'BackupFileReference'),
    ]


def entity(point):
    href = _href(point)
    if point.kind == 'vm':
        return Node('VmRestorePoint', 'entity', [
            ('Href', href + '?format=Entity'), ('Type', 'VmRestorePoint'), ('Name', point.name), ('UID', point.uid),
            ('VmDisplayName', point.vm.name),
        ], [('Restore', href + '?action=restore', None, None)] + _up_links(point) + [
            ('Alternate', href, point.name, 'VmRestorePointReference'),
            ('Down', href + '/mounts', None, 'VmRestorePointMountList'),
        ], [
            ('CreationTimeUTC', iso_z(point.creation)),
            ('VmName', point.vm.name),
            ('Algorithm', point.algorithm),
            ('PointType', point.point_type),
            ('HierarchyObjRef', point.vm.uid or None),
        ], point.variant)
    return Node('AgentRestorePoint', 'entity', [
        ('Href', href + '?format=Entity'), ('Type', 'AgentRestorePoint'), ('Name', point.name), ('UID', point.uid),
    ], _up_links(point) + [('Alternate', href, point.name, 'AgentRestorePointReference')], [
        ('CreationTimeUTC', iso_z(point.creation)),
        ('Algorithm', point.algorithm),
        ('PointType', point.point_type),
    ], point.variant)


def reference(point, tag='Ref'):
    href = _href(point)
    kind = 'VmRestorePoint' if point.kind == 'vm' else 'AgentRestorePoint'
    return Node(tag, 'ref', [
        ('Href', href), ('Type', kind + 'Reference'), ('Name', point.name), ('UID', point.uid),
    ], _up_links(point) + [('Alternate', href + '?format=Entity', point.name, kind)], [], point.variant)


NODES = {'VmRestorePoint': (entity, reference), 'AgentRestorePoint': (entity, reference)}


def _point_resource(req, kind, point_id, entity_wanted):
    point = store_of(req.sim.dataset).get(kind, point_id)
    if point is None:
        label = 'VM restore point' if kind == 'vm' else 'Agent restore point'
        raise ApiError(404, '%s [%s] was not found.' % (label, point_id))
    if entity_wanted:
        return entity(point)
    return reference(point, 'EntityRef')


def vm_restore_point(req, point_id, entity_wanted):
    return _point_resource(req, 'vm', point_id, entity_wanted)


def agent_restore_point(req, point_id, entity_wanted):
    return _point_resource(req, 'agent', point_id, entity_wanted)
