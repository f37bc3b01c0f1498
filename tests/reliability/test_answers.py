# -*- coding: utf-8 -*-
# What EM returns, as real EMs differ: a page size EM caps silently (--max-page-size) must still give
# every row once, the same rows as an uncapped EM; a filter EM refuses with 400 or with 500 and an
# Error body (--bad-filter-status) fails at once (500: after one repeat, not `retries`) with EM's
# message and the option it came from; names EM matches case-insensitively are kept by the row check.
# All cases in one ansible-playbook run, each against its own simulator.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import math

import pytest

from rel_checks import assert_clean, assert_no_sessions, failure, success
from rel_report import Case

SESSIONS = 2500
CAP = 300  # the module asks for 1000 rows per page

PAGING = [
    Case('page_size_capped', 'answers', 'EM caps pageSize at %d silently (--max-page-size), %d sessions, XML' % (CAP, SESSIONS),
         'every session once, the same IDs in the same order as from an uncapped EM; pages of %d' % CAP,
         options=['--max-page-size', str(CAP)], args={'fields': ['id', 'creation_time']}),
    Case('page_size_capped_json_filter', 'answers', 'the same with EM 13 JSON, result Success and latest_per_vm',
         'the same sessions as from an uncapped EM',
         options=['--max-page-size', str(CAP), '--json-keys', 'camel'],
         args={'fields': ['id', 'vm_name'], 'response_format': 'json', 'result': ['Success'], 'latest_per_vm': True}),
    Case('page_size_capped_limit', 'answers', 'the same with limit=700 (EM applies %d of the 701 rows asked per page)' % CAP,
         'the newest 700 sessions of the uncapped EM, truncated', options=['--max-page-size', str(CAP)],
         args={'fields': ['id'], 'limit': 700}),
]

REFUSED = [
    Case('bad_filter_400', 'answers', 'EM answers a filter it cannot parse with 400 and an Error body (filter: NoSuchField==1)',
         'fails after one request with EM\'s message and the filter option named; logged off',
         options=['--bad-filter-status', '400'], args={'filter': 'NoSuchField==1', 'result': ['Failed']}, requests=1),
    Case('bad_filter_500', 'answers', 'EM answers the same with 500 and an Error body (--bad-filter-status 500), retries=3',
         'fails after one repeat (2 requests, not 4) with EM\'s message and the filter option named; logged off',
         options=['--bad-filter-status', '500'], args={'filter': 'NoSuchField==1', 'result': ['Failed'], 'retries': 3}, requests=2),
]

NAMES = [
    Case('names_any_case', 'answers', 'vm_name and job_name in other letter case than EM has them (EM compares case-insensitively)',
         'the same sessions as with the exact names; no row dropped, no warning', options=[], args={}),
]

CASES = PAGING + REFUSED + NAMES


def _task(sim):
    """The newest task session whose VM and job names are ASCII (so upper/lower case is all that differs)."""
    return next(task for task in reversed(sim.dataset.tasks) if (task.vm.name + task.job_session.job.name).isascii())


def _names_args(sim):
    task = _task(sim)
    return {'vm_name': [task.vm.name.upper()], 'job_name': [task.job_session.job.name.lower()], 'fields': ['id']}


@pytest.fixture(scope='module')
def answers_run(ansible, servers, accounts):
    uncapped = servers.simulator('--sessions', str(SESSIONS))
    sims = dict((case.id, servers.simulator('--sessions', str(SESSIONS) if case in PAGING else '500', *case.options)) for case in CASES)
    cases = []
    for case in CASES:
        args = dict(case.args) if case not in NAMES else _names_args(sims[case.id])
        cases.append({'name': case.id, 'args': dict(args, url=sims[case.id].url)})
        if case in PAGING:  # the same selection from an EM that does not cap
            cases.append({'name': case.id + '_uncapped', 'args': dict(case.args, url=uncapped.url)})
    exact = _names_args(sims['names_any_case'])
    task = _task(sims['names_any_case'])
    exact.update(vm_name=[task.vm.name], job_name=[task.job_session.job.name], url=sims['names_any_case'].url)
    cases.append({'name': 'names_exact', 'args': exact})
    run = ansible.playbook('module_cases.yml', cases, env=accounts.env(uncapped.url))
    return run, sims, uncapped


def _ids(result):
    return [item['id'] for item in result['backup_task_sessions']]


@pytest.mark.parametrize('case', PAGING, ids=repr)
def test_a_silently_capped_page_size_still_reads_every_row_once(case, answers_run, accounts, issued, observe):
    run, sims, uncapped = answers_run
    sim = sims[case.id]
    capped, reference = run.item(case.id), run.item(case.id + '_uncapped')
    pages = sim.stats()['queries'].get('BackupTaskSession', 0)  # task session pages (the job sessions' are others)
    if capped['status'] == 'ok':
        observe('ok: %d sessions in %d pages, %d unique; uncapped EM: %d sessions'
                % (capped['result']['count'], pages, len(set(_ids(capped['result']))), reference['result'].get('count', 0)))
    else:
        observe('failed: %s' % capped['result'].get('msg'))
    result, expected = success(capped), success(reference)
    ids = _ids(result)
    assert len(ids) == len(set(ids)) == result['count'], 'a row read twice'
    assert ids == _ids(expected) and result['count'] == expected['count'] > 0
    assert result['truncated'] == expected['truncated'] == ('limit' in case.args)
    if case.id == 'page_size_capped':
        assert result['count'] == SESSIONS and set(ids) == set(task.id for task in sim.dataset.tasks)
        assert pages == math.ceil(SESSIONS / CAP)  # each page of the capped size read once
    assert not result.get('warnings')
    assert_no_sessions(sim, uncapped)
    assert_clean(run, accounts, issued)


@pytest.mark.parametrize('case', REFUSED, ids=repr)
def test_a_refused_filter_fails_at_once_naming_its_option(case, answers_run, accounts, issued, observe):
    run, sims, _uncapped = answers_run
    sim = sims[case.id]
    record = run.item(case.id)
    stats = sim.stats()
    asked = stats['routes'].get('GET /api/query', 0)
    observe('%s after %d request(s) of the query: %s' % (record['status'], asked, record['result'].get('msg')))
    msg, error = failure(record)
    assert asked == case.requests
    assert "The filter was built from the option result and the filter option 'NoSuchField==1'." in msg
    assert 'EM said: ' in msg and 'NoSuchField' in msg.split('EM said: ', 1)[1]
    assert error.get('kind') == 'query' and error.get('status') == int(case.options[1])
    assert ('after 1 retry' in msg) == (case.requests == 2)
    assert stats['logons'] == 1
    assert_no_sessions(sim)
    assert_clean(run, accounts, issued)


@pytest.mark.parametrize('case', NAMES, ids=repr)
def test_names_em_matched_in_another_case_are_kept(case, answers_run, accounts, issued, observe):
    run, sims, _uncapped = answers_run
    other, exact = run.item(case.id), run.item('names_exact')
    if other['status'] == 'ok':
        observe('ok: %d sessions (exact names: %d); warnings: %s'
                % (other['result']['count'], exact['result'].get('count', 0), other['result'].get('warnings') or 'none'))
    else:
        observe('failed: %s' % other['result'].get('msg'))
    result = success(other)
    assert result['count'] > 0 and _ids(result) == _ids(success(exact))
    assert not result.get('warnings')
    assert_no_sessions(sims[case.id])
    assert_clean(run, accounts, issued)
