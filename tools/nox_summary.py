#!/usr/bin/env python
"""Close a nox run (`make test`) with each session's wall and CPU time and one line `N passed, M failed[, K skipped]`.

The results come from nox's --report JSON, the times from the files noxfile.py writes to $VBR_NOX_TIMES (CPU is user +
system time of the session and its finished children, the steadier figure on a busy machine). The line is what CI
reads. The group sessions of noxfile.py (lint, sanity, units, integration) only gather others and are not counted.
Usage: python tools/nox_summary.py REPORT.json [TIMES_DIR [WALL_SECONDS]]
"""
from __future__ import annotations

import glob
import json
import os
import sys

GROUPS = {'lint', 'sanity', 'units', 'integration'}


def times_of(folder):
    found = {}
    for path in glob.glob(os.path.join(folder or '', '*.json')):
        with open(path, encoding='utf-8') as handle:
            entry = json.load(handle)
        found[entry['session']] = entry
    return found


def main(path, folder=None, wall=None):
    try:
        with open(path, encoding='utf-8') as handle:
            sessions = json.load(handle)['sessions']
    except (OSError, ValueError, KeyError) as exc:
        print('nox wrote no usable report (%s): see its output above' % exc)
        return 1
    times = times_of(folder)
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    cpu = 0.0
    for session in sessions:
        if session['name'] in GROUPS:
            continue
        status = session['result']
        counts['passed' if status == 'success' else 'skipped' if status == 'skipped' else 'failed'] += 1
        took = times.get(session['name'])
        if took:
            cpu += took['cpu']
            print('%-8s %-32s wall %7.1f s  CPU %7.1f s' % (status.upper(), session['name'], took['wall'], took['cpu']))
    if times:
        print('CPU of all sessions %.1f s%s' % (cpu, '; wall of the run %s s' % wall if wall else ''))
    line = '%(passed)d passed, %(failed)d failed' % counts
    print(line + (', %(skipped)d skipped' % counts if counts['skipped'] else ''))
    return 0 if counts['failed'] == 0 and counts['passed'] else 1


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:4]))
