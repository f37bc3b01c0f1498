#!/usr/bin/env python
# Micro-benchmark of the per-entity work, on real pages: fetches the pages of one query once (XML
# and JSON), then times, per 1000 entities, the module's path (representation.parse_response +
# query_items + normalize_task_session) against the floor's (floor.page_xml / page_json), their
# parts (xmltodict.parse as the floor calls it, ElementTree for comparison, json.loads), and what exit_json does
# with the result (remove_values, json.dumps) for all fields and for a `fields` subset.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-1000-entity costs of parsing, normalising and returning task sessions."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from urllib.parse import quote

import requests

HERE = os.path.dirname(os.path.abspath(__file__))


def fetch_pages(url, username, password, fmt, filter_expr, page_size):
    """[(body bytes, content type)] of every page of the query, in one logon session."""
    accept = 'application/json' if fmt == 'json' else 'application/xml'
    http = requests.Session()
    logon = http.post(url + '/api/sessionMngr/?v=latest', auth=(username, password), headers={'Accept': 'application/json'}, timeout=60)
    logon.raise_for_status()
    headers = {'X-RestSvcSessionId': logon.headers['X-RestSvcSessionId'], 'Accept': accept}
    http.cookies.clear()
    pages = []
    try:
        page = 1
        while True:
            query = '%s/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=%d&page=%d&filter=%s' % (
                url, page_size, page, quote(filter_expr, safe=';,()'))
            response = http.get(query, headers=headers, timeout=60)
            response.raise_for_status()
            pages.append((response.content, response.headers.get('Content-Type')))
            if fmt == 'json':
                info = response.json().get('PagingInfo') or {}
                more = int(info.get('PageNum') or 0) < int(info.get('PagesCount') or 0)
            else:
                more = b'Rel="Next"' in response.content
            if not more:
                return pages
            page += 1
    finally:
        http.delete('%s/api/logonSessions/%s' % (url, logon.json()['SessionId']), headers=headers, timeout=60)


def best_of(func, repeat):
    """Smallest wall time of `repeat` calls (the least disturbed by other load)."""
    best = None
    for unused in range(repeat):
        started = time.perf_counter()
        func()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--collections-root', required=True)
    parser.add_argument('--url', required=True)
    parser.add_argument('--username', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--filter', required=True)
    parser.add_argument('--page-size', type=int, default=1000)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--fields', default='id,vm_name,job_name,creation_time,result')
    options = parser.parse_args(argv)
    sys.path.insert(0, options.collections_root)
    sys.path.insert(0, HERE)
    from xml.etree import ElementTree

    import floor
    from ansible.module_utils.common.parameters import remove_values
    from ansible_collections.vbr.enterprise_manager.plugins.module_utils import query_pager, representation
    from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import normalize_task_session, project
    import xmltodict

    xml_pages = fetch_pages(options.url, options.username, options.password, 'xml', options.filter, options.page_size)
    json_pages = fetch_pages(options.url, options.username, options.password, 'json', options.filter, options.page_size)

    def module_path(pages):
        facts = []
        for body, content_type in pages:
            doc = representation.parse_response(body, content_type)
            facts.extend(normalize_task_session(entity) for entity in query_pager.query_items(doc.data, 'BackupTaskSession'))
        return facts

    def canonical_only(pages):
        return [representation.parse_response(body, content_type) for body, content_type in pages]

    entities = [entity for body, content_type in xml_pages
                for entity in query_pager.query_items(representation.parse_response(body, content_type).data, 'BackupTaskSession')]
    count = len(entities)
    if not count:
        sys.stdout.write(json.dumps({'entities': 0}) + '\n')
        return 0
    facts = module_path(xml_pages)
    fields = options.fields.split(',')
    result_all = {'backup_task_sessions': facts, 'count': count}
    result_fields = {'backup_task_sessions': [project(item, fields) for item in facts], 'count': count}
    secrets = [options.password, 'dG9rZW4tdG9rZW4tdG9rZW4=', '6f9619ff-8b86-d011-b42d-00c04fc964ff']
    repeat = options.repeat
    xml_bytes = sum(len(body) for body, unused in xml_pages)
    json_bytes = sum(len(body) for body, unused in json_pages)
    timings = {
        'module_xml_parse_normalise': best_of(lambda: module_path(xml_pages), repeat),
        'module_json_parse_normalise': best_of(lambda: module_path(json_pages), repeat),
        'module_xml_parse_only': best_of(lambda: canonical_only(xml_pages), repeat),
        'module_json_parse_only': best_of(lambda: canonical_only(json_pages), repeat),
        'xmltodict_parse_only': best_of(lambda: [xmltodict.parse(
            body, attr_prefix='', strip_whitespace=False, force_list=('BackupTaskSession', 'Link')) for body, unused in xml_pages], repeat),
        'normalise_only': best_of(lambda: [normalize_task_session(entity) for entity in entities], repeat),
        'floor_xml_parse_normalise': best_of(lambda: [floor.page_xml(body) for body, unused in xml_pages], repeat),
        'floor_json_parse_normalise': best_of(lambda: [floor.page_json(body) for body, unused in json_pages], repeat),
        'elementtree_parse_only': best_of(lambda: [ElementTree.fromstring(body) for body, unused in xml_pages], repeat),
        'json_loads_only': best_of(lambda: [json.loads(body) for body, unused in json_pages], repeat),
        'remove_values_all_fields': best_of(lambda: remove_values(result_all, secrets), repeat),
        'remove_values_subset_fields': best_of(lambda: remove_values(result_fields, secrets), repeat),
        'json_dumps_all_fields': best_of(lambda: json.dumps(result_all), repeat),
        'json_dumps_subset_fields': best_of(lambda: json.dumps(result_fields), repeat),
    }
    per_1000 = dict((name, round(seconds * 1000.0 / count * 1000.0, 1)) for name, seconds in timings.items())
    report = {
        'entities': count,
        'pages': len(xml_pages),
        'xml_bytes_per_entity': round(xml_bytes / float(count)),
        'json_bytes_per_entity': round(json_bytes / float(count)),
        'result_bytes_per_entity_all_fields': round(len(json.dumps(result_all)) / float(count)),
        'result_bytes_per_entity_subset_fields': round(len(json.dumps(result_fields)) / float(count)),
        'fields_subset': fields,
        'ms_per_1000_entities': per_1000,
    }
    sys.stdout.write(json.dumps(report) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
