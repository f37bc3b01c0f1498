# Fault injection: 503s every K requests or at a seeded rate, dropped connections, stalls, latency, which
# requests are numbered (not the logon/logoff unless --faults-on-auth), and the fault counters.
from __future__ import annotations

import time

import pytest
import requests

from sim_helpers import xml

PATH = '/api/query?type=BackupTaskSession&pageSize=1'


def statuses(sim, token, count, accept=None):
    return [sim.get(PATH, token, accept).status_code for unused in range(count)]


def test_fail_every_spares_logon_and_logoff(sim_factory):
    sim = sim_factory('--fail-every', '3', sessions=100)
    sim.reset_stats()
    token, logon = sim.logon()  # not numbered
    assert statuses(sim, token, 6) == [200, 200, 503, 200, 200, 503]
    assert sim.get(PATH, token).status_code == 200  # 7
    sim.get(PATH, token)  # 8
    failed = sim.get(PATH, token, 'application/json')  # 9
    assert failed.status_code == 503 and failed.json()['StatusCode'] == 503 and 'simulated' in failed.json()['Message']
    assert sim.logoff(token, logon).status_code == 204  # not numbered
    stats = sim.stats()
    assert stats['faults'] == {'fail_every': 3} and stats['statuses']['503'] == 3
    assert sim.get('/__simulator/catalog').status_code == 200  # test endpoints are never hit


def test_fail_every_xml_error_body(sim_factory):
    sim = sim_factory('--fail-every', '1', sessions=100)
    token, logon = sim.logon()
    response = sim.get(PATH, token)
    assert response.status_code == 503 and xml(response)['Error']['@StatusCode'] == '503'
    assert sim.get('/api/').status_code == 503  # the unauthenticated entry point is an /api request too
    assert sim.logoff(token, logon).status_code == 204


def test_faults_on_auth(sim_factory):
    sim = sim_factory('--fail-every', '2', '--faults-on-auth', sessions=100)
    sim.reset_stats()
    token, logon = sim.logon()  # 1
    assert statuses(sim, token, 2) == [503, 200]  # 2, 3
    assert sim.logoff(token, logon).status_code == 503  # 4
    assert sim.logoff(token, logon).status_code == 204  # 5
    failed_logon = sim.request('POST', '/api/sessionMngr/?v=latest', auth=('EM\\ansible', 'ansible-demo'))  # 6
    assert failed_logon.status_code == 503 and sim.stats()['active_sessions'] == 0


def test_fail_rate_is_seeded(sim_factory):
    patterns = []
    for seed, lifetime in ((21, 120), (21, 121), (22, 120)):  # three processes
        sim = sim_factory('--fail-rate', '0.3', sessions=50, seed=seed, lifetime=lifetime)
        token, logon = sim.logon()
        patterns.append(statuses(sim, token, 60))
        sim.logoff(token, logon)
    assert patterns[0] == patterns[1] != patterns[2]
    assert set(patterns[0]) == {200, 503} and 6 <= patterns[0].count(503) <= 30
    everything = sim_factory('--fail-rate', '1', sessions=50)
    token, logon = everything.logon()
    assert statuses(everything, token, 5) == [503] * 5
    assert everything.logoff(token, logon).status_code == 204
    assert everything.stats()['faults'] == {'fail_rate': 5}


def test_reset_every_drops_the_connection(sim_factory):
    sim = sim_factory('--reset-every', '2', sessions=100)
    sim.reset_stats()
    token, logon = sim.logon()
    client = requests.Session()
    assert sim.get(PATH, token, session=client).status_code == 200  # 1
    with pytest.raises(requests.ConnectionError):
        sim.get(PATH, token, session=client)  # 2
    assert sim.get(PATH, token, session=client).status_code == 200  # 3, on a new connection
    with pytest.raises(requests.ConnectionError):
        sim.get(PATH, token)  # 4
    assert sim.logoff(token, logon).status_code == 204
    stats = sim.stats()
    assert stats['faults'] == {'reset_every': 2} and stats['requests'] == 6


def test_stall_every(sim_factory):
    sim = sim_factory('--stall-every', '2', '--stall-seconds', '1', sessions=100)
    sim.reset_stats()
    token, logon = sim.logon()
    sim.get(PATH, token)  # 1
    started = time.monotonic()
    assert sim.get(PATH, token).status_code == 200  # 2: answered, late
    assert time.monotonic() - started >= 1.0
    sim.get(PATH, token)  # 3
    with pytest.raises(requests.Timeout):
        sim.get(PATH, token, timeout=0.3)  # 4
    assert sim.logoff(token, logon).status_code == 204
    assert sim.stats()['faults'] == {'stall_every': 2}


def test_latency(sim_factory):
    sim = sim_factory('--latency-ms', '300', sessions=100)
    started = time.monotonic()
    token, logon = sim.logon()
    assert sim.get(PATH, token).status_code == 200
    assert sim.logoff(token, logon).status_code == 204
    assert time.monotonic() - started >= 0.9
    assert sim.stats()['faults'] == {}


def test_stats_reset_restarts_the_numbering(sim_factory):
    sim = sim_factory('--fail-every', '3', '--fail-rate', '0', sessions=100, seed=9)
    token, logon = sim.logon()
    statuses(sim, token, 2)
    sim.reset_stats()
    assert statuses(sim, token, 3) == [200, 200, 503]
    sim.logoff(token, logon)
