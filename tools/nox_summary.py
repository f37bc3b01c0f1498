#!/usr/bin/env python
"""Close a nox run (`make test`) with one line `N passed, M failed[, K skipped]` from nox's --report JSON.

nox's own summary above it names each session with its result and time; this line is what CI reads.
The group sessions of noxfile.py (lint, sanity, units, integration) only gather others and are not counted.
Usage: python tools/nox_summary.py REPORT.json
"""
from __future__ import annotations

import json
import sys

GROUPS = {'lint', 'sanity', 'units', 'integration'}


def main(path):
    try:
        with open(path, encoding='utf-8') as handle:
            sessions = json.load(handle)['sessions']
    except (OSError, ValueError, KeyError) as exc:
        print('nox wrote no usable report (%s): see its output above' % exc)
        return 1
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    for session in sessions:
        if session['name'] in GROUPS:
            continue
        status = session['result']
        counts['passed' if status == 'success' else 'skipped' if status == 'skipped' else 'failed'] += 1
    line = '%(passed)d passed, %(failed)d failed' % counts
    print(line + (', %(skipped)d skipped' % counts if counts['skipped'] else ''))
    return 0 if counts['failed'] == 0 and counts['passed'] else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
