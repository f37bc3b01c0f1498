# The unauthenticated test endpoints: /__simulator/stats (and its reset), /__simulator/catalog, errors.
from __future__ import annotations

import collections
import concurrent.futures

from sim_helpers import xml

STATS_KEYS = {'requests', 'logons', 'logoffs', 'failed_logons', 'entities_served', 'references_served', 'active_sessions',
              'max_active_sessions', 'expired_sessions', 'routes', 'faults', 'statuses', 'queries', 'logons_total', 'logoffs_total',
              'job_actions', 'max_in_flight'}


def test_stats_count_what_happened(sim_factory):
    sim = sim_factory(sessions=500, seed=4)
    assert set(sim.reset_stats()) == STATS_KEYS
    token, logon = sim.logon()
    other, other_logon = sim.logon()
    sim.request('POST', '/api/sessionMngr/?v=latest', auth=('EM\\ansible', 'bad'))
    sim.get('/api/query?type=BackupTaskSession&format=Entities&pageSize=7', token)
    sim.get('/api/query?type=BackupTaskSession&pageSize=5', token)
    task_id = sim.catalog()['samples']['oldest_task_session_id']
    sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, token)
    sim.get('/api/backupTaskSessions/%s' % task_id, token)
    sim.get('/api/nothing/here', token)
    sim.logoff(token, logon)
    stats = sim.stats()
    assert stats['requests'] == 9 and stats['logons'] == 2 and stats['logoffs'] == 1 and stats['failed_logons'] == 1
    assert stats['entities_served'] == 8 and stats['references_served'] == 6
    assert stats['active_sessions'] == 1 and stats['max_active_sessions'] == 2
    assert stats['logons_total'] >= 2 and stats['logoffs_total'] >= 1
    assert stats['routes'] == {'POST /api/sessionMngr': 3, 'GET /api/query': 2, 'GET /api/backupTaskSessions/{ID}': 2,
                               'GET (unknown)': 1, 'DELETE /api/logonSessions/{ID}': 1}
    assert stats['statuses'] == {'201': 2, '401': 1, '200': 4, '404': 1, '204': 1}
    assert stats['queries'] == {'BackupTaskSession': 2}
    assert stats['job_actions'] == {}
    # one request at a time: never more than one in flight on any route
    assert set(stats['max_in_flight']) == set(stats['routes']) and set(stats['max_in_flight'].values()) == {1}
    # A reset zeroes the counters but keeps the logon sessions.
    after = sim.reset_stats()
    assert after['requests'] == 0 and after['routes'] == {} and after['queries'] == {} and after['active_sessions'] == 1 and after['max_active_sessions'] == 1
    assert after['max_in_flight'] == {} and after['job_actions'] == {}
    assert (after['logons'], after['logons_total'], after['logoffs_total']) == (0, stats['logons_total'], stats['logoffs_total'])
    assert sim.get('/api/logonSessions', other).status_code == 200
    sim.logoff(other, other_logon)
    assert sim.stats()['active_sessions'] == 0


def test_catalog_describes_the_data(sim, admin, catalog):
    assert catalog['total'] == sum(catalog['counts']['by_result'].values()) == sum(catalog['counts']['by_state'].values())
    assert catalog['total'] == sum(job['task_sessions'] for job in catalog['jobs']) == sum(
        server['task_sessions'] for server in catalog['backup_servers'])
    samples = catalog['samples']
    for result, ids in samples['task_session_ids_by_result'].items():
        assert ids
        for task_id in ids:
            entity = xml(sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin))['BackupTaskSession']
            assert entity['Result'] == result
    for state, ids in samples['task_session_ids_by_state'].items():
        body = sim.get('/api/backupTaskSessions/%s?format=Entity' % ids[0], admin, 'application/json').json()
        assert body['State'] == state
    vm = samples['vm_with_several_sessions']
    params = {'type': 'BackupTaskSession', 'pageSize': 1, 'filter': 'VmDisplayName=="%s"' % vm['name']}
    count = sim.get('/api/query', admin, 'application/json', params=params).json()
    assert vm['task_sessions'] > 1 and count['PagingInfo']['PagesCount'] == vm['task_sessions']
    retried = samples['retried_vm']
    days = collections.Counter()
    for task_id in retried['task_session_ids']:
        body = sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin, 'application/json').json()
        assert body['VmDisplayName'] == retried['name']
        days[body['CreationTimeUTC'][:10]] += 1
    assert days == {retried['date']: len(retried['task_session_ids'])} and len(retried['task_session_ids']) >= 2
    for job in catalog['jobs']:
        assert set(job) == {'id', 'uid', 'name', 'job_type', 'backup_server', 'vms', 'vm_names', 'task_sessions'} and job['uid'].endswith(job['id'])
        assert len(job['vm_names']) == job['vms'] and job['vm_names'] == sorted(job['vm_names'])
        assert job['job_type'] == 'Backup'  # the basic job mix
    assert catalog['job_mix'] == 'basic' and list(catalog['job_types']) == ['Backup']
    assert catalog['job_types']['Backup'] == {'job_sessions': catalog['job_sessions'], 'task_sessions': catalog['total']}
    assert (samples['copy_after_failed_backup'], samples['failed_copy'], samples['agent_backup']) == (None, None, None)
    assert catalog['oldest_creation_time'] < catalog['window_start'] < catalog['newest_creation_time'] <= catalog['now']


def test_unknown_simulator_endpoints(sim):
    response = sim.get('/__simulator/nothing')
    assert response.status_code == 404 and 'error' in response.json()
    response = sim.request('DELETE', '/__simulator/stats')
    assert response.status_code == 405 and response.headers['Allow'] == 'GET'
    assert sim.get('/__simulator/shutdown').status_code == 405


def test_stats_max_in_flight_counts_the_requests_answered_at_once_per_route(sim_factory):
    sim = sim_factory('--latency-ms', '400', sessions=200, seed=4)
    token, logon = sim.logon()
    sim.reset_stats()
    sim.get('/api/query?type=BackupTaskSession&pageSize=1', token)
    assert sim.stats()['max_in_flight'] == {'GET /api/query': 1}
    # five at once: each answer waits 400 ms, so all five are in flight together
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda _n: sim.get('/api/backupServers', token).status_code, range(5)))
    assert statuses == [200] * 5
    stats = sim.stats()
    assert stats['max_in_flight'] == {'GET /api/query': 1, 'GET /api/backupServers': 5}, stats['max_in_flight']
    sim.logoff(token, logon)
