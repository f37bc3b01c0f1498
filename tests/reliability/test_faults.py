# -*- coding: utf-8 -*-
# Transient faults (503, connection resets, stalls, token expiry) injected by the EM simulator's own
# options, all cases in one ansible-playbook run at -vvvv, each case against its own simulator.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import collections
from datetime import datetime

import pytest

from rel_checks import assert_clean, assert_no_sessions, failure, success
from rel_report import Case

FIELDS = ['id', 'creation_time', 'result', 'state']

CASES = [
    Case('503_and_resets', 'faults', '503 on every 3rd and a connection reset on every 4th request, 2500 sessions over 3 pages (XML)',
         'retried; all 2500 sessions, newest first, summary equal to the data; logged off',
         options=['--sessions', '2500', '--fail-every', '3', '--reset-every', '4'], args={'fields': FIELDS},
         faults={'fail_every', 'reset_every'}),
    Case('503_random_json', 'faults', '503 on 20% of the requests (seeded), JSON with EM 13 camelCase keys, retries=6',
         'retried; complete and correct results; logged off',
         options=['--sessions', '2500', '--seed', '4', '--fail-rate', '0.2', '--json-keys', 'camel'],
         args={'fields': FIELDS, 'response_format': 'json', 'retries': 6}),
    Case('stall_recovered', 'faults', 'every 2nd request stalls 3 s, timeout=1',
         'the read timeouts are retried; complete results; logged off',
         options=['--sessions', '2500', '--stall-every', '2', '--stall-seconds', '3'], args={'fields': FIELDS, 'timeout': 1}),
    Case('token_expiry', 'faults', 'the logon token expires after 3 requests, in the middle of 4 pages and the job session query '
         '(--expire-after-requests 3)',
         'exactly one new logon, the page repeated once; complete results; both sessions gone',
         options=['--sessions', '3500', '--expire-after-requests', '3'], args={'fields': FIELDS}),
    Case('faults_on_auth', 'faults', '503 on every 2nd request including logon and logoff (--faults-on-auth), 2500 sessions',
         'complete results, and the logoff is retried so no logon session is left behind',
         options=['--sessions', '2500', '--fail-every', '2', '--faults-on-auth'], args={'fields': FIELDS}),
    Case('stall_forever', 'faults', 'every request stalls 4 s, longer than timeout=1, retries=2',
         'fails after retries + 1 = 3 attempts of the request (about timeout x 3 plus backoff) with a message naming the timeout; logged off',
         options=['--sessions', '200', '--stall-every', '1', '--stall-seconds', '4'], args={'timeout': 1, 'retries': 2}),
]


@pytest.fixture(scope='module')
def fault_run(ansible, servers, accounts):
    sims = dict((case.id, servers.simulator(*case.options)) for case in CASES)
    cases = [{'name': case.id, 'args': dict(case.args, url=sims[case.id].url)} for case in CASES]
    run = ansible.playbook('module_cases.yml', cases, env=accounts.env(sims[CASES[0].id].url))
    return run, sims


def expected_facts(sim):
    tasks = sim.dataset.tasks
    return {
        'ids': set(task.id for task in tasks),
        'count': len(tasks),
        'by_result': collections.Counter(task.result for task in tasks),
        'by_state': collections.Counter(task.state for task in tasks),
    }


def assert_complete(result, sim):
    want = expected_facts(sim)
    sessions = result['backup_task_sessions']
    ids = [item['id'] for item in sessions]
    assert result['count'] == want['count'] == len(ids)
    assert len(set(ids)) == len(ids), 'duplicates in the result'
    assert set(ids) == want['ids'], 'sessions missing or unknown'
    times = [item['creation_time'] for item in sessions]
    assert all(t.endswith('Z') for t in times)
    instants = [datetime.fromisoformat(t[:-1]) for t in times]
    assert instants == sorted(instants, reverse=True), 'not newest first'
    assert result['truncated'] is False
    got_result = dict((k, v) for k, v in result['summary']['by_result'].items() if v)
    got_state = dict((k, v) for k, v in result['summary']['by_state'].items() if v)
    assert got_result == dict(want['by_result'])
    assert got_state == dict(want['by_state'])


def faults_text(stats):
    faults = ', '.join('%s %d' % (kind, count) for kind, count in sorted(stats['faults'].items())) or 'none'
    return 'faults injected: %s; logons %d, logoffs %d, expired %d, active %d' % (
        faults, stats['logons'], stats['logoffs'], stats['expired_sessions'], stats['active_sessions'])


BUGS = {
}


def with_bugs(cases):
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=BUGS[c.id])) if c.id in BUGS else c for c in cases]


@pytest.mark.parametrize('case', with_bugs([c for c in CASES if c.id != 'stall_forever']), ids=repr)
def test_recovers(case, fault_run, accounts, issued, observe):
    run, sims = fault_run
    sim = sims[case.id]
    record = run.item(case.id)
    stats = sim.stats()
    if record['status'] == 'ok':
        observe('ok: %d sessions; %s' % (record['result']['count'], faults_text(stats)))
    else:
        observe('failed: %s; %s' % (record['result'].get('msg'), faults_text(stats)))
    result = success(record)
    assert stats['faults'] or stats['expired_sessions'], 'no fault was injected: the scenario proves nothing'
    assert set(stats['faults']) >= case.get('faults', set())
    assert_complete(result, sim)
    if case.id == 'token_expiry':
        assert stats['expired_sessions'] == 1 and stats['logons'] == 2
        assert stats['statuses'].get('401') == 1
    else:
        assert stats['logons'] == 1
    assert_no_sessions(sim)
    assert_clean(run, accounts, issued)


@pytest.mark.parametrize('case', [c for c in CASES if c.id == 'stall_forever'], ids=repr)
def test_stall_longer_than_timeout(case, fault_run, accounts, issued, observe):
    run, sims = fault_run
    sim = sims[case.id]
    record = run.item(case.id)
    stats = sim.stats()
    msg = record['result'].get('msg')
    attempts = stats['routes'].get('GET /api/query', 0)
    observe('%s after %d attempts of the query: %s; %s' % (record['status'], attempts, msg, faults_text(stats)))
    msg, error = failure(record)
    assert 'timeout=1' in msg
    assert error.get('kind') == 'timeout'
    # retries + 1 attempts, each cut off by the read timeout: this bounds the time without measuring it
    assert attempts == 3
    assert stats['faults'].get('stall_every') == 3
    assert stats['logons'] == 1
    assert_no_sessions(sim)
    assert_clean(run, accounts, issued)
