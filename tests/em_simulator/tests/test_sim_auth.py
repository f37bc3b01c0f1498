# Logon, tokens, cookies, logoff, logon session listing, roles, idle and request-count expiry.
from __future__ import annotations

import base64
import json
import re
import time

import pytest
import requests

from sim_helpers import GUID, PASSWORD, TOKEN, USER, xml

ACCOUNTS = [
    {'username': 'EM\\ansible', 'password': 'ansible-demo', 'role': 'PortalAdministrator'},
    {'username': 'CORP\\viewer', 'password': 'view-pass', 'role': 'PortalUser'},
    {'username': 'restore@CORP', 'password': 'restore-pass', 'role': 'RestoreOperator'},
    {'username': 'CORP\\norole', 'password': 'norole-pass', 'role': 'None'},
]


@pytest.fixture(scope='module')
def users_sim(sim_factory, tmp_path_factory):
    path = tmp_path_factory.mktemp('users') / 'users.json'
    path.write_text(json.dumps(ACCOUNTS), encoding='utf-8')
    return sim_factory('--users', str(path), sessions=300)


def test_entry_point_needs_no_authentication(sim):
    response = sim.get('/api/')
    assert response.status_code == 200
    assert response.headers['Content-Type'].startswith('application/xml')
    root = xml(response)['EnterpriseManager']
    versions = [item['@Name'] for item in root['SupportedVersions']['SupportedVersion']]
    assert versions == ['v1_5', 'v1_6', 'v1_7']
    for item in root['SupportedVersions']['SupportedVersion']:
        assert item['Links']['Link'][0]['@Href'] == sim.url('/api/sessionMngr/?v=%s' % item['@Name'])
    rels = dict((link['@Rel'], link) for link in root['Links']['Link'])
    assert rels['Create']['@Href'] == sim.url('/api/sessionMngr/?v=latest') and rels['Create']['@Type'] == 'LogonSession'
    assert rels['Down']['@Type'] == 'LogonSessionList'
    body = sim.get('/api', accept='application/json').json()
    assert [item['Name'] for item in body['SupportedVersions']['SupportedVersions']] == versions


@pytest.mark.parametrize('user', ['EM\\ansible', 'em\\ansible', 'ansible@EM', 'Ansible@em', 'EM\\ANSIBLE'])
def test_logon_accepts_both_user_name_forms_in_any_case(sim, user):
    token, response = sim.logon(user=user)
    assert response.status_code == 201
    session = xml(response)['LogonSession']
    assert session['UserName'] == 'EM\\ansible'
    sim.logoff(token, response)


def test_logon_answer(sim):
    token, response = sim.logon()
    try:
        session = xml(response)['LogonSession']
        session_id = session['SessionId']
        assert re.match('^%s$' % GUID, session_id)
        assert session['@Type'] == 'LogonSession'
        assert session['@Href'] == sim.url('/api/logonSessions/' + session_id)
        delete = [link for link in session['Links']['Link'] if link['@Rel'] == 'Delete']
        assert len(delete) == 1 and delete[0]['@Href'] == sim.url('/api/logonSessions/' + session_id)
        types = [link.get('@Type') for link in session['Links']['Link']]
        assert 'BackupTaskSessionReferenceList' in types and 'EnterpriseManager' in types
        assert response.headers['Set-Cookie'] == '%s=%s; Path=/api;' % (TOKEN, token)
        assert len(token) == 24 and len(base64.b64decode(token)) == 16
        assert session_id.replace('-', '') not in base64.b64decode(token).hex()
        assert base64.b64decode(token) != session_id.encode('ascii')
    finally:
        sim.logoff(token, response)


def test_tokens_are_random_base64(sim):
    pairs = [sim.logon() for unused in range(30)]
    tokens = [pair[0] for pair in pairs]
    assert len(set(tokens)) == 30
    assert all(token.endswith('==') for token in tokens)
    assert any('+' in token or '/' in token for token in tokens)
    for token, response in pairs:
        assert sim.logoff(token, response).status_code == 204


def test_json_logon_body(sim):
    token, response = sim.logon(accept='application/json')
    body = response.json()
    assert response.headers['Content-Type'].startswith('application/json')
    assert body['UserName'] == 'EM\\ansible' and body['Type'] == 'LogonSession'
    assert body['Href'] == sim.url('/api/logonSessions/' + body['SessionId'])
    assert [link for link in body['Links'] if link['Rel'] == 'Delete'][0]['Href'] == body['Href']
    assert sim.request('DELETE', '/api/logonSessions/' + body['SessionId'], token).status_code == 204


@pytest.mark.parametrize('auth', [(USER, 'wrong'), ('EM\\nobody', PASSWORD), ('nobody', PASSWORD), ('ansible', 'wrong'),
                                  ('OTHER\\ansible', PASSWORD), None])
def test_bad_credentials_get_401_with_basic_challenge(sim, auth):
    response = sim.request('POST', '/api/sessionMngr/?v=latest', auth=auth)
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == 'Basic Realm=RestSvc'
    assert TOKEN not in response.headers
    error = xml(response)['Error']
    assert error['@StatusCode'] == '401' and error['@Message']


@pytest.mark.parametrize('user', ['ansible', 'ANSIBLE', 'EM\\ansible', 'ansible@em'])
def test_user_names_without_a_domain_are_local_accounts_of_em(sim, user):
    """A bare name is an account of the EM server itself (machine name EM), as real EM 12 logons show."""
    token, response = sim.logon(user=user)
    assert xml(response)['LogonSession']['UserName'] == 'EM\\ansible'
    assert sim.logoff(token, response).status_code == 204


def test_bare_names_in_the_users_file(sim_factory, tmp_path_factory):
    path = tmp_path_factory.mktemp('bare') / 'users.json'
    path.write_text(json.dumps([{'username': 'viewer', 'password': 'pw', 'role': 'PortalUser'},
                                {'username': 'CORP\\auditor', 'password': 'pw', 'role': 'PortalUser'}]), encoding='utf-8')
    bare = sim_factory('--users', str(path), sessions=50)
    token, response = bare.logon(user='EM\\viewer', password='pw')
    assert xml(response)['LogonSession']['UserName'] == 'viewer'
    bare.logoff(token, response)
    assert bare.request('POST', '/api/sessionMngr/?v=latest', auth=('auditor', 'pw')).status_code == 401  # not a local account


def test_failed_logons_are_counted(users_sim):
    before = users_sim.stats()['failed_logons']
    users_sim.request('POST', '/api/sessionMngr/?v=latest', auth=('CORP\\viewer', 'nope'))
    users_sim.request('POST', '/api/sessionMngr/?v=latest', auth=('CORP\\norole', 'norole-pass'))
    assert users_sim.stats()['failed_logons'] == before + 2


@pytest.mark.parametrize('version', ['latest', 'v1_7', 'v1_6', 'v1_5', 'V1_7', '1_6', None])
def test_supported_versions_log_on(sim, version):
    path = '/api/sessionMngr/' if version is None else '/api/sessionMngr/?v=%s' % version
    response = sim.request('POST', path, auth=(USER, PASSWORD))
    assert response.status_code == 201
    sim.logoff(response.headers[TOKEN], response)


@pytest.mark.parametrize('version', ['v1_4', 'v2', 'newest', ''])
def test_unknown_version_is_400(sim, version):
    response = sim.request('POST', '/api/sessionMngr/?v=%s' % version, auth=(USER, PASSWORD), headers={'Accept': 'application/json'})
    assert response.status_code == 400
    assert response.json()['StatusCode'] == 400 and 'version' in response.json()['Message']


def test_requests_without_a_valid_token_get_401(sim):
    for token in (None, 'bm90LWEtdG9rZW4=', ''):
        response = sim.get('/api/backupTaskSessions', token)
        assert response.status_code == 401
        assert xml(response)['Error']['@StatusCode'] == '401'
    response = sim.get('/api/query?type=BackupTaskSession', 'bm90LWEtdG9rZW4=', 'application/json')
    assert response.status_code == 401 and response.json()['StatusCode'] == 401


def test_cookie_is_used_and_wins_over_the_header(sim):
    client = requests.Session()
    response = sim.request('POST', '/api/sessionMngr/?v=latest', auth=(USER, PASSWORD), session=client)
    first = response.headers[TOKEN]
    assert client.cookies.get(TOKEN) == first
    assert sim.get('/api/logonSessions', session=client).status_code == 200  # cookie only
    second, second_logon = sim.logon()
    assert sim.logoff(first, response).status_code == 204
    # The stale cookie wins over the fresh header ...
    assert sim.get('/api/logonSessions', second, session=client).status_code == 401
    # ... and a good cookie wins over a bad header.
    assert sim.get('/api/logonSessions', 'garbage', headers={'Cookie': '%s=%s' % (TOKEN, second)}).status_code == 200
    sim.logoff(second, second_logon)


def test_logoff(sim):
    token, response = sim.logon()
    other, other_logon = sim.logon()
    session_id = sim.session_id(response)
    deleted = sim.request('DELETE', '/api/logonSessions/' + session_id, token)
    assert deleted.status_code == 204 and deleted.content == b''
    assert sim.get('/api/logonSessions', token).status_code == 401
    again = sim.request('DELETE', '/api/logonSessions/' + session_id, other)
    assert again.status_code == 404 and xml(again)['Error']['@StatusCode'] == '404'
    missing = sim.request('DELETE', '/api/logonSessions/00000000-0000-4000-8000-000000000000', other, 'application/json')
    assert missing.status_code == 404 and missing.json()['StatusCode'] == 404
    sim.logoff(other, other_logon)


def test_logon_session_listing_and_other_users(users_sim):
    admin, admin_logon = users_sim.logon()
    viewer, viewer_logon = users_sim.logon('corp\\viewer', 'view-pass')
    admin_id, viewer_id = users_sim.session_id(admin_logon), users_sim.session_id(viewer_logon)
    seen_by_admin = [item['SessionId'] for item in xml(users_sim.get('/api/logonSessions', admin))['LogonSessions']['LogonSession']]
    assert admin_id in seen_by_admin and viewer_id in seen_by_admin
    seen_by_viewer = users_sim.get('/api/logonSessions', viewer, 'application/json').json()['LogonSessions']
    assert [item['SessionId'] for item in seen_by_viewer] == [viewer_id]
    assert users_sim.get('/api/logonSessions/' + viewer_id, viewer).status_code == 200
    assert xml(users_sim.get('/api/logonSessions/' + viewer_id, viewer))['LogonSession']['UserName'] == 'CORP\\viewer'
    assert users_sim.get('/api/logonSessions/' + admin_id, viewer).status_code == 404
    # Nobody deletes another user's session.
    assert users_sim.request('DELETE', '/api/logonSessions/' + viewer_id, admin).status_code == 404
    assert users_sim.request('DELETE', '/api/logonSessions/' + admin_id, viewer).status_code == 404
    assert users_sim.logoff(viewer, viewer_logon).status_code == 204
    assert users_sim.logoff(admin, admin_logon).status_code == 204


def test_restore_operator_gets_403_on_backup_data(users_sim):
    token, response = users_sim.logon('restore@corp', 'restore-pass')
    for path in ('/api/backupTaskSessions', '/api/query?type=BackupTaskSession', '/api/backupSessions',
                 '/api/backupTaskSessions/00000000-0000-4000-8000-000000000000'):
        denied = users_sim.get(path, token)
        assert denied.status_code == 403
        assert xml(denied)['Error']['@Message'].startswith('Access denied')
    assert users_sim.get('/api/query?type=BackupTaskSession', token, 'application/json').json()['StatusCode'] == 403
    assert users_sim.get('/api/logonSessions', token).status_code == 200
    assert users_sim.logoff(token, response).status_code == 204


def test_portal_user_reads_backup_data(users_sim):
    token, response = users_sim.logon('viewer@CORP', 'view-pass')
    assert users_sim.get('/api/query?type=BackupTaskSession', token).status_code == 200
    users_sim.logoff(token, response)


def test_role_none_cannot_log_on(users_sim):
    response = users_sim.request('POST', '/api/sessionMngr/?v=latest', auth=('CORP\\norole', 'norole-pass'))
    assert response.status_code == 401 and response.headers['WWW-Authenticate'] == 'Basic Realm=RestSvc'


def test_idle_timeout_expires_tokens(sim_factory):
    sim = sim_factory('--idle-timeout', '1', sessions=100)
    kept, kept_logon = sim.logon()
    idle = sim.logon()[0]
    for unused in range(3):  # each use restarts the idle clock
        time.sleep(0.5)
        assert sim.get('/api/logonSessions', kept).status_code == 200
    assert sim.get('/api/logonSessions', idle).status_code == 401
    assert sim.stats()['active_sessions'] == 1
    time.sleep(1.3)
    response = sim.get('/api/backupTaskSessions', kept)
    assert response.status_code == 401 and xml(response)['Error']['@StatusCode'] == '401'
    assert sim.logoff(kept, kept_logon).status_code == 401  # best effort: the session is gone already
    assert sim.stats()['active_sessions'] == 0


def test_expire_after_requests(sim_factory):
    sim = sim_factory('--expire-after-requests', '3', sessions=100)
    token, response = sim.logon()
    for unused in range(3):
        assert sim.get('/api/query?type=BackupTaskSession&pageSize=1', token).status_code == 200
    expired = sim.get('/api/query?type=BackupTaskSession&pageSize=1', token, 'application/json')
    assert expired.status_code == 401 and expired.json()['StatusCode'] == 401
    assert sim.logoff(token, response).status_code == 401
    fresh, fresh_logon = sim.logon()
    assert sim.get('/api/backupTaskSessions/' + sim.catalog()['samples']['oldest_task_session_id'], fresh).status_code == 200
    assert sim.logoff(fresh, fresh_logon).status_code == 204  # the logoff is its second request
    assert sim.stats()['active_sessions'] == 0
