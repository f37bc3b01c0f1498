# -*- coding: utf-8 -*-
# Unit tests of the verdicts of many VMs (vm_verdicts.py) and of backup_vm_info's options and reading
# (backup_vm_search.py, with a fake session search and restore point reader): names asked for are never
# dropped, one name of two VMs gets the worse verdict, restore points are matched by UID and read only for
# the VMs they can change, and bad options fail before any request.

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils import backup_vm_search
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict import VerdictRules
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.vm_verdicts import (
    judge_identities,
    newest_point,
    summarize,
    verdicts_by_name,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict_options import verdict_selection

NOW = datetime(2025, 3, 14, 12, 0, 0, tzinfo=timezone.utc)
RULES = VerdictRules(now=NOW, max_age=86400, allow_warning=True, require_restore_point=True, fail_on_copy=False,
                     since=NOW - timedelta(days=7))


def at(hours_ago):
    return NOW - timedelta(hours=hours_ago)


def task(vm, hours_ago, result='Success', uid=None, job_type='Backup'):
    return {'id': '%s-%s-%s' % (vm, uid, hours_ago), 'vm_name': vm, 'vm_uid': uid, 'job_name': 'Nightly', 'job_type': job_type,
            'creation_time': at(hours_ago), 'state': 'Completed', 'result': result, 'reason': ''}


def point(vm, hours_ago, ref=None):
    return {'vm_name': vm, 'creation_time': at(hours_ago), 'hierarchy_ref': ref}


def test_every_name_asked_for_gets_a_verdict_in_its_order_and_spelling():
    sessions = [task('SQL01', 2), task('web01', 3, 'Failed')]
    verdicts = judge_identities(sessions, [point('sql01', 2)], RULES)
    by_name = verdicts_by_name(verdicts, ['web01', 'sql01 ', 'sql-prod-01x'], RULES)
    assert list(by_name) == ['web01', 'sql01 ', 'sql-prod-01x']
    assert [v['status'] for v in by_name.values()] == ['failed', 'ok', 'never']
    assert by_name['sql01 ']['vm_name'] == 'SQL01'
    assert by_name['sql-prod-01x']['vm_name'] == 'sql-prod-01x' and not by_name['sql-prod-01x']['protected']
    result = summarize(by_name)
    assert result['unprotected'] == ['web01', 'sql-prod-01x']
    assert result['counts'] == {'ok': 1, 'no_restore_point': 0, 'stale': 0, 'warning': 0, 'failed': 1, 'running': 0, 'never': 1}
    assert result['count'] == 3


def test_every_vm_of_the_window_by_its_own_name():
    verdicts = judge_identities([task('b', 2), task('A', 2)], [point('a', 1), point('B', 1)], RULES)
    assert list(verdicts_by_name(verdicts, None, RULES)) == ['A', 'b']


def test_one_name_of_two_vms_gets_the_worse_verdict_and_both_uids():
    sessions = [task('app', 2, uid='urn:VMware:Vm:x.vm-1'), task('app', 2, 'Failed', uid='urn:VMware:Vm:y.vm-1')]
    merged = verdicts_by_name(judge_identities(sessions, [point('app', 2)], RULES), ['app'], RULES)['app']
    assert merged['status'] == 'failed' and merged['vm_uid'] == 'urn:VMware:Vm:y.vm-1'
    assert merged['vm_uids'] == ['urn:VMware:Vm:x.vm-1', 'urn:VMware:Vm:y.vm-1']
    assert merged['reason'].startswith('2 VMs have this name; the worst: ')


def test_a_point_of_the_vms_own_uid_wins_over_a_newer_one_of_its_name():
    points = [point('app', 1, ref='urn:VMware:Vm:other.vm-9'), point('app', 30, ref='URN:VMware:Vm:x.vm-1')]
    assert newest_point(points, 'urn:VMware:Vm:x.vm-1')['creation_time'] == at(30)
    assert newest_point(points, None)['creation_time'] == at(1)
    assert newest_point(points, 'urn:VMware:Vm:z.vm-3')['creation_time'] == at(1)  # no point names it: by name
    assert newest_point([{'vm_name': 'app', 'creation_time': None}], None) is None


class Reader(object):
    def __init__(self, points):
        self.points = points
        self.calls = []

    def __call__(self, client, vm_names, computer_names, rules, every):
        self.calls.append((list(vm_names), list(computer_names), rules, every))
        return self.points


def test_restore_points_are_read_once_and_only_for_the_vms_they_can_change():
    sessions = [task('ok1', 2), task('bad', 2, 'Failed'), task('old', 40), task('nopoint', 2), task('PHYS-01', 3, job_type='AgentBackup')]
    reader = Reader([point('ok1', 2), point('old', 40), point('phys-01', 3)])
    by_name = backup_vm_search.judge_sessions(None, sessions, None, RULES, reader)
    # VMs and agent computers apart (they are different EM queries); every VM of the window is judged (no names)
    assert reader.calls == [(['nopoint', 'ok1'], ['PHYS-01'], RULES, True)]
    assert dict((name, v['status']) for name, v in by_name.items()) == {
        'PHYS-01': 'ok', 'bad': 'failed', 'nopoint': 'no_restore_point', 'ok1': 'ok', 'old': 'stale'}
    none = Reader([])
    backup_vm_search.judge_sessions(None, sessions, None, RULES._replace(require_restore_point=False), none)
    assert none.calls == []


class NewestPoints(object):
    """newest_restore_points as read_restore_points calls it: the newest point of each name since `since`."""

    def __init__(self, points):
        self.points = points
        self.calls = []

    def __call__(self, client, vm_names=(), computer_names=(), since=None, by_name=True):
        self.calls.append((list(vm_names), list(computer_names), since, by_name))
        answer = dict((name, None) for name in list(vm_names) + list(computer_names))
        for facts in self.points:
            name = facts['vm_name']
            if name in answer and (since is None or facts['creation_time'] >= since):
                if answer[name] is None or facts['creation_time'] > answer[name]['creation_time']:
                    answer[name] = facts
        return answer


@pytest.mark.parametrize('every', [False, True])
def test_points_within_max_age_first_then_the_window_for_the_machines_without(monkeypatch, every):
    newest = NewestPoints([point('ok1', 2), point('ok1', 30), point('old', 40), point('PHYS-01', 3), point('PHYS-01', 50)])
    monkeypatch.setattr(backup_vm_search, 'newest_restore_points', newest)
    points = backup_vm_search.read_restore_points(None, ['ok1', 'old', 'gone'], ['PHYS-01'], RULES, every)
    assert sorted((p['vm_name'], p['creation_time']) for p in points) == [('PHYS-01', at(3)), ('ok1', at(2)), ('old', at(40))]
    # the points that can protect (within max_age, by name filters unless every VM is judged), then the window's
    # newest point of the machines without one, by name: the verdict says how old it is
    assert newest.calls == [(['ok1', 'old', 'gone'], ['PHYS-01'], at(24), not every), (['old', 'gone'], [], RULES.since, True)]


def test_a_window_shorter_than_max_age_is_read_once(monkeypatch):
    newest = NewestPoints([point('old', 40)])
    monkeypatch.setattr(backup_vm_search, 'newest_restore_points', newest)
    rules = RULES._replace(since=at(48), max_age=7 * 86400)
    assert backup_vm_search.read_restore_points(None, ['old', 'gone'], [], rules, True)[0]['vm_name'] == 'old'
    assert newest.calls == [(['old', 'gone'], [], at(48), False)]


def test_read_vm_verdicts_reads_the_sessions_of_the_names_then_judges(monkeypatch):
    asked = []

    def search(client, search, export=True):
        asked.append((search.vm_names, search.since, search.job_types, export))
        return {'backup_task_sessions': [task('sql01', 3)]}
    monkeypatch.setattr(backup_vm_search, 'search_task_sessions', search)
    selection = verdict_selection({'vm_name': ['sql01', 'nothere'], 'since': '3d', 'max_age': '12h'}, now=NOW)
    result = backup_vm_search.read_vm_verdicts('client', selection, Reader([point('sql01', 3)]))
    assert asked == [(['sql01', 'nothere'], NOW - timedelta(days=3), [], False)]
    assert result['unprotected'] == ['nothere'] and result['vms']['sql01']['protected']
    assert result['settings']['max_age_seconds'] == 43200 and result['settings']['since'] == '2025-03-11T12:00:00Z'


@pytest.mark.parametrize('params, message', [
    ({'vm_name': []}, 'vm_name is an empty list'),
    ({'job_type': ['backupcopy']}, 'backup copy types only (BackupCopy)'),
    ({'since': '12h'}, 'starts less than max_age before now'),
    ({'max_age': '0h'}, 'max_age must be longer than zero'),
    ({'allow_warning': 'maybe'}, 'allow_warning'),
    ({'since': '2025-03-01T00:00:00'}, 'has no time zone'),
])
def test_bad_options_fail_before_any_request(params, message):
    with pytest.raises(EMInputError) as caught:
        verdict_selection(params, now=NOW)
    assert message in str(caught.value)


def test_defaults_and_survey_strings():
    selection = verdict_selection({'allow_warning': 'false', 'require_restore_point': 'no'}, now=NOW)
    assert selection.judged is None and selection.vm_names == []
    assert selection.rules == VerdictRules(now=NOW, max_age=86400, allow_warning=False, require_restore_point=False,
                                           fail_on_copy=False, since=NOW - timedelta(days=7))
