# -*- coding: utf-8 -*-
# Credentials and rights, wrong endpoints and TLS: one ansible-playbook run (one inventory host per case,
# each case with its own server) plus ad hoc `ansible` runs, all at -vvvv.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from rel_checks import assert_clean, assert_no_sessions, failure, success
from rel_report import Case
from rel_servers import free_port

SMALL = ['--sessions', '100']
CREDENTIALS_HINT = ('password', 'role', 'DOMAIN\\user')

CASES = [
    # --- credentials and rights
    Case('wrong_domain', 'auth', 'user name in another domain (OTHER\\rel-admin instead of EM\\rel-admin): HTTP 401 at logon',
         'one logon attempt, no retry; a message about credentials, role and the DOMAIN\\user / user@domain format',
         server='sim', username='OTHER\\rel-admin', password_key='admin', kind='authentication', says=CREDENTIALS_HINT,
         logon_attempts=1),
    Case('no_role', 'auth', 'an account without an EM role: HTTP 401 at logon',
         'one logon attempt; a message about credentials, role and account format',
         server='sim', username='CORP\\rel-norole', password_key='no_role', kind='authentication', says=CREDENTIALS_HINT,
         logon_attempts=1),
    Case('restore_operator', 'auth', 'a Restore Operator (logon works, reading task sessions answers HTTP 403)',
         'a message that the role lacks the rights; logged off',
         server='sim', username='CORP\\rel-restore', password_key='restore_operator', kind='authorization', says=('403', 'role', 'rights'),
         logons=1),
    Case('upn_username', 'auth', 'user name in user@domain form (rel-admin@EM)', 'works like EM\\rel-admin',
         server='sim', username='rel-admin@EM', password_key='admin', count=100),
    Case('password_non_ascii', 'auth', 'a Portal User whose password holds a colon, a space and non-ASCII letters',
         'works (Basic authentication in UTF-8)', server='sim', username='CORP\\rel-utf8', password_key='utf8', count=100),
    Case('unknown_api_version', 'auth', 'api_version=v1_9, which EM does not offer (HTTP 400 at logon)',
         'one attempt; a clear error that shows what EM said', server='sim', args={'api_version': 'v1_9'}, kind='error',
         says=('400', 'EM said'), logon_attempts=1),
    # --- wrong endpoints
    Case('wrong_port_404', 'endpoint', 'url of a web server that answers 404 for /api/ (wrong port, e.g. the VBR REST API)',
         'a message naming the EM port 9398 and the separate VBR REST API port 9419', server='fake', mode='not_found', kind='not_found',
         says=('9398', '9419')),
    Case('http_to_https', 'endpoint', 'plain http:// against the HTTPS port', 'a clear message (the port speaks TLS: use https://)',
         server='tls', scheme='http', kind='connection', says=('https',)),
    Case('https_to_http', 'endpoint', 'https:// against a plain HTTP port', 'a message that the port does not speak TLS, use http://',
         server='sim', scheme='https', kind='tls', says=('does not speak TLS', 'http://')),
    Case('connection_refused', 'endpoint', 'nothing listens on the port (unreachable EM)',
         'a message naming host, port and the default port 9398', server='closed', kind='connection', says=('connection refused', '9398')),
    Case('unknown_host', 'endpoint', 'a host name that does not resolve (em-reliability.invalid)', 'a message that the name cannot be resolved',
         server='dns', kind='connection', says=('cannot be resolved',)),
    # --- TLS
    Case('self_signed_default', 'tls', 'self-signed (private CA) certificate, default validate_certs',
         'fails, the message names validate_certs and ca_path', server='tls', kind='tls', says=('validate_certs', 'ca_path')),
    Case('ca_path_ok', 'tls', 'ca_path with the simulator\'s CA', 'works', server='tls', ca='ca.pem', count=100),
    Case('ca_path_env', 'tls', 'VEEAM_EM_CA_PATH with the simulator\'s CA (environment instead of the option)', 'works', server='tls',
         ca_env='ca.pem', count=100),
    Case('ca_path_wrong_ca', 'tls', 'ca_path with an unrelated CA', 'fails, the message names ca_path', server='tls', ca='other-ca.pem',
         kind='tls', says=('ca_path',)),
    Case('hostname_mismatch', 'tls', 'host name mismatch (127.0.0.2, not in the certificate), trusted CA',
         'fails with a message about the host name', server='tls', ca='ca.pem', mismatch=True, kind='tls', says=('host name',)),
    Case('localhost_name', 'tls', 'https://localhost (a name in the certificate), trusted CA', 'works', server='tls', ca='ca.pem',
         host='localhost', count=100),
    Case('validate_certs_false', 'tls', 'validate_certs=false against the self-signed certificate', 'works, with a warning naming ca_path',
         server='tls', args={'validate_certs': False}, count=100, warns=('validate_certs', 'ca_path')),
]


def start(case, servers):
    """(server or None, url) for a case."""
    if case.server == 'closed':
        return None, 'http://127.0.0.1:%d' % free_port()
    if case.server == 'dns':
        return None, 'https://em-reliability.invalid:9398'
    if case.server == 'fake':
        fake = servers.fake(case.mode)
        return fake, fake.url
    if case.server == 'tls':
        sim = servers.simulator(*SMALL, tls=True, mismatch_host='127.0.0.2' if case.get('mismatch') else None)
        url = sim.mismatch_url if case.get('mismatch') else sim.url
    else:
        sim = servers.simulator(*SMALL)
        url = sim.url
    if case.get('scheme'):
        url = case.scheme + url[url.index('://'):]
    if case.get('host'):
        url = url.replace('127.0.0.1', case.host)
    return sim, url


def playbook_case(case, url, server):
    args = dict(case.get('args') or {}, url=url)
    entry = {'name': case.id, 'args': args}
    if case.get('username'):
        args['username'] = case.username
    if case.get('password_key'):
        entry['password_key'] = case.password_key
    if case.get('ca'):
        args['ca_path'] = str(server.tls_dir / case.ca)
    if case.get('ca_env'):
        entry['env'] = {'VEEAM_EM_CA_PATH': str(server.tls_dir / case.ca_env)}
    return entry


@pytest.fixture(scope='module')
def connection_run(ansible, servers, accounts):
    started = {}
    cases = []
    for case in CASES:
        server, url = start(case, servers)
        started[case.id] = server
        cases.append(playbook_case(case, url, server))
    run = ansible.playbook('module_cases.yml', cases, extra_vars={'em_passwords': accounts.passwords},
                           env=accounts.env('http://127.0.0.1:9'))
    return run, started


def describe(record, server):
    result = record['result']
    if record['status'] == 'ok':
        text = 'ok: %s sessions' % result.get('count')
        if result.get('warnings'):
            text += '; warning: %s' % ' '.join(result['warnings'])
    else:
        text = 'failed (%s): %s' % ((result.get('error') or {}).get('kind'), result.get('msg'))
    if server is not None:
        stats = server.stats()
        text += '; logons %d, active sessions %d' % (stats['logons'], stats['active_sessions'])
    return text


def check_case(case, record, server):
    if case.get('count') is not None:
        result = success(record)
        assert result['count'] == case.count
        for word in case.get('warns') or ():
            assert any(word in warning for warning in result.get('warnings') or []), result.get('warnings')
    else:
        msg, error = failure(record)
        assert error.get('kind') == case.kind, error
        for word in case.says:
            assert word.lower() in msg.lower(), 'the message does not say %r: %s' % (word, msg)
    if server is not None:
        stats = server.stats()
        if case.get('logon_attempts') is not None:
            assert stats['routes'] == {'POST /api/sessionMngr': case.logon_attempts}, stats['routes']
            assert stats['logons'] == 0
        if case.get('logons') is not None:
            assert stats['logons'] == case.logons
        assert_no_sessions(server)


# The bug reasons are recorded here so the lead can fix the code and flip the test (strict xfail).
BUGS = {
}


def with_bugs(cases):
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=BUGS[c.id])) if c.id in BUGS else c for c in cases]


@pytest.mark.parametrize('case', with_bugs(CASES), ids=repr)
def test_connection_case(case, connection_run, accounts, issued, observe):
    run, started = connection_run
    record = run.item(case.id)
    server = started[case.id]
    observe(describe(record, server))
    check_case(case, record, server)
    assert_clean(run, accounts, issued)


# --- ad hoc runs -----------------------------------------------------------------------------------

ADHOC = [
    Case('adhoc_wrong_password', 'auth', 'wrong password (ad hoc: ansible localhost -m ...backup_task_session_info -a "result=Failed since=24h")',
         'HTTP 401 once, no retry loop; a message about credentials, role and account format; the wrong password is not shown either',
         kind='authentication', says=CREDENTIALS_HINT, logon_attempts=1, server='sim'),
    Case('adhoc_refused', 'endpoint', 'unreachable EM (ad hoc, connection from VEEAM_EM_* variables)',
         'a message naming the host and port, and that nothing accepts connections there', kind='connection',
         says=('connection refused', '127.0.0.1'), server='closed'),
]


@pytest.mark.parametrize('case', ADHOC, ids=repr)
def test_adhoc(case, ansible, servers, accounts, issued, observe):
    server, url = start(case, servers)
    env = accounts.env(url)
    extra = ()
    if case.id == 'adhoc_wrong_password':
        env['VEEAM_EM_PASSWORD'] = accounts.wrong_password
        extra = (accounts.wrong_password,)
    run = ansible.adhoc('result=Failed since=24h', env=env)
    record = run.item('localhost')
    observe(describe(record, server))
    assert run.rc != 0
    check_case(case, record, server)
    assert_clean(run, accounts, issued, extra)
