#!/usr/bin/env python
"""Run every gate of the collection, one step after another, like CI does.

Each step runs in a subprocess with its output in .build/logs/<step>.log; the runner prints
PASS/FAIL with the step's wall time, the tail of the log of a failed step, and ends with one
line `N passed, M failed`. Exit code 0 only when every selected step passed.

Usage: python tools/check.py [STEP ...]     (no STEP: all of them; `--list` lists them)
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# CHECK_BUILD_DIR lets parallel runs (one per developer task) keep their own staging and logs.
BUILD = os.path.abspath(os.environ.get('CHECK_BUILD_DIR') or os.path.join(REPO, '.build'))
LOGS = os.path.join(BUILD, 'logs')
# ansible-test insists on a physical .../ansible_collections/<ns>/<name> working directory.
COLL_ROOT = os.path.join(BUILD, 'collections')
STAGED = os.path.join(COLL_ROOT, 'ansible_collections', 'vbr', 'enterprise_manager')
DIST = os.path.join(BUILD, 'dist')
INSTALLED = os.path.join(BUILD, 'installed')
VENV = os.path.join(REPO, '.venv')
VENV_OLDEST = os.path.join(REPO, '.venv-oldest')
PYBIN = os.path.join(BUILD, 'pybin')
FQCN = 'vbr.enterprise_manager'


def venv_bin(venv, name):
    return os.path.join(venv, 'bin', name)


def tool_env(venv=VENV, **extra):
    """Environment for a step: the venv first on PATH, real interpreters for ansible-test next."""
    env = dict(os.environ)
    env['PATH'] = os.pathsep.join([os.path.join(venv, 'bin'), PYBIN, env.get('PATH', '')])
    env['ANSIBLE_HOME'] = os.path.join(BUILD, 'ansible-home')
    env.pop('VIRTUAL_ENV', None)
    env.pop('ANSIBLE_COLLECTIONS_PATH', None)
    env.update(extra)
    return env


def stage_collection():
    """Copy the tracked and untracked-but-not-ignored files into the ansible_collections tree."""
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                           cwd=REPO, check=True, capture_output=True).stdout.decode().split('\0')
    if os.path.isdir(STAGED):
        shutil.rmtree(STAGED)
    for rel in filter(None, files):
        src = os.path.join(REPO, rel)
        if not os.path.lexists(src):
            continue  # deleted in the work tree, not yet in git
        dst = os.path.join(STAGED, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    # The copy lives below the repo (in .build/, which is git-ignored): give it its own git
    # repository so ansible-test and ansible-lint see its files instead of the parent's ignores.
    subprocess.run(['git', 'init', '-q', STAGED], check=True)
    subprocess.run(['git', 'add', '-A'], cwd=STAGED, check=True)


def link_interpreters():
    """ansible-test probes python3.X on PATH; pyenv shims of non-global versions fail, so link real ones."""
    os.makedirs(PYBIN, exist_ok=True)
    # pyenv may live outside HOME (CI runs with an empty HOME): PYENV_ROOT, ~/.pyenv, the parent of shims on PATH.
    roots = {os.environ.get('PYENV_ROOT', ''), os.path.expanduser('~/.pyenv')}
    roots.update(os.path.dirname(entry) for entry in os.environ.get('PATH', '').split(os.pathsep) if entry.endswith('/shims'))
    candidates = [path for root in sorted(filter(None, roots)) for path in glob.glob(os.path.join(root, 'versions', '3.*', 'bin', 'python3.*'))]
    candidates += glob.glob('/usr/bin/python3.*')
    for path in sorted(candidates):
        name = os.path.basename(path)
        if not name.replace('python', '').replace('.', '').isdigit() or not os.access(path, os.X_OK):
            continue
        link = os.path.join(PYBIN, name)
        if not os.path.lexists(link):
            os.symlink(path, link)


def seed_pip_bootstrap(venv):
    """Place the offline get-pip stand-in where this ansible-test looks before downloading."""
    pyfiles = glob.glob(os.path.join(venv, 'lib', 'python3*', 'site-packages', 'ansible_test', '_internal', 'python_requirements.py'))
    for pyfile in pyfiles:
        with open(pyfile, encoding='utf-8') as handle:
            for line in handle:
                line = line.strip()
                if line.startswith("pip='") or line.startswith('pip="'):
                    version = line.split('=', 1)[1].strip(",'\" ")
                    cache = os.path.expanduser('~/.ansible/test/cache')
                    os.makedirs(cache, exist_ok=True)
                    shutil.copy(os.path.join(REPO, 'tools', 'get_pip_standin.py'),
                                os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_')))


def installed_env(venv=VENV, **extra):
    """Like tool_env, with the built and installed collection the only one ansible finds."""
    return tool_env(venv, ANSIBLE_COLLECTIONS_PATH=INSTALLED, **extra)


def tarball():
    found = sorted(glob.glob(os.path.join(DIST, 'vbr-enterprise_manager-*.tar.gz')))
    if not found:
        raise RuntimeError('no collection tarball in %s: run the build step first' % DIST)
    return found[-1]


# --- steps: each returns a list of (argv, cwd, env) commands run in order ---------------------

def step_ansible_lint():
    # The staged tree is a physical ansible_collections/vbr/enterprise_manager, so lint resolves our own FQCNs.
    return [([venv_bin(VENV, 'ansible-lint'), '--profile', 'production', '--offline'], STAGED,
             tool_env(ANSIBLE_COLLECTIONS_PATH=COLL_ROOT))]


def step_changelog_lint():
    return [([venv_bin(VENV, 'antsibull-changelog'), 'lint'], REPO, tool_env())]


def step_docs_lint():
    return [([venv_bin(VENV, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs',
              '--validate-collection-refs', 'all', '--disallow-unknown-collection-refs', '.'], STAGED, tool_env())]


def step_simulator():
    return [([venv_bin(VENV, 'python'), '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/em_simulator'], REPO, tool_env())]


def step_sanity():
    return [([venv_bin(VENV, 'ansible-test'), 'sanity', '--local', '--color', 'no'], STAGED, tool_env())]


def step_units():
    return [([venv_bin(VENV, 'ansible-test'), 'units', '--local', '--python', '3.12', '--color', 'no'], STAGED, tool_env())]


def step_integration():
    return [([venv_bin(VENV, 'ansible-test'), 'integration', '--local', '--python', '3.12', '--color', 'no'], STAGED, tool_env())]


def _oldest_python():
    return '.'.join(subprocess.run([venv_bin(VENV_OLDEST, 'python'), '-c', 'import sys; print(sys.version_info[0]); print(sys.version_info[1])'],
                                   check=True, capture_output=True, text=True).stdout.split())


def step_units_oldest():
    return [([venv_bin(VENV_OLDEST, 'ansible-test'), 'units', '--local', '--python', _oldest_python(), '--color', 'no'],
             STAGED, tool_env(VENV_OLDEST))]


def step_integration_oldest():
    return [([venv_bin(VENV_OLDEST, 'ansible-test'), 'integration', '--local', '--python', _oldest_python(), '--color', 'no'],
             STAGED, tool_env(VENV_OLDEST))]


def step_build():
    shutil.rmtree(DIST, ignore_errors=True)
    return [([venv_bin(VENV, 'ansible-galaxy'), 'collection', 'build', '--output-path', DIST, '--force'], STAGED, tool_env())]


def step_galaxy_importer():
    cfg = os.path.join(BUILD, 'galaxy-importer.cfg')
    with open(cfg, 'w', encoding='utf-8') as handle:
        handle.write('[galaxy-importer]\nrun_ansible_test = False\nrun_ansible_lint = True\nlog_level_main = INFO\n'
                     'check_required_tags = False\noffline_ansible_lint = True\n')
    script = ('set -o pipefail; "$0" -m galaxy_importer.main "$1" 2>&1 | tee "$2"; '
              'if grep -q "WARNING" "$2"; then echo "galaxy-importer printed a WARNING" >&2; exit 1; fi')
    out = os.path.join(LOGS, 'galaxy-importer.out')
    work = os.path.join(BUILD, 'importer')
    os.makedirs(work, exist_ok=True)
    return [(['bash', '-c', script, venv_bin(VENV, 'python'), tarball(), out], work, tool_env(GALAXY_IMPORTER_CONFIG=cfg))]


def step_install_and_doc():
    shutil.rmtree(INSTALLED, ignore_errors=True)
    cmds = [([venv_bin(VENV, 'ansible-galaxy'), 'collection', 'install', '--force', '-p', INSTALLED, tarball()], REPO, installed_env())]
    plugins = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(REPO, 'plugins', 'modules', '*.py')))
    for name in plugins:
        cmds.append(([venv_bin(VENV, 'ansible-doc'), '%s.%s' % (FQCN, name)], REPO, installed_env()))
    for path in sorted(glob.glob(os.path.join(REPO, 'plugins', 'lookup', '*.py'))):
        name = os.path.splitext(os.path.basename(path))[0]
        cmds.append(([venv_bin(VENV, 'ansible-doc'), '-t', 'lookup', '%s.%s' % (FQCN, name)], REPO, installed_env()))
    for path in sorted(glob.glob(os.path.join(REPO, 'roles', '*', 'meta', 'argument_specs.yml'))):
        name = path.split(os.sep)[-3]
        cmds.append(([venv_bin(VENV, 'ansible-doc'), '-t', 'role', '%s.%s' % (FQCN, name)], REPO, installed_env()))
    return cmds


def step_docs_build():
    """Build the plugin docs and fail when the committed docs/plugins/ is stale (`make docs` refreshes it)."""
    out = os.path.join(BUILD, 'docs-plugins')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    return [([venv_bin(VENV, 'antsibull-docs'), 'collection', '--use-current', '--squash-hierarchy', '--dest-dir', out, FQCN], REPO, installed_env()),
            (['diff', '-r', '-u', os.path.join(REPO, 'docs', 'plugins'), out], REPO, installed_env())]


def step_role():
    """The role through ansible-playbook and ansible-runner (private data dir, as AWX runs jobs), the HTML in Chromium."""
    return [([venv_bin(VENV, 'python'), '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/role'], REPO,
             tool_env(EM_TESTS_REQUIRE_CHROMIUM='1'))]


def step_reliability():
    """Faults, bad input, secrets and logon hygiene through real Ansible runs; writes docs/reliability.md."""
    return [([venv_bin(VENV, 'python'), '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/reliability'], REPO, tool_env())]


def step_bench_smoke():
    """The benchmark at 1,000 sessions, one run per case: its correctness checks keep bench/ from rotting (times are not judged)."""
    return [([venv_bin(VENV, 'python'), 'bench/run.py', '--smoke'], REPO, tool_env())]


def step_execution_environment():
    ctx = os.path.join(BUILD, 'ee-context')
    shutil.rmtree(ctx, ignore_errors=True)
    # The definition names the tarball folder relative to the repo's default .build/; point it at this run's DIST.
    definition_dir = os.path.join(BUILD, 'ee-definition')
    shutil.rmtree(definition_dir, ignore_errors=True)
    shutil.copytree(os.path.join(REPO, 'tests', 'ee'), definition_dir)
    definition = os.path.join(definition_dir, 'execution-environment.yml')
    with open(definition, encoding='utf-8') as handle:
        text = handle.read()
    with open(definition, 'w', encoding='utf-8') as handle:
        handle.write(text.replace('../../.build/dist', DIST))
    # introspect must find the collection's Python deps; create must put the tarball into the build context.
    introspect = ('deps=$("$0" introspect --sanitize "$1") && echo "$deps" >&2 && for dep in requests xmltodict; do '
                  'echo "$deps" | grep -q "^- .$dep.*from collection vbr.enterprise_manager" || exit 1; done')
    context_has_tarball = 'ls "$0"/_build/collections/vbr-enterprise_manager-*.tar.gz && grep -q "collection install" "$0"/Containerfile'
    return [(['bash', '-c', introspect, venv_bin(VENV, 'ansible-builder'), INSTALLED], REPO, installed_env()),
            ([venv_bin(VENV, 'ansible-builder'), 'create', '-f', definition, '-c', ctx, '--output-filename', 'Containerfile'], REPO, installed_env()),
            (['bash', '-c', context_has_tarball, ctx], REPO, installed_env())]


STEPS = [
    ('ansible-lint', step_ansible_lint),
    ('changelog-lint', step_changelog_lint),
    ('docs-lint', step_docs_lint),
    ('simulator', step_simulator),
    ('sanity', step_sanity),
    ('units', step_units),
    ('integration', step_integration),
    ('units-oldest', step_units_oldest),
    ('integration-oldest', step_integration_oldest),
    ('build', step_build),
    ('galaxy-importer', step_galaxy_importer),
    ('install-and-doc', step_install_and_doc),
    ('docs-build', step_docs_build),
    ('execution-environment', step_execution_environment),
    ('role', step_role),
    ('reliability', step_reliability),
    ('bench-smoke', step_bench_smoke),
]


def run_step(name, factory):
    log_path = os.path.join(LOGS, name + '.log')
    start = time.monotonic()
    ok = True
    with open(log_path, 'w', encoding='utf-8') as log:
        try:
            for argv, cwd, env in factory():
                log.write('$ %s\n' % ' '.join(argv))
                log.flush()
                result = subprocess.run(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
                if result.returncode != 0:
                    log.write('exit code %d\n' % result.returncode)
                    ok = False
                    break
        except Exception as exc:  # a broken step must be reported, not crash the runner
            log.write('step error: %s\n' % exc)
            ok = False
    elapsed = time.monotonic() - start
    print('%s %-22s %7.1fs' % ('PASS' if ok else 'FAIL', name, elapsed), flush=True)
    if not ok:
        with open(log_path, encoding='utf-8', errors='replace') as log:
            tail = log.readlines()[-40:]
        sys.stdout.write(''.join('    | ' + line for line in tail))
        print('    (full log: %s)' % os.path.relpath(log_path, REPO), flush=True)
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('steps', nargs='*', help='steps to run (default: all)')
    parser.add_argument('--list', action='store_true', help='list the steps and exit')
    args = parser.parse_args()
    names = [step[0] for step in STEPS]
    if args.list:
        print('\n'.join(names))
        return 0
    unknown = [s for s in args.steps if s not in names]
    if unknown:
        parser.error('unknown step(s) %s; known: %s' % (', '.join(unknown), ', '.join(names)))
    selected = [(n, f) for n, f in STEPS if not args.steps or n in args.steps]
    os.makedirs(LOGS, exist_ok=True)
    stage_collection()
    link_interpreters()
    for venv in (VENV, VENV_OLDEST):
        seed_pip_bootstrap(venv)
    results = [run_step(name, factory) for name, factory in selected]
    passed = sum(results)
    print('%d passed, %d failed' % (passed, len(results) - passed))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
