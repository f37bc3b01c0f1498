#!/usr/bin/env python
# Does prefetching the next query page pay? Lists every task session of the EM simulator in this
# process as the info module does (task_session_selection + search_task_sessions on an EMClient), with the
# pager's prefetch on and forced off, runs interleaved so drift of the machine hits both alike, best
# of --runs. Prints a Markdown table (the figures of docs/design.md, "Prefetching the next page").
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wall time of a full listing with and without prefetching the next page."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)

from benchlib.cases import PASSWORD, USERNAME  # noqa: E402
from benchlib.simulator import Simulator  # noqa: E402

NOW = '2025-10-12T14:00:00Z'


def collection_root():
    """A directory holding ansible_collections/vbr/enterprise_manager -> this work tree."""
    root = tempfile.mkdtemp(prefix='prefetch-bench-')
    os.makedirs(os.path.join(root, 'ansible_collections', 'vbr'))
    os.symlink(REPO, os.path.join(root, 'ansible_collections', 'vbr', 'enterprise_manager'))
    return root


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--sessions', type=int, default=10000)
    parser.add_argument('--latency-ms', type=int, nargs='+', default=[0, 50])
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--format', choices=('xml', 'json'), default='xml')
    options = parser.parse_args(argv)
    sys.path.insert(0, collection_root())
    from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
    from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_search import search_task_sessions
    from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_selection

    prefetch = {'on': True}
    query = EMClient.query

    def query_with_switch(self, *args, **kwargs):
        if not prefetch['on']:
            kwargs['prefetch'] = False
        return query(self, *args, **kwargs)
    EMClient.query = query_with_switch

    rows = []
    for latency in options.latency_ms:
        workdir = tempfile.mkdtemp(prefix='prefetch-bench-sim-')
        with Simulator(sys.executable, os.path.join(REPO, 'tests', 'em_simulator', 'server.py'), workdir, options.sessions, 1, NOW,
                       latency_ms=latency) as sim:
            params = {'url': sim.url, 'username': USERNAME, 'password': PASSWORD, 'response_format': options.format}
            best = {}
            for unused in range(options.runs):
                for mode in ('on', 'off'):
                    prefetch['on'] = mode == 'on'
                    started = time.perf_counter()
                    with EMClient(params) as client:
                        count = search_task_sessions(client, task_session_selection(params))['count']
                    best[mode] = min(best.get(mode, float('inf')), time.perf_counter() - started)
        rows.append((latency, count, best['on'], best['off']))
    print('| sessions | latency | prefetch on | prefetch off | off / on |')
    print('| ---: | ---: | ---: | ---: | ---: |')
    for latency, count, on, off in rows:
        print('| %s | %d ms | %.2f s | %.2f s | %.2fx |' % (format(count, ','), latency, on, off, off / on))
    return 0


if __name__ == '__main__':
    sys.exit(main())
