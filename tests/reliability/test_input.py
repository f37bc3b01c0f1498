# -*- coding: utf-8 -*-
# Bad input to backup_task_session_info: each case must fail with a clear message before any request
# (the simulator they point at must see no request at all); and legitimate values that need escaping
# (quotes, &, ;, commas, backslashes, non-ASCII, + and %) must select exactly the right sessions.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from rel_checks import assert_clean, assert_no_sessions, failure, success
from rel_report import Case

GUID = '5e0b7c1d-3f42-4a8e-b9d6-2c7a41f08e93'
URL_PASSWORD = 'UrlPw-%s' % GUID[:8]  # a password typed into url: it must not be echoed back


def bad(id, scenario, args, says):  # pylint: disable=redefined-builtin
    return Case(id, 'input', scenario, 'fails before any request; the message says: ' + ', '.join(says), args=args, says=says)


BAD = [
    bad('id_path_traversal', 'id with path characters (../../logonSessions)', {'id': ['../../logonSessions']}, ('id', 'GUID')),
    bad('id_slash', 'id: a GUID followed by /../x', {'id': [GUID + '/../x']}, ('id', 'GUID')),
    bad('id_query', 'id: a GUID followed by ?format=Entity', {'id': [GUID + '?format=Entity']}, ('id', 'GUID')),
    bad('id_filter_injection', 'id: a GUID followed by ",UID!="x (filter injection)', {'id': [GUID + '",UID!="x']}, ('id', 'GUID')),
    bad('id_job_session_urn', 'id: URN of another type (urn:veeam:BackupJobSession:...)', {'id': ['urn:veeam:BackupJobSession:' + GUID]},
        ('id', 'urn:veeam:BackupTaskSession:')),
    bad('id_vm_urn', 'id: a VM URN (urn:VMware:Vm:...)', {'id': ['urn:VMware:Vm:c41f9e02-7a6b-4d3c-8e15-96b2d0a7f4e1.vm-91826']}, ('id', 'GUID')),
    bad('id_empty', 'id: an empty string', {'id': ['']}, ('id',)),
    bad('job_session_id_task_urn', 'job_session_id: URN of a task session', {'job_session_id': ['urn:veeam:BackupTaskSession:' + GUID]},
        ('job_session_id', 'urn:veeam:BackupJobSession:')),
    bad('job_session_id_encoded', 'job_session_id: percent-encoded path (%2e%2e%2f)', {'job_session_id': ['%2e%2e%2f']}, ('job_session_id',)),
    bad('url_no_scheme', 'url without scheme (em.example.com:9398)', {'url': 'em.example.com:9398'}, ('scheme', 'https://')),
    bad('url_credentials', 'url with user and password (https://admin:<password>@em.example.com)',
        {'url': 'https://admin:%s@em.example.com:9398' % URL_PASSWORD}, ('user name or password', 'username')),
    bad('url_path', 'url with a path (/api/query)', {'url': 'https://em.example.com:9398/api/query'}, ('path',)),
    bad('url_query', 'url with a query string (?x=1)', {'url': 'https://em.example.com:9398/?x=1'}, ('query',)),
    bad('url_fragment', 'url with a fragment (#api)', {'url': 'https://em.example.com:9398/#api'}, ('fragment',)),
    bad('url_ftp', 'url with an unsupported scheme (ftp://)', {'url': 'ftp://em.example.com'}, ('scheme', 'https://')),
    bad('url_bad_port', 'url with port 99999', {'url': 'https://em.example.com:99999'}, ('url', 'port')),
    bad('url_empty', 'url empty', {'url': ''}, ('url', 'VEEAM_EM_URL')),
    bad('since_words', 'since: yesterday', {'since': 'yesterday'}, ('since', 'ISO 8601', '24h')),
    bad('since_no_zone', 'since without a time zone (2025-08-15T06:00:00)', {'since': '2025-08-15T06:00:00'}, ('since', 'time zone', 'Z')),
    bad('since_invalid_date', 'since: 30 February', {'since': '2025-02-30T00:00:00Z'}, ('since', 'not a valid time')),
    bad('since_too_far', 'since: 999999999999w', {'since': '999999999999w'}, ('since',)),
    bad('until_before_since', 'until before since', {'since': '2025-08-15T00:00:00Z', 'until': '2025-08-14T00:00:00Z'}, ('until', 'since')),
    bad('until_words', 'until: now-1d', {'until': 'now-1d'}, ('until',)),
    bad('limit_negative', 'limit: -1', {'limit': -1}, ('limit', 'at least 1')),
    bad('limit_zero', 'limit: 0', {'limit': 0}, ('limit', 'at least 1')),
    bad('limit_text', 'limit: ten', {'limit': 'ten'}, ('limit',)),
    bad('state_unknown', 'state: Running', {'state': ['Running']}, ('state', 'InProgress')),
    bad('result_unknown', 'result: Succeeded', {'result': ['Succeeded']}, ('result', 'Success')),
    bad('vm_name_empty', 'vm_name: an empty string', {'vm_name': ['']}, ('vm_name', 'empty')),
    bad('fields_unknown', 'fields: password', {'fields': ['password']}, ('fields',)),
    bad('timeout_zero', 'timeout: 0', {'timeout': 0}, ('timeout', 'at least 1')),
    bad('retries_negative', 'retries: -1', {'retries': -1}, ('retries', 'at least 0')),
    bad('wait_sleep_zero', 'wait_sleep: 0 with wait=true', {'wait': True, 'wait_sleep': 0}, ('wait_sleep', 'at least 1')),
    bad('wait_timeout_negative', 'wait_timeout: -5', {'wait': True, 'wait_timeout': -5}, ('wait_timeout', 'at least 0')),
    bad('api_version_path', 'api_version with path characters (v1_7/../x)', {'api_version': 'v1_7/../x'}, ('api_version', 'v1_7')),
    bad('response_format_unknown', 'response_format: yaml', {'response_format': 'yaml'}, ('response_format', 'xml')),
    bad('validate_certs_garbage', 'validate_certs: maybe', {'validate_certs': 'maybe'}, ('validate_certs',)),
    bad('ca_path_missing', 'ca_path that does not exist', {'ca_path': '/nonexistent/em-ca.pem'}, ('ca_path', 'does not exist')),
    bad('username_colon', 'username with a colon (EM\\ans:ible)', {'username': 'EM\\ans:ible'}, ('username', 'colon')),
    bad('username_empty', 'username empty', {'username': ''}, ('user name', 'VEEAM_EM_USERNAME')),
    bad('password_empty', 'password empty', {'password': ''}, ('password', 'VEEAM_EM_PASSWORD')),
]


@pytest.fixture(scope='module')
def bad_input_run(ansible, servers, accounts):
    sim = servers.simulator('--sessions', '100')
    cases = []
    for case in BAD:
        args = dict(case.args)
        args.setdefault('url', sim.url)
        cases.append({'name': case.id, 'args': args})
    run = ansible.playbook('module_cases.yml', cases, env=accounts.env(sim.url))
    return run, sim


@pytest.mark.parametrize('case', BAD, ids=repr)
def test_bad_input(case, bad_input_run, accounts, issued, observe):
    run, sim = bad_input_run
    record = run.item(case.id)
    result = record['result']
    requests = sim.stats()['requests']
    observe('%s: %s; requests to EM: %d' % (record['status'], result.get('msg'), requests))
    msg, error = failure(record)
    if error:  # argument spec errors of Ansible itself carry no error dict
        assert error.get('kind') == 'input', error
    for word in case.says:
        assert word.lower() in msg.lower(), 'the message does not say %r: %s' % (word, msg)
    assert requests == 0, 'a request was sent for bad input'
    assert_clean(run, accounts, issued, extra=(URL_PASSWORD,))


# --- legitimate values that need escaping ------------------------------------------------------------

def vm_is(name):
    return lambda task: task.vm.name == name


def job_is(name):
    return lambda task: task.job_session.job.name == name


def nothing(task):
    return False


SPACED_VM = 'Finance Share 02'
NON_ASCII_VM = 'köln-fs01'
BACKSLASH_JOB = 'Ops\\Core Services'


def ok(id, scenario, args, select, expected):  # pylint: disable=redefined-builtin
    return Case(id, 'escaping', scenario, expected, args=args, select=select)


ESCAPING = [
    ok('vm_non_ascii', 'vm_name with non-ASCII characters (%s)' % NON_ASCII_VM, {'vm_name': [NON_ASCII_VM]}, vm_is(NON_ASCII_VM),
       'exactly that VM\'s sessions'),
    ok('vm_spaces', 'vm_name with spaces (%s)' % SPACED_VM, {'vm_name': [SPACED_VM]}, vm_is(SPACED_VM), 'exactly that VM\'s sessions'),
    ok('vm_plus', 'vm_name with + where the real name has spaces (Finance+Share+02)', {'vm_name': ['Finance+Share+02']}, nothing,
       'no session (+ is not decoded to a space)'),
    ok('vm_percent', 'vm_name with %20 where the real name has spaces', {'vm_name': ['Finance%20Share%2002']}, nothing,
       'no session (% is sent literally)'),
    ok('vm_ampersand', 'vm_name holding & and a query parameter (x&type=BackupJobSession)', {'vm_name': [SPACED_VM + '&type=BackupJobSession']},
       nothing, 'no session, no error (& does not split the query)'),
    ok('vm_semicolon', 'vm_name holding ; and a condition (x;Result==Failed)', {'vm_name': ['x;Result==Failed']}, nothing,
       'no session (; is not read as AND)'),
    ok('vm_comma', 'vm_name holding , and a condition (x,Result==Failed)', {'vm_name': ['x,Result==Failed']}, nothing,
       'no session (, is not read as OR)'),
    ok('vm_quote_injection', 'vm_name holding quotes (x",VmDisplayName!=")', {'vm_name': ['x",VmDisplayName!="']}, nothing,
       'no session (inner quotes are doubled)'),
    ok('vm_two_names', 'two vm_name values, one non-ASCII, one with spaces', {'vm_name': [NON_ASCII_VM, SPACED_VM]},
       lambda task: task.vm.name in (NON_ASCII_VM, SPACED_VM), 'the sessions of both VMs'),
    ok('job_quotes', 'job_name with double quotes (SQL "Prod" Daily)', {'job_name': ['SQL "Prod" Daily']}, job_is('SQL "Prod" Daily'),
       'exactly that job\'s sessions'),
    ok('job_backslash', 'job_name with a backslash (%s)' % BACKSLASH_JOB, {'job_name': [BACKSLASH_JOB]}, job_is(BACKSLASH_JOB),
       'exactly that job\'s sessions'),
    ok('job_non_ascii', 'job_name with non-ASCII characters (Sauvegarde Comptabilité)', {'job_name': ['Sauvegarde Comptabilité']},
       job_is('Sauvegarde Comptabilité'), 'exactly that job\'s sessions'),
    ok('filter_ampersand', 'raw filter with & inside a quoted value (JobName=="A&B")', {'filter': 'JobName=="A&B"'}, nothing,
       'no session, no error'),
    ok('filter_non_ascii', 'raw filter with a non-ASCII value (JobName=="Sauvegarde Comptabilité")',
       {'filter': 'JobName=="Sauvegarde Comptabilité"'}, job_is('Sauvegarde Comptabilité'), 'exactly that job\'s sessions'),
    ok('filter_and_result', 'raw filter ANDed with result (result=Failed, filter VmDisplayName=="%s")' % NON_ASCII_VM,
       {'result': ['Failed'], 'filter': 'VmDisplayName=="%s"' % NON_ASCII_VM},
       lambda task: task.vm.name == NON_ASCII_VM and task.result == 'Failed', 'only that VM\'s failed sessions'),
    Case('filter_syntax_error', 'escaping', 'raw filter with a syntax error (Result==Failed)()',
         'EM\'s HTTP 400 reported as a clear query error that explains the filter syntax; logged off',
         args={'filter': 'Result==Failed)('}, kind='query', says=('filter', 'quotes')),
    Case('ids_mixed_forms', 'escaping', 'id: an upper-case GUID, a URN and an unknown GUID',
         'the two existing sessions; the unknown one in missing_ids', args=None),
    Case('job_session_urn', 'escaping', 'job_session_id as urn:veeam:BackupJobSession:<GUID>', 'exactly that job run\'s task sessions',
         args=None),
]


@pytest.fixture(scope='module')
def escaping_run(ansible, servers, accounts):
    sim = servers.simulator('--sessions', '2500')
    syntax_sim = servers.simulator('--sessions', '100')
    tasks = sim.dataset.tasks
    known = [tasks[-5], tasks[-400]]
    unknown = '0badc0de-0000-4000-8000-000000000000'
    job_session = tasks[-300].job_session
    for case in ESCAPING:
        if case.id == 'ids_mixed_forms':
            case.args = {'id': [known[0].id.upper(), known[1].uid, unknown]}
            case.select = lambda task, ids=(known[0].id, known[1].id): task.id in ids
            case.missing = [unknown]
        elif case.id == 'job_session_urn':
            case.args = {'job_session_id': [job_session.uid]}
            case.select = lambda task, js=job_session: task.job_session is js
    cases = []
    for case in ESCAPING:
        args = dict(case.args, url=(syntax_sim if case.id == 'filter_syntax_error' else sim).url)
        if case.get('select') is not None:
            args['fields'] = ['id', 'vm_name', 'job_name', 'result']
        cases.append({'name': case.id, 'args': args})
    run = ansible.playbook('module_cases.yml', cases, env=accounts.env(sim.url))
    return run, sim, syntax_sim


@pytest.mark.parametrize('case', ESCAPING, ids=repr)
def test_escaping(case, escaping_run, accounts, issued, observe):
    run, sim, syntax_sim = escaping_run
    record = run.item(case.id)
    result = record['result']
    if case.id == 'filter_syntax_error':
        stats = syntax_sim.stats()
        observe('%s (%s): %s; query requests %d, active sessions %d' % (
            record['status'], (result.get('error') or {}).get('kind'), result.get('msg'), stats['routes'].get('GET /api/query', 0),
            stats['active_sessions']))
        msg, error = failure(record)
        assert error.get('kind') == case.kind and error.get('status') == 400, error
        for word in case.says:
            assert word.lower() in msg.lower(), 'the message does not say %r: %s' % (word, msg)
        assert stats['routes'].get('GET /api/query') == 1
        assert_no_sessions(syntax_sim)
    else:
        want = set(task.id for task in sim.dataset.tasks if case.select(task))
        assert want or case.select is nothing, 'the data has no session to find: the case proves nothing'
        # the negative cases are only telling when the look-alike names exist in the data
        assert any(task.vm.name == SPACED_VM for task in sim.dataset.tasks)
        got = [item['id'] for item in result.get('backup_task_sessions') or []]
        text = '%s: %d sessions' % (record['status'], len(got)) if record['status'] == 'ok' else 'failed: %s' % result.get('msg')
        if result.get('missing_ids'):
            text += ', missing_ids %s' % ', '.join(result['missing_ids'])
        observe(text + ' (expected %d)' % len(want))
        success(record)
        assert len(got) == len(set(got)) and set(got) == want
        assert result['missing_ids'] == case.get('missing', [])
        stats = sim.stats()
        assert '400' not in stats['statuses'], 'EM rejected a query: a value was not escaped'
        assert_no_sessions(sim)
    assert_clean(run, accounts, issued)
