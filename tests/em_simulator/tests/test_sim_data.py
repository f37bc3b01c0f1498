# The generated data looks like a real EM: result mix, running sessions in the newest day, reasons,
# sizes, restore point links, VmUid, fractional seconds, awkward names, daily job sessions and retries.
from __future__ import annotations

import collections
import datetime
import re
from xml.etree import ElementTree

import pytest

from sim_helpers import GUID, NS, query_all


def _time(text):
    whole, fraction = (text[:-1] + '.').split('.')[:2]
    value = datetime.datetime.strptime(whole, '%Y-%m-%dT%H:%M:%S')
    return value + datetime.timedelta(microseconds=int((fraction or '0').ljust(7, '0')) / 10.0)


@pytest.fixture(scope='module')
def tasks(sim, admin):
    return query_all(sim, admin)


@pytest.fixture(scope='module')
def job_sessions(sim, admin):
    return query_all(sim, admin, 'BackupJobSession')


def test_totals_and_result_mix(tasks, catalog):
    assert len(tasks) == catalog['total'] == 3000
    results = collections.Counter(task['Result'] for task in tasks)
    assert results == collections.Counter(catalog['counts']['by_result'])
    assert 0.05 <= results['Failed'] / 3000.0 <= 0.11
    assert 0.04 <= results['Warning'] / 3000.0 <= 0.10
    states = collections.Counter(task['State'] for task in tasks)
    assert states == collections.Counter(catalog['counts']['by_state'])
    assert 1 <= states['InProgress'] <= 6 and 1 <= states['Pending'] <= 8


def test_running_sessions_are_in_the_newest_day(tasks, catalog):
    now = _time(catalog['now'])
    for task in tasks:
        if task['State'] == 'Completed':
            assert task['EndTimeUTC'] is not None and _time(task['EndTimeUTC']) > _time(task['CreationTimeUTC'])
            assert task['Result'] in ('Success', 'Warning', 'Failed')
        else:
            assert task['EndTimeUTC'] is None and task['Result'] == 'None' and task['Reason'] == ''
            assert task['TotalSize'] == 0 and now - datetime.timedelta(days=1) < _time(task['CreationTimeUTC']) <= now
            assert 'Related' not in [link['Rel'] for link in task['Links']]


def test_reasons_sizes_and_restore_points(tasks):
    reasons = [task['Reason'] for task in tasks if task['Result'] in ('Failed', 'Warning')]
    assert all(reasons)
    assert any('\n' in reason for reason in reasons)
    assert any(reason.endswith(' ') for reason in reasons)
    assert any('\\' in reason and '[' in reason for reason in reasons)
    assert any('&' in reason and '<' in reason for reason in reasons)
    for task in tasks:
        related = [link for link in task['Links'] if link['Rel'] == 'Related']
        if task['Result'] == 'Success':
            assert task['Reason'] == ''
        if task['Result'] == 'Failed':
            assert task['TotalSize'] == 0 and not related
        if task['Result'] in ('Success', 'Warning'):
            assert task['TotalSize'] > 0 and task['TotalSize'] % (1024 ** 3) == 0
            assert len(related) == 1 and related[0]['Type'] == 'VmRestorePoint'
            assert related[0]['Href'].endswith('?format=Entity') and related[0]['Name'].startswith(task['VmDisplayName'] + '@')


def test_identities_names_and_times(tasks):
    vm_uids = {}
    digits = set()
    for task in tasks:
        assert re.match(r'^urn:VMware:Vm:%s\.vm-\d+$' % GUID, task['VmUid'])
        assert vm_uids.setdefault(task['VmDisplayName'], task['VmUid']) == task['VmUid']
        assert task['Name'] == '%s@%s' % (task['VmDisplayName'], task['CreationTimeUTC'][:19].replace('T', ' '))
        assert re.match(r'^urn:veeam:BackupTaskSession:%s$' % GUID, task['UID'])
        assert re.match(r'^urn:veeam:BackupJobSession:%s$' % GUID, task['JobSessionUid'])
        for value in (task['CreationTimeUTC'], task['EndTimeUTC']):
            if value:
                digits.add(len(value[:-1].partition('.')[2]))
                assert not re.search(r'\.\d*0Z$', value)  # trailing zeros are dropped
    assert digits == set(range(8))
    assert len(set(vm_uids.values())) == len(vm_uids)


def test_history_spans_45_days(tasks, catalog):
    created = sorted(_time(task['CreationTimeUTC']) for task in tasks)
    now = _time(catalog['now'])
    assert created[-1] <= now
    assert datetime.timedelta(days=40) <= now - created[0] <= datetime.timedelta(days=46)


def test_awkward_names(catalog):
    servers = [server['name'] for server in catalog['backup_servers']]
    assert 3 <= len(servers) <= 4 and all(name.count('.') >= 2 for name in servers)
    jobs = [job['name'] for job in catalog['jobs']]
    assert any('\\' in name for name in jobs) and any('"' in name for name in jobs)
    assert any(not name.isascii() for name in jobs) and any(' ' in name for name in jobs)
    vms = catalog['vm_names']
    assert vms == sorted(set(vms))
    for check in (lambda name: ' ' in name, lambda name: '_' in name, lambda name: '.' in name, lambda name: not name.isascii()):
        assert any(check(name) for name in vms)
    assert catalog['samples']['non_ascii_vm_name'] in vms


def test_daily_job_sessions_with_one_task_per_vm(tasks, job_sessions, catalog):
    by_session = collections.defaultdict(list)
    for task in tasks:
        by_session[task['JobSessionUid']].append(task['VmDisplayName'])
    per_job = collections.defaultdict(list)
    for session in job_sessions:
        assert session['UID'] in by_session
        names = by_session[session['UID']]
        assert len(names) == len(set(names))  # one task session per VM and job session
        if not session['IsRetry']:
            per_job[session['JobName']].append(session['CreationTimeUTC'][:10])
    assert set(per_job) == set(job['name'] for job in catalog['jobs'])
    for days in per_job.values():
        assert len(days) == len(set(days))  # one scheduled run a day
        assert 40 <= len(days) <= 45
    retried = catalog['samples']['retried_vm']
    assert len(retried['task_session_ids']) >= 2
    retries = [session for session in job_sessions if session['IsRetry']]
    assert retries and all(session['Result'] in ('Success', 'Warning', 'Failed') for session in retries)


def test_job_session_results_follow_their_tasks(tasks, job_sessions):
    order = {'Success': 0, 'Warning': 1, 'Failed': 2}
    worst = {}
    for task in tasks:
        if task['Result'] in order:
            worst[task['JobSessionUid']] = max(worst.get(task['JobSessionUid'], 0), order[task['Result']])
    for session in job_sessions:
        if session['State'] == 'Stopped':
            assert order[session['Result']] == worst[session['UID']]
            assert (session['FailureMessage'] is None) == (session['Result'] == 'Success')
        else:
            assert session['State'] == 'Working' and session['EndTimeUTC'] is None and session['Result'] == 'None'


def test_reasons_are_verbatim_in_xml_and_json(sim, admin, tasks):
    picked = [task for task in tasks if task['Reason'].endswith(' ') and '\n' in task['Reason']][:2]
    picked += [task for task in tasks if '&' in task['Reason'] and '<' in task['Reason']][:2]
    assert len(picked) == 4
    for task in picked:
        task_id = task['UID'].rsplit(':', 1)[1]
        root = ElementTree.fromstring(sim.get('/api/backupTaskSessions/%s?format=Entity' % task_id, admin).content)
        assert root.find('{%s}Reason' % NS).text == task['Reason']
