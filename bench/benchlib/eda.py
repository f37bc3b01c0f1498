# The EDA source case (issue 16): bench/eda_bench.py against the running simulator of one configuration,
# in-process through the source's main(queue, args): requests per idle poll and the time from a task
# session's end to its event. Full run: interval 5 s (the figure the issue asks for), 6 sessions; smoke:
# interval 0.5 s, 2 sessions (a few seconds, only to keep the case from rotting).
from __future__ import annotations

import json
import os

from benchlib import proc
from benchlib.cases import PASSWORD, USERNAME

FULL = {'interval': 5, 'idle_polls': 3, 'sessions': 6}
SMOKE = {'interval': 0.5, 'idle_polls': 2, 'sessions': 2}


def eda_source(ctx, cfg, smoke):
    """The figures of bench/eda_bench.py (a dict; 'error' when it did not run)."""
    settings = SMOKE if smoke else FULL
    argv = [ctx.env.python, os.path.join(ctx.bench, 'eda_bench.py'), '--collections-root', ctx.env.collections,
            '--url', cfg.sim.url, '--username', USERNAME, '--password', PASSWORD, '--interval', str(settings['interval']),
            '--idle-polls', str(settings['idle_polls']), '--sessions', str(settings['sessions'])]
    measured = proc.run(argv, env=ctx.env.env(), cwd=cfg.workdir)
    try:
        result = json.loads(measured.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {'error': measured.tail()}
    result['sessions_in_simulator'] = cfg.sessions
    return result


def check(results):
    """The correctness check of the case: every session one event, one logon, logged off."""
    section = results.get('eda_source')
    if section is None:
        return None
    if section.get('error'):
        return {'name': 'eda_source', 'ok': False, 'detail': str(section['error'])[-400:]}
    detail = '%s of %s sessions one event each, %s repeated; %s logon(s), %s logoff(s), %s logon sessions left' % (
        section['events_matched'], section['sessions'], section['events_repeated'], section['logons'], section['logoffs'],
        section['active_sessions_after'])
    return {'name': 'eda_source', 'ok': section.get('exit_code') == 0, 'detail': detail}


def markdown(results, add, table):
    section = results.get('eda_source')
    if not section or section.get('error'):
        return
    add('\n## Event-Driven Ansible source (bench/eda_bench.py)\n\n')
    add('The source `vbr.enterprise_manager.task_sessions` in-process through its `main(queue, args)` (no rulebook engine) '
        'against the simulator with %s sessions; failed task sessions made through `POST /__simulator/task-sessions`, each '
        'ending at an even share of the interval after a poll.\n\n' % section.get('sessions_in_simulator'))
    add(table(['figure', 'value'], [
        ['interval', '%g s' % section['interval_s']],
        ['requests per idle poll (%d polls)' % section['idle_polls'], section['requests_per_idle_poll']],
        ['session end to event, median / mean / max (%d sessions)' % section['sessions'],
         '%.2f / %.2f / %.2f s' % (section['end_to_event_median_s'], section['end_to_event_mean_s'], section['end_to_event_max_s'])],
    ]))


def console(results):
    section = results.get('eda_source')
    if not section or section.get('error'):
        return []
    return ['eda source: %s requests per idle poll; session end to event at interval %g s: median %.2f s, max %.2f s'
            % (section['requests_per_idle_poll'], section['interval_s'], section['end_to_event_median_s'],
               section['end_to_event_max_s'])]
