# -*- coding: utf-8 -*-
# Answers EM never sends (malformed, truncated, HTML from a proxy, empty, wrong content type) and hostile
# XML (billion laughs, external entities): each from its own EM look-alike whose logon works, all in one
# ansible-playbook run at -vvvv.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from rel_checks import assert_clean, assert_no_sessions, failure
from rel_report import Case

CASES = [
    Case('malformed_xml', 'body', 'malformed XML (mismatched tags) in a 200 answer', 'a clear protocol error, no traceback; logged off',
         kind='protocol', says=('malformed',)),
    Case('truncated_xml', 'body', 'XML cut in the middle (complete HTTP answer)', 'a clear protocol error; logged off',
         kind='protocol', says=('truncated',)),
    Case('truncated_body', 'body', 'Content-Length larger than the body, then the connection closes', 'retried (retries=1), then a clear error; logged off',
         kind='connection', says=('before the answer was complete',), query_attempts=2),
    Case('proxy_html', 'body', 'an HTML page from a proxy with HTTP 200 (text/html)', 'a clear error that names the content type and the page title',
         kind='protocol', says=('text/html', 'Proxy Authentication Required')),
    Case('proxy_html_502', 'body', 'an HTML 502 page from a proxy', 'retried (retries=1), then a clear error with the status and the page title',
         kind='server', says=('502', '502 Bad Gateway'), query_attempts=2),
    Case('logon_html', 'body', 'an HTML page (HTTP 200, no token) answering the logon', 'a clear error that no logon token came, naming port 9398',
         kind='protocol', says=('X-RestSvcSessionId', '9398')),
    Case('empty_body', 'body', 'an empty body with HTTP 200', 'a clear protocol error', kind='protocol', says=('empty body',)),
    Case('wrong_content_type', 'body', 'valid XML sent as application/octet-stream', 'a clear error naming the content type',
         kind='protocol', says=('application/octet-stream',)),
    Case('malformed_json', 'body', 'malformed (truncated) JSON with response_format=json', 'a clear protocol error',
         kind='protocol', says=('malformed or truncated JSON',), args={'response_format': 'json'}),
    Case('empty_json_object', 'body', 'a JSON object that is not a query result ({}) with response_format=json',
         'a clear protocol error, not an empty result', kind='protocol', says=('QueryResult',), args={'response_format': 'json'}),
    Case('billion_laughs', 'xml', 'XML with a DOCTYPE defining nested entities (billion laughs)',
         'refused before parsing, nothing expanded', kind='protocol', says=('document type declaration',), never=('lollollol',)),
    Case('external_entity', 'xml', 'XML with external entities (http:// back to the server, file:///etc/passwd)',
         'refused; nothing fetched or read', kind='protocol', says=('document type declaration',),
         never=('FETCHED-BY-THE-CLIENT', 'root:x:0:0')),
    Case('parameter_entity', 'xml', 'XML with an external DTD and a parameter entity', 'refused; nothing fetched',
         kind='protocol', says=('document type declaration',), never=('FETCHED-BY-THE-CLIENT',)),
    Case('reject_token', 'auth', 'every token refused with HTTP 401 right after the logon (a 401 that persists)',
         'exactly one new logon and one repeat of the request, no loop; then a clear error', kind='authentication',
         says=('401', 'new logon'), query_attempts=2, logons=2),
    Case('redirect_logon', 'auth', 'the logon answered with a redirect (302) to another address',
         'the redirect is not followed (the credentials stay with url); a clear error naming url', kind='protocol',
         says=('redirect', 'url'), query_attempts=0),
]
for _case in CASES:
    _case.mode = _case.id

BUGS = {
}


def with_bugs(cases):
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=BUGS[c.id])) if c.id in BUGS else c for c in cases]


@pytest.fixture(scope='module')
def body_run(ansible, servers, accounts):
    fakes = dict((case.id, servers.fake(case.mode)) for case in CASES)
    cases = [{'name': case.id, 'args': dict(case.get('args') or {}, url=fakes[case.id].url, retries=1)} for case in CASES]
    run = ansible.playbook('module_cases.yml', cases, env=accounts.env('http://127.0.0.1:9'))
    return run, fakes


@pytest.mark.parametrize('case', with_bugs(CASES), ids=repr)
def test_broken_answer(case, body_run, accounts, issued, observe):
    run, fakes = body_run
    fake = fakes[case.id]
    record = run.item(case.id)
    result = record['result']
    stats = fake.stats()
    attempts = stats['routes'].get('GET /api/query', 0)
    if record['status'] == 'ok':
        observed = 'ok: %s sessions' % result.get('count')
    else:
        observed = 'failed (%s): %s' % ((result.get('error') or {}).get('kind'), result.get('msg'))
    fetched = sum(count for route, count in stats['routes'].items() if '/__fetched' in route)
    observe('%s; query attempts %d, logons %d, active sessions %d, external fetches %d'
            % (observed, attempts, stats['logons'], stats['active_sessions'], fetched))
    msg, error = failure(record)
    assert error.get('kind') == case.kind, error
    for word in case.says:
        assert word.lower() in msg.lower(), 'the message does not say %r: %s' % (word, msg)
    assert attempts == case.get('query_attempts', 0 if case.id == 'logon_html' else 1)
    if case.get('logons') is not None:
        assert stats['logons'] == case.logons
    assert fetched == 0, 'the client fetched an external entity or DTD'
    for text in run.texts().values():
        for word in case.get('never') or ():
            assert word not in text
    assert_no_sessions(fake)
    assert_clean(run, accounts, issued)
