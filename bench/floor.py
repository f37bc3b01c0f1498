#!/usr/bin/env python
# The floor of the benchmark: the same HTTP requests as the info module (logon, the paged query, the
# job sessions of the same window for the job types, logoff) and the same facts, with nothing but the collection's Python requirements (requests,
# xmltodict) and the standard library, no Ansible. Writes {"backup_task_sessions": [...], "count": ...,
# "summary": ...} to --out and one line of JSON with its own timings to stdout.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fetch every task session matching a filter from EM and write the normalised facts as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta
from urllib.parse import quote

import requests
import xmltodict

TOKEN = 'X-RestSvcSessionId'
ACCEPT = {'xml': 'application/xml', 'json': 'application/json'}
RESULTS = ('Success', 'Warning', 'Failed')
STATES = ('InProgress', 'Pending', 'Completed')


def last_segment(href):
    if not href:
        return None
    return href.split('?', 1)[0].rstrip('/').rsplit('/', 1)[-1] or None


def em_time(value):
    """(datetime, 'YYYY-MM-DDTHH:MM:SS.ffffffZ') of an EM time with 0-7 fractional digits, or (None, None)."""
    if not value or value[:4] < '1900':
        return None, None
    base = value[:19]
    fraction = value[20:].rstrip('Zz') if value[19:20] in ('.', ',') else ''
    micro = int(fraction[:6].ljust(6, '0')) if fraction else 0
    moment = datetime.fromisoformat(base) + timedelta(microseconds=micro)
    return moment, '%s.%06dZ' % (base, micro)


def facts(entity, links):
    """The module's documented facts from one entity (a dict of EM names to values) and its links."""
    server = job_session = restore_point = None
    for link in links:
        kind = (link.get('Type') or '').lower()
        if kind == 'backupserverreference' and server is None:
            server = link
        elif kind == 'backupjobsessionreference' and job_session is None:
            job_session = link
        elif kind == 'vmrestorepoint' and restore_point is None:
            restore_point = link
    uid = entity.get('UID') or None
    href = entity.get('Href') or None
    job_session_uid = entity.get('JobSessionUid') or None
    job_session_name = (job_session.get('Name') or None) if job_session else None
    created, creation_time = em_time(entity.get('CreationTimeUTC'))
    ended, end_time = em_time(entity.get('EndTimeUTC'))
    duration = None
    if created is not None and ended is not None:
        seconds = (ended - created).total_seconds()
        duration = round(seconds, 6) if seconds > 0 else 0.0
    size = entity.get('TotalSize')
    return {
        'id': uid.rsplit(':', 1)[-1] if uid else last_segment(href),
        'uid': uid,
        'name': entity.get('Name') or None,
        'href': href,
        'vm_name': entity.get('VmDisplayName') or None,
        'vm_uid': entity.get('VmUid') or None,
        'job_name': job_session_name.rsplit('@', 1)[0] if job_session_name else None,
        'job_session_id': (job_session_uid.rsplit(':', 1)[-1] if job_session_uid
                           else last_segment(job_session.get('Href')) if job_session else None),
        'job_session_uid': job_session_uid,
        'job_session_name': job_session_name,
        'job_type': None,
        'is_retry': None,
        'backup_server_id': last_segment(server.get('Href')) if server else None,
        'backup_server_name': (server.get('Name') or None) if server else None,
        'creation_time': creation_time,
        'end_time': end_time,
        'duration_seconds': duration,
        'state': entity.get('State') or None,
        'result': entity.get('Result') or None,
        'reason': entity.get('Reason') or '',
        'total_size': int(size) if size not in (None, '') else None,
        'restore_point_id': last_segment(restore_point.get('Href')) if restore_point else None,
    }


def page_xml(body):
    """(facts of each entity, more pages?) of one QueryResult page in XML, read with xmltodict as the module does
    (attributes and child elements alike become keys; EM's default namespace leaves the names bare; texts kept
    verbatim: a Reason may end in a space)."""
    root = xmltodict.parse(body, attr_prefix='', strip_whitespace=False, force_list=('BackupTaskSession', 'Link'))['QueryResult']
    entities = ((root.get('Entities') or {}).get('BackupTaskSessions') or {}).get('BackupTaskSession') or []
    items = [facts(entity, (entity.get('Links') or {}).get('Link') or []) for entity in entities]
    paging = root.get('PagingInfo') or {}
    return items, int(paging.get('PageNum', 0)) < int(paging.get('PagesCount', 0))


def page_json(body):
    """(facts of each entity, more pages?) of one QueryResult page in EM 12 JSON."""
    data = json.loads(body)
    entities = ((data.get('Entities') or {}).get('BackupTaskSessions') or {}).get('BackupTaskSessions') or []
    items = [facts(entity, entity.get('Links') or []) for entity in entities]
    paging = data.get('PagingInfo') or {}
    return items, int(paging.get('PageNum') or 0) < int(paging.get('PagesCount') or 0)


def job_sessions_xml(body):
    """(GUID -> (JobType, IsRetry), more pages?) of one page of a type=BackupJobSession query in XML."""
    root = xmltodict.parse(body, attr_prefix='', force_list=('BackupJobSession',))['QueryResult']
    entities = ((root.get('Entities') or {}).get('BackupJobSessions') or {}).get('BackupJobSession') or []
    types = dict((e['UID'].rsplit(':', 1)[-1].lower(), (e.get('JobType'), {'true': True, 'false': False}.get(e.get('IsRetry'))))
                 for e in entities)
    paging = root.get('PagingInfo') or {}
    return types, int(paging.get('PageNum', 0)) < int(paging.get('PagesCount', 0))


def job_sessions_json(body):
    data = json.loads(body)
    entities = ((data.get('Entities') or {}).get('BackupJobSessions') or {}).get('BackupJobSessions') or []
    types = dict((e['UID'].rsplit(':', 1)[-1].lower(), (e.get('JobType'), e.get('IsRetry'))) for e in entities)
    paging = data.get('PagingInfo') or {}
    return types, int(paging.get('PageNum') or 0) < int(paging.get('PagesCount') or 0)


def read_all(http, url_of, headers, parse, timings):
    """Every page of one query: parse(page body) -> (items, more?); (items of all pages, requests made)."""
    items = []
    page = 1
    while True:
        mark = time.perf_counter()
        response = http.get(url_of(page), headers=headers, timeout=60)
        response.raise_for_status()
        parsed = time.perf_counter()
        timings['http'] += parsed - mark
        found, more = parse(response.content)
        items.append(found)
        timings['parse'] += time.perf_counter() - parsed
        if not more:
            return items, page
        page += 1


def add_job_types(http, args, headers, sessions, timings):
    """job_type and is_retry of every session, as the module reads them: one query of the job sessions of the same
    window, then the job sessions it did not return by OR'd UIDs (as many as fit in a URL). Returns the requests made."""
    parse = job_sessions_xml if args.format == 'xml' else job_sessions_json
    base = '%s/api/query?type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=%d' % (args.url, args.page_size)

    def query(filter_text):
        pages, count = read_all(http, lambda page: '%s&page=%d&filter=%s' % (base, page, quote(filter_text, safe=';,()')), headers,
                                parse, timings)
        for found in pages:
            known.update(found)
        return count
    known = {}
    requests_made = query(args.filter)
    missing = sorted(set(s['job_session_id'].lower() for s in sessions if s['job_session_id']) - set(known))

    def uids(group):
        return '(%s)' % ','.join('UID=="urn:veeam:BackupJobSession:%s"' % guid for guid in group)
    chunk = []
    for guid in missing:
        if chunk and len(quote(uids(chunk + [guid]), safe=';,()')) > 5800:
            requests_made += query(uids(chunk))
            chunk = []
        chunk.append(guid)
    if chunk:
        requests_made += query(uids(chunk))
    for item in sessions:
        item['job_type'], item['is_retry'] = known.get((item['job_session_id'] or '').lower(), (None, None))
    return requests_made


def summary(sessions):
    by_result = dict.fromkeys(RESULTS, 0)
    by_state = dict.fromkeys(STATES, 0)
    for item in sessions:
        result = item['result'] if item['result'] is not None else 'None'
        state = item['state'] if item['state'] is not None else 'None'
        by_result[result] = by_result.get(result, 0) + 1
        by_state[state] = by_state.get(state, 0) + 1
    return {'by_result': by_result, 'by_state': by_state}


def fetch(args):
    timings = {'http': 0.0, 'parse': 0.0}
    http = requests.Session()
    accept = ACCEPT[args.format]
    parse = page_xml if args.format == 'xml' else page_json
    started = time.perf_counter()
    logon = http.post(args.url + '/api/sessionMngr/?v=latest', auth=(args.username, args.password), headers={'Accept': accept},
                      timeout=60)
    logon.raise_for_status()
    token = logon.headers[TOKEN]
    session_id = (logon.json() if args.format == 'json' else
                  xmltodict.parse(logon.content)['LogonSession'])['SessionId']
    headers = {TOKEN: token, 'Accept': accept}
    http.cookies.clear()
    sessions = []
    seen = set()
    try:
        page = 1
        while True:
            url = '%s/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=%d&page=%d' % (
                args.url, args.page_size, page)
            if args.filter:
                url += '&filter=' + quote(args.filter, safe=';,()')
            mark = time.perf_counter()
            response = http.get(url, headers=headers, timeout=60)
            response.raise_for_status()
            parsed = time.perf_counter()
            timings['http'] += parsed - mark
            items, more = parse(response.content)
            for item in items:
                if item['id'] not in seen:
                    seen.add(item['id'])
                    sessions.append(item)
            timings['parse'] += time.perf_counter() - parsed
            if not more:
                break
            page += 1
        timings['job_session_requests'] = add_job_types(http, args, headers, sessions, timings)
    finally:
        http.delete('%s/api/logonSessions/%s' % (args.url, session_id), headers=headers, timeout=60)
    timings['total_fetch'] = time.perf_counter() - started
    return sessions, timings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', required=True)
    parser.add_argument('--username', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--filter', default='')
    parser.add_argument('--format', choices=('xml', 'json'), default='xml')
    parser.add_argument('--page-size', type=int, default=1000)
    parser.add_argument('--out', required=True, help='where to write the facts (JSON)')
    args = parser.parse_args(argv)
    sessions, timings = fetch(args)
    mark = time.perf_counter()
    # the module's order: newest first by creation time (fixed-width text, so it sorts as the time does)
    sessions.sort(key=lambda item: item['creation_time'] or '', reverse=True)
    result = {'changed': False, 'backup_task_sessions': sessions, 'count': len(sessions), 'missing_ids': [],
              'truncated': False, 'summary': summary(sessions)}
    with open(args.out, 'w', encoding='utf-8') as handle:
        json.dump(result, handle)
    timings['write'] = time.perf_counter() - mark
    sys.stdout.write(json.dumps({'count': len(sessions), 'timings': timings}) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
