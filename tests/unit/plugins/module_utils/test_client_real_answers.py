# -*- coding: utf-8 -*-
# The client against answers shaped like real EM 12 and EM 13 servers' (fixtures/, see its README),
# served by the strict HTTP mock: the logon with the JSON LogonSession body of each version (its
# SessionId is the one logged off), then a query page with the null sibling lists, read by the search
# to the same facts as the XML answer of the same query.

from __future__ import annotations

import os

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import BASE, LOGON_URL, TOKEN, query_url_path
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import expect_job_sessions

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
CONTENT_TYPES = {'json': 'application/json; charset=utf-8', 'xml': 'application/xml; charset=utf-8'}
FIXTURE_SESSION_ID = '3e91c7d5-0a48-4b2f-86ed-d5f20b7c9a14'  # the SessionId of both logon fixtures


def fixture(name):
    with open(os.path.join(FIXTURES, name), 'rb') as handle:
        return handle.read()


def serve(em, version, fmt):
    """Logon (JSON body of the version, whatever the format asked: only JSON logons are public), one
    query page, logoff of the fixture's SessionId."""
    def check_logon(request):
        assert 'X-RestSvcSessionId' not in request.headers

    def check_logoff(request):
        assert request.headers['X-RestSvcSessionId'] == TOKEN
    em.expect('POST', LOGON_URL, status=201, body=fixture('%s_logon.json' % version), check=check_logon,
              headers={'X-RestSvcSessionId': TOKEN, 'Content-Type': CONTENT_TYPES['json']})
    em.expect('GET', BASE + query_url_path(1, 1000), body=fixture('%s_query_task_sessions.%s' % (version, fmt)), content_type=CONTENT_TYPES[fmt])
    expect_job_sessions(em)  # the parents' job types, in the format the client asked for
    em.expect('DELETE', BASE + '/api/logonSessions/' + FIXTURE_SESSION_ID, status=204, check=check_logoff)


def run(em, make_client, version, fmt):
    serve(em, version, fmt)
    with make_client(response_format=fmt) as client:
        result = search_task_sessions(client, {})
    assert client.stats['logons'] == 1 and client.stats['logoffs'] == 1 and client.stats['pages'] == 2  # the task sessions, their job sessions
    return result


@pytest.mark.parametrize('version', ['em12', 'em13'])
def test_the_logon_body_names_the_session_logged_off_and_the_query_is_read(em, make_client, version):
    result = run(em, make_client, version, 'json')  # the DELETE expected proves the body's SessionId was read
    assert result['count'] == 3 and result['truncated'] is False
    assert result['summary']['by_result'] == {'Success': 2, 'Warning': 0, 'Failed': 1}
    # newest first; the copy task keeps its copy job's name
    sessions = result['backup_task_sessions']
    assert [s['vm_name'] for s in sessions] == ['fin-app01', 'fin-app01', 'Fin DB 02']
    assert sessions[0]['job_name'] == 'Offsite Copy\\Finance Nightly' and sessions[0]['restore_point_id'] is None


@pytest.mark.parametrize('version', ['em12', 'em13'])
def test_json_and_xml_answers_give_the_same_result(em, make_client, version):
    assert run(em, make_client, version, 'json') == run(em, make_client, version, 'xml')
