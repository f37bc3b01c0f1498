#!/usr/bin/env python
"""Offline stand-in for ansible-test's get-pip bootstrap script.

ansible-test downloads get-pip-<version>.py from a host that is not reachable from
every CI machine. It runs the script as `python get_pip.py <pip args>`; this stand-in
bootstraps pip with ensurepip and then lets that pip install the requested version
from the configured package index instead.
"""
import subprocess
import sys

# get-pip.py accepts flags ensurepip/pip do not know in this form; drop them.
DROPPED = {'--no-setuptools', '--no-wheel', '--disable-pip-version-check'}
args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
if args:
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check'] + args)
