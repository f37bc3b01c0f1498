# Nodes -> EM JSON (Accept: application/json): no root wrapper and no namespaces, attributes as keys,
# Links as arrays of {Rel, Href, Name, Type} (null when absent), typed numbers and booleans, `Refs` for
# reference lists, QueryResult with null siblings. `camel` gives EM 13 key style: see README.md.
from __future__ import annotations

import json

_ENTITY_TAIL = ('VmDisplayName', 'Name', 'UID')
_CAMEL = {}

# The entity lists a real EM 12/13 QueryResult holds under Entities, in its order: all null but the one
# queried. (Two names carry EM's own misspelling, `Enterpise`; real answers send them so.)
ENTITY_LISTS = (
    'Jobs', 'FailoverPlans', 'Backups', 'Replicas', 'Repositories', 'RestorePoints', 'VmRestorePoints',
    'VAppRestorePoints', 'VmReplicaPoints', 'BackupJobSessions', 'ReplicaJobSessions', 'ReplicaTaskSessions',
    'RestoreSessions', 'HierarchyRoots', 'BackupTaskSessions', 'BackupServers', 'ManagedServers', 'EnterpiseRoles',
    'EnterpiseAccounts', 'WanAccelerators', 'CloudGateways', 'CloudTenants', 'CloudReplicas', 'VCloudOrganizationConfigs',
    'BackupFiles', 'VSphereSelfServiceConfigs', 'CloudPublicIps', 'CloudHardwarePlans', 'CloudVmReplicaPoints',
    'AgentRestorePoints', 'AgentBackupJob', 'CloudGatewayPools', 'CloudFailoverPlans', 'ExternalRepositories',
    'VlanConfigurations', 'CloudFailoverSessions', 'AgentProtectionGroups', 'DiscoveredComputers', 'FileServers',
    'NASJobs', 'CdpReplicas', 'CdpReplicaVms', 'CdpPolicies', 'CdpReplicaSessions', 'CdpReplicaTaskSessions',
    'VAppReplicaPoints', 'VmCdpReplicas', 'VAppCdpReplicas', 'VAppCdpReplicaVms', 'SystemSessions',
)


def camel_key(key):
    """PascalCase -> natural camelCase: UID -> uid, VmUid -> vmUid, CreationTimeUTC -> creationTimeUTC."""
    result = _CAMEL.get(key)
    if result is None:
        if key.isupper():
            result = key.lower()
        else:
            run = len(key) - len(key.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ'))
            result = key[:1].lower() + key[1:] if run <= 1 else key[:run - 1].lower() + key[run - 1:]
        _CAMEL[key] = result
    return result


def _camelize(value):
    if isinstance(value, dict):
        return dict((camel_key(key), _camelize(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_camelize(item) for item in value]
    return value


class JsonWriter:
    def __init__(self, base, camel):
        self.base = base
        self.camel = camel

    def dumps(self, value):
        if self.camel:
            value = _camelize(value)
        return json.dumps(value, ensure_ascii=False, separators=(',', ':'))

    def link(self, link):
        rel, href, name, kind = link
        return {'Rel': rel, 'Href': self.base + href, 'Name': name, 'Type': kind}

    def node(self, node):
        attrs = dict(node.attrs)
        out = {}
        links = [self.link(link) for link in node.links] if node.links else None
        if node.kind == 'ref':
            out['Links'] = links
            for name in ('UID', 'Name'):
                if name in attrs:
                    out[name] = attrs[name]
        else:
            for name, value in node.fields:
                out[name] = value
            for name in _ENTITY_TAIL:
                if name in attrs:
                    out[name] = attrs[name]
            out['Links'] = links
        out['Href'] = self.base + attrs['Href']
        out['Type'] = attrs['Type']
        return out

    def document(self, node):
        return self.dumps(self.node(node))

    def collection(self, list_key, nodes):
        """{"Refs": [...]} for references, {"BackupTaskSessions": [...]} for entities."""
        return self.dumps({list_key: [self.node(node) for node in nodes]})

    def query_result(self, list_key, nodes, paging):
        items = [self.node(node) for node in nodes]
        return self.dumps({
            'Refs': {'Refs': items} if list_key is None else None,
            'Entities': None if list_key is None else _entities(list_key, items),
            'Resources': None,
            'Links': None,
            'PagingInfo': {
                'Links': [{'Rel': rel, 'Href': self.base + href, 'Name': None, 'Type': None} for rel, href in paging.links],
                'PageNum': paging.page_num,
                'PageSize': paging.page_size,
                'PagesCount': paging.pages_count,
            },
        })

    def references(self, nodes):
        return self.collection('Refs', nodes)

    def logon_sessions(self, nodes):
        return self.collection('LogonSessions', nodes)

    def enterprise_manager(self, versions):
        create = '/api/sessionMngr/?v='
        return self.dumps({
            'SupportedVersions': {'SupportedVersions': [
                {'Links': [self.link(('Create', create + name, None, 'LogonSession'))], 'Name': name} for name in versions]},
            'Links': [self.link(('Down', '/api/logonSessions', None, 'LogonSessionList')),
                      self.link(('Create', create + 'latest', None, 'LogonSession'))],
            'Href': None,  # real EM 12 and 13 send both as null on /api/
            'Type': None,
        })

    def error(self, status, message):
        # Keys in alphabetical order, as EM writes them.
        return self.dumps({'FirstChanceExceptionMessage': None, 'Message': message, 'StackTrace': None, 'Status': None,
                           'StatusCode': status})


def _entities(list_key, items):
    entities = dict.fromkeys(ENTITY_LISTS)
    entities[list_key] = {list_key: items}
    return entities
