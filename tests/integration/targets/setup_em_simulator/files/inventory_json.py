#!/usr/bin/env python
"""Run ansible-inventory with the given arguments and print its --list JSON with plain strings.

ansible-core 2.19+ writes the strings of host variables as {"__ansible_unsafe": "..."} (they are not
trusted as templates), which the from_json filter does not read; this unwraps them. The exit code and
stderr of ansible-inventory are passed through."""
import json
import subprocess
import sys


def plain(value):
    if isinstance(value, dict):
        if list(value) == ['__ansible_unsafe']:
            return value['__ansible_unsafe']
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


done = subprocess.run(['ansible-inventory'] + sys.argv[1:], capture_output=True, text=True, check=False)
sys.stderr.write(done.stderr)
if done.returncode == 0:
    sys.stdout.write(json.dumps(plain(json.loads(done.stdout)), sort_keys=True, indent=1))
sys.exit(done.returncode)
