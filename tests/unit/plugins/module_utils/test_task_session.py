# -*- coding: utf-8 -*-
# Unit tests of the task session normaliser and the fields projection.

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import parse_response
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import TASK_SESSION_URN, id_from_href, parse_object_id
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import (
    TASK_SESSION_KEYS,
    TASK_SESSIONS,
    normalize_task_session,
    project,
    validate_fields,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import parse_em_time
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    EM_HOST,
    SERVER_ID,
    SERVER_NAME,
    entity_body,
    guid,
    task_session,
)

FORMATS = ('xml', 'json', 'camel')


def facts_of(data, fmt='xml'):
    # as the facts leave the collection: times as text
    return TASK_SESSIONS.export(normalize_task_session(parse_response(*entity_body(data, fmt)).data))


@pytest.mark.parametrize('fmt', FORMATS)
def test_completed_session(fmt):
    facts = facts_of(task_session(1), fmt)
    assert facts == {
        'id': guid(1),
        'uid': TASK_SESSION_URN + guid(1),
        'name': 'ledgerdb01@2025-03-14 02:17:41',
        'href': '%s/api/backupTaskSessions/%s?format=Entity' % (EM_HOST, guid(1)),
        'vm_name': 'ledgerdb01',
        'vm_uid': 'urn:VMware:Vm:7a93d0c4-5e16-4f28-a9b1-c4e87f2d5036.vm-3051',
        'job_name': 'Nightly SQL',
        'job_session_id': guid(1, 'b82e6d04'),
        'job_session_uid': 'urn:veeam:BackupJobSession:' + guid(1, 'b82e6d04'),
        'job_session_name': 'Nightly SQL@2025-03-14 02:16:58',
        'job_type': None,  # the job session's: filled in by job_sessions.JobSessionTypes
        'is_retry': None,
        'backup_server_id': SERVER_ID,
        'backup_server_name': SERVER_NAME,
        'creation_time': '2025-03-14T02:17:41.380000Z',
        'end_time': '2025-03-14T02:19:05.910000Z',
        'duration_seconds': 84.53,
        'state': 'Completed',
        'result': 'Success',
        'reason': '',
        'total_size': 9663676416,
        'restore_point_id': 'd6c2a815-4e9f-4b03-8c7a-0f51e93b26d4',
    }
    assert tuple(facts) == TASK_SESSION_KEYS


@pytest.mark.parametrize('fmt', FORMATS)
def test_running_session(fmt):
    facts = facts_of(task_session(2, state='InProgress', result='None', ended=None, total_size=0, restore_point=None), fmt)
    assert facts['end_time'] is None and facts['duration_seconds'] is None
    assert facts['state'] == 'InProgress' and facts['result'] == 'None'
    assert facts['total_size'] == 0 and facts['restore_point_id'] is None


@pytest.mark.parametrize('fmt', FORMATS)
def test_failed_session_without_vm_uid_or_restore_point(fmt):
    reason = 'Hard disk 1 (0 B) \\\\srv\\share [x] \n second line  '
    facts = facts_of(task_session(3, result='Failed', reason=reason, total_size=0, vm_uid=None, restore_point=None), fmt)
    assert facts['reason'] == reason
    assert facts['vm_uid'] is None and facts['restore_point_id'] is None
    assert facts['result'] == 'Failed'


@pytest.mark.parametrize('fmt', FORMATS)
def test_unknown_enums_pass_through(fmt):
    facts = facts_of(task_session(4, state='Stopping', result='Cancelled'), fmt)
    assert (facts['state'], facts['result']) == ('Stopping', 'Cancelled')


def test_identical_facts_in_all_formats():
    data = task_session(5, vm='web "01" \\ x', job='Night@Copy', created='2025-08-15T20:00:24.0034067Z', ended='2025-08-15T21:00:00Z',
                        reason='Warning: slow  ')
    assert facts_of(data, 'xml') == facts_of(data, 'json') == facts_of(data, 'camel')


@pytest.mark.parametrize('created, ended, start_text, seconds', [
    ('2016-02-27T11:52:08Z', '2016-02-27T12:09:03Z', '2016-02-27T11:52:08.000000Z', 1015.0),
    ('2025-03-14T02:17:41.5Z', '2025-03-14T02:17:42Z', '2025-03-14T02:17:41.500000Z', 0.5),
    ('2025-08-15T20:00:24.003406Z', '2025-08-15T20:00:25.0034067Z', '2025-08-15T20:00:24.003406Z', 1.0),
    ('2025-08-15T20:00:24.1234567Z', '2025-08-15T20:00:24Z', '2025-08-15T20:00:24.123456Z', 0.0),
])
def test_times_and_durations(created, ended, start_text, seconds):
    facts = facts_of(task_session(6, created=created, ended=ended))
    assert facts['creation_time'] == start_text
    assert facts['duration_seconds'] == seconds
    assert facts['duration_seconds'] >= 0


@pytest.mark.parametrize('fmt', FORMATS)
def test_times_are_fixed_width_so_text_order_is_time_order(fmt):
    # 0 to 7 fractional digits from EM; '...:09Z' must not sort after '...:09.5Z' as text
    sent = ['2025-08-15T20:00:09Z', '2025-08-15T20:00:09.5Z', '2025-08-15T20:00:09.04Z', '2025-08-15T20:00:10Z',
            '2025-08-15T20:00:09.1234567Z', '2025-08-15T20:00:08.999Z']
    facts = [facts_of(task_session(n, created=created, ended=created), fmt) for n, created in enumerate(sent)]
    for key in ('creation_time', 'end_time'):
        texts = [item[key] for item in facts]
        assert all(re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$', text) for text in texts), texts
        assert sorted(texts) == [item[key] for item in sorted(facts, key=lambda item: parse_em_time(item[key]))]
    assert facts[0]['creation_time'] == '2025-08-15T20:00:09.000000Z'
    assert facts[4]['creation_time'] == '2025-08-15T20:00:09.123456Z'


@pytest.mark.parametrize('ended', ['1753-01-01T00:00:00Z', '1900-01-01T00:00:00Z'])  # SQL Server's, VBR's own
def test_sentinel_end_time_is_unset(ended):
    facts = facts_of(task_session(7, ended=ended))
    assert facts['end_time'] is None and facts['duration_seconds'] is None


def test_job_name_is_the_part_before_the_last_at():
    facts = facts_of(task_session(8, job='Copy@Site B'))
    assert facts['job_name'] == 'Copy@Site B'
    assert facts['job_session_name'] == 'Copy@Site B@2025-03-14 02:16:58'


def test_missing_links_give_nulls():
    facts = normalize_task_session({'UID': TASK_SESSION_URN + guid(9), 'State': 'Completed'})
    assert facts['id'] == guid(9)
    for key in ('job_name', 'job_session_id', 'backup_server_id', 'backup_server_name', 'restore_point_id', 'total_size', 'vm_name'):
        assert facts[key] is None
    assert facts['reason'] == ''


def test_id_from_href():
    assert id_from_href('https://x:9398/api/vmRestorePoints/abc?format=Entity') == 'abc'
    assert id_from_href('https://x:9398/api/backupServers/abc/') == 'abc'
    assert id_from_href(None) is None


@pytest.mark.parametrize('value', ['5B7E3C1A-9D24-4f6e-8a31-c2d40e6f9b17', 'urn:veeam:BackupTaskSession:5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17',
                                   ' URN:VEEAM:BACKUPTASKSESSION:5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17 '])
def test_parse_object_id(value):
    assert parse_object_id(value, TASK_SESSION_URN, 'id') == '5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17'


@pytest.mark.parametrize('value', ['5b7e3c1a9d244f6e8a31c2d40e6f9b17',
                                   '5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b1', '', None, '../x', '5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17;x'])
def test_bad_object_ids(value):
    with pytest.raises(EMInputError, match='not a valid ID'):
        parse_object_id(value, TASK_SESSION_URN, 'id')


@pytest.mark.parametrize('value, option, prefix, use', [
    ('urn:veeam:BackupJobSession:5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17', 'id', TASK_SESSION_URN, 'job_session_id'),
    ('URN:VEEAM:VmRestorePoint:5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17', 'id', TASK_SESSION_URN, 'job_session_id'),
    ('urn:veeam:BackupTaskSession:5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17', 'job_session_id', 'urn:veeam:BackupJobSession:', 'the id option'),
])
def test_the_uid_of_another_kind_of_object_names_the_option_to_use(value, option, prefix, use):
    with pytest.raises(EMInputError) as raised:
        parse_object_id(value, prefix, option)
    message = str(raised.value)
    assert message.startswith('The %s value %r is the UID of another kind of EM object, not %s<GUID>.' % (option, value, prefix))
    assert use in raised.value.hint


def test_fields():
    assert validate_fields(None) == list(TASK_SESSION_KEYS)
    assert validate_fields(['result', 'vm_name']) == ['vm_name', 'result']
    with pytest.raises(EMInputError, match="'vmname'"):
        validate_fields(['vmname'])
    facts = facts_of(task_session(1))
    assert project(facts, ['vm_name', 'result']) == {'vm_name': 'ledgerdb01', 'result': 'Success'}
    assert project(facts, list(TASK_SESSION_KEYS)) == facts


UTC = timezone.utc


def build_task_session_filter(uids=(), **criteria):
    """The filter of a selection with these attributes (UIDs given with their URN), as the module's reader builds it."""
    ended_since = criteria.pop('ended_since', None)
    criteria['raw_filter'] = criteria.pop('raw', None)
    ids = [uid[len(TASK_SESSION_URN):] for uid in uids]
    return TASK_SESSIONS.filter_text(Selection(dict(criteria, ids=ids)), ended_since=ended_since)


def test_full_filter():
    text = build_task_session_filter(
        vm_names=['db 1', 'web"2'], job_names=['Job A'], backup_server_names=['vbr01'], states=['Completed'],
        results=['Failed', 'Warning'], job_session_uids=['urn:veeam:BackupJobSession:x'], uids=['urn:veeam:BackupTaskSession:1'],
        since=datetime(2025, 8, 15, 6, 0, tzinfo=UTC), until=datetime(2025, 8, 16, 13, 0, 0, 500000, tzinfo=UTC),
        raw='TotalSize>0,Reason!=""')
    assert text == ('UID=="urn:veeam:BackupTaskSession:1";JobSessionUid=="urn:veeam:BackupJobSession:x";'
                    '(VmDisplayName=="db 1",VmDisplayName=="web""2");JobName=="Job A";BackupServerName=="vbr01";'
                    'State==Completed;(Result==Failed,Result==Warning);CreationTime>="2025-08-15T06:00:00Z";'
                    'CreationTime<"2025-08-16T13:00:00.500001Z";(TotalSize>0,Reason!="")')


def test_ended_since_selects_on_the_end_time_before_the_raw_group():
    text = build_task_session_filter(results=['Failed'], ended_since=datetime(2025, 3, 14, 2, 0, 0, 250000, tzinfo=UTC), raw='TotalSize>0')
    assert text == 'Result==Failed;EndTime>="2025-03-14T02:00:00.250000Z";(TotalSize>0)'


def test_no_criteria_no_filter():
    assert build_task_session_filter() == ''
