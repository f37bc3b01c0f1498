# -*- coding: utf-8 -*-
# EM VmRestorePoint and AgentRestorePoint answers for unit tests, shaped as EM documents them (the
# reference example of /vmRestorePoints/{ID} and the query answers): XML, JSON (EM 12) and camelCase JSON.

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import encode_filter
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    EM_HOST,
    JSON,
    NS,
    SERVER_ID,
    SERVER_NAME,
    XML,
    XSD,
    XSI,
    camel,
)

TYPES = {'vm': 'VmRestorePoint', 'agent': 'AgentRestorePoint'}
_PATHS = {'vm': '/api/vmRestorePoints/', 'agent': '/api/agents/agentRestorePoints/'}


def point_guid(n):
    return 'a1d3c5e7-%04x-4b2d-9f60-%012x' % (n, n)


def hierarchy_ref(vm):
    """The VM's HierarchyObjRef: one per VM name here (any letter case)."""
    return 'urn:VMware:Vm:7c1e2a9b-5d43-4f8e-b061-3a9d2c4e5f70.vm-%d' % (100 + sum(map(ord, vm.lower())) % 900)


def restore_point(n=1, vm='ledgerdb01', kind='vm', created='2025-03-14T02:17:55.1Z', point_type='Increment',
                  algorithm='Incremental', server_name=SERVER_NAME, stamp=None):
    """The canonical data of one point entity (Links as a list of dicts)."""
    guid = point_guid(n)
    href = EM_HOST + _PATHS[kind] + guid
    name = '%s@%s' % (vm, stamp or created[:19].replace('T', ' '))
    data = {
        'Href': href + '?format=Entity', 'Type': TYPES[kind], 'Name': name, 'UID': 'urn:veeam:%s:%s' % (TYPES[kind], guid),
        'Links': [
            {'Rel': 'Up', 'Type': 'BackupServerReference', 'Href': EM_HOST + '/api/backupServers/' + SERVER_ID, 'Name': server_name},
            {'Rel': 'Up', 'Type': 'RestorePointReference', 'Href': EM_HOST + '/api/restorePoints/c0ffee00-0000-4000-8000-%012x' % n,
             'Name': 'Mar 14 2025  2:16AM'},
            {'Rel': 'Up', 'Type': 'BackupFileReference', 'Href': EM_HOST + '/api/backupFiles/f11e0000-0000-4000-8000-%012x' % n,
             'Name': '%sD2025-03-14T021755.vib' % vm},
            {'Rel': 'Alternate', 'Type': TYPES[kind] + 'Reference', 'Href': href, 'Name': name},
        ],
        'CreationTimeUTC': created,
        'Algorithm': algorithm,
        'PointType': point_type,
    }
    if kind == 'vm':
        data['VmDisplayName'] = vm
        data['VmName'] = vm
        data['HierarchyObjRef'] = hierarchy_ref(vm)
    return data


_FIELDS = ('CreationTimeUTC', 'VmName', 'Algorithm', 'PointType', 'HierarchyObjRef')


def _attrs(data, names):
    return ''.join(' %s=%s' % (key, quoteattr(str(data[key]))) for key in names if data.get(key) is not None)


def point_xml(data, indent='      '):
    tag = data['Type']
    parts = ['%s<%s%s>\n' % (indent, tag, _attrs(data, ('Type', 'Href', 'Name', 'UID', 'VmDisplayName'))), indent + '  <Links>\n']
    parts.extend('%s    <Link%s />\n' % (indent, _attrs(link, ('Rel', 'Type', 'Href', 'Name'))) for link in data['Links'])
    parts.append(indent + '  </Links>\n')
    parts.extend('%s  <%s>%s</%s>\n' % (indent, name, escape(data[name]), name) for name in _FIELDS if data.get(name))
    parts.append('%s</%s>\n' % (indent, tag))
    return ''.join(parts)


def query_path(kind, page, page_size, filter_text=None):
    path = '/api/query?type=%s&format=Entities&sortDesc=CreationTime&pageSize=%d&page=%d' % (TYPES[kind], page_size, page)
    if filter_text:
        path += '&filter=' + encode_filter(filter_text)
    return path


def query_url(kind, filter_text=None, page=1, page_size=1000):
    return BASE + query_path(kind, page, page_size, filter_text)


def points_page(points, kind='vm', fmt='xml', page=1, pages=1, page_size=1000, filter_text=None):
    """FakeTransport.expect keyword arguments of one QueryResult page of points."""
    links = [('First', 1)] + ([('Next', page + 1)] if page < pages else []) + [('Last', pages)]
    links = [{'Rel': rel, 'Href': EM_HOST + query_path(kind, number, page_size, filter_text)} for rel, number in links]
    plural = TYPES[kind] + 's'
    if fmt == 'xml':
        inner = ''.join(point_xml(point) for point in points)
        body = ('<QueryResult xmlns="%s" xmlns:xsd="%s" xmlns:xsi="%s">\n  <Entities>\n    <%s>\n%s    </%s>\n  </Entities>\n'
                '  <PagingInfo PageNum="%d" PageSize="%d" PagesCount="%d">\n    <Links>\n%s    </Links>\n  </PagingInfo>\n'
                '</QueryResult>\n') % (NS, XSD, XSI, plural, inner, plural, page, page_size, pages,
                                       ''.join('      <Link%s />\n' % _attrs(link, ('Rel', 'Href')) for link in links))
        return {'body': body, 'content_type': XML}
    result = {'Refs': None, 'Entities': {plural: {plural: points}}, 'Resources': None, 'Links': None,
              'PagingInfo': {'Links': [dict(link, Name=None, Type=None) for link in links], 'PageNum': page,
                             'PageSize': page_size, 'PagesCount': pages}}
    return {'body': json.dumps(camel(result) if fmt == 'camel' else result), 'content_type': JSON}
