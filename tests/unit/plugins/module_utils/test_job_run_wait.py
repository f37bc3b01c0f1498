# -*- coding: utf-8 -*-
# The real EMClient under job control, over the strict fake transport: an action POST is sent once even when the
# connection fails (it may have reached EM), a run is followed by its ID across a renewed logon (401), and Ctrl-C
# during a wait still logs off.

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMConnectionError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_facts import normalize_job_session
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_run_wait import follow_run
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE, JSON, expect_logoff, expect_logon,
)
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_jobs_stub import guid, job_entity, session_entity

JOB = job_entity(guid(1))
SESSION_URL = BASE + '/api/backupSessions/%s?format=Entity' % guid(11)


def _session(state):
    data = session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state=state)
    return json.dumps(data)


def test_an_action_post_is_sent_once_when_the_connection_fails(em, make_client):
    client = make_client(response_format='json')
    expect_logon(em, fmt='json')
    em.expect('POST', BASE + '/api/jobs/%s?action=start' % guid(1), raises=requests.exceptions.ConnectionError('reset by peer'))
    expect_logoff(em)
    with pytest.raises(EMConnectionError):
        with client:
            client.request('POST', BASE + '/api/jobs/%s?action=start' % guid(1))
    assert [call.method for call in em.calls] == ['POST', 'POST', 'DELETE']  # logon, the action once, logoff


def test_a_run_is_followed_by_its_id_across_a_renewed_logon(em, make_client, sleeps):
    client = make_client(response_format='json')
    expect_logon(em, fmt='json')
    em.expect('GET', SESSION_URL, status=401, body=json.dumps({'Message': 'expired', 'StatusCode': 401}), content_type=JSON)
    expect_logon(em, fmt='json', token='bmV3LXRva2VuLTE2Ynl0ZQ==', session_id=guid(99))
    em.expect('GET', SESSION_URL, body=_session('Stopped'), content_type=JSON)
    expect_logoff(em, session_id=guid(99), token='bmV3LXRva2VuLTE2Ynl0ZQ==')
    running = normalize_job_session(session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state='Working'))
    with client:
        done = follow_run(client, running, 600, 30, client._sleep, lambda: 0.0)
    assert done['state'] == 'Stopped' and done['id'] == guid(11)
    assert client.stats['relogons'] == 1 and sleeps == [30]


def test_ctrl_c_during_a_wait_logs_off(em, make_client):
    client = make_client(response_format='json')
    expect_logon(em, fmt='json')
    em.expect('GET', SESSION_URL, body=_session('Working'), content_type=JSON)
    expect_logoff(em)
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt
    running = normalize_job_session(session_entity(guid(11), JOB, '2025-10-12T14:00:01Z', state='Working'))
    with pytest.raises(KeyboardInterrupt):
        with client:
            follow_run(client, running, 600, 10, sleep, lambda: 0.0)
    assert em.calls[-1].method == 'DELETE'
