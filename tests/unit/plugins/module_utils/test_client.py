# -*- coding: utf-8 -*-
# Unit tests of EMClient against the strict fake transport: logon/logoff, re-logon, retries and
# backoff, friendly errors, no cookies, paging with rebased links, limits, prefetch of the next page.

from __future__ import annotations

import base64
import http.client
import re
import socket
import threading
import time

import pytest
import requests
from urllib3.exceptions import ProtocolError

from ansible_collections.vbr.enterprise_manager.plugins.module_utils import client as client_module
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import query_url
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMAuthenticationError,
    EMAuthorizationError,
    EMConnectionError,
    EMError,
    EMInputError,
    EMNotFoundError,
    EMProtocolError,
    EMQueryError,
    EMServerError,
    EMTimeoutError,
    EMTLSError,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    EM_HOST,
    JSON,
    PASSWORD,
    SESSION_ID,
    TOKEN,
    XML,
    connection_params,
    entity_body,
    error_body,
    expect_logoff,
    expect_logon,
    guid,
    logon_body,
    page,
    query_url_path,
    task_session,
)

QUERY1 = BASE + query_url_path(1, 1000)
SECRETS = (PASSWORD, TOKEN, SESSION_ID)


def assert_no_secrets(text):
    for secret in SECRETS:
        assert secret not in text


def take_warnings(client):
    """The client's warnings, taken off it: the make_client fixture fails a test that leaves any."""
    taken, client.warnings[:] = list(client.warnings), []
    return taken


def with_token(token=TOKEN):
    def check(request):
        assert request.headers['X-RestSvcSessionId'] == token
        assert 'Authorization' not in request.headers
        assert 'Cookie' not in request.headers
    return check


# --- logon and logoff ----------------------------------------------------------------------------

@pytest.mark.parametrize('missing', ['HAS_REQUESTS', 'HAS_XMLTODICT'])
def test_a_missing_library_is_named_before_any_request(monkeypatch, em, make_client, missing):
    monkeypatch.setattr(client_module, missing, False)
    with pytest.raises(EMInputError, match='requests and xmltodict') as caught:
        make_client()
    assert 'Install requests and xmltodict' in caught.value.full_message


def test_logon_query_logoff(em, make_client):
    expect_logon(em)
    em.expect('GET', QUERY1, check=with_token(), **page([task_session(1), task_session(2)]))
    expect_logoff(em)
    with make_client() as client:
        items = list(client.query('BackupTaskSession'))
    assert [i['UID'] for i in items] == ['urn:veeam:BackupTaskSession:' + guid(1), 'urn:veeam:BackupTaskSession:' + guid(2)]
    assert client.stats['requests'] == 3
    assert client.stats['logons'] == 1 and client.stats['logoffs'] == 1
    assert client.stats['by_method'] == {'POST': 1, 'GET': 1, 'DELETE': 1}
    query_call = em.calls[1]
    assert query_call.headers['Accept'] == 'application/xml'
    assert query_call.timeout == (30, 30)
    assert query_call.verify not in (False, None)  # True, or REQUESTS_CA_BUNDLE from the environment


def test_logon_is_lazy_and_logoff_skipped_without_logon(em, make_client):
    with make_client() as client:
        assert not client.logged_on
    assert em.calls == []


def test_logoff_runs_when_the_block_raises(em, make_client):
    expect_logon(em)
    em.expect('GET', QUERY1, **page([task_session(1)]))
    expect_logoff(em)
    with pytest.raises(ZeroDivisionError):
        with make_client() as client:
            for _item in client.query('BackupTaskSession'):
                raise ZeroDivisionError()


def test_logoff_failure_never_masks_the_original_error(em, make_client, sleeps):
    expect_logon(em)
    body, content_type = error_body('Filter is not valid', 400)
    em.expect('GET', QUERY1, status=400, body=body, content_type=content_type)
    for _attempt in range(2):
        em.expect('DELETE', BASE + '/api/logonSessions/' + SESSION_ID,
                  raises=requests.exceptions.ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'reset'))))
    client = make_client(retries=1)
    with pytest.raises(EMQueryError) as caught:
        with client:
            list(client.query('BackupTaskSession'))
    assert 'Filter is not valid' in str(caught.value)
    assert sleeps == [0.5]
    warnings = take_warnings(client)
    assert len(warnings) == 1 and 'logoff' in warnings[0]
    assert_no_secrets(warnings[0])


def test_an_unexpected_logoff_failure_never_masks_the_original_error(em, make_client):
    expect_logon(em)
    body, content_type = error_body('Filter is not valid', 400)
    em.expect('GET', QUERY1, status=400, body=body, content_type=content_type)
    em.expect('DELETE', BASE + '/api/logonSessions/' + SESSION_ID, raises=RuntimeError('adapter bug'))
    client = make_client()
    with pytest.raises(EMQueryError, match='Filter is not valid'):
        with client:
            list(client.query('BackupTaskSession'))
    warnings = take_warnings(client)
    assert len(warnings) == 1 and 'adapter bug' in warnings[0]


@pytest.mark.parametrize('failure', [
    {'status': 503},
    {'status': 502},
    {'raises': requests.exceptions.ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'reset')))},
    {'raises': requests.exceptions.ReadTimeout('read timed out')},
])
def test_logoff_retries_transient_failures_like_reads(em, make_client, sleeps, failure):
    expect_logon(em)
    em.expect('GET', QUERY1, **page([]))
    em.expect('DELETE', BASE + '/api/logonSessions/' + SESSION_ID, **failure)
    em.expect('DELETE', BASE + '/api/logonSessions/' + SESSION_ID, **failure)
    expect_logoff(em)
    with make_client() as client:
        list(client.query('BackupTaskSession'))
    assert sleeps == [0.5, 1.0]
    assert client.stats['logoffs'] == 1 and client.stats['by_method']['DELETE'] == 3
    assert client.warnings == []


@pytest.mark.parametrize('status', [401, 404])
def test_logoff_of_an_expired_session_is_harmless(em, make_client, status):
    expect_logon(em)
    em.expect('GET', QUERY1, **page([]))
    expect_logoff(em, status=status)
    with make_client() as client:
        assert list(client.query('BackupTaskSession')) == []
    assert client.warnings == []


def test_logoff_server_error_is_a_warning_after_the_retries(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, **page([]))
    expect_logoff(em, status=500)
    expect_logoff(em, status=500)
    with make_client(retries=1) as client:
        list(client.query('BackupTaskSession'))
    assert sleeps == [0.5]
    assert take_warnings(client) == ['The logoff from Enterprise Manager answered HTTP 500 after 1 retry; '
                                     'the logon session expires after 15 minutes idle.']


def test_logoff_client_error_is_not_retried(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, **page([]))
    expect_logoff(em, status=403)
    with make_client() as client:
        list(client.query('BackupTaskSession'))
    assert sleeps == []
    warnings = take_warnings(client)
    assert len(warnings) == 1 and 'HTTP 403;' in warnings[0]


def test_logon_sends_utf8_basic_auth_and_pinned_version(em, make_client):
    username = 'user@corp.example'
    password = 'pässwörd:with colon'

    def check(request):
        decoded = base64.b64decode(request.headers['Authorization'][len('Basic '):]).decode('utf-8')
        assert decoded == '%s:%s' % (username, password)
    body, content_type = logon_body()
    em.expect('POST', BASE + '/api/sessionMngr/?v=v1_7', status=201, body=body, check=check,
              headers={'X-RestSvcSessionId': TOKEN, 'Content-Type': content_type})
    em.expect('GET', QUERY1, **page([]))
    expect_logoff(em)
    with make_client(username=username, password=password, api_version='v1_7') as client:
        list(client.query('BackupTaskSession'))


def test_token_header_is_found_in_any_case(em, make_client):
    expect_logon(em, token_header='x-restsvcsessionid')
    em.expect('GET', QUERY1, check=with_token(), **page([]))
    expect_logoff(em)
    with make_client() as client:
        list(client.query('BackupTaskSession'))


def test_no_cookie_is_ever_sent(em, make_client):
    # logon sets X-RestSvcSessionId as a cookie (EM would prefer it over the header)
    expect_logon(em)
    em.expect('GET', QUERY1, check=with_token(), status=401)
    expect_logon(em, token='bmV3LXRva2Vu', session_id=guid(9, 'aaaaaaaa'))
    em.expect('GET', QUERY1, check=with_token('bmV3LXRva2Vu'), **page([]))
    expect_logoff(em, session_id=guid(9, 'aaaaaaaa'), token='bmV3LXRva2Vu')
    with make_client() as client:
        list(client.query('BackupTaskSession'))
    assert all('Cookie' not in call.headers for call in em.calls)


def test_session_id_from_delete_link_when_body_lacks_it(em, make_client):
    body, content_type = logon_body(with_session_id=False)
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=201, body=body,
              headers={'X-RestSvcSessionId': TOKEN, 'Content-Type': content_type})
    em.expect('GET', QUERY1, **page([]))
    expect_logoff(em)
    with make_client() as client:
        list(client.query('BackupTaskSession'))


def test_session_id_from_token_when_the_body_is_unreadable(em, make_client):
    token = base64.b64encode(SESSION_ID.encode()).decode()
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=201, body=b'',
              headers={'X-RestSvcSessionId': token})
    em.expect('GET', QUERY1, check=with_token(token), **page([]))
    expect_logoff(em, token=token)
    with make_client() as client:
        list(client.query('BackupTaskSession'))


def test_logon_without_token_is_a_protocol_error(em, make_client):
    body, content_type = logon_body()
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=201, body=body, content_type=content_type)
    with pytest.raises(EMProtocolError, match='X-RestSvcSessionId'):
        with make_client() as client:
            client.logon()


# --- re-logon after expiry ---------------------------------------------------------------------------

def test_expired_session_leads_to_one_new_logon(em, make_client):
    second_token, second_session = 'MWI0ODMxZmEtZTgxNi00ZGQyLWFmNjgtODAzNWE5NjQwNGZj', guid(7, 'bbbbbbbb')
    expect_logon(em)
    em.expect('GET', QUERY1, status=401, check=with_token())
    expect_logon(em, token=second_token, session_id=second_session)
    em.expect('GET', QUERY1, check=with_token(second_token), **page([task_session(1)]))
    expect_logoff(em, session_id=second_session, token=second_token)
    with make_client() as client:
        assert len(list(client.query('BackupTaskSession'))) == 1
    assert client.stats['relogons'] == 1 and client.stats['logons'] == 2


def test_second_401_fails_without_looping(em, make_client):
    second_session = guid(7, 'bbbbbbbb')
    expect_logon(em)
    em.expect('GET', QUERY1, status=401)
    expect_logon(em, token='c2Vjb25k', session_id=second_session)
    em.expect('GET', QUERY1, status=401)
    expect_logoff(em, session_id=second_session, token='c2Vjb25k')
    with pytest.raises(EMAuthenticationError, match='even after a new logon'):
        with make_client() as client:
            list(client.query('BackupTaskSession'))


def test_the_request_log_names_the_re_logon_and_the_retries(em, sleeps):
    second_token, second_session = 'MWI0ODMxZmEtZTgxNi00ZGQyLWFmNjgtODAzNWE5NjQwNGZj', guid(7, 'bbbbbbbb')
    expect_logon(em)
    em.expect('GET', QUERY1, status=401)
    expect_logon(em, token=second_token, session_id=second_session)
    em.expect('GET', QUERY1, status=503)
    em.expect('GET', QUERY1, **page([task_session(1)]))
    expect_logoff(em, session_id=second_session, token=second_token)
    lines = []
    with client_module.EMClient(connection_params(retries=2), adapter=em, sleep=sleeps.append, log=lines.append) as client:
        assert len(list(client.query('BackupTaskSession'))) == 1
    notes = [line.partition(') ')[2] for line in lines]
    assert [line.split(' ', 1)[0] for line in lines] == ['POST', 'GET', 'POST', 'GET', 'GET', 'DELETE']
    assert notes == ['', '', '', '[after re-logon 1]', '[after re-logon 1, retry 1 of 2]', '']
    assert ' -> 401 (' in lines[1] and ' -> 503 (' in lines[3]
    for line in lines:
        for secret in (PASSWORD, TOKEN, SESSION_ID, second_token, second_session):
            assert secret not in line


# --- retries --------------------------------------------------------------------------------------

def test_transient_statuses_are_retried_with_backoff(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, status=503)
    em.expect('GET', QUERY1, status=502)
    em.expect('GET', QUERY1, status=500)
    em.expect('GET', QUERY1, **page([task_session(1)]))
    expect_logoff(em)
    with make_client() as client:
        assert len(list(client.query('BackupTaskSession'))) == 1
    assert sleeps == [0.5, 1.0, 2.0]
    assert client.stats['retries'] == 3


def test_reset_and_read_timeout_are_retried(em, make_client, sleeps):
    expect_logon(em)
    reset = ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))
    em.expect('GET', QUERY1, raises=requests.exceptions.ConnectionError(reset))
    em.expect('GET', QUERY1, raises=requests.exceptions.ReadTimeout('read timed out'))
    em.expect('GET', QUERY1, raises=requests.exceptions.ChunkedEncodingError(ProtocolError('Connection broken: IncompleteRead')))
    em.expect('GET', QUERY1, **page([]))
    expect_logoff(em)
    with make_client() as client:
        list(client.query('BackupTaskSession'))
    assert sleeps == [0.5, 1.0, 2.0]


def test_retries_exhausted_on_status_shows_em_message(em, make_client, sleeps):
    expect_logon(em)
    body, content_type = error_body('The service is in maintenance mode.', 503)
    for _attempt in range(3):
        em.expect('GET', QUERY1, status=503, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(EMServerError) as caught:
        with make_client(retries=2) as client:
            list(client.query('BackupTaskSession'))
    assert sleeps == [0.5, 1.0]
    assert caught.value.status == 503
    assert 'The service is in maintenance mode.' in str(caught.value)
    assert 'after 2 retries' in str(caught.value)


def test_one_retry_is_singular(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, status=502)
    em.expect('GET', QUERY1, status=502)
    expect_logoff(em)
    with pytest.raises(EMServerError) as caught:
        with make_client(retries=1) as client:
            list(client.query('BackupTaskSession'))
    assert 'with HTTP 502 after 1 retry.' in str(caught.value)


def test_read_timeout_exhausted_names_the_timeout(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, raises=requests.exceptions.ReadTimeout('read timed out'))
    em.expect('GET', QUERY1, raises=requests.exceptions.ReadTimeout('read timed out'))
    expect_logoff(em)
    with pytest.raises(EMTimeoutError) as caught:
        with make_client(retries=1, timeout=7) as client:
            list(client.query('BackupTaskSession'))
    assert 'timeout=7 seconds' in str(caught.value)
    assert sleeps == [0.5]


def test_after_a_read_timeout_the_logoff_is_tried_once(em, make_client, sleeps):
    # A stalled EM must not make the failing run wait out the retries a second time at logoff.
    expect_logon(em)
    em.expect('GET', QUERY1, raises=requests.exceptions.ReadTimeout('read timed out'))
    em.expect('GET', QUERY1, raises=requests.exceptions.ReadTimeout('read timed out'))
    em.expect('DELETE', BASE + '/api/logonSessions/' + SESSION_ID, raises=requests.exceptions.ReadTimeout('read timed out'))
    with pytest.raises(EMTimeoutError):
        with make_client(retries=1, timeout=7) as client:
            list(client.query('BackupTaskSession'))
    assert sleeps == [0.5]
    assert client.stats['by_method']['DELETE'] == 1
    warnings = take_warnings(client)
    assert len(warnings) == 1 and 'logoff' in warnings[0]


def test_zero_retries_means_one_attempt(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, status=503)
    expect_logoff(em)
    with pytest.raises(EMServerError) as caught:
        with make_client(retries=0) as client:
            list(client.query('BackupTaskSession'))
    assert sleeps == []
    assert 'retr' not in str(caught.value)


def test_retry_after_header_is_honoured(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, status=503, headers={'Retry-After': '4'})
    em.expect('GET', QUERY1, **page([]))
    expect_logoff(em)
    with make_client() as client:
        list(client.query('BackupTaskSession'))
    assert sleeps == [4.0]


@pytest.mark.parametrize('status, error, text', [
    (400, EMQueryError, 'rejected the query'),
    (403, EMAuthorizationError, 'role lacks the rights'),
    (404, EMNotFoundError, '9398'),
    (409, EMError, 'HTTP 409'),
])
def test_client_errors_are_not_retried(em, make_client, sleeps, status, error, text):
    expect_logon(em)
    body, content_type = error_body('Nope', status)
    em.expect('GET', QUERY1, status=status, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(error) as caught:
        with make_client() as client:
            list(client.query('BackupTaskSession'))
    assert text in str(caught.value)
    assert 'EM said: Nope' in str(caught.value)
    assert sleeps == []


def test_rejected_filter_is_shown_decoded(em, make_client):
    expect_logon(em)
    body, content_type = error_body("Field 'Foo' cannot be used.", 400)
    em.expect('GET', lambda url: 'filter=' in url, status=400, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(EMQueryError) as caught:
        with make_client() as client:
            list(client.query('BackupTaskSession', filter='Foo=="a b";Result==Failed'))
    assert 'with the filter Foo=="a b";Result==Failed.' in str(caught.value)


def test_too_long_url_is_explained_and_not_echoed_whole(em, make_client):
    long_filter = '(' + ','.join('VmDisplayName=="vm-%05d"' % n for n in range(2000)) + ')'
    expect_logon(em)
    em.expect('GET', lambda url: 'filter=' in url, status=414, body='<html><title>Error response</title></html>', content_type='text/html')
    expect_logoff(em)
    with pytest.raises(EMQueryError) as caught:
        with make_client() as client:
            list(client.query('BackupTaskSession', filter=long_filter))
    message = str(caught.value)
    assert 'too long' in message and 'HTTP 414' in message and 'fewer values' in message
    assert len(message) < 1000 and 'characters)' in message
    assert len(caught.value.url) < 500


def test_entity_404_says_not_found(em, make_client):
    expect_logon(em)
    body, content_type = error_body('Object not found', 404, fmt='json')
    em.expect('GET', BASE + '/api/backupTaskSessions/%s?format=Entity' % guid(1), status=404, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(EMNotFoundError, match='does not know'):
        with make_client() as client:
            client.get('/backupTaskSessions/%s?format=Entity' % guid(1), what='entity')


# --- logon errors ------------------------------------------------------------------------------

def test_logon_401_explains_credentials_role_and_format(em, make_client):
    body, content_type = error_body('Unauthorized', 401)
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=401, body=body,
              headers={'WWW-Authenticate': 'Basic Realm=RestSvc', 'Content-Type': content_type})
    with pytest.raises(EMAuthenticationError) as caught:
        with make_client() as client:
            client.logon()
    message = str(caught.value)
    for part in ('HTTP 401', 'Portal Administrator', 'Portal User', 'Restore Operator', 'DOMAIN\\user', 'user@domain', 'user CORP\\svc-ansible'):
        assert part in message
    assert_no_secrets(message)


def test_logon_is_retried_on_503_but_not_on_401(em, make_client, sleeps):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=503)
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=401)
    with pytest.raises(EMAuthenticationError):
        with make_client() as client:
            client.logon()
    assert sleeps == [0.5]


def test_logon_read_timeout_is_not_retried(em, make_client, sleeps):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', raises=requests.exceptions.ReadTimeout('read timed out'))
    with pytest.raises(EMTimeoutError, match='timeout=30 seconds'):
        with make_client() as client:
            client.logon()
    assert sleeps == []


def test_a_logon_timeout_hint_is_about_the_logon_not_the_selection(em, make_client, sleeps):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', raises=requests.exceptions.ReadTimeout('read timed out'))
    with pytest.raises(EMTimeoutError) as caught:
        with make_client() as client:
            client.logon()
    message = str(caught.value)
    assert 'narrow the selection' not in message and 'since, limit' not in message
    assert 'check the account' in message and 'raise the timeout option (VEEAM_EM_TIMEOUT)' in message


def test_a_query_timeout_hint_names_the_selection(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, raises=requests.exceptions.ReadTimeout('read timed out'))
    expect_logoff(em)
    with pytest.raises(EMTimeoutError) as caught:
        with make_client(retries=0) as client:
            list(client.query('BackupTaskSession'))
    assert 'narrow the selection (since, limit)' in str(caught.value)


def test_logon_404_on_the_vbr_port_names_it(em, make_client):
    em.expect('POST', 'https://vbr.example.com:9419/api/sessionMngr/?v=latest', status=404, body='', content_type='text/html')
    with pytest.raises(EMNotFoundError) as caught:
        with make_client(url='https://vbr.example.com:9419') as client:
            client.logon()
    assert '9419 is the Veeam Backup & Replication REST API' in str(caught.value)
    assert '9398' in str(caught.value)


def test_logon_404_elsewhere_says_wrong_port_or_path(em, make_client):
    em.expect('POST', 'https://em.example.com:8443/api/sessionMngr/?v=latest', status=404)
    with pytest.raises(EMNotFoundError) as caught:
        with make_client(url='https://em.example.com:8443') as client:
            client.logon()
    assert 'port 9398' in str(caught.value) and '9419' in str(caught.value)


def test_logon_400_names_api_version(em, make_client):
    body, content_type = error_body("API version 'v1_4' is not supported.", 400)
    em.expect('POST', BASE + '/api/sessionMngr/?v=v1_4', status=400, body=body, content_type=content_type)
    with pytest.raises(EMError) as caught:
        with make_client(api_version='v1_4') as client:
            client.logon()
    message = str(caught.value)
    assert 'api_version=v1_4 (HTTP 400)' in message and 'api_version=latest' in message
    assert "EM said: API version 'v1_4' is not supported." in message


def test_logon_403_mentions_roles(em, make_client):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=403)
    with pytest.raises(EMAuthorizationError, match='Portal Administrator'):
        with make_client() as client:
            client.logon()


# --- transport errors ----------------------------------------------------------------------------

def test_tls_failure_names_validate_certs_and_ca_path(em, make_client):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', raises=requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='em.example.com', port=9398): Max retries exceeded with url: /api/sessionMngr/?v=latest "
        "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
        "self-signed certificate (_ssl.c:1000)')))"))
    with pytest.raises(EMTLSError) as caught:
        with make_client() as client:
            client.logon()
    message = str(caught.value)
    assert 'certificate verify failed: self-signed certificate' in message
    assert 'ca_path' in message and 'validate_certs' in message


def test_tls_failure_with_ca_path_points_at_it(em, make_client, tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('not really a certificate')
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest',
              raises=requests.exceptions.SSLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate'))
    with pytest.raises(EMTLSError) as caught:
        with make_client(ca_path=str(ca)) as client:
            client.logon()
    assert 'ca_path=%s' % ca in str(caught.value)
    assert em.calls[0].verify == str(ca)


def test_plain_http_server_on_an_https_url(em, make_client):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest',
              raises=requests.exceptions.SSLError('[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)'))
    with pytest.raises(EMTLSError) as caught:
        with make_client() as client:
            client.logon()
    message = str(caught.value)
    assert 'does not speak TLS' in message and 'check the scheme and port in url' in message and 'http://' in message


HTTP_LOGON = 'http://em.example.com:9398/api/sessionMngr/?v=latest'


@pytest.mark.parametrize('cause', [
    ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')),
    ProtocolError('Connection aborted.', http.client.RemoteDisconnected('Remote end closed connection without response')),
])
def test_plain_http_logon_cut_off_at_once_suggests_https(em, make_client, sleeps, cause):
    em.expect('POST', HTTP_LOGON, raises=requests.exceptions.ConnectionError(cause))
    with pytest.raises(EMConnectionError) as caught:
        with make_client(url='http://em.example.com:9398') as client:
            client.logon()
    message = str(caught.value)
    assert 'em.example.com:9398' in message and 'plain http://' in message and 'use https://' in message
    assert sleeps == []


@pytest.mark.parametrize('line', ['\x15\x03\x03\x00\x02\x02F', '\x16\x03\x01\x00\x4a\x02\r\n'])
def test_tls_bytes_answering_plain_http_suggest_https(em, make_client, line):
    em.expect('POST', HTTP_LOGON, raises=requests.exceptions.ConnectionError(ProtocolError('Connection aborted.', http.client.BadStatusLine(line))))
    with pytest.raises(EMConnectionError) as caught:
        with make_client(url='http://em.example.com:9398') as client:
            client.logon()
    assert 'answered the plain http:// request with TLS data' in str(caught.value) and 'use https://' in str(caught.value)
    assert caught.value.transient is False


def test_proxy_refusing_plain_http_on_its_tls_port_suggests_https(em, make_client):
    em.expect('POST', HTTP_LOGON, status=400, content_type='text/html',
              body='<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head><body/></html>')
    with pytest.raises(EMConnectionError) as caught:
        with make_client(url='http://em.example.com:9398') as client:
            client.logon()
    message = str(caught.value)
    assert 'refused the logon sent over plain http:// (HTTP 400)' in message and 'use https://' in message
    assert 'plain HTTP request was sent to HTTPS port' in message


def test_a_reset_over_https_is_not_blamed_on_the_scheme(em, make_client):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest',
              raises=requests.exceptions.ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'reset'))))
    with pytest.raises(EMConnectionError) as caught:
        with make_client() as client:
            client.logon()
    assert 'https://' not in str(caught.value) and 'reset or closed before the answer was complete' in str(caught.value)


def test_a_reset_after_a_plain_http_logon_is_retried_not_blamed_on_the_scheme(em, make_client, sleeps):
    query = 'http://em.example.com:9398' + query_url_path(1, 1000)
    expect_logon(em, url=HTTP_LOGON)
    em.expect('GET', query, raises=requests.exceptions.ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'reset'))))
    em.expect('GET', query, **page([]))
    em.expect('DELETE', 'http://em.example.com:9398/api/logonSessions/' + SESSION_ID, status=204)
    with make_client(url='http://em.example.com:9398') as client:
        assert list(client.query('BackupTaskSession')) == []
    assert sleeps == [0.5]


def test_host_name_mismatch_message_has_one_period(em, make_client):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', raises=requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='127.0.0.2', port=9398): Max retries exceeded with url: /api/sessionMngr/?v=latest "
        "(Caused by SSLError(SSLCertVerificationError(1, \"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
        "Hostname mismatch, certificate is not valid for '127.0.0.2'. (_ssl.c:1000)\")))"))
    with pytest.raises(EMTLSError) as caught:
        with make_client() as client:
            client.logon()
    message = str(caught.value)
    assert "certificate is not valid for '127.0.0.2'. The certificate is not issued for the host name" in message
    assert '..' not in message


def test_connection_refused_names_host_and_port(em, make_client, sleeps):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest',
              raises=requests.exceptions.ConnectionError(ConnectionRefusedError(111, 'Connection refused')))
    with pytest.raises(EMConnectionError) as caught:
        with make_client() as client:
            client.logon()
    assert 'em.example.com:9398' in str(caught.value) and 'refused' in str(caught.value)
    assert sleeps == []


def test_refused_get_is_not_retried(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', QUERY1, raises=requests.exceptions.ConnectionError(ConnectionRefusedError(111, 'Connection refused')))
    expect_logoff(em, status=204)
    with pytest.raises(EMConnectionError):
        with make_client() as client:
            list(client.query('BackupTaskSession'))
    assert sleeps == []


def test_unresolvable_host(em, make_client):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest',
              raises=requests.exceptions.ConnectionError(socket.gaierror(-2, 'Name or service not known')))
    with pytest.raises(EMConnectionError, match='cannot be resolved'):
        with make_client() as client:
            client.logon()


def test_connect_timeout_names_the_timeout(em, make_client, sleeps):
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', raises=requests.exceptions.ConnectTimeout('connect timed out'))
    with pytest.raises(EMTimeoutError, match='within timeout=12 seconds'):
        with make_client(timeout=12) as client:
            client.logon()
    assert sleeps == []


def test_redirect_is_not_followed(em, make_client):
    em.expect('POST', 'http://em.example.com:9399/api/sessionMngr/?v=latest', status=301,
              headers={'Location': 'https://em.example.com:9398/api/sessionMngr/?v=latest'})
    with pytest.raises(EMError, match='redirect'):
        with make_client(url='http://em.example.com') as client:
            client.logon()


# --- bodies -----------------------------------------------------------------------------------------

def test_proxy_html_is_a_protocol_error_with_a_safe_excerpt(em, make_client):
    expect_logon(em)
    html = '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>token %s</body></html>' % TOKEN
    em.expect('GET', QUERY1, body=html, content_type='text/html')
    expect_logoff(em)
    with pytest.raises(EMProtocolError) as caught:
        with make_client() as client:
            list(client.query('BackupTaskSession'))
    message = str(caught.value)
    assert 'HTML page "502 Bad Gateway"' in message
    assert_no_secrets(message)


@pytest.mark.parametrize('body, content_type, text', [
    ('', XML, 'empty body'),
    ('<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><BackupTaskSessions>', XML, 'malformed or truncated XML'),
    ('{"Entities": {"BackupTaskSessions": ', JSON, 'malformed or truncated JSON'),
    ('{}', None, 'neither XML nor JSON'),
])
def test_broken_bodies(em, make_client, body, content_type, text):
    expect_logon(em)
    em.expect('GET', QUERY1, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(EMProtocolError, match=text):
        with make_client() as client:
            list(client.query('BackupTaskSession'))


@pytest.mark.parametrize('body, content_type, found', [
    ('<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Sign in</title></head><body/></html>', 'application/xhtml+xml',
     '<http://www.w3.org/1999/xhtml:html>'),
    ('<EnterpriseManager xmlns="http://www.veeam.com/ent/v1.0"><Links/></EnterpriseManager>', XML, '<EnterpriseManager>'),
    ('{"error": "unauthorized", "error_description": "use the token endpoint"}', JSON, 'JSON with the keys Error, Error_description'),
    ('{}', JSON, 'an empty JSON object ({})'),
    ('{"Links": [{"Rel": "Up", "Href": "https://em.example.com:9398/api/"}]}', JSON, 'JSON with the keys Links'),
    ('{"Status": null, "Data": null}', JSON, 'JSON with the keys Data, Status'),
])
def test_a_well_formed_answer_that_is_no_query_result_is_not_an_empty_result(em, make_client, body, content_type, found):
    expect_logon(em, fmt='json' if content_type == JSON else 'xml')
    em.expect('GET', QUERY1, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(EMProtocolError) as caught:
        with make_client(response_format='json' if content_type == JSON else 'xml') as client:
            list(client.query('BackupTaskSession'))
    message = str(caught.value)
    assert 'with %s instead of a QueryResult' % found in message and 'not an answer of Enterprise Manager' in message


@pytest.mark.parametrize('body', [
    # EM sends the unused members of a QueryResult as null; an empty result may have nothing else
    '{"Refs": null, "Entities": null, "Resources": null, "Links": null, "PagingInfo": null}',
    '{"refs": null, "entities": {"backupTaskSessions": {"backupTaskSessions": []}}, "pagingInfo": {"pageNum": 1, "pagesCount": 1}}',
])
def test_an_empty_json_query_result_is_an_empty_result(em, make_client, body):
    expect_logon(em, fmt='json')
    em.expect('GET', QUERY1, body=body, content_type=JSON)
    expect_logoff(em)
    with make_client(response_format='json') as client:
        assert list(client.query('BackupTaskSession')) == []


def test_json_format_sends_json_accept(em, make_client):
    expect_logon(em, fmt='json')

    def check(request):
        assert request.headers['Accept'] == 'application/json'
    em.expect('GET', QUERY1, check=check, **page([task_session(1)], fmt='camel'))
    expect_logoff(em)
    with make_client(response_format='json') as client:
        items = list(client.query('BackupTaskSession'))
    assert items[0]['VmDisplayName'] == 'ledgerdb01'


@pytest.mark.parametrize('fmt', ['xml', 'pascal', 'camel'])
def test_an_entity_reads_alike_in_every_format(em, make_client, fmt):
    expect_logon(em, fmt='xml' if fmt == 'xml' else 'json')
    body, content_type = entity_body(task_session(3), fmt=fmt)
    em.expect('GET', BASE + '/api/backupTaskSessions/%s?format=Entity' % guid(3), body=body, content_type=content_type)
    expect_logoff(em)
    with make_client(response_format='xml' if fmt == 'xml' else 'json') as client:
        entity = client.get('/backupTaskSessions/%s?format=Entity' % guid(3), what='entity').data
    assert entity['UID'].endswith(guid(3))


def test_validate_certs_false_is_passed_and_warned(em, make_client):
    expect_logon(em)
    expect_logoff(em)
    with make_client(validate_certs=False) as client:
        client.logon()
    assert em.calls[0].verify is False
    warnings = take_warnings(client)
    assert len(warnings) == 1 and 'validate_certs is false' in warnings[0]


def test_bad_options_fail_before_any_request(em, make_client):
    with pytest.raises(EMInputError, match='api_version'):
        make_client(api_version='1.7')
    assert em.calls == []


# --- paging -----------------------------------------------------------------------------------------

def test_paging_follows_next_links_rebased_onto_the_configured_url(em, make_client):
    expect_logon(em)
    filter_text = 'Result%3D%3DFailed;VmDisplayName%3D%3D%22db%22'
    first = BASE + query_url_path(1, 2, filter_text)
    # EM rewrites its links: own host name, parenthesised and re-encoded filter, parameters moved
    next2 = '/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&filter=(Result%3d%3dFailed;VmDisplayName%3d%3d%22db%22)&pageSize=2&page=2'
    next3 = next2.replace('page=2', 'page=3')
    em.expect('GET', first, **page([task_session(1), task_session(2)], page=1, pages=3, page_size=2, next_path=next2))
    # (requests writes percent escapes in upper case; EM decodes either)
    em.expect('GET', BASE + next2.replace('%3d', '%3D'), **page([task_session(3), task_session(4)], page=2, pages=3, page_size=2, next_path=next3))
    em.expect('GET', BASE + next3.replace('%3d', '%3D'), **page([task_session(5)], page=3, pages=3, page_size=2))
    expect_logoff(em)
    with make_client() as client:
        pager = client.query('BackupTaskSession', filter='Result==Failed;VmDisplayName=="db"', page_size=2)
        items = list(pager)
    assert len(items) == 5 and pager.pages == 3 and not pager.truncated
    assert all(call.url.startswith(BASE) for call in em.calls)
    assert EM_HOST not in ''.join(call.url for call in em.calls)


def test_paging_by_page_count_when_there_is_no_next_link(em, make_client):
    expect_logon(em)
    for number in (1, 2, 3):
        em.expect('GET', BASE + query_url_path(number, 1), **page([task_session(number)], page=number, pages=3, page_size=1, with_links=False))
    expect_logoff(em)
    with make_client() as client:
        assert len(list(client.query('BackupTaskSession', page_size=1))) == 3


@pytest.mark.parametrize('fmt', ['json', 'camel'])
def test_paging_in_json(em, make_client, fmt):
    expect_logon(em, fmt='json')
    em.expect('GET', BASE + query_url_path(1, 1), **page([task_session(1)], page=1, pages=2, page_size=1, fmt=fmt))
    em.expect('GET', BASE + query_url_path(2, 1), **page([task_session(2)], page=2, pages=2, page_size=1, fmt=fmt))
    expect_logoff(em)
    with make_client(response_format='json') as client:
        assert len(list(client.query('BackupTaskSession', page_size=1))) == 2


def test_a_page_seen_twice_stops_the_loop(em, make_client):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1), **page([task_session(1)], page=1, pages=3, page_size=1, next_path=query_url_path(2, 1)))
    # the second answer claims to be page 1 again
    em.expect('GET', BASE + query_url_path(2, 1), **page([task_session(2)], page=1, pages=3, page_size=1, next_path=query_url_path(3, 1)))
    expect_logoff(em)
    with pytest.raises(EMProtocolError, match='twice'):
        with make_client() as client:
            list(client.query('BackupTaskSession', page_size=1))


def test_limit_asks_one_more_and_reports_truncation(em, make_client):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 3), **page([task_session(1), task_session(2), task_session(3)], page=1, pages=4, page_size=3))
    expect_logoff(em)
    with make_client() as client:
        pager = client.query('BackupTaskSession', limit=2)
        assert len(list(pager)) == 2
    assert pager.truncated


def test_limit_equal_to_the_total_is_not_truncated(em, make_client):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 3), **page([task_session(1), task_session(2)], page=1, pages=1, page_size=3))
    expect_logoff(em)
    with make_client() as client:
        pager = client.query('BackupTaskSession', limit=2)
        assert len(list(pager)) == 2
    assert not pager.truncated


def test_limit_reached_exactly_at_a_page_end_with_more_pages_is_truncated(em, make_client):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 2), **page([task_session(1), task_session(2)], page=1, pages=2, page_size=2))
    em.expect('GET', BASE + query_url_path(2, 2), **page([task_session(3)], page=2, pages=2, page_size=2))
    expect_logoff(em)
    with make_client() as client:
        pager = client.query('BackupTaskSession', limit=3, page_size=2)
        assert len(list(pager)) == 3
    assert not pager.truncated


# --- prefetch: the next page is requested while the caller works on the current one ----------------

def _pages_of_one(em, count, extra=None):
    """count pages of one session each; extra: page number -> more keyword arguments of expect (a check)."""
    for number in range(1, count + 1):
        em.expect('GET', BASE + query_url_path(number, 1),
                  **dict(page([task_session(number)], page=number, pages=count, page_size=1), **(extra or {}).get(number, {})))


def test_prefetch_requests_the_next_page_before_the_current_one_is_handed_out(em, make_client):
    requested = dict((number, threading.Event()) for number in (2, 3))
    expect_logon(em)
    _pages_of_one(em, 3, dict((number, {'check': lambda request, n=number: requested[n].set()}) for number in (2, 3)))
    expect_logoff(em)
    with make_client() as client:
        pages = client.query('BackupTaskSession', page_size=1, prefetch=True).iter_pages()
        first = next(pages)
        # page 2 is on its way although nobody asked for it yet (the wait only bounds a hang)
        assert requested[2].wait(30)
        assert not requested[3].is_set()
        rest = list(pages)
    assert [item['UID'] for item in first + [entity for items in rest for entity in items]] == [
        task_session(number)['UID'] for number in (1, 2, 3)]
    # no page more than needed: logon + 3 pages + logoff
    assert client.stats['requests'] == 5 and client.stats['pages'] == 3


def test_without_prefetch_the_next_page_waits_for_the_caller(em, make_client):
    expect_logon(em)
    _pages_of_one(em, 2)
    expect_logoff(em)
    with make_client() as client:
        pages = client.query('BackupTaskSession', page_size=1).iter_pages()
        next(pages)
        assert [call.url for call in em.calls if call.method == 'GET'] == [BASE + query_url_path(1, 1)]
        list(pages)


def test_prefetch_never_asks_for_a_page_past_the_limit(em, make_client):
    # the strict transport fails the test if page 2 is requested, even from the background
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 3), **page([task_session(n) for n in (1, 2, 3)], page=1, pages=3, page_size=3))
    expect_logoff(em)
    with make_client() as client:
        pager = client.query('BackupTaskSession', limit=2, prefetch=True)
        assert len(list(pager)) == 2
    assert pager.truncated


def test_an_error_of_a_prefetched_page_is_raised_where_that_page_is_read(em, make_client, sleeps):
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1), **page([task_session(1)], page=1, pages=2, page_size=1))
    em.expect('GET', BASE + query_url_path(2, 1), status=500, **dict(zip(('body', 'content_type'), error_body('Database is down', 500))))
    expect_logoff(em)
    seen = []
    with pytest.raises(EMServerError, match='Database is down') as caught:
        with make_client(retries=0) as client:
            for items in client.query('BackupTaskSession', page_size=1, prefetch=True).iter_pages():
                seen.extend(items)
    assert len(seen) == 1
    assert_no_secrets(str(caught.value))


def test_get_then_asks_for_the_next_page_before_this_one_is_parsed(em, make_client):
    first, second = BASE + query_url_path(1, 1), BASE + query_url_path(2, 1)
    expect_logon(em)
    em.expect('GET', first, **page([task_session(1)], page=1, pages=2, page_size=1))
    em.expect('GET', second, **page([task_session(2)], page=2, pages=2, page_size=1))
    expect_logoff(em)
    with make_client() as client:
        parsed = []
        original = client._document

        def document(response, method, url, what=None):
            # when page 1 is parsed, page 2 is already on its way
            parsed.append((url, client._background is not None and client._background.key == second))
            return original(response, method, url, what)
        client._document = document
        client.get(first, then=second)
        client.get(second)
    assert parsed == [(first, True), (second, False)]
    assert client.stats['requests'] == 4  # logon, two pages, logoff: the page fetched ahead is not asked for twice


def test_get_then_asks_for_nothing_after_an_error(em, make_client, sleeps):
    # the strict transport fails the test if page 2 is requested
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1), status=500, **dict(zip(('body', 'content_type'), error_body('Database is down', 500))))
    expect_logoff(em)
    with pytest.raises(EMServerError):
        with make_client(retries=0) as client:
            client.get(BASE + query_url_path(1, 1), then=BASE + query_url_path(2, 1))


def test_prefetch_builds_page_urls_instead_of_following_next_links(em, make_client):
    # EM writes its Next links its own way (parenthesised filter, parameters moved); a page asked for ahead
    # must be the page read next, so with prefetch the pager builds every page URL itself.
    filter_text = 'Result%3D%3DFailed'
    expect_logon(em)
    for number in (1, 2, 3):
        em_link = ('/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&filter=(Result%%3d%%3dFailed)'
                   '&pageSize=1&page=%d' % (number + 1))
        em.expect('GET', BASE + query_url_path(number, 1, filter_text),
                  **page([task_session(number)], page=number, pages=3, page_size=1, next_path=em_link if number < 3 else None))
    expect_logoff(em)
    with make_client() as client:
        pager = client.query('BackupTaskSession', filter='Result==Failed', page_size=1, prefetch=True)
        assert len(list(pager)) == 3
    assert client.stats['requests'] == 5


def test_pages_shrinking_while_paging_cost_at_most_the_page_asked_for_ahead(em, make_client):
    # page 1 says 3 pages, page 2 (read while page 3 is already asked for) says 2: the listing ends after
    # page 2, and the answer for page 3 is waited for before the logoff
    events = []
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1), **page([task_session(1)], page=1, pages=3, page_size=1))
    em.expect('GET', BASE + query_url_path(2, 1), **page([task_session(2)], page=2, pages=2, page_size=1))
    em.expect('GET', BASE + query_url_path(3, 1), check=lambda request: events.append('page 3'), **page([], page=3, pages=2, page_size=1))
    em.expect('DELETE', BASE + '/api/logonSessions/' + SESSION_ID, status=204, check=lambda request: events.append('logoff'))
    with make_client() as client:
        assert [item['UID'] for item in client.query('BackupTaskSession', page_size=1, prefetch=True)] == [
            task_session(1)['UID'], task_session(2)['UID']]
    assert events == ['page 3', 'logoff']


def test_the_logoff_waits_for_a_prefetched_page_in_flight(em, make_client):
    events = []

    def slow_page(request):
        events.append('page 2 sent')
        time.sleep(0.2)  # widens the window in which an overlapping logoff would show
        events.append('page 2 answered')

    expect_logon(em)
    _pages_of_one(em, 2, {2: {'check': slow_page}})
    em.expect('DELETE', BASE + '/api/logonSessions/' + SESSION_ID, status=204, check=lambda request: events.append('logoff'))
    with make_client() as client:
        for unused in client.query('BackupTaskSession', page_size=1, prefetch=True).iter_pages():
            break  # the caller stops after page 1 while page 2 is being fetched
    assert events == ['page 2 sent', 'page 2 answered', 'logoff']


def test_a_prefetched_page_of_an_expired_session_logs_on_again(em, make_client):
    second_token, second_session = 'MWI0ODMxZmEtZTgxNi00ZGQyLWFmNjgtODAzNWE5NjQwNGZj', guid(7, 'bbbbbbbb')
    expect_logon(em)
    em.expect('GET', BASE + query_url_path(1, 1), check=with_token(), **page([task_session(1)], page=1, pages=2, page_size=1))
    em.expect('GET', BASE + query_url_path(2, 1), status=401, check=with_token())
    expect_logon(em, token=second_token, session_id=second_session)
    em.expect('GET', BASE + query_url_path(2, 1), check=with_token(second_token), **page([task_session(2)], page=2, pages=2, page_size=1))
    expect_logoff(em, session_id=second_session, token=second_token)
    with make_client() as client:
        assert len(list(client.query('BackupTaskSession', page_size=1, prefetch=True))) == 2
    assert client.stats['relogons'] == 1 and client.stats['logoffs'] == 1


def test_query_url_encoding(make_client):
    client = make_client()
    url = query_url(client.base_url, 'BackupTaskSession', 'JobName=="A & B";(Result==Failed,Result==Warning)', page_size=10, page=2)
    assert url == (BASE + '/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=10&page=2'
                   '&filter=JobName%3D%3D%22A%20%26%20B%22;(Result%3D%3DFailed,Result%3D%3DWarning)')
    assert re.search(r'&filter=[^&]*$', url)


def test_rebase_keeps_path_and_query(make_client):
    client = make_client()
    assert client.rebase('https://other-name:9398/api/query?a=1&b=2') == BASE + '/api/query?a=1&b=2'
    assert client.rebase('http://localhost/api/backupTaskSessions/x') == BASE + '/api/backupTaskSessions/x'
