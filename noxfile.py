# The gates of the collection as nox sessions: `make test` runs them all, `make test STEPS="sanity units"` a
# subset, `.venv/bin/nox --list` lists them. antsibull-nox.toml configures antsibull-nox's own sessions
# (ansible-lint, docs-check, build-import-check); the ansible-test sessions per supported ansible-core are
# antsibull-nox's too (add_ansible_test_session, run with --local: no docker here). The sessions further down
# are ours, for what antsibull-nox has no session for (docs/design.md, "Gates", says why each stays).
from __future__ import annotations

import fcntl
import functools
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import nox

try:
    import antsibull_nox
except ImportError:
    print('antsibull-nox is missing: run nox from .venv (make venv builds it from tests/requirements-dev.txt).')
    sys.exit(1)

REPO = os.path.dirname(os.path.abspath(__file__))
VENV_BIN = os.path.join(REPO, '.venv', 'bin')
VENV_EDA = os.path.join(REPO, '.venv-eda')
# CHECK_BUILD_DIR lets parallel runs (one per developer task) keep their own build output.
BUILD = os.path.abspath(os.environ.get('CHECK_BUILD_DIR') or os.path.join(REPO, '.build'))
PYBIN = os.path.join(BUILD, 'pybin')
FQCN = 'vbr.enterprise_manager'
# The newest ansible-core on PyPI for the controller's Python 3.12; the oldest is what meta/runtime.yml admits.
NEWEST_CORE = '2.21'

nox.options.reuse_venv = 'yes'  # a second run reinstalls nothing that is already there
# uv (from .venv) makes the session venvs: pip took 2 minutes for ansible-lint's venv here, uv 4 s (docs/design.md).
nox.options.default_venv_backend = 'uv|virtualenv'
nox.options.download_python = 'never'  # the interpreters are pyenv's; nothing may be downloaded
os.environ['UV_VENV_SEED'] = '1'  # pip in every session venv: ansible-test --requirements installs with it
nox.options.error_on_missing_interpreters = True
# `make test` runs two sessions at a time (NOX_JOBS=2: the gates are independent, most of them one process busy at
# a time); every session may run beside another (each builds into its own folder below BUILD).
nox.options.allow_parallel = True


def _oldest_core():
    with open(os.path.join(REPO, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        found = re.search(r'''^requires_ansible:\s*['"]>=\s*(\d+\.\d+)''', handle.read(), re.M)
    if not found:
        raise RuntimeError('meta/runtime.yml: requires_ansible must start with ">=X.Y" (the oldest ansible-core tested)')
    return found.group(1)


def _link_interpreters():
    """ansible-test and nox probe python3.X on PATH; pyenv shims of non-global versions fail, so link real ones."""
    os.makedirs(PYBIN, exist_ok=True)
    # pyenv may live outside HOME (CI runs with an empty HOME): PYENV_ROOT, ~/.pyenv, the parent of shims on PATH.
    roots = {os.environ.get('PYENV_ROOT', ''), os.path.expanduser('~/.pyenv')}
    roots.update(os.path.dirname(entry) for entry in os.environ.get('PATH', '').split(os.pathsep) if entry.endswith('/shims'))
    candidates = [path for root in sorted(filter(None, roots)) for path in glob.glob(os.path.join(root, 'versions', '3.*', 'bin', 'python3.*'))]
    candidates += glob.glob('/usr/bin/python3.*')
    for path in sorted(candidates):
        name = os.path.basename(path)
        if not re.fullmatch(r'python3\.\d+', name) or not os.access(path, os.X_OK):
            continue
        link = os.path.join(PYBIN, name)
        if not os.path.lexists(link):
            try:
                os.symlink(path, link)
            except FileExistsError:  # a parallel session's nox process made it first
                pass
    if os.environ.get('PATH', '').split(os.pathsep)[0] != PYBIN:
        os.environ['PATH'] = os.pathsep.join([PYBIN, os.environ.get('PATH', '')])


def _seed_pip_bootstrap():
    """Place the offline get-pip stand-in where each session's ansible-test looks before downloading it."""
    pattern = os.path.join(REPO, '.nox', '*', 'lib', 'python3*', 'site-packages', 'ansible_test', '_internal', 'python_requirements.py')
    cache = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache, exist_ok=True)
    for pyfile in glob.glob(pattern):
        with open(pyfile, encoding='utf-8') as handle:
            pins = re.findall(r'''^\s*pip=['"]([0-9.]+)['"]''', handle.read(), re.M)
        for version in pins:
            # copy, then rename: a parallel session may read the file while this one writes it
            target = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
            shutil.copy(os.path.join(REPO, 'tools', 'get_pip_standin.py'), '%s.%d' % (target, os.getpid()))
            os.replace('%s.%d' % (target, os.getpid()), target)


_link_interpreters()
antsibull_nox.load_antsibull_nox_toml()


# --- ansible-test for the oldest and the newest supported ansible-core ---------------------------------------

CORES = sorted({_oldest_core(), NEWEST_CORE}, key=lambda v: tuple(int(p) for p in v.split('.')))
SESSION_PY = '%d.%d' % sys.version_info[:2]


def _core_python(core):
    """The controller Python of a core's sessions: .venv's for the newest; for the oldest the one before it (3.11),
    as .venv-oldest had, so that a second controller Python is tested (then 3.12, 3.10: the first one found)."""
    wanted = [SESSION_PY] if core == NEWEST_CORE else ['3.11', SESSION_PY, '3.10']
    for version in wanted:
        if os.path.exists(os.path.join(PYBIN, 'python' + version)):
            return version
    raise RuntimeError('ansible-core %s: none of Python %s found (install one, e.g. pyenv install %s)' % (core, ', '.join(wanted), wanted[0]))


# The integration targets the oldest core runs: those whose code runs differently on another ansible-core (the
# action plugin and its config sources, the lookup, the inventory, the role and its filter, ad hoc argument parsing,
# a module that acts and waits, the shipped example play). The others test the same module code again with other
# options and data (formats, options, job types, the verdict's cases, restore points, quick backup), which the newest
# core runs; leaving them out here saves about 400 s of wall time of the 2-core CI run (docs/design.md, "Gates").
OLDEST_CORE_TARGETS = (
    'backup_task_session_info', 'backup_task_session_info_config', 'backup_task_session_info_adhoc', 'lookup_backup_task_session',
    'inventory_backup_vms', 'role_task_session_report', 'backup_job', 'example_backup_before_patching',
)


# ansible-test gets the session's Python as --python: without it, `units --local --requirements` and
# `integration --local --requirements` install into every other interpreter they find (pyenv's, outside any venv).
def _ansible_test_params(kind, python):
    if kind == 'sanity':  # all Pythons for compile/import; each test runs in a venv of ansible-test's own
        return ['sanity', '--local']
    return [kind, '--local', '--requirements', '--python', python]


def _ansible_test_ssh_key():
    """The SSH key pair ansible-test makes on first use (~/.ansible/test/id_rsa), made once under a lock: two
    ansible-test sessions starting together (--parallel) would both run ssh-keygen, and the second one stops at its
    "Overwrite (y/n)?" prompt. Made as ansible-test makes it (PEM, the header paramiko reads)."""
    base = os.path.expanduser('~/.ansible/test')
    os.makedirs(base, exist_ok=True)
    key = os.path.join(base, 'id_rsa')
    with open(os.path.join(base, '.vbr-keygen.lock'), 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (os.path.isfile(key) and os.path.isfile(key + '.pub')):
            for path in (key, key + '.pub'):
                if os.path.exists(path):
                    os.remove(path)
            subprocess.run(['ssh-keygen', '-m', 'PEM', '-q', '-t', 'rsa', '-N', '', '-f', key], check=True, capture_output=True)
            with open(key, encoding='utf-8') as handle:
                text = re.sub(r'(BEGIN|END) PRIVATE KEY', r'\1 RSA PRIVATE KEY', handle.read())
            with open(key, 'w', encoding='utf-8') as handle:
                handle.write(text)


def _before_ansible_test(name, python):
    venv_python = os.path.join(REPO, '.nox', re.sub(r'[^\w\s-]', '-', name).lower(), 'bin', 'python')

    def before():
        found = subprocess.run([venv_python, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
                               capture_output=True, text=True, check=False).stdout.strip()
        if found != python:  # ansible-test --local --python X would install into another interpreter
            raise RuntimeError('%s: the session venv %s has Python %r, ansible-test is told %s' % (name, venv_python, found, python))
        _seed_pip_bootstrap()
        _ansible_test_ssh_key()
    return before


def _after_ansible_test():
    # antsibull-nox copies tests/output back into the work tree next, one level at a time; ansible-test's own
    # scratch folder .tmp/ has nested folders that copy fails on (FileNotFoundError), and nothing in it is a result.
    shutil.rmtree(os.path.join('tests', 'output', '.tmp'), ignore_errors=True)


for _kind in ('sanity', 'units', 'integration'):
    for _core in CORES:
        _name = 'ansible-test-%s-%s' % (_kind, _core)
        _python = _core_python(_core)
        antsibull_nox.add_ansible_test_session(
            name=_name,
            description='ansible-test %s from ansible-core %s on Python %s, on this machine (--local)' % (_kind, _core, _python),
            ansible_test_params=_ansible_test_params(_kind, _python) + ['--color', 'no']
            + (list(OLDEST_CORE_TARGETS) if _kind == 'integration' and _core != NEWEST_CORE else []),
            # sanity of the oldest core is no default gate (tools/check.py never ran it; about 4 minutes of CPU):
            # `make test STEPS=ansible-test-sanity-2.16` runs it (docs/design.md, "Gates")
            default=not (_kind == 'sanity' and _core != NEWEST_CORE),
            ansible_core_version=_core,
            ansible_core_source='pypi',
            callback_before=_before_ansible_test(_name, _python),
            callback_after=_after_ansible_test,
        )
        # antsibull-nox gives the session the core's whole controller range, where nox takes the first Python found
        nox.registry.get()[_name].python = _python


def _group(name, members, doc):
    def run_group(session):  # pylint: disable=unused-argument
        pass

    run_group.__doc__ = doc
    nox.session(name=name, python=False, default=False, requires=members)(run_group)


_group('sanity', ['ansible-test-sanity-%s' % NEWEST_CORE], 'Group: ansible-test sanity of the newest ansible-core.')
_group('units', ['ansible-test-units-%s' % c for c in CORES], 'Group: ansible-test units for every tested ansible-core.')
_group('integration', ['ansible-test-integration-%s' % c for c in CORES], 'Group: ansible-test integration for every tested ansible-core.')
_group('lint', ['ansible-lint', 'changelog-lint', 'docs-check', 'docs-lint'], 'Group: ansible-lint, antsibull-changelog lint, antsibull-docs lint.')


# --- our own sessions: they run with the tools of .venv (python=False: no venv of their own) ------------------

def _env(session, **extra):  # pylint: disable=unused-argument
    """.venv first on PATH, a private ANSIBLE_HOME, no collections path but the one a session sets (None unsets)."""
    env = {'PATH': os.pathsep.join([VENV_BIN, PYBIN, os.environ.get('PATH', '')]), 'ANSIBLE_HOME': os.path.join(BUILD, 'ansible-home'),
           'ANSIBLE_COLLECTIONS_PATH': None, 'VIRTUAL_ENV': None}
    env.update(extra)
    return env


def _built(session):
    """Build the collection from the work tree into this session's own folder (sessions may run in parallel)."""
    dist = os.path.join(BUILD, session.name, 'dist')
    shutil.rmtree(dist, ignore_errors=True)
    session.run(os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', dist, '--force', REPO, env=_env(session), external=True)
    return dist, sorted(glob.glob(os.path.join(dist, 'vbr-enterprise_manager-*.tar.gz')))[-1]


def _installed(session):
    """Build the collection and install the tarball, both in this session's own folder."""
    dist, tarball = _built(session)
    installed = os.path.join(BUILD, session.name, 'installed')
    shutil.rmtree(installed, ignore_errors=True)
    session.run(os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'install', '--force', '-p', installed, tarball, env=_env(session), external=True)
    return installed, dist


def _pytest(session, path, **extra):
    session.run(os.path.join(VENV_BIN, 'python'), '-m', 'pytest', '-q', '-p', 'no:cacheprovider', path, *session.posargs,
                env=_env(session, **extra), external=True)


@nox.session(python=False, name='changelog-lint')
def changelog_lint(session):
    """antsibull-changelog lint (antsibull-nox has no changelog session)."""
    session.run(os.path.join(VENV_BIN, 'antsibull-changelog'), 'lint', env=_env(session), external=True)


@nox.session(python=SESSION_PY, name='galaxy-importer')
def galaxy_importer(session):
    """galaxy-importer on the built tarball (tests/galaxy-importer.cfg); a WARNING or ERROR line fails the session."""
    # antsibull-nox's build-import-check lists the importer's ERROR lines as a nox warning and passes: its
    # WARNING lines (its ansible-lint pass, doc problems) must fail the gate, as they did (docs/design.md, "Gates").
    session.install('galaxy-importer==0.4.44', 'ansible-lint==26.10.1', 'ansible-core==2.21.5')
    tarball = _built(session)[1]
    work = os.path.join(BUILD, session.name, 'importer')
    os.makedirs(work, exist_ok=True)
    with session.chdir(work):
        env = {'GALAXY_IMPORTER_CONFIG': os.path.join(REPO, 'tests', 'galaxy-importer.cfg'), 'ANSIBLE_HOME': os.path.join(BUILD, session.name, 'ansible-home')}
        log = session.run('python', '-m', 'galaxy_importer.main', tarball, silent=True, env=env)
    print(log)
    bad = [line for line in (log or '').splitlines() if 'WARNING' in line or line.startswith('ERROR')]
    if bad or 'Importer processing completed successfully' not in (log or ''):
        session.error('galaxy-importer printed %d WARNING/ERROR line(s) or did not complete:\n%s' % (len(bad), '\n'.join(bad)))


@nox.session(python=False, name='docs-lint')
def docs_lint(session):
    """antsibull-docs lint-collection-docs with rstcheck and --disallow-unknown-collection-refs (docs-check has neither)."""
    root = os.path.join(BUILD, session.name, 'collections')
    staged = os.path.join(root, 'ansible_collections', 'vbr', 'enterprise_manager')
    shutil.rmtree(root, ignore_errors=True)
    listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO, check=True, capture_output=True)
    for rel in filter(None, listed.stdout.decode().split('\0')):
        if os.path.lexists(os.path.join(REPO, rel)):  # a file deleted in the work tree, not yet in git, is left out
            os.makedirs(os.path.dirname(os.path.join(staged, rel)), exist_ok=True)
            shutil.copy2(os.path.join(REPO, rel), os.path.join(staged, rel), follow_symlinks=False)
    with session.chdir(staged):
        session.run(os.path.join(VENV_BIN, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs', '--validate-collection-refs', 'all',
                    '--disallow-unknown-collection-refs', '.', env=_env(session, ANSIBLE_COLLECTIONS_PATH=root), external=True)


@nox.session(python=False)
def simulator(session):
    """The EM simulator's own tests (tests/em_simulator)."""
    _pytest(session, 'tests/em_simulator')


@nox.session(python=False, name='install-and-doc')
def install_and_doc(session):
    """Install the built tarball and read every module, lookup, inventory plugin and role with ansible-doc."""
    installed = _installed(session)[0]
    env = _env(session, ANSIBLE_COLLECTIONS_PATH=installed)
    for kind in ('modules', 'lookup', 'inventory'):
        for path in sorted(glob.glob(os.path.join(REPO, 'plugins', kind, '*.py'))):
            name = os.path.splitext(os.path.basename(path))[0]
            if name == '__init__':
                continue
            kind_args = [] if kind == 'modules' else ['-t', kind]
            session.run(os.path.join(VENV_BIN, 'ansible-doc'), *kind_args, '%s.%s' % (FQCN, name), env=env, external=True, silent=True)
    for path in sorted(glob.glob(os.path.join(REPO, 'roles', '*', 'meta', 'argument_specs.yml'))):
        session.run(os.path.join(VENV_BIN, 'ansible-doc'), '-t', 'role', '%s.%s' % (FQCN, path.split(os.sep)[-3]), env=env, external=True, silent=True)


@nox.session(python=False, name='docs-build')
def docs_build(session):
    """Build the plugin docs and fail when the committed docs/plugins/ is stale (`make docs` refreshes it)."""
    installed = _installed(session)[0]
    out = os.path.join(BUILD, 'docs-plugins')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    env = _env(session, ANSIBLE_COLLECTIONS_PATH=installed)
    session.run(os.path.join(VENV_BIN, 'antsibull-docs'), 'collection', '--use-current', '--squash-hierarchy', '--dest-dir', out, FQCN, env=env, external=True)
    session.run('diff', '-r', '-u', os.path.join(REPO, 'docs', 'plugins'), out, env=env, external=True)


@nox.session(python=False, name='execution-environment')
def execution_environment(session):
    """ansible-builder introspect finds the collection's Python deps; create puts the tarball into a build context."""
    installed, dist = _installed(session)
    env = _env(session, ANSIBLE_COLLECTIONS_PATH=installed)
    deps = session.run(os.path.join(VENV_BIN, 'ansible-builder'), 'introspect', '--sanitize', installed, env=env, external=True, silent=True)
    for dep in ('requests', 'xmltodict'):
        if not re.search(r'^- .?%s.*from collection %s' % (dep, FQCN), deps or '', re.M):
            session.error('ansible-builder introspect did not report %s from the collection:\n%s' % (dep, deps))
    ctx = os.path.join(BUILD, 'ee-context')
    definition_dir = os.path.join(BUILD, 'ee-definition')
    for path in (ctx, definition_dir):
        shutil.rmtree(path, ignore_errors=True)
    # The definition names the tarball folder relative to the repo's default .build/; point it at this run's dist.
    shutil.copytree(os.path.join(REPO, 'tests', 'ee'), definition_dir)
    definition = os.path.join(definition_dir, 'execution-environment.yml')
    with open(definition, encoding='utf-8') as handle:
        text = handle.read()
    with open(definition, 'w', encoding='utf-8') as handle:
        handle.write(text.replace('../../.build/dist', dist))
    session.run(os.path.join(VENV_BIN, 'ansible-builder'), 'create', '-f', definition, '-c', ctx, '--output-filename', 'Containerfile', env=env, external=True)
    if not glob.glob(os.path.join(ctx, '_build', 'collections', 'vbr-enterprise_manager-*.tar.gz')):
        session.error('the EE build context has no collection tarball')
    with open(os.path.join(ctx, 'Containerfile'), encoding='utf-8') as handle:
        if 'collection install' not in handle.read():
            session.error('the Containerfile does not install the collection')


@nox.session(python=False)
def role(session):
    """The role through ansible-playbook and ansible-runner (private data dir, as AWX runs jobs), the HTML in Chromium."""
    _pytest(session, 'tests/role', EM_TESTS_REQUIRE_CHROMIUM='1')


@nox.session(python=False)
def reliability(session):
    """Faults, bad input, secrets and logon hygiene through real Ansible runs; writes docs/reliability.md."""
    _pytest(session, 'tests/reliability')


@nox.session(python=False)
def eda(session):
    """The EDA source through the real ansible-rulebook (.venv-eda) against the simulator, and the EDA credential type."""
    _pytest(session, 'tests/eda', EM_EDA_VENV=VENV_EDA)


@nox.session(python=False, name='bench-smoke')
def bench_smoke(session):
    """The benchmark at 1,000 sessions, one run per case: its correctness checks keep bench/ from rotting (times are not judged)."""
    session.run(os.path.join(VENV_BIN, 'python'), 'bench/run.py', '--smoke', env=_env(session), external=True)


# --- the default run, longest sessions first (--parallel starts them in this order), and each session's times ---

nox.options.sessions = [
    'ansible-test-integration-%s' % NEWEST_CORE, 'ansible-test-integration-%s' % CORES[0], 'ansible-test-sanity-%s' % NEWEST_CORE,
    'ansible-lint', 'role', 'bench-smoke', 'simulator', 'galaxy-importer', 'eda', 'reliability',
    'ansible-test-units-%s' % NEWEST_CORE, 'ansible-test-units-%s' % CORES[0], 'install-and-doc', 'docs-build', 'execution-environment',
    'build-import-check', 'docs-check', 'docs-lint', 'changelog-lint',
]


def _timed(name, func):
    """Write the session's wall and CPU time (user + system, its own and its finished children's) to $VBR_NOX_TIMES."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        wall, cpu = time.monotonic(), os.times()
        try:
            return func(*args, **kwargs)
        finally:
            end = os.times()
            used = sum(getattr(end, key) - getattr(cpu, key) for key in ('user', 'system', 'children_user', 'children_system'))
            os.makedirs(os.environ['VBR_NOX_TIMES'], exist_ok=True)
            with open(os.path.join(os.environ['VBR_NOX_TIMES'], name + '.json'), 'w', encoding='utf-8') as handle:
                json.dump({'session': name, 'wall': round(time.monotonic() - wall, 1), 'cpu': round(used, 1)}, handle)
    return run


if os.environ.get('VBR_NOX_TIMES'):  # set by `make test` (tools/nox_summary.py prints them)
    for _name, _func in nox.registry.get().items():
        _func.func = _timed(_name, _func.func)

if __name__ == '__main__':
    nox.main()
