#!/usr/bin/env python
# The EDA source vbr.enterprise_manager.task_sessions against the running simulator, in-process through
# its main(queue, args) as ansible-rulebook calls it (no rulebook engine: the figures are the source's own).
# Measures the requests of an idle poll (simulator counters over several polls with nothing new) and the
# time from a task session's end (its EndTime, as the simulator records it) to its event on the queue:
# sessions made through POST /__simulator/task-sessions at phases spread evenly over the poll interval.
# Prints one JSON line; exit code 1 when the run is wrong (an event missing or repeated, not one logon,
# a logon session left).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Requests per idle poll and session end to event time of the EDA source."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import datetime

import requests


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--collections-root', required=True, help='the directory holding ansible_collections/')
    parser.add_argument('--url', required=True)
    parser.add_argument('--username', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--interval', type=float, default=5.0, help='the source interval in seconds (default 5)')
    parser.add_argument('--idle-polls', type=int, default=3, help='idle polls counted (default 3)')
    parser.add_argument('--sessions', type=int, default=6, help='sessions made, one at a time (default 6)')
    return parser.parse_args(argv)


class Simulator(object):
    """The simulator's control endpoints (plain HTTP, 127.0.0.1)."""

    def __init__(self, url):
        self.url = url

    def stats(self):
        return requests.get(self.url + '/__simulator/stats', timeout=30).json()

    def finish(self, vm_name):
        """A failed task session that ends now; its id and end time (epoch seconds)."""
        response = requests.post(self.url + '/__simulator/task-sessions', timeout=30,
                                 json={'vm_name': vm_name, 'job_name': 'Bench EDA', 'result': 'Failed', 'run_seconds': 0})
        response.raise_for_status()
        body = response.json()
        return body['id'], datetime.fromisoformat(body['end_time'].replace('Z', '+00:00')).timestamp()


async def _until(predicate, bound):
    """Wait until predicate() holds (bound: a guard against a hang)."""
    deadline = time.monotonic() + bound
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError('gave up waiting after %.0f s' % bound)
        await asyncio.sleep(0.01)


async def measure(args, source, poller):
    polls = []  # when each poll ended (the source then sleeps)
    real_sleep = poller._sleep

    async def counting_sleep(delay):
        polls.append(time.monotonic())
        await real_sleep(delay)

    poller._sleep = counting_sleep
    sim = Simulator(args.url)
    before = sim.stats()
    queue = asyncio.Queue()
    task = asyncio.ensure_future(source.main(queue, {'url': args.url, 'username': args.username, 'password': args.password,
                                                     'interval': args.interval, 'results': ['Failed']}))
    bound = 10 * args.interval + 60
    try:
        await _until(lambda: polls or task.done(), bound)
        first = len(polls)
        idle_start = sim.stats()
        await _until(lambda: len(polls) >= first + args.idle_polls or task.done(), bound)
        idle_end = sim.stats()
        idle_polls = len(polls) - first
        delays, matched = [], 0
        for index in range(args.sessions):
            # the session ends at an even share of the interval after a poll (the one that just ended, or the one
            # that delivered the previous event), so the phases cover the whole cycle
            await asyncio.sleep((index + 0.5) / args.sessions * args.interval)
            session_id, ended = sim.finish('bench-eda-%d' % index)
            event = await asyncio.wait_for(queue.get(), bound)
            delays.append(time.time() - ended)
            matched += event['vbr_em']['id'] == session_id
        polled = len(polls)
        await _until(lambda: len(polls) > polled + 1 or task.done(), bound)  # the overlap re-read: nothing again
        repeated = queue.qsize()
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        poller._sleep = real_sleep
    after = sim.stats()
    return {
        'mode': 'in-process source, main(queue, args); no rulebook engine',
        'interval_s': args.interval,
        'idle_polls': idle_polls,
        'requests_per_idle_poll': round((idle_end['requests'] - idle_start['requests']) / float(idle_polls), 2),
        'end_to_event_s': [round(delay, 3) for delay in delays],
        'end_to_event_median_s': round(statistics.median(delays), 3),
        'end_to_event_mean_s': round(statistics.mean(delays), 3),
        'end_to_event_max_s': round(max(delays), 3),
        'sessions': args.sessions,
        'events_matched': matched,
        'events_repeated': repeated,
        'polls': len(polls),
        'logons': after['logons'] - before['logons'],
        'logoffs': after['logoffs'] - before['logoffs'],
        'active_sessions_after': after['active_sessions'],
    }


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, args.collections_root)
    # the source file and its poller as the installed collection has them
    from ansible_collections.vbr.enterprise_manager.extensions.eda.plugins.event_source import task_sessions as source
    from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import session_poller as poller
    result = asyncio.run(measure(args, source, poller))
    ok = (result['events_matched'] == args.sessions and not result['events_repeated'] and result['logons'] == 1
          and result['logoffs'] == 1 and not result['active_sessions_after'])
    result['exit_code'] = 0 if ok else 1
    sys.stdout.write(json.dumps(result) + '\n')
    return result['exit_code']


if __name__ == '__main__':
    sys.exit(main())
