# -*- coding: utf-8 -*-
# The EDA source vbr.enterprise_manager.task_sessions driven through main(queue, args) against the strict fake
# EM transport: what each poll asks EM (the task session query, and the job session query for the job_type of
# sessions it has not seen), which sessions become events (once, oldest first), the logon session's
# life, faults that heal, and arguments refused before any request. The pause between polls is a test clock
# that records the requested delays and lets the next poll run only when the test releases it.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from ansible_collections.vbr.enterprise_manager.extensions.eda.plugins.event_source import task_sessions as source
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import CONNECTION_OPTIONS, OPTION_NAMES
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import session_poller
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.source_options import SOURCE_SELECTION
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import defaults
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMAuthenticationError, EMInputError
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import expect_job_sessions
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    JSON,
    PASSWORD,
    SESSION_ID,
    TOKEN,
    USERNAME,
    error_body,
    expect_logoff,
    expect_logon,
    guid,
    page,
    task_session,
)

SINCE = '2025-03-14T02:00:00Z'
CONNECTION = {'url': 'https://em.example.com', 'username': USERNAME, 'password': PASSWORD, 'retries': 0}


class Clock(object):
    """Stands in for asyncio.sleep between polls: records each delay and blocks until released."""

    def __init__(self):
        self.delays = []
        self._gate = None

    async def sleep(self, delay):
        self.delays.append(delay)
        self._gate = asyncio.get_running_loop().create_future()
        await self._gate

    def release(self):
        self._gate.set_result(None)


@pytest.fixture
def clock(monkeypatch, em, sleeps):
    clock = Clock()
    monkeypatch.setattr(session_poller, '_sleep', clock.sleep)
    monkeypatch.setattr(session_poller, '_client_args', {'adapter': em, 'sleep': sleeps.append})
    for option in ('URL', 'USERNAME', 'PASSWORD', 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT', 'RETRIES', 'API_VERSION', 'RESPONSE_FORMAT'):
        monkeypatch.delenv('VEEAM_EM_' + option, raising=False)
    return clock


def args(**overrides):
    values = dict(CONNECTION, since=SINCE, interval=30)
    values.update(overrides)
    return values


def query(filter_text, type_name='BackupTaskSession'):
    """A URL matcher for one query page with exactly this (decoded) filter."""
    def matches(url):
        params = parse_qs(urlsplit(url).query)
        return (url.startswith(BASE + '/api/query?') and params.get('type') == [type_name] and params.get('page') == ['1']
                and params.get('filter') == [filter_text])
    matches.pattern = '%s query with filter %s' % (type_name, filter_text)
    return matches


def window(start, results='(Result==Failed,Result==Warning)'):
    return '%s;EndTime>="%s"' % (results, start)


def failed(n, ended, vm=None, **kwargs):
    return task_session(n, vm=vm or 'vm%02d' % n, result='Failed', created='2025-03-14T01:50:00Z', ended=ended, **kwargs)


def expect_page(em, filter_text, entities, **kwargs):
    em.expect('GET', query(filter_text), **page(entities, **kwargs))


async def until(predicate):
    """Let the source run until predicate() holds (a guard against a hang, not a timing check)."""
    for _step in range(4000):
        if predicate():
            return
        await asyncio.sleep(0.005)
    raise AssertionError('the source never got there')


def drain(queue):
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


async def start(arguments, clock, polls=1):
    queue = asyncio.Queue()
    task = asyncio.ensure_future(source.main(queue, arguments))
    await until(lambda: len(clock.delays) >= polls or task.done())
    if task.done():
        task.result()  # raises what ended it
    return queue, task


async def first_poll(em, clock, arguments, entities, job_sessions=True):
    """Start the source with its logon and a first poll (window from SINCE) answered with entities, then (when
    job_sessions) the job session query for their parents: (queue, task, events)."""
    expect_logon(em)
    expect_page(em, window('2025-03-14T02:00:00Z'), entities)
    if job_sessions:
        expect_job_sessions(em)
    queue, task = await start(arguments, clock)
    return queue, task, drain(queue)


async def next_poll(clock, task):
    count = len(clock.delays)
    clock.release()
    await until(lambda: len(clock.delays) > count or task.done())


async def next_events(clock, task, queue):
    """Let the next poll run and take the events it put on the queue."""
    await next_poll(clock, task)
    return drain(queue)


async def stop(task, em=None):
    """Cancel the source as the engine does; with em, its logoff is expected first."""
    if em is not None:
        expect_logoff(em)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def ids(events):
    return [event['vbr_em']['id'] for event in events]


def test_events_are_the_finished_sessions_oldest_first_with_the_vm_as_host(em, clock):
    async def scenario():
        expect_logon(em)
        expect_page(em, window('2025-03-14T02:00:00Z'), [
            failed(2, '2025-03-14T02:30:00Z', vm='sql02'),
            failed(1, '2025-03-14T02:10:00.5Z', vm='sql01'),
            task_session(3, vm='sql03', state='InProgress', result='None', ended=None),
        ])
        expect_job_sessions(em)  # the parents of the new sessions, for their job_type and is_retry
        queue, task = await start(args(), clock)
        events = drain(queue)
        await stop(task, em)
        return events

    events = asyncio.run(scenario())
    assert ids(events) == [guid(1), guid(2)]  # the running one is not an event
    assert events[0]['meta'] == {'hosts': 'sql01'}
    facts = events[0]['vbr_em']
    assert facts['end_time'] == '2025-03-14T02:10:00.500000Z' and facts['result'] == 'Failed' and facts['vm_name'] == 'sql01'
    assert facts['job_name'] == 'Nightly SQL' and facts['uid'] == 'urn:veeam:BackupTaskSession:' + guid(1)
    assert facts['job_type'] == 'Backup' and facts['is_retry'] is False  # as one item of the info module
    assert clock.delays == [30]


def test_each_poll_rereads_the_overlap_window_and_sends_every_session_once(em, clock):
    async def scenario():
        expect_logon(em)  # one logon serves every poll
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(1, '2025-03-14T02:10:00Z'), failed(2, '2025-03-14T02:20:00Z')])
        expect_job_sessions(em)
        queue, task = await start(args(overlap=300), clock)
        first = drain(queue)
        # newest end 02:20:00 minus 300 s: session 2 comes again (deduplicated), session 3 was recorded late
        expect_page(em, window('2025-03-14T02:15:00Z'),
                    [failed(2, '2025-03-14T02:20:00Z'), failed(3, '2025-03-14T02:18:00Z'), failed(4, '2025-03-14T02:25:00Z')])
        expect_job_sessions(em)  # only the parents of 3 and 4: those of 1 and 2 are known
        second = await next_events(clock, task, queue)
        before_idle = len(em.calls)
        expect_page(em, window('2025-03-14T02:20:00Z'), [failed(4, '2025-03-14T02:25:00Z')])  # an idle poll: one request
        third = await next_events(clock, task, queue)
        idle = em.calls[before_idle:]
        await stop(task, em)
        return first, second, third, idle

    first, second, third, idle = asyncio.run(scenario())
    assert ids(first) == [guid(1), guid(2)]
    assert ids(second) == [guid(3), guid(4)]
    assert third == []
    assert [call.method for call in em.calls] == ['POST', 'GET', 'GET', 'GET', 'GET', 'GET', 'DELETE']
    assert 'type=BackupJobSession' in em.calls[4].url and em.calls[4].url.count('UID%3D%3D') == 2
    assert [parse_qs(urlsplit(call.url).query)['type'] for call in idle] == [['BackupTaskSession']]  # idle: one request


def test_a_session_seen_again_with_another_end_time_is_a_new_event(em, clock):
    async def scenario():
        queue, task, first = await first_poll(em, clock, args(overlap=600), [failed(1, '2025-03-14T02:10:00Z')])
        # the session's job session is known from the first poll: no job session query
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(1, '2025-03-14T02:10:00Z'), failed(1, '2025-03-14T02:12:00Z')])
        second = await next_events(clock, task, queue)
        await stop(task, em)
        return first, second

    first, second = asyncio.run(scenario())
    assert ids(first) == [guid(1)]
    assert [event['vbr_em']['end_time'] for event in second] == ['2025-03-14T02:12:00.000000Z']


def test_the_window_never_reaches_before_since_and_nothing_older_is_replayed(em, clock):
    async def scenario():
        # EM's filter and its clock can disagree with ours: a session that ended before since is still not an event
        queue, task, first = await first_poll(em, clock, args(overlap=3600), [failed(1, '2025-03-14T01:59:59Z')], job_sessions=False)
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(2, '2025-03-14T02:05:00Z')])
        expect_job_sessions(em)
        second = await next_events(clock, task, queue)
        # the watermark is 02:05 now; one hour of overlap still stops at since
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(2, '2025-03-14T02:05:00Z')])
        third = await next_events(clock, task, queue)
        await stop(task, em)
        return first, second, third

    first, second, third = asyncio.run(scenario())
    assert first == [] and ids(second) == [guid(2)] and third == []


def test_the_selection_is_filtered_by_em(em, clock):
    chosen = ('(VmDisplayName=="sql01",VmDisplayName=="web ""edge""");JobName=="Nightly SQL";Result==Failed'
              ';EndTime>="2025-03-14T02:00:00Z"')

    async def scenario():
        expect_logon(em)
        expect_page(em, chosen, [])
        queue, task = await start(args(results='failed', job_name='Nightly SQL', vm_name=['sql01', 'web "edge"']), clock)
        await stop(task, em)
        return drain(queue)

    assert asyncio.run(scenario()) == []


def test_cancellation_logs_off_also_while_waiting_for_the_queue(em, clock):
    async def scenario():
        expect_logon(em)
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(1, '2025-03-14T02:10:00Z'), failed(2, '2025-03-14T02:11:00Z')])
        expect_job_sessions(em)
        queue = asyncio.Queue(1)  # as ansible-rulebook's: the second put waits for the rules to take the first
        task = asyncio.ensure_future(source.main(queue, args()))
        await until(queue.full)
        await stop(task, em)
        return drain(queue)

    events = asyncio.run(scenario())
    assert ids(events) == [guid(1)]
    assert em.calls[-1].method == 'DELETE' and em.calls[-1].url == BASE + '/api/logonSessions/' + SESSION_ID


def test_a_fault_is_logged_without_secrets_retried_with_backoff_and_heals(em, clock, caplog):
    caplog.set_level(logging.DEBUG, logger='vbr.enterprise_manager.task_sessions')

    async def scenario():
        queue, task, first = await first_poll(em, clock, args(interval=10), [failed(1, '2025-03-14T02:10:00Z')])
        for _failure in range(3):
            body, content_type = error_body('The service is restarting.', 503)
            em.expect('GET', query(window('2025-03-14T02:08:00Z')), status=503, body=body, content_type=content_type)
            await next_poll(clock, task)
        expect_page(em, window('2025-03-14T02:08:00Z'), [failed(1, '2025-03-14T02:10:00Z'), failed(2, '2025-03-14T02:12:00Z')])
        expect_job_sessions(em)
        second = await next_events(clock, task, queue)
        await stop(task, em)
        return first, second

    first, second = asyncio.run(scenario())
    assert ids(first) == [guid(1)] and ids(second) == [guid(2)]
    assert clock.delays == [10, 10, 20, 40, 10]  # backoff after each failed poll, the interval again once healed
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4 and 'HTTP 503' in warnings[0] and 'The service is restarting' in warnings[0]
    assert 'works again after 3 failed poll(s)' in warnings[3]
    assert not any(r.exc_info for r in caplog.records)  # no traceback
    logged = caplog.text
    assert PASSWORD not in logged and TOKEN not in logged and SESSION_ID not in logged


def test_an_expired_logon_session_is_replaced_and_the_new_one_logged_off(em, clock):
    async def scenario():
        expect_logon(em)
        expect_page(em, window('2025-03-14T02:00:00Z'), [])
        queue, task = await start(args(), clock)
        em.expect('GET', query(window('2025-03-14T02:00:00Z')), status=401)  # EM expired the idle session
        expect_logon(em, token='bmV3LXRva2Vu', session_id=guid(9, prefix='0c5e2a1d'))
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(1, '2025-03-14T02:10:00Z')])
        expect_job_sessions(em)
        events = await next_events(clock, task, queue)
        expect_logoff(em, session_id=guid(9, prefix='0c5e2a1d'), token='bmV3LXRva2Vu')
        await stop(task)
        return events

    assert ids(asyncio.run(scenario())) == [guid(1)]


def test_a_first_logon_that_em_rejects_ends_the_source_at_start(em, clock):
    async def scenario():
        em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=401)
        await source.main(asyncio.Queue(), args())

    with pytest.raises(EMAuthenticationError, match='rejected the logon'):
        asyncio.run(scenario())
    assert clock.delays == []


@pytest.mark.parametrize('level, frames', [(logging.INFO, False), (logging.DEBUG, True)])
def test_the_error_that_ends_the_source_shows_its_frames_only_at_debug(em, clock, monkeypatch, level, frames):
    # ansible-rulebook logs every frame of a failed source's exception at ERROR; -vv sets DEBUG
    monkeypatch.setattr(logging.getLogger(session_poller.logger.name), 'level', level)
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=401)
    with pytest.raises(EMAuthenticationError) as caught:
        asyncio.run(source.main(asyncio.Queue(), args()))
    assert type(caught.value).__name__ == 'EMAuthenticationError'
    assert str(caught.value).startswith('Enterprise Manager rejected the logon of user')
    assert (caught.value.__traceback__ is not None) is frames
    shown = traceback.format_exception(type(caught.value), caught.value, caught.value.__traceback__)
    assert (len(shown) > 1) is frames, shown


def test_a_rejected_logon_later_is_retried_like_any_fault(em, clock):
    async def scenario():
        expect_logon(em)
        expect_page(em, window('2025-03-14T02:00:00Z'), [])
        queue, task = await start(args(), clock)
        em.expect('GET', query(window('2025-03-14T02:00:00Z')), status=401)
        em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=401)  # the password was changed meanwhile
        await next_poll(clock, task)
        await stop(task)  # nobody is logged on: nothing to log off
        return task

    asyncio.run(scenario())
    assert clock.delays == [30, 30]


def test_job_type_is_matched_on_the_job_sessions_read_once(em, clock):
    backup, copy = guid(1, prefix='b82e6d04'), guid(2, prefix='b82e6d04')

    def job_sessions(*pairs):
        entities = [{'UID': 'urn:veeam:BackupJobSession:' + uid, 'Type': 'BackupJobSession', 'JobType': job_type} for uid, job_type in pairs]
        return {'status': 200, 'content_type': JSON, 'body': json.dumps({
            'Refs': None, 'Links': None, 'Resources': None,
            'Entities': {'BackupJobSessions': {'BackupJobSessions': entities}},
            'PagingInfo': {'Links': [], 'PageNum': 1, 'PageSize': 1000, 'PagesCount': 1}})}

    uid_filter = '(UID=="urn:veeam:BackupJobSession:%s",UID=="urn:veeam:BackupJobSession:%s")' % (backup, copy)

    async def scenario():
        expect_logon(em)
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(1, '2025-03-14T02:10:00Z', job_session=backup),
                                                         failed(2, '2025-03-14T02:11:00Z', job_session=copy)])
        em.expect('GET', query(uid_filter, type_name='BackupJobSession'), **job_sessions((backup, 'Backup'), (copy, 'BackupCopy')))
        queue, task = await start(args(job_type=['backup'], overlap=3600), clock)
        first = drain(queue)
        # the next poll knows both job sessions: no job session query
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(1, '2025-03-14T02:10:00Z', job_session=backup),
                                                         failed(2, '2025-03-14T02:11:00Z', job_session=copy),
                                                         failed(3, '2025-03-14T02:12:00Z', job_session=backup)])
        second = await next_events(clock, task, queue)
        await stop(task, em)
        return first, second

    first, second = asyncio.run(scenario())
    assert ids(first) == [guid(1)] and ids(second) == [guid(3)]
    assert first[0]['vbr_em']['job_type'] == 'Backup' and second[0]['vbr_em']['job_type'] == 'Backup'


def test_a_session_whose_job_session_em_does_not_return_is_logged_and_an_event_with_job_type_null(em, clock, caplog):
    caplog.set_level(logging.DEBUG, logger='vbr.enterprise_manager.task_sessions')

    async def scenario():
        expect_logon(em)
        expect_page(em, window('2025-03-14T02:00:00Z'), [failed(1, '2025-03-14T02:10:00Z')])
        expect_job_sessions(em, job_sessions=[])  # EM returns no job session for its UID
        queue, task = await start(args(), clock)
        events = drain(queue)
        await stop(task, em)
        return events

    events = asyncio.run(scenario())
    assert ids(events) == [guid(1)]
    assert events[0]['vbr_em']['job_type'] is None and events[0]['vbr_em']['is_retry'] is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and 'did not return the job session of 1 new task session' in warnings[0]
    assert guid(1) in warnings[0] and guid(1, prefix='b82e6d04') in warnings[0]
    logged = caplog.text
    assert PASSWORD not in logged and TOKEN not in logged and SESSION_ID not in logged


def test_connection_arguments_fall_back_to_the_environment(em, clock, monkeypatch):
    monkeypatch.setenv('VEEAM_EM_URL', 'https://em.example.com')
    monkeypatch.setenv('VEEAM_EM_USERNAME', USERNAME)
    monkeypatch.setenv('VEEAM_EM_PASSWORD', PASSWORD)
    monkeypatch.setenv('VEEAM_EM_VALIDATE_CERTS', 'false')

    async def scenario():
        expect_logon(em)
        expect_page(em, window('2025-03-14T02:00:00Z'), [])
        # an empty value counts as absent: an EDA credential without a CA injects ''
        queue, task = await start({'since': SINCE, 'url': None, 'ca_path': ''}, clock)
        await stop(task, em)

    asyncio.run(scenario())
    assert em.calls[0].verify is False
    assert clock.delays == [60]  # the default interval


@pytest.mark.parametrize('bad, message', [
    ({'result': ['Failed']}, 'Unknown argument.*result.*Known:.*results'),
    ({'results': ['Broken']}, "results value 'Broken' is not known"),
    ({'results': []}, 'results argument is empty'),
    ({'interval': 0}, 'interval argument must be greater than 0'),
    ({'interval': 'often'}, 'interval argument must be a number'),
    ({'interval': True}, 'interval argument must be a number'),
    ({'interval': 'nan'}, 'interval argument must be greater than 0'),
    ({'overlap': -1}, 'overlap option must be at least 0'),
    ({'since': '2025-03-14 02:00'}, 'since value .* has no time zone'),
    ({'job_type': 'Replica'}, "job_type value 'Replica' is not a job type Enterprise Manager documents"),
    ({'vm_name': ['']}, 'vm_name option contains an empty value'),
    ({'url': 'em.example.com'}, 'has no scheme'),
    ({'password': None}, 'No password given'),
    ({'validate_certs': 'maybe'}, 'Bad connection option: .*validate_certs.*bool'),
    ({'timeout': 'soon'}, 'Bad connection option: .*timeout.*int'),
    ({'vm_name': ['vm-%04d-%s' % (n, 'x' * 40) for n in range(400)], 'job_name': ['j%03d-%s' % (n, 'y' * 40) for n in range(400)]},
     'longer than the 5800 characters'),
])
def test_bad_arguments_fail_at_start_before_any_request(em, clock, bad, message):
    with pytest.raises(EMInputError, match=message):
        asyncio.run(source.main(asyncio.Queue(), args(**bad)))
    assert em.calls == [] and clock.delays == []


def test_the_documented_arguments_are_the_connection_table_and_the_source_defaults():
    options = yaml.safe_load(source.DOCUMENTATION)['options']
    for option in CONNECTION_OPTIONS:
        documented = options[option.name]
        assert (documented['type'], documented.get('default'), documented.get('choices')) == \
            (option.type, option.default, list(option.choices) if option.choices else None), option.name
        assert option.env in ' '.join(documented['description']), option.name
    selection = set(options) - set(OPTION_NAMES)
    assert selection == set(SOURCE_SELECTION.names)
    assert dict((name, options[name].get('default')) for name in selection) == defaults(SOURCE_SELECTION.options)
