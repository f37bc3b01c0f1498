#!/usr/bin/env python
# Runs the backup_task_session_info module in this process, as AnsiballZ would (arguments in
# ansible.module_utils.basic._ANSIBLE_ARGS, result printed by exit_json), and measures where its
# time goes: wall time per phase (timers wrapped around the module_utils functions, no profiler
# overhead) and, with --cprofile, the functions that dominate under cProfile.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Phase timings (and optionally a cProfile) of one in-process run of the info module."""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import pstats
import resource
import sys
import threading
import time

PHASES = (
    ('http', 'requests: send, wait for EM, read the body (a prefetched page: the wait for it)'),
    ('xml_parse', 'XML reading: xmltodict and the canonical dicts its postprocessor builds'),
    ('parse_other', 'rest of parse_response: JSON decoding and its canonical-key walk'),
    ('normalise', 'normalize_task_session: facts of each entity'),
    ('select_other', 'the rest of the selection: paging, de-duplication, sort'),
    ('project_summary', 'fields projection and summary'),
    ('remove_values', 'AnsibleModule.exit_json: remove_values (no_log scrub, a deep copy)'),
    ('encode_print', 'AnsibleModule.exit_json: JSON encoding and printing'),
    ('startup', 'imports, argument parsing, logon/logoff bookkeeping and everything else'),
)


class Timers(object):
    """Own (exclusive) wall time per phase: time spent in a phase nested in another one counts for the
    inner phase only; a phase calling itself (recursion) is timed once."""

    def __init__(self):
        self.seconds = dict((name, 0.0) for name, unused in PHASES)
        self.calls = dict((name, 0) for name, unused in PHASES)
        self._stack = []  # [phase, started, time spent in nested phases]

    def wrap(self, phase, func):
        @functools.wraps(func)
        def timed(*args, **kwargs):
            # Phases are the main thread's wall time: a page prefetched in the background counts as the
            # main thread's wait for it (Background.result), not as the request itself.
            if threading.current_thread() is not threading.main_thread():
                return func(*args, **kwargs)
            if self._stack and self._stack[-1][0] == phase:
                return func(*args, **kwargs)
            frame = [phase, time.perf_counter(), 0.0]
            self._stack.append(frame)
            try:
                return func(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - frame[1]
                self._stack.pop()
                self.seconds[phase] += elapsed - frame[2]
                self.calls[phase] += 1
                if self._stack:
                    self._stack[-1][2] += elapsed
        return timed


def instrument(timers):
    """Wrap the functions of each phase where their callers look them up."""
    from ansible.module_utils import basic
    from ansible_collections.vbr.enterprise_manager.plugins.module_utils import client, query_pager, representation, task_session, task_session_search

    client.EMClient._send = timers.wrap('http', client.EMClient._send)
    query_pager.Background.result = timers.wrap('http', query_pager.Background.result)
    representation.read_xml = timers.wrap('xml_parse', representation.read_xml)
    client.parse_response = timers.wrap('parse_other', client.parse_response)
    task_session.TASK_SESSIONS.normalise = timers.wrap('normalise', task_session.TASK_SESSIONS.normalise)
    task_session_search._select_once = timers.wrap('select_other', task_session_search._select_once)
    task_session_search.project = timers.wrap('project_summary', task_session_search.project)
    task_session_search.summarize = timers.wrap('project_summary', task_session_search.summarize)
    basic.remove_values = timers.wrap('remove_values', basic.remove_values)
    basic.AnsibleModule._record_module_result = timers.wrap('encode_print', basic.AnsibleModule._record_module_result)


def exclusive(timers, wall):
    """Phase times; `startup` is what no phase covers."""
    s = dict(timers.seconds)
    s['startup'] = wall - sum(v for k, v in s.items() if k != 'startup')
    return s


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--collections-root', required=True, help='directory holding ansible_collections/vbr/enterprise_manager')
    parser.add_argument('--args', required=True, help='module arguments as JSON')
    parser.add_argument('--cprofile', type=int, default=0, help='also run under cProfile and list this many functions')
    options = parser.parse_args(argv)
    started = time.perf_counter()
    sys.path.insert(0, options.collections_root)
    from ansible.module_utils import basic
    basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': json.loads(options.args)}).encode('utf-8')
    basic._ANSIBLE_PROFILE = 'legacy'
    timers = Timers()
    profiler = cProfile.Profile() if options.cprofile else None
    if profiler is None:
        instrument(timers)
    from ansible_collections.vbr.enterprise_manager.plugins.modules import backup_task_session_info as module

    captured = io.StringIO()
    real_stdout, sys.stdout = sys.stdout, captured
    code = 0
    try:
        if profiler is not None:
            profiler.enable()
        module.main()
    except SystemExit as exc:
        code = exc.code or 0
    finally:
        if profiler is not None:
            profiler.disable()
        sys.stdout = real_stdout
    wall = time.perf_counter() - started
    output = captured.getvalue()
    result = json.loads(output) if output.strip() else {}
    report = {
        'exit_code': code,
        'count': result.get('count'),
        'failed': bool(result.get('failed')),
        'msg': result.get('msg'),
        'wall_s': wall,
        'output_bytes': len(output.encode('utf-8')),
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    if profiler is None:
        report['phases_s'] = exclusive(timers, wall)
        report['phase_calls'] = timers.calls
    else:
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        rows = []
        for (filename, line, name), (unused, ncalls, tottime, cumtime, unused2) in stats.stats.items():
            rows.append({'function': '%s:%d(%s)' % (_short(filename), line, name), 'calls': ncalls,
                         'tottime_s': round(tottime, 4), 'cumtime_s': round(cumtime, 4)})
        rows.sort(key=lambda row: row['tottime_s'], reverse=True)
        report['cprofile_total_s'] = sum(row['tottime_s'] for row in rows)
        report['cprofile_top'] = rows[:options.cprofile]
    sys.stdout.write(json.dumps(report) + '\n')
    return 0 if code == 0 else 1


def _short(filename):
    for marker in ('ansible_collections/', 'site-packages/', 'lib/python'):
        index = filename.find(marker)
        if index >= 0:
            return filename[index + len(marker):]
    return filename


if __name__ == '__main__':
    sys.exit(main())
