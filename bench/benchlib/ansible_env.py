# A private Ansible environment for the benchmark: the collection under a temporary collections
# path (a symlink to the work tree, or built and installed with ansible-galaxy), its own
# ANSIBLE_HOME and temp directories, no ansible.cfg from elsewhere, and an interpreter wrapper that
# records the peak RSS of each module process.
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

NAMESPACE, NAME = 'vbr', 'enterprise_manager'

WRAPPER_TIME = '''#!/bin/sh
# Runs a module under GNU time to record its peak RSS (KiB) in $BENCH_RSS_FILE.
exec /usr/bin/time -a -f %%M -o "${BENCH_RSS_FILE:-/dev/null}" %(python)s "$@"
'''

WRAPPER_PYTHON = '''#!%(python)s
# Runs a module in a child interpreter to record its peak RSS (KiB) in $BENCH_RSS_FILE.
import os, subprocess, sys
child = subprocess.Popen([%(python)r] + sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
with open(os.environ.get('BENCH_RSS_FILE', os.devnull), 'a') as handle:
    handle.write('%%d\\n' %% usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
'''


class AnsibleEnv(object):
    def __init__(self, repo, workdir, install='symlink', python=sys.executable):
        self.repo = repo
        self.workdir = workdir
        self.python = python
        self.bindir = os.path.dirname(python)
        self.collections = os.path.join(workdir, 'collections')
        self.install = install
        self.rss_wrapper = os.path.join(workdir, 'python-rss')
        self.config = os.path.join(workdir, 'ansible.cfg')

    def prepare(self):
        target = os.path.join(self.collections, 'ansible_collections', NAMESPACE, NAME)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if self.install == 'symlink':
            os.symlink(self.repo, target)
        else:
            dist = os.path.join(self.workdir, 'dist')
            subprocess.run([self.tool('ansible-galaxy'), 'collection', 'build', '--force', '--output-path', dist, self.repo],
                           check=True, capture_output=True, env=self.env())
            tarball = sorted(glob.glob(os.path.join(dist, '%s-%s-*.tar.gz' % (NAMESPACE, NAME))))[-1]
            subprocess.run([self.tool('ansible-galaxy'), 'collection', 'install', '--force', '--offline', '-p', self.collections,
                            tarball], check=True, capture_output=True, env=self.env())
        with open(self.config, 'w', encoding='utf-8') as handle:
            handle.write('[defaults]\n')
        template = WRAPPER_TIME if os.access('/usr/bin/time', os.X_OK) else WRAPPER_PYTHON
        with open(self.rss_wrapper, 'w', encoding='utf-8') as handle:
            handle.write(template % {'python': self.python})
        os.chmod(self.rss_wrapper, 0o755)

    def tool(self, name):
        path = os.path.join(self.bindir, name)
        return path if os.path.exists(path) else shutil.which(name) or name

    def env(self, **extra):
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'VEEAM_EM_')))
        env.update({
            'ANSIBLE_CONFIG': self.config,
            'ANSIBLE_COLLECTIONS_PATH': self.collections,
            'ANSIBLE_HOME': os.path.join(self.workdir, 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': os.path.join(self.workdir, 'ansible-local-tmp'),
            'ANSIBLE_REMOTE_TMP': os.path.join(self.workdir, 'ansible-remote-tmp'),
            'ANSIBLE_LOCALHOST_WARNING': 'False',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        })
        env.update(extra)
        return env
