# The query service: the filter language on every documented field, operators, enum order, AND/OR and
# parentheses, quoting and URL encoding, date-time forms, sorting, paging and its links, and 400 errors.
# Expected answers come from an oracle computed here from the full entity list.
from __future__ import annotations

import datetime
import math
import operator
import re
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from sim_helpers import query, query_all, xml

OPS = {'==': operator.eq, '!=': operator.ne, '<': operator.lt, '>': operator.gt, '<=': operator.le, '>=': operator.ge}
ENUMS = {'State': ['InProgress', 'Pending', 'Completed'], 'Result': ['None', 'Success', 'Warning', 'Failed']}
TEXT = ('UID', 'Name', 'Reason', 'JobSessionUid', 'JobUid', 'JobName', 'BackupServerUid', 'BackupServerName', 'VmDisplayName')
FIELDS = TEXT + ('CreationTime', 'EndTime', 'State', 'Result', 'TotalSize')


def ticks(text):
    match = re.match(r'^(\d{4}-\d\d-\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?Z?$', text)
    date, hour, minute, second, fraction = match.groups()
    year, month, day = (int(part) for part in date.split('-'))
    seconds = (datetime.datetime(year, month, day, int(hour or 0), int(minute or 0), int(second or 0)) - datetime.datetime(1970, 1, 1))
    return int(seconds.total_seconds()) * 10 ** 7 + int((fraction or '0').ljust(7, '0'))


def key(field, value):
    """The oracle's comparable value of a field (None never matches)."""
    if value is None:
        return None
    if field in TEXT:
        return value.casefold()
    if field in ('CreationTime', 'EndTime'):
        return ticks(value)
    if field in ENUMS:
        return ENUMS[field].index(value)
    return int(value)


@pytest.fixture(scope='module')
def rows(sim, admin, catalog):
    sessions = dict((item['UID'], item) for item in query_all(sim, admin, 'BackupJobSession'))
    server_uids = dict((server['name'], server['uid']) for server in catalog['backup_servers'])
    result = []
    for task in query_all(sim, admin):
        session = sessions[task['JobSessionUid']]
        server = [link['Name'] for link in task['Links'] if link['Type'] == 'BackupServerReference'][0]
        result.append({
            'UID': task['UID'], 'Name': task['Name'], 'CreationTime': task['CreationTimeUTC'], 'EndTime': task['EndTimeUTC'],
            'State': task['State'], 'Result': task['Result'], 'Reason': task['Reason'], 'TotalSize': task['TotalSize'],
            'JobSessionUid': task['JobSessionUid'], 'JobUid': session['JobUid'], 'JobName': session['JobName'],
            'BackupServerUid': server_uids[server], 'BackupServerName': server, 'VmDisplayName': task['VmDisplayName'],
        })
    return result


def expect(rows, *conditions):
    """UIDs of rows matching every (field, op, value) condition."""
    found = set()
    for row in rows:
        if all(key(field, row[field]) is not None and OPS[op](key(field, row[field]), key(field, value)) for field, op, value in conditions):
            found.add(row['UID'])
    return found


def select(sim, token, filter_text=None, raw=False, **params):
    """UIDs (in order) the simulator returns for a filter, on one page."""
    if raw:
        response = sim.get('/api/query?type=BackupTaskSession&pageSize=100000&filter=' + filter_text, token, 'application/json')
    else:
        params.setdefault('type', 'BackupTaskSession')
        params.setdefault('pageSize', 100000)
        if filter_text is not None:
            params['filter'] = filter_text
        response = query(sim, token, 'application/json', **params)
    assert response.status_code == 200, response.text
    return [ref['UID'] for ref in response.json()['Refs']['Refs']]


def quoted(value):
    return '"%s"' % str(value).replace('"', '""')


def test_every_documented_field(sim, admin, rows):
    failed = [row for row in rows if row['Result'] == 'Failed'][0]
    for field in FIELDS:
        value = failed[field]
        text = str(value) if field == 'TotalSize' else quoted(value)
        got = select(sim, admin, '%s==%s' % (field, text))
        assert set(got) == expect(rows, (field, '==', value)) and got, field


def test_time_field_spellings(sim, admin, rows):
    middle = sorted(row['CreationTime'] for row in rows)[len(rows) // 2]
    wanted = expect(rows, ('CreationTime', '>=', middle))
    for field in ('CreationTime', 'CreationTimeUTC', 'creationtimeutc'):
        assert set(select(sim, admin, '%s>="%s"' % (field, middle))) == wanted
    assert set(select(sim, admin, 'EndTimeUTC<"%s"' % middle)) == expect(rows, ('EndTime', '<', middle))


@pytest.mark.parametrize('op', sorted(OPS))
def test_operators(sim, admin, rows, op):
    middle = sorted(row['CreationTime'] for row in rows)[len(rows) // 3]
    for field, value, text in (('CreationTime', middle, quoted(middle)), ('EndTime', middle, middle),
                               ('TotalSize', 64424509440, '64424509440'), ('Name', 'm', 'm'),
                               ('Result', 'Warning', 'Warning'), ('State', 'Pending', 'pending')):
        assert set(select(sim, admin, '%s%s%s' % (field, op, text))) == expect(rows, (field, op, value)), field


def test_names_and_values_are_case_insensitive(sim, admin, rows):
    wanted = expect(rows, ('Result', '==', 'Failed'))
    for text in ('Result==Failed', 'result==failed', 'RESULT==FAILED', 'rEsUlT=="fAiLeD"'):
        assert set(select(sim, admin, text)) == wanted
    name = [row for row in rows if row['Result'] == 'Failed'][0]['VmDisplayName']
    assert set(select(sim, admin, 'vmdisplayname==%s' % quoted(name.upper()))) == expect(rows, ('VmDisplayName', '==', name))
    response = sim.get('/api/query?TYPE=backuptasksession&FORMAT=ENTITIES&PAGESIZE=7&filter=result==failed', admin, 'application/json')
    assert len(response.json()['Entities']['BackupTaskSessions']['BackupTaskSessions']) == 7


def count(sim, token, filter_text):
    """How many task sessions match, read from PagesCount with one record per page."""
    response = query(sim, token, 'application/json', type='BackupTaskSession', pageSize=1, filter=filter_text)
    assert response.status_code == 200, response.text
    body = response.json()
    return body['PagingInfo']['PagesCount'] if body['Refs']['Refs'] else 0


def test_enums_compare_in_documented_order(sim, admin, rows):
    # The oracle orders by the documented lists in ENUMS, never by what the simulator says.
    assert set(select(sim, admin, 'Result>Success')) == set(row['UID'] for row in rows if row['Result'] in ('Warning', 'Failed'))
    assert set(select(sim, admin, 'Result<Success')) == set(row['UID'] for row in rows if row['Result'] == 'None')
    assert set(select(sim, admin, 'Result==None')) == set(row['UID'] for row in rows if row['State'] != 'Completed')
    assert set(select(sim, admin, 'State<Completed')) == set(row['UID'] for row in rows if row['State'] in ('InProgress', 'Pending'))
    assert set(select(sim, admin, 'State>=Pending')) == set(row['UID'] for row in rows if row['State'] != 'InProgress')
    for field, values in ENUMS.items():
        for value in values:
            for op in OPS:
                wanted = len(expect(rows, (field, op, value)))
                assert count(sim, admin, '%s%s%s' % (field, op, value)) == wanted, (field, op, value)
    # Not alphabetical: alphabetically Failed < Success and Completed < InProgress.
    assert count(sim, admin, 'Result>Success') > count(sim, admin, 'Result>Warning') > 0
    assert count(sim, admin, 'State<Completed') > 0 and count(sim, admin, 'State<InProgress') == 0


def test_and_or_and_parentheses(sim, admin, rows):
    vm = [row for row in rows if row['Result'] == 'Warning'][0]['VmDisplayName']
    failed_or_warning = expect(rows, ('Result', '==', 'Failed')) | expect(rows, ('Result', '==', 'Warning'))
    of_vm = expect(rows, ('VmDisplayName', '==', vm))
    assert set(select(sim, admin, '(Result==Failed,Result==Warning);VmDisplayName==%s' % quoted(vm))) == failed_or_warning & of_vm
    # `;` binds tighter than `,`.
    loose = select(sim, admin, 'Result==Failed,Result==Warning;VmDisplayName==%s' % quoted(vm))
    assert set(loose) == expect(rows, ('Result', '==', 'Failed')) | (expect(rows, ('Result', '==', 'Warning')) & of_vm)
    nested = select(sim, admin, '((State==Completed);((TotalSize>0)));(Result!=Success)')
    assert set(nested) == expect(rows, ('State', '==', 'Completed'), ('TotalSize', '>', 0), ('Result', '!=', 'Success'))


def test_quoted_values(sim, admin, rows, catalog):
    for job in catalog['jobs']:
        got = select(sim, admin, 'JobName==%s' % quoted(job['name']))
        assert len(got) == job['task_sessions'] and set(got) == expect(rows, ('JobName', '==', job['name']))
    assert any('"' in job['name'] for job in catalog['jobs'])
    hard_disk = select(sim, admin, 'Reason=="Disk 1 skipped (0 B)"')
    assert set(hard_disk) == expect(rows, ('Reason', '==', 'Disk 1 skipped (0 B)'))
    assert hard_disk and set(select(sim, admin, 'Reason==""')) == expect(rows, ('Reason', '==', ''))


def test_doubled_quotes_and_operators_inside_quotes(sim, admin, rows):
    prod = 'SQL "Prod" Daily'
    wanted = expect(rows, ('JobName', '==', prod))
    assert wanted and set(select(sim, admin, 'JobName=="SQL ""Prod"" Daily"')) == wanted
    assert set(select(sim, admin, 'jobname!="SQL ""Prod"" Daily";JobName>""')) == expect(rows, ('JobName', '!=', prod))
    # A reason holding a quote, `;`, `,` and parentheses is one value when quoted with its quotes doubled.
    reason = [row['Reason'] for row in rows if all(char in row['Reason'] for char in '";,()')][0]
    assert set(select(sim, admin, 'Reason==%s' % quoted(reason))) == expect(rows, ('Reason', '==', reason))
    for bad in ('JobName=="SQL "Prod" Daily"', 'JobName=="SQL ""Prod', 'JobName==SQL"Prod"Daily'):
        response = query(sim, admin, 'application/json', type='BackupTaskSession', filter=bad)
        assert response.status_code == 400 and response.json()['StatusCode'] == 400, bad


def test_unquoted_values_lose_their_spaces(sim, admin, rows):
    vm = 'Finance Share 02'
    assert expect(rows, ('VmDisplayName', '==', vm))
    assert select(sim, admin, 'VmDisplayName==Finance Share 02') == select(sim, admin, 'VmDisplayName=="FinanceShare02"') == []
    assert set(select(sim, admin, 'VmDisplayName==%s' % quoted(vm))) == expect(rows, ('VmDisplayName', '==', vm))
    assert set(select(sim, admin, ' Result == Failed ; TotalSize == 0 ')) == expect(rows, ('Result', '==', 'Failed'), ('TotalSize', '==', 0))


def test_raw_and_percent_encoded_filters_agree(sim, admin, rows):
    text = '(Result==Failed,Result==Warning);JobName=="Core Services"'
    wanted = (expect(rows, ('Result', '==', 'Failed')) | expect(rows, ('Result', '==', 'Warning'))) & expect(rows, ('JobName', '==', 'Core Services'))
    assert wanted
    assert set(select(sim, admin, text)) == wanted  # requests sends %3B, %2C, %3D, %22, %28
    assert set(select(sim, admin, '(Result==Failed,Result==Warning);JobName=="Core+Services"', raw=True)) == wanted
    assert set(select(sim, admin, quote(text, safe=''), raw=True)) == wanted
    assert set(select(sim, admin, quote(text, safe=';,()=<>!"'), raw=True)) == wanted


def test_date_time_forms(sim, admin, rows, catalog):
    day = (datetime.datetime.strptime(catalog['now'][:10], '%Y-%m-%d') - datetime.timedelta(days=10)).strftime('%Y-%m-%d')
    wanted = expect(rows, ('CreationTime', '>=', day + 'T00:00:00Z'))
    assert 0 < len(wanted) < len(rows)
    for text in ('"{0}T00:00:00Z"', '{0}T00:00:00Z', '{0}T00:00:00', '"{0}"', '{0}', '"{0}T00:00:00.0000000Z"', '"{0} 00:00:00"',
                 '"{0}T00:00:00+00:00"'):
        assert set(select(sim, admin, 'CreationTime>=' + text.format(day))) == wanted, text
    exact = [row for row in rows if len(row['CreationTime']) == 28][0]  # seven fractional digits
    assert select(sim, admin, 'CreationTime==%s' % quoted(exact['CreationTime'])) == [exact['UID']]
    assert set(select(sim, admin, 'CreationTime>%s' % quoted(exact['CreationTime']))) == expect(rows, ('CreationTime', '>', exact['CreationTime']))


def test_missing_end_time_never_matches(sim, admin, rows):
    completed = set(row['UID'] for row in rows if row['EndTime'] is not None)
    assert len(completed) < len(rows)
    assert set(select(sim, admin, 'EndTime>="2000-01-01"')) == completed
    assert set(select(sim, admin, 'EndTime!="2000-01-01"')) == completed
    assert select(sim, admin, 'EndTime<"2000-01-01"') == []


@pytest.mark.parametrize('field', ['Name', 'CreationTime', 'EndTime', 'TotalSize', 'Result', 'State', 'VmDisplayName', 'JobName', 'UID'])
def test_sorting(sim, admin, rows, field):
    by_uid = dict((row['UID'], row) for row in rows)
    for param, reverse in (('sortAsc', False), ('sortDesc', True)):
        got = select(sim, admin, 'TotalSize>=0', **{param: field.lower()})
        assert len(got) == len(rows)
        keys = [key(field, by_uid[uid][field]) for uid in got]
        keys = [(0, 0) if value is None else (1, value) for value in keys]  # no value sorts first
        assert keys == sorted(keys, reverse=reverse), (param, field)


def test_sort_parameters_are_case_insensitive_and_the_default_order(sim, admin, rows):
    by_uid = dict((row['UID'], row) for row in rows)
    assert select(sim, admin, sortasc='NAME') == select(sim, admin, sortAsc='Name') != select(sim, admin)
    assert select(sim, admin, SORTDESC='name') == select(sim, admin, sortDesc='Name')
    unsorted = select(sim, admin)
    assert unsorted == sorted(unsorted, key=lambda uid: ticks(by_uid[uid]['CreationTime']))


def _page(sim, token, path):
    response = sim.get(path, token, 'application/json')
    assert response.status_code == 200
    body = response.json()
    return body, dict((link['Rel'], link['Href']) for link in body['PagingInfo']['Links'])


def test_default_page_size_and_walking_next_links(sim, admin, rows):
    body, links = _page(sim, admin, '/api/query?type=BackupTaskSession')
    pages = int(math.ceil(len(rows) / 100.0))
    assert body['PagingInfo'] == dict(body['PagingInfo'], PageNum=1, PageSize=100, PagesCount=pages)
    assert list(links) == ['First', 'Next', 'Last'] and links['Last'].endswith('&pageSize=100&page=%d' % pages)
    seen = [ref['UID'] for ref in body['Refs']['Refs']]
    assert all(link['Name'] is None and link['Type'] is None for link in body['PagingInfo']['Links'])
    while 'Next' in links:
        body, links = _page(sim, admin, links['Next'][len(sim.base):])
        seen.extend(ref['UID'] for ref in body['Refs']['Refs'])
    assert list(links) == ['First', 'Previous', 'Last'] and body['PagingInfo']['PageNum'] == pages
    assert seen == select(sim, admin) and len(set(seen)) == len(rows)
    beyond = _page(sim, admin, '/api/query?type=BackupTaskSession&page=%d' % (pages + 1))[0]
    assert beyond['Refs']['Refs'] == [] and beyond['PagingInfo']['PageNum'] == pages + 1


def test_paging_links_re_encode_the_query(sim, admin, rows, catalog):
    vm = catalog['samples']['vm_with_most_failures']
    filter_text = 'Result==Failed;VmDisplayName==%s' % quoted(vm['name'])
    path = '/api/query?type=backupTaskSession&format=entities&sortdesc=creationTime&filter=%s&pageSize=3&page=2' % quote(filter_text)
    response = sim.get(path, admin)
    raw_links = re.findall(r'<Link [^>]*Href="([^"]*)"', response.text.split('<PagingInfo')[1])
    assert raw_links and all('&amp;pageSize=3&amp;page=' in href for href in raw_links)
    result = xml(response)['QueryResult']
    links = dict((link['@Rel'], link['@Href']) for link in result['PagingInfo']['Links']['Link'])
    pages = int(math.ceil(vm['failed'] / 3.0))
    assert pages >= 3 and list(links) == ['First', 'Previous', 'Next', 'Last']
    prefix = sim.url('/api/query?type=backupTaskSession&format=entities&sortdesc=creationTime&filter=')
    for rel, number in (('First', 1), ('Previous', 1), ('Last', pages)):
        assert links[rel].startswith(prefix) and links[rel].endswith('&pageSize=3&page=%d' % number)
        encoded = links[rel][len(prefix):].split('&')[0]
        assert ';' in encoded and '"' not in encoded and '==' not in encoded and ' ' not in encoded
    pages_by_link = []
    for number in range(1, pages + 1):
        href = links['First'][:-1] + str(number)
        page = xml(sim.get(href[len(sim.base):], admin))['QueryResult']
        pages_by_link.extend(item['@UID'] for item in page['Entities']['BackupTaskSessions']['BackupTaskSession'])
    assert set(pages_by_link) == expect(rows, ('Result', '==', 'Failed'), ('VmDisplayName', '==', vm['name']))
    assert len(pages_by_link) == vm['failed']


def test_paging_links_decode_to_the_clients_query(sim, admin, rows):
    filter_text = '(Result==Failed,Result==Warning);JobName=="Core Services"'
    wanted = select(sim, admin, filter_text, sortAsc='Name')
    pages = int(math.ceil(len(wanted) / 4.0))
    assert pages >= 3
    # The client's order and spelling, an unrelated parameter, pageSize before type: the links keep type, sort and
    # filter in the client's order, drop the rest, and append pageSize and page.
    path = '/api/query?pageSize=4&Foo=bar&sortAsc=Name&TYPE=BackupTaskSession&filter=%s&page=2' % quote(filter_text, safe='')
    as_xml = xml(sim.get(path, admin))['QueryResult']['PagingInfo']
    as_json = sim.get(path, admin, 'application/json').json()['PagingInfo']
    xml_links = [(link['@Rel'], link['@Href']) for link in as_xml['Links']['Link']]
    assert xml_links == [(link['Rel'], link['Href']) for link in as_json['Links']]
    assert (as_json['PageNum'], as_json['PageSize'], as_json['PagesCount']) == (2, 4, pages)
    assert [rel for rel, unused in xml_links] == ['First', 'Previous', 'Next', 'Last']
    for (rel, href), number in zip(xml_links, (1, 1, 3, pages)):
        parts = urlsplit(href)
        assert parts.path == '/api/query' and href.startswith(sim.base)
        assert parse_qsl(parts.query) == [('sortAsc', 'Name'), ('TYPE', 'BackupTaskSession'), ('filter', filter_text),
                                          ('pageSize', '4'), ('page', str(number))], rel
        raw_filter = parts.query.split('filter=')[1].split('&')[0]
        assert '+' in raw_filter and ';' in raw_filter and not set(raw_filter) & set(' "(),=')
    seen = []
    href = xml_links[0][1]
    while href:
        body = sim.get(href[len(sim.base):], admin, 'application/json').json()
        seen.extend(ref['UID'] for ref in body['Refs']['Refs'])
        href = dict((link['Rel'], link['Href']) for link in body['PagingInfo']['Links']).get('Next')
    assert seen == wanted


@pytest.mark.parametrize('params', [
    'type=BackupTaskSession&filter=Result=Failed', 'type=BackupTaskSession&filter=Result==Bogus',
    'type=BackupTaskSession&filter=Foo==1', 'type=BackupTaskSession&filter=(Result==Failed',
    'type=BackupTaskSession&filter=Result==Failed)', 'type=BackupTaskSession&filter=CreationTime>=yesterday',
    'type=BackupTaskSession&filter=CreationTime>="2025-10-01T00:00:00+02:00"', 'type=BackupTaskSession&filter=TotalSize>=big',
    'type=BackupTaskSession&filter=Name=="unterminated', 'type=BackupTaskSession&filter=VmUid==x', 'type=BackupTaskSession&filter=;',
    'type=BackupTaskSession&sortAsc=Nope', 'type=BackupTaskSession&sortAsc=Name&sortDesc=Name', 'format=Entities',
    'type=Nothing', 'type=BackupTaskSession&format=Entity2', 'type=BackupTaskSession&pageSize=0',
    'type=BackupTaskSession&pageSize=-5', 'type=BackupTaskSession&pageSize=ten', 'type=BackupTaskSession&page=0',
])
def test_bad_queries_get_400(sim, admin, params):
    response = sim.get('/api/query?' + params, admin)
    assert response.status_code == 400
    error = xml(response)['Error']
    assert error['@StatusCode'] == '400' and error['@Message']
    body = sim.get('/api/query?' + params, admin, 'application/json').json()
    assert body['StatusCode'] == 400 and body['Message'] == error['@Message']


def test_query_result_shapes(sim, admin):
    refs = xml(sim.get('/api/query?type=BackupTaskSession&pageSize=2', admin))['QueryResult']
    assert [key for key in refs if not key.startswith('@')] == ['Refs', 'PagingInfo']
    assert [ref['@Type'] for ref in refs['Refs']['Ref']] == ['BackupTaskSessionReference'] * 2
    entities = xml(sim.get('/api/query?type=BackupTaskSession&format=Entities&pageSize=2', admin))['QueryResult']
    assert [key for key in entities if not key.startswith('@')] == ['Entities', 'PagingInfo']
    assert len(entities['Entities']['BackupTaskSessions']['BackupTaskSession']) == 2
    body = sim.get('/api/query?type=BackupTaskSession&format=Entities&pageSize=2', admin, 'application/json').json()
    assert body['Refs'] is None and body['Resources'] is None and body['Links'] is None
    assert list(body['PagingInfo']) == ['Links', 'PageNum', 'PageSize', 'PagesCount']
    empty = sim.get('/api/query?type=BackupTaskSession&filter=TotalSize<0', admin)
    assert xml(empty)['QueryResult']['Refs'] is None and xml(empty)['QueryResult']['PagingInfo']['@PagesCount'] == '1'
    empty_json = sim.get('/api/query?type=BackupTaskSession&filter=TotalSize<0', admin, 'application/json').json()
    assert empty_json['Refs'] == {'Refs': []} and empty_json['PagingInfo']['PagesCount'] == 1


def test_job_session_queries(sim, admin):
    sessions = query_all(sim, admin, 'BackupJobSession')
    retries = query_all(sim, admin, 'BackupJobSession', filter='JobType==backup;IsRetry==true', sortAsc='CreationTime')
    assert retries and [item['UID'] for item in retries] == [item['UID'] for item in sessions if item['IsRetry']]
    refs = sim.get('/api/query?type=backupJobSession&pageSize=5&filter=Result==Failed', admin, 'application/json').json()
    assert all(ref['Type'] == 'BackupJobSessionReference' for ref in refs['Refs']['Refs'])
