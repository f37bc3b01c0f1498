# -*- coding: utf-8 -*-
# Unit tests of the verdict (verdict.py): every status, the precedence between them, copies beside the
# backups, restore points as evidence, and the status table of docs/verdict.md kept in step with STATUSES.

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_fact_time
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.verdict import (
    FAILED,
    NEVER,
    NO_RESTORE_POINT,
    OK,
    RUNNING,
    STALE,
    STATUSES,
    WARNING,
    VerdictRules,
    judge_vm,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.vm_verdicts import export_verdict

NOW = datetime(2025, 3, 14, 12, 0, 0, tzinfo=timezone.utc)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def rules(**changes):
    values = dict(now=NOW, max_age=86400, allow_warning=True, require_restore_point=True, fail_on_copy=False,
                  since=NOW - timedelta(days=7))
    values.update(changes)
    return VerdictRules(**values)


def at(hours_ago):
    return NOW - timedelta(hours=hours_ago)


def task(hours_ago, result='Success', job_type='Backup', state='Completed', reason='', n=None):
    return {'id': 'id-%s-%s' % (hours_ago, job_type if n is None else n), 'vm_name': 'sql01', 'vm_uid': 'urn:VMware:Vm:a.vm-1',
            'job_name': 'Copy' if job_type.endswith('Copy') or 'Copy' in job_type else 'Nightly', 'job_type': job_type,
            'creation_time': at(hours_ago), 'state': state, 'result': 'None' if state != 'Completed' else result,
            'reason': reason}


def point(hours_ago):
    return {'vm_name': 'sql01', 'creation_time': NOW - timedelta(hours=hours_ago), 'point_type': 'Increment'}


def test_ok_needs_a_fresh_success_and_a_fresh_restore_point():
    verdict = judge_vm([task(5), task(29, 'Failed')], point(5), rules())
    assert (verdict['status'], verdict['protected'], verdict['copy_failed']) == (OK, True, False)
    assert verdict['last_success_time'] == at(5)
    assert verdict['age_seconds'] == 5 * 3600
    assert verdict['last_restore_point_time'] == at(5)
    assert verdict['latest']['creation_time'] == at(5)
    assert verdict['restore_point']['creation_time'] == at(5)
    exported = export_verdict(verdict)  # the text where the verdict leaves the collection
    assert exported['last_success_time'] == exported['restore_point']['creation_time'] == format_fact_time(at(5))
    assert exported['latest']['creation_time'] == format_fact_time(at(5)) and exported['latest_copy'] is None
    assert verdict['reason'] == ('the newest backup (job Nightly, started 2025-03-14T07:00:00Z, 5h ago) succeeded; '
                                 'restore point created 2025-03-14T07:00:00Z (5h ago)')


def test_never_without_a_primary_session_even_with_copies():
    assert judge_vm([], None, rules())['status'] == NEVER
    only_copies = judge_vm([task(2, job_type='BackupCopy')], point(2), rules())
    assert (only_copies['status'], only_copies['protected']) == (NEVER, False)
    assert 'only backup copy' in only_copies['reason']
    assert only_copies['latest'] is None and only_copies['latest_copy']['job_type'] == 'BackupCopy'


def test_a_newer_failure_outweighs_an_older_success_within_max_age():
    verdict = judge_vm([task(2, 'Failed', reason='Disk\n  full'), task(10)], point(10), rules())
    assert (verdict['status'], verdict['protected']) == (FAILED, False)
    assert verdict['reason'].endswith('ended Failed: Disk full; last success started 2025-03-14T02:00:00Z (10h ago)')
    assert verdict['last_success_time'] == at(10)  # still reported


def test_a_copy_after_a_failed_backup_does_not_hide_it():
    verdict = judge_vm([task(1, job_type='BackupCopy'), task(3, 'Failed')], point(30), rules())
    assert verdict['status'] == FAILED
    assert verdict['latest']['result'] == 'Failed' and verdict['latest_copy']['result'] == 'Success'


def test_warning_is_protected_only_with_allow_warning():
    allowed = judge_vm([task(3, 'Warning')], point(3), rules())
    refused = judge_vm([task(3, 'Warning'), task(20)], point(3), rules(allow_warning=False))
    assert (allowed['status'], allowed['protected']) == (WARNING, True)
    assert (refused['status'], refused['protected']) == (WARNING, False)
    assert 'ended Warning (warnings do not count as success); last success started 2025-03-13T16:00:00Z' in refused['reason']
    assert refused['last_success_time'] == at(20)  # a Warning is no success then


def test_stale_before_no_restore_point_and_a_stale_warning_is_stale():
    assert judge_vm([task(30)], None, rules())['status'] == STALE
    assert judge_vm([task(30, 'Warning')], point(30), rules())['status'] == STALE
    assert judge_vm([task(30)], point(1), rules(max_age=31 * 3600))['status'] == OK


def test_no_restore_point_when_none_or_only_old_ones_exist():
    none = judge_vm([task(2)], None, rules())
    old = judge_vm([task(2)], point(40), rules())
    assert (none['status'], old['status']) == (NO_RESTORE_POINT, NO_RESTORE_POINT)
    assert 'no restore point' in none['reason'] and 'longer ago than max_age 1d' in old['reason']
    assert old['last_restore_point_time'] == at(40)
    assert judge_vm([task(2)], None, rules(require_restore_point=False))['status'] == OK


def test_running_replaces_only_an_unprotected_status():
    retry = judge_vm([task(1, state='InProgress'), task(2, 'Failed')], None, rules())
    first = judge_vm([task(1, state='Pending')], None, rules())
    stale = judge_vm([task(1, state='InProgress'), task(40)], point(40), rules())
    covered = judge_vm([task(1, state='InProgress'), task(5)], point(5), rules())
    assert [v['status'] for v in (retry, first, stale, covered)] == [RUNNING, RUNNING, RUNNING, OK]
    assert retry['reason'].startswith('a backup (job Nightly, started 2025-03-14T11:00:00Z, 1h ago) is InProgress; until it ends: '
                                      'the newest backup (job Nightly, started 2025-03-14T10:00:00Z, 2h ago) ended Failed')
    assert 'no primary backup task session has finished yet' in first['reason']
    assert covered['latest']['state'] == 'InProgress'  # the newest primary session, running


def test_copy_failed_is_beside_the_status_unless_fail_on_copy():
    sessions = [task(1, 'Failed', job_type='ImmediateBackupCopyWorker', reason='Target offline'), task(3)]
    beside = judge_vm(sessions, point(3), rules())
    strict = judge_vm(sessions, point(3), rules(fail_on_copy=True))
    assert (beside['status'], beside['protected'], beside['copy_failed']) == (OK, True, True)
    assert (strict['status'], strict['protected'], strict['copy_failed']) == (FAILED, False, True)
    assert 'backup copy' in strict['reason'] and 'Target offline' in strict['reason']
    # a copy that runs now: the newest finished copy decides copy_failed
    running_copy = dict(task(0, job_type='BackupCopy', state='InProgress'), id='running-copy')
    assert judge_vm([running_copy] + sessions, point(3), rules())['copy_failed'] is True


def test_an_undocumented_result_is_a_failure_and_reasons_are_one_short_line():
    verdict = judge_vm([task(2, 'Unknown', reason='x' * 500)], point(2), rules())
    assert verdict['status'] == FAILED
    assert '\n' not in verdict['reason'] and len(verdict['reason']) < 330


def _doc_table():
    text = open(os.path.join(ROOT, 'docs', 'verdict.md'), encoding='utf-8').read()
    table = text.split('<!-- BEGIN status table', 1)[1].split('<!-- END status table', 1)[0]
    rows = [line for line in table.splitlines() if line.startswith('| `')]
    return [tuple(cell.strip().strip('`') for cell in row.strip('|').split(' | ')) for row in rows]


def test_the_docs_table_is_the_code_table():
    assert _doc_table() == [tuple(row) for row in STATUSES]


@pytest.mark.parametrize('status', [row[0] for row in STATUSES])
def test_every_status_is_reachable(status):
    cases = {
        NEVER: ([], None, {}), RUNNING: ([task(1, state='InProgress')], None, {}), FAILED: ([task(1, 'Failed')], None, {}),
        WARNING: ([task(1, 'Warning')], point(1), {}), STALE: ([task(30)], point(30), {}),
        NO_RESTORE_POINT: ([task(1)], None, {}), OK: ([task(1)], point(1), {}),
    }
    sessions, restore_point, changes = cases[status]
    assert judge_vm(sessions, restore_point, rules(**changes))['status'] == status
    assert re.match(r'^[a-z_]+$', status)
