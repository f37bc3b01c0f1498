# -*- coding: utf-8 -*-
# Unit tests of the logon error for credentials YAML changed: a control character in the user name or
# password (what "EM\ansible" in YAML double quotes becomes) gets a hint about quoting in the 401
# error, the user name shown readable, the password never.

from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.credential_hints import credential_hint, printable
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMAuthenticationError, EMAuthorizationError
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import BASE, error_body

LOGON = BASE + '/api/sessionMngr/?v=latest'
QUOTING = "write the value in single quotes ('EM\\ansible') or double the backslash (\"EM\\\\ansible\")"


def refuse_logon(em, status=401):
    body, content_type = error_body('Unauthorized', status)
    em.expect('POST', LOGON, status=status, body=body, headers={'WWW-Authenticate': 'Basic Realm=RestSvc', 'Content-Type': content_type})


def logon_error(make_client, **params):
    with pytest.raises((EMAuthenticationError, EMAuthorizationError)) as caught:
        with make_client(**params) as client:
            client.logon()
    return str(caught.value)


def test_a_bel_in_the_user_name_is_shown_and_explained(em, make_client):
    refuse_logon(em)
    message = logon_error(make_client, username='EM\anible')
    assert 'rejected the logon of user EM<BEL>nible (HTTP 401)' in message
    assert 'The user name contains a control character' in message and QUOTING in message
    assert '\a' not in message


def test_the_hint_names_the_command_line_as_well_as_yaml(em, make_client):
    # -a username=EM\ansible and -e key=value decode backslash escapes too, so YAML may not be the cause
    refuse_logon(em)
    message = logon_error(make_client, username='EM\anible')
    assert 'inside YAML double quotes' in message
    assert 'key=value arguments on the command line (-a username=EM\\ansible, -e ansible_vbr_em_username=EM\\ansible)' in message
    assert 'on the command line double it (username=EM\\\\ansible)' in message


@pytest.mark.parametrize('password', ['Pa\tss', 'x\x1bword', 'ab\u2028cd', 'nb\xa0sp'])
def test_a_control_character_in_the_password_is_hinted_without_showing_it(em, make_client, password):
    refuse_logon(em)
    message = logon_error(make_client, password=password)
    assert 'The password contains a control character' in message and QUOTING in message
    assert password not in message
    for part in password.split():
        assert len(part) < 3 or part not in message


def test_both_are_named(em, make_client):
    refuse_logon(em)
    message = logon_error(make_client, username='CORP\bob', password='\a1')
    assert 'The user name and the password contain a control character' in message
    assert 'user CORP<BS>ob' in message


def test_plain_credentials_get_no_quoting_hint(em, make_client):
    refuse_logon(em)
    message = logon_error(make_client, username='EM\\ansible', password='a\\b c')
    assert 'control character' not in message and 'user EM\\ansible' in message


def test_the_hint_is_for_the_401_only(em, make_client):
    refuse_logon(em, status=403)
    message = logon_error(make_client, username='EM\anible')
    assert 'control character' not in message and 'user EM<BEL>nible (HTTP 403)' in message


def test_printable_names_the_characters_yaml_makes():
    assert printable('a\a\b\t\n\v\f\r\x1b\0\x85\xa0\u2028\u2029\x01z') == 'a<BEL><BS><TAB><LF><VT><FF><CR><ESC><NUL><NEL><NBSP><LS><PS><U+0001>z'
    assert printable('Zürich Ops') == 'Zürich Ops'
    assert credential_hint({'username': 'EM\\ansible', 'password': 'x'}) == ''
