# -*- coding: utf-8 -*-
# The backup_task_session lookup: bad terms and options (clear error before any request), values that
# need escaping, and the failure paths it shares with the module (faults, credentials, TLS), all in
# one ansible-playbook run at -vvvv; the lookup runs on the controller, so its connection comes from
# ansible_vbr_em_* host variables and the VEEAM_EM_* environment of ansible-playbook.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from rel_checks import assert_clean, assert_no_sessions, failure, success
from rel_report import Case

GUID = '5e0b7c1d-3f42-4a8e-b9d6-2c7a41f08e93'
URL_PASSWORD = 'LookupUrlPw-%s' % GUID[:8]
NON_ASCII_VM = 'köln-fs01'
SPACED_VM = 'Finance Share 02'
FACT_KEYS = {'id', 'uid', 'name', 'href', 'vm_name', 'vm_uid', 'job_name', 'job_session_id', 'job_session_uid', 'job_session_name',
             'job_type', 'is_retry', 'backup_server_id', 'backup_server_name', 'creation_time', 'end_time', 'duration_seconds', 'state', 'result', 'reason',
             'total_size', 'restore_point_id'}


def bad(id, scenario, terms, says, options=None, url=None):  # pylint: disable=redefined-builtin
    return Case(id, 'lookup', 'bad input: ' + scenario, 'fails before any request; the message says: ' + ', '.join(says),
                terms=terms, options=options or {}, says=says, url=url, group='bad')


BAD = [
    bad('lookup_uid_bad_guid', 'UID term with a bad GUID (urn:veeam:BackupTaskSession:not-a-guid)',
        ['urn:veeam:BackupTaskSession:not-a-guid'], ('term', 'GUID')),
    bad('lookup_uid_other_type', 'URN of another type as a term (urn:veeam:BackupJobSession:<GUID>)',
        ['urn:veeam:BackupJobSession:' + GUID], ('urn:veeam:BackupJobSession',)),
    bad('lookup_empty_term', 'an empty term', [''], ('empty',)),
    bad('lookup_none_term', 'a null term', [None], ('term',)),
    bad('lookup_dict_term', 'a dictionary as a term', [{'vm': 'x'}], ('term',)),
    bad('lookup_term_too_long', 'a 6000-character term', ['x' * 6000], ('too long',)),
    bad('lookup_output_unknown', 'output=name', ['vm01'], ('output',), options={'output': 'name'}),
    bad('lookup_on_missing_unknown', 'on_missing=skip', ['vm01'], ('on_missing',), options={'on_missing': 'skip'}),
    bad('lookup_output_choices', 'output=fact (the valid values are listed)', ['vm01'], ('output', 'id, uid, facts'),
        options={'output': 'fact'}),
    bad('lookup_misspelled_options', "misspelled options (reslt='Failed', sinse='1h') that would widen the answer", ['vm01'],
        ("unknown option 'reslt' (did you mean result?)", "unknown option 'sinse' (did you mean since?)"),
        options={'reslt': 'Failed', 'sinse': '1h'}),
    bad('lookup_result_unknown', 'result=Succeeded', ['vm01'], ('result', 'Success'), options={'result': ['Succeeded']}),
    bad('lookup_state_unknown', 'state=Running', ['vm01'], ('state', 'InProgress'), options={'state': 'Running'}),
    bad('lookup_since_words', 'since=yesterday', ['vm01'], ('since',), options={'since': 'yesterday'}),
    bad('lookup_since_no_zone', 'since without a time zone', ['vm01'], ('since', 'time zone'), options={'since': '2025-08-15T06:00:00'}),
    bad('lookup_job_name_empty', 'job_name with an empty value', ['vm01'], ('job_name', 'empty'), options={'job_name': ['']}),
    bad('lookup_url_no_scheme', 'ansible_vbr_em_url without scheme', ['vm01'], ('scheme',), url='em.example.com:9398'),
    bad('lookup_url_credentials', 'url option with user and password', ['vm01'], ('user name or password',),
        options={'url': 'https://admin:%s@em.example.com:9398' % URL_PASSWORD}),
    bad('lookup_url_path', 'url with a path (/api/query)', ['vm01'], ('path',), options={'url': 'https://em.example.com:9398/api/query'}),
    bad('lookup_timeout_zero', 'timeout=0', ['vm01'], ('timeout',), options={'timeout': 0}),
    bad('lookup_retries_negative', 'retries=-1', ['vm01'], ('retries',), options={'retries': -1}),
    bad('lookup_ca_path_missing', 'ca_path that does not exist', ['vm01'], ('ca_path',), options={'ca_path': '/nonexistent/em-ca.pem'}),
    bad('lookup_password_empty', 'password option empty', ['vm01'], ('password',), options={'password': ''}),
    bad('lookup_api_version_path', 'api_version with path characters', ['vm01'], ('api_version',), options={'api_version': 'v1_7/../x'}),
]


def good(id, scenario, expected, **data):  # pylint: disable=redefined-builtin
    return Case(id, 'lookup', scenario, expected, group='good', **data)


GOOD = [
    good('lookup_vm_non_ascii', 'VM name term with non-ASCII characters (%s)' % NON_ASCII_VM, 'that VM\'s newest task session ID',
         terms=[NON_ASCII_VM]),
    good('lookup_vm_injection', 'VM name terms holding ; and quotes (x;Result==Failed, x",VmDisplayName!="), on_missing=ignore',
         'no item, no error (escaped, nothing matches)', terms=['x;Result==Failed', 'x",VmDisplayName!="'], options={'on_missing': 'ignore'}),
    good('lookup_mixed_terms', 'an upper-case GUID, a UID, a VM name with spaces and a task session name in one call',
         'four IDs in the order of the terms, with one logon', terms=None),
    good('lookup_facts', 'output=facts for a VM name', 'a dict with exactly the 22 documented keys', terms=[SPACED_VM], options={'output': 'facts'}),
    good('lookup_missing_error', 'a VM name term with path characters (../../logonSessions) that matches nothing',
         'escaped, then an error naming the term and on_missing; logged off', terms=['../../logonSessions'],
         says=('../../logonSessions', 'on_missing')),
    good('lookup_faults', 'a UID and a VM name (two queries) with a 503 on every 2nd request', 'retried; the right session IDs',
         terms=None, sim_options=['--fail-every', '2']),
    good('lookup_wrong_password', 'wrong password given as the lookup\'s password option', 'HTTP 401 once; a message about '
         'credentials, role and account format; the password is shown nowhere', terms=[SPACED_VM], password_key='wrong',
         says=('password', 'role', 'DOMAIN\\user')),
    good('lookup_self_signed', 'self-signed certificate, default validate_certs', 'a message naming validate_certs and ca_path',
         terms=[SPACED_VM], tls=True, says=('validate_certs', 'ca_path')),
]

BUGS = {
}


def with_bugs(cases):
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=BUGS[c.id])) if c.id in BUGS else c for c in cases]


def newest(sim, vm_name):
    return max((t for t in sim.dataset.tasks if t.vm.name == vm_name), key=lambda t: t.creation)


@pytest.fixture(scope='module')
def lookup_run(ansible, servers, accounts):
    started = {}
    cases = []
    for case in BAD + GOOD:
        # every case its own simulator, so its requests, logons and sessions are its own
        size = '100' if case.group == 'bad' else '2500'
        server = servers.simulator('--sessions', size, *(case.get('sim_options') or []), tls=bool(case.get('tls')))
        started[case.id] = server
        if case.id == 'lookup_mixed_terms':
            tasks = server.dataset.tasks
            picked = [tasks[-7], tasks[-700], newest(server, SPACED_VM), tasks[-1500]]
            case.terms = [picked[0].id.upper(), picked[1].uid, SPACED_VM, picked[3].name]
            case.want = [task.id for task in picked]
        elif case.id == 'lookup_faults':
            picked = [server.dataset.tasks[-50], newest(server, SPACED_VM)]
            case.terms = [picked[0].uid, SPACED_VM]
            case.want = [task.id for task in picked]
        entry = {'name': case.id, 'terms': case.terms, 'options': case.get('options') or {},
                 'hostvars': {'ansible_vbr_em_url': case.get('url') or server.url}}
        if case.get('password_key'):
            entry['password_key'] = case.password_key
        cases.append(entry)
    run = ansible.playbook('lookup_cases.yml', cases, extra_vars={'em_passwords': accounts.passwords}, env=accounts.env('http://127.0.0.1:9'))
    return run, started


def observed(record, server):
    result = record['result']
    if record['status'] == 'ok':
        value = (result.get('ansible_facts') or {}).get('lookup_value')
        text = 'ok: %d item(s)' % len(value or [])
    else:
        text = 'failed: %s' % result.get('msg')
    stats = server.stats()
    return '%s; requests to EM %d, logons %d, active sessions %d' % (text, stats['requests'], stats['logons'], stats['active_sessions'])


@pytest.mark.parametrize('case', with_bugs(BAD), ids=repr)
def test_lookup_bad_input(case, lookup_run, accounts, issued, observe):
    run, started = lookup_run
    server = started[case.id]
    record = run.item(case.id)
    observe(observed(record, server))
    msg, _error = failure(record)
    for word in case.says:
        assert word.lower() in msg.lower(), 'the message does not say %r: %s' % (word, msg)
    assert server.stats()['requests'] == 0, 'a request was sent for bad input'
    assert_clean(run, accounts, issued, extra=(URL_PASSWORD,))


@pytest.mark.parametrize('case', with_bugs(GOOD), ids=repr)
def test_lookup(case, lookup_run, accounts, issued, observe):
    run, started = lookup_run
    server = started[case.id]
    record = run.item(case.id)
    observe(observed(record, server))
    stats = server.stats()
    if case.get('says'):
        msg, _error = failure(record)
        for word in case.says:
            assert word.lower() in msg.lower(), 'the message does not say %r: %s' % (word, msg)
        if case.id == 'lookup_wrong_password':
            assert stats['routes'] == {'POST /api/sessionMngr': 1}, stats['routes']
    else:
        value = success(record)['ansible_facts']['lookup_value']
        if case.id == 'lookup_vm_non_ascii':
            assert value == [newest(server, NON_ASCII_VM).id]
        elif case.id == 'lookup_vm_injection':
            assert value == []
            assert '400' not in stats['statuses']
        elif case.id == 'lookup_mixed_terms':
            assert value == case.want
            assert stats['logons'] == 1
        elif case.id == 'lookup_facts':
            assert len(value) == 1 and set(value[0]) == FACT_KEYS
            assert value[0]['id'] == newest(server, SPACED_VM).id
        elif case.id == 'lookup_faults':
            assert value == case.want
            assert stats['faults'], 'no fault was injected'
    assert_no_sessions(server)
    assert_clean(run, accounts, issued)
