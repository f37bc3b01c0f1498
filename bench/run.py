#!/usr/bin/env python
# Benchmark of vbr.enterprise_manager against the uri way and the floor (issue 7). Starts the EM
# simulator for each size and latency, runs every case (bench/benchlib/cases.py) with the
# simulator's request counters reset before each run, profiles the module, and writes
# bench/results.json and docs/performance.md. Never part of the tests: numbers, not assertions;
# only correctness checks (counts agree, every logon logged off, module facts == floor facts) fail
# the run. --smoke: N=1000, no latency, one repetition, results to bench/results/smoke.json.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark the info module, the lookup, the uri way and the floor against the EM simulator."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)

from benchlib import eda, job_control, proc, report  # noqa: E402
from benchlib.ansible_env import AnsibleEnv  # noqa: E402
from benchlib.cases import PASSWORD, USERNAME, Config, InventoryCase, all_cases, expected_requests  # noqa: E402
from benchlib.simulator import Simulator  # noqa: E402

SEED = 1
NOW = '2025-10-12T14:00:00Z'
# the cases behind the module/floor ratios: repeated more often at large sizes
CORE_CASES = frozenset(('module_xml', 'module_json', 'floor_script_xml', 'floor_script_json', 'ansible_cost', 'role_report'))


class Context(object):
    def __init__(self, env, workdir):
        self.env = env
        self.workdir = workdir
        self.repo = REPO
        self.bench = BENCH
        self.playbooks = os.path.join(BENCH, 'playbooks')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--smoke', action='store_true', help='N=1000 only, no latency, one repetition; results to bench/results/smoke.json')
    parser.add_argument('--sizes', type=lambda text: [int(x) for x in text.split(',')], default=[1000, 10000, 100000],
                        help='task session counts (default 1000,10000,100000)')
    parser.add_argument('--latency-ms', type=float, default=50.0, help='per-request latency of the second pass (default 50; 0: no second pass)')
    parser.add_argument('--repeat', type=int, default=3, help='timed runs per case below --large (median reported; default 3)')
    parser.add_argument('--repeat-large', type=int, default=1, help='timed runs per case from --large on (default 1)')
    parser.add_argument('--repeat-large-core', type=int, default=2,
                        help='timed runs from --large on of the cases behind the module/floor ratios (default 2)')
    parser.add_argument('--large', type=int, default=50000, help='sizes from this on count as large (default 50000)')
    parser.add_argument('--uri-latency-max', type=int, default=None,
                        help='largest size the uri way runs at with latency, to shorten a run (default: every size)')
    parser.add_argument('--verify-max', type=int, default=10000, help='largest size whose module result is compared with the floor facts')
    parser.add_argument('--install', choices=['symlink', 'build'], default='symlink',
                        help='symlink the work tree as the collection (default) or ansible-galaxy build + install it')
    parser.add_argument('--cases', type=lambda text: [x.strip() for x in text.split(',') if x.strip()], default=None,
                        help='run only these cases (comma-separated names, e.g. role_report,module_xml; default every case); '
                             'give --results and --docs elsewhere to keep the full results')
    parser.add_argument('--no-profile', action='store_true', help='skip the profile of the module')
    parser.add_argument('--job-mix', choices=['basic', 'real'], default='real',
                        help="the simulator's job mix (default real: copy, agent and NAS jobs beside the backups)")
    parser.add_argument('--vms', type=int, default=None, help="the simulator's VM count (default: about sessions / 45)")
    parser.add_argument('--results', help='results JSON (default bench/results.json; smoke: bench/results/smoke.json)')
    parser.add_argument('--docs', help='Markdown report (default docs/performance.md; smoke: none)')
    parser.add_argument('--keep', action='store_true', help='keep the temporary directory')
    parser.add_argument('--render', action='store_true', help='only derive the summary, targets and checks again from the measurements '
                        'of the results JSON and re-render the Markdown report')
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes = [1000]
        args.latency_ms = 0.0
        args.repeat = 1
    known = [case.name for case in all_cases(REPO)]
    unknown = sorted(set(args.cases or []) - set(known))
    if unknown:
        parser.error('unknown case(s) %s; the cases are %s' % (', '.join(unknown), ', '.join(known)))
    if args.results is None:
        args.results = os.path.join(BENCH, 'results', 'smoke.json') if args.smoke else os.path.join(BENCH, 'results.json')
    if args.docs is None and not args.smoke:
        args.docs = os.path.join(REPO, 'docs', 'performance.md')
    return args


def log(text):
    sys.stderr.write('[bench %s] %s\n' % (time.strftime('%H:%M:%S'), text))
    sys.stderr.flush()


def read_rss(path):
    """Peak RSS in MB of the first module process recorded in path (KiB per line), or None."""
    try:
        with open(path, encoding='ascii') as handle:
            values = [int(line) for line in handle if line.strip().isdigit()]
    except OSError:
        return None
    return round(values[0] / 1024.0, 1) if values else None


def run_once(ctx, cfg, case, index, cfgdir):
    cfg.sim.reset()
    rss_file = os.path.join(cfgdir, 'rss-%s-%d' % (case.name, index)) if case.module or case.name == 'ansible_cost' else None
    argv, env = case.command(ctx, cfg, rss_file=rss_file)
    measured = proc.run(argv, env=env, cwd=cfgdir, watch_pid=cfg.sim.pid)
    stats = cfg.sim.stats()
    if case.name == 'floor_script_xml' and measured.rc == 0:
        cfg.job_type_requests = case.job_type_requests(measured)
    run = {
        'rc': measured.rc,
        'wall_s': round(measured.wall, 3),
        'cpu_s': round(measured.cpu, 3),
        'sim_cpu_s': round(measured.other_cpu, 3) if measured.other_cpu is not None else None,
        'peak_rss_tree_mb': round(measured.peak_rss_mb, 1),
        'module_rss_mb': read_rss(rss_file) if rss_file else None,
        'count': case.count(measured),
        'stats': stats,
        'measures': case.measures(cfg, measured),
    }
    if measured.rc != 0:
        run['error'] = measured.tail()
        log('%s failed (rc %d):\n%s' % (case.name, measured.rc, measured.tail()))
    return run


def summarize_case(case, cfg, runs):
    walls = [run['wall_s'] for run in runs]
    last = runs[-1]
    stats = last['stats']
    count = last['count']
    record = {
        'label': case.label,
        'runs': len(runs),
        'rc': last['rc'],
        'wall_s': round(statistics.median(walls), 3),
        'wall_best_s': min(walls),
        'wall_max_s': max(walls),
        'cpu_s': round(statistics.median(run['cpu_s'] for run in runs), 3),
        'sim_cpu_s': _median([run['sim_cpu_s'] for run in runs]),
        'peak_rss_tree_mb': max(run['peak_rss_tree_mb'] for run in runs),
        'module_rss_mb': max([run['module_rss_mb'] for run in runs if run['module_rss_mb'] is not None], default=None),
        'count': count,
        'expected_count': case.expected_count(cfg),
        'requests': stats['requests'],
        'logons': stats['logons'],
        'logoffs': stats['logoffs'],
        'queries': stats['routes'].get('GET /api/query', 0),
        'entities_served': stats['entities_served'],
        'active_sessions_after': stats['active_sessions'],
        'walls_s': walls,
    }
    if count:
        record['overfetch'] = round(stats['entities_served'] / float(count), 3) if stats['logons'] else None
    if last['measures']:
        record['measures'] = last['measures']
    if 'error' in last:
        record['error'] = last['error']
    if stats['logons'] and count is not None and case.name not in ('lookup_names', 'latest_few', 'latest_window', 'inventory_sync'):
        record['expected_requests'] = expected_requests(count, cfg.job_type_requests or 0)
        # what the job types cost beyond logon, task session pages and logoff
        record['job_type_requests'] = stats['requests'] - expected_requests(count)
    return record


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def applicable(case, cfg, args):
    if case.available is False:
        return 'the plugin does not exist yet'
    if cfg.latency_ms and not case.latency_sensitive:
        return 'independent of the latency: see the run without latency'
    if cfg.latency_ms and case.name in ('module_fields', 'role_report'):
        return 'same requests as module_xml: measured without latency only'
    if case.name in job_control.SIZE_INDEPENDENT and cfg.sessions != job_control.size_of(args.sizes):
        return 'independent of the data size: measured at %d sessions only' % job_control.size_of(args.sizes)
    if args.cases is not None and case.name not in args.cases:
        return 'not among --cases'
    if case.name == 'uri_tasks_only' and (cfg.latency_ms or cfg.sessions > 10000):
        return 'the reference baseline (no job types): measured up to 10,000 sessions without latency'
    if cfg.latency_ms and case.name == 'uri' and args.uri_latency_max is not None and cfg.sessions > args.uri_latency_max:
        return 'skipped to keep the run short: the latency adds the same requests x latency as to the module'
    return None


def verify(ctx, cfg, cfgdir):
    """The module's registered result equals the floor's facts (not timed)."""
    dump = os.path.join(cfgdir, 'module-result.json')
    case = [c for c in all_cases(REPO) if c.name == 'module_xml'][0]
    argv, env = case.command(ctx, cfg, dump=dump)
    measured = proc.run(argv, env=env, cwd=cfgdir)
    if measured.rc != 0:
        return {'ok': False, 'detail': 'module run failed: %s' % measured.tail(5)}
    with open(dump, encoding='utf-8') as handle:
        module = json.load(handle)
    with open(cfg.facts_xml, encoding='utf-8') as handle:
        floor = json.load(handle)
    with open(cfg.facts_json, encoding='utf-8') as handle:
        floor_json = json.load(handle)
    same = (module['backup_task_sessions'] == floor['backup_task_sessions'] and module['summary'] == floor['summary']
            and module['count'] == floor['count'] and floor == floor_json)
    detail = 'module result == floor facts (XML and JSON), %d sessions' % module['count']
    if not same:
        detail = 'module result differs from the floor facts'
        for mine, theirs in zip(module['backup_task_sessions'], floor['backup_task_sessions']):
            if mine != theirs:
                detail += ': first difference %r' % dict((k, (mine.get(k), theirs.get(k))) for k in mine if mine.get(k) != theirs.get(k))
                break
    return {'ok': same, 'detail': detail}


def profile(ctx, cfg, cprofile):
    """Phase timings of the module in-process (XML and JSON); with cprofile, the top functions too."""
    out = {}
    base = {'url': cfg.sim.url, 'username': USERNAME, 'password': PASSWORD, 'since': cfg.since}
    for fmt in ('xml', 'json'):
        for mode in (['phases', 'cprofile'] if cprofile else ['phases']):
            module_args = dict(base, response_format=fmt)
            argv = [ctx.env.python, os.path.join(BENCH, 'profile_module.py'), '--collections-root', ctx.env.collections,
                    '--args', json.dumps(module_args)]
            if mode == 'cprofile':
                argv += ['--cprofile', '25']
            measured = proc.run(argv, env=ctx.env.env(), cwd=ctx.workdir)
            key = '%s_%s' % (mode, fmt)
            try:
                out[key] = json.loads(measured.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                out[key] = {'error': measured.tail()}
    return out


def parse_costs(ctx, cfg):
    argv = [ctx.env.python, os.path.join(BENCH, 'parse_bench.py'), '--collections-root', ctx.env.collections, '--url', cfg.sim.url,
            '--username', USERNAME, '--password', PASSWORD, '--filter', cfg.window_filter]
    measured = proc.run(argv, env=ctx.env.env(), cwd=ctx.workdir)
    try:
        return json.loads(measured.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {'error': measured.tail()}


def run_config(ctx, args, sessions, latency, warm):
    cfgdir = os.path.join(ctx.workdir, 'n%d-l%d' % (sessions, latency))
    os.makedirs(cfgdir)
    sim = Simulator(ctx.env.python, os.path.join(REPO, 'tests', 'em_simulator', 'server.py'), cfgdir, sessions, SEED, NOW, latency,
                    job_mix=args.job_mix, vms=args.vms)
    with sim:
        cfg = Config(sim, sessions, latency, sim.catalog(), cfgdir)
        record = {'sessions': sessions, 'latency_ms': latency, 'window_count': cfg.window_count, 'failed_count': cfg.failed_count,
                  'simulator_start_s': round(sim.start_seconds, 2), 'vm_names_few': cfg.vm_names_few,
                  'vm_names_many_count': len(cfg.vm_names_many), 'cases': {}, 'skipped': {}}
        log('N=%d latency=%gms: %d sessions in the 30-day window' % (sessions, latency, cfg.window_count))
        cases = all_cases(REPO)
        # untimed: fills the simulator's query cache and the OS caches; the first configuration also warms Ansible
        for case in cases:
            selected = args.cases is None or case.name in args.cases
            # the inventory cache case needs its cache filled: its timed runs are the hits
            fill_cache = selected and case.name == 'inventory_cache_hit' and not latency
            if case.name == 'floor_script_json' or fill_cache or (warm and selected and case.kind == 'playbook' and case.name in ('module_xml', 'uri')):
                argv, env = case.command(ctx, cfg)
                proc.run(argv, env=env, cwd=cfgdir)
            if selected and getattr(case, 'source', None) in InventoryCase.PREPARED and not latency:
                case.prepare(ctx, cfg, cfgdir)  # writes the inventory from a sync's --list
        reps = args.repeat if sessions < args.large else max(args.repeat_large, args.repeat_large_core)
        runs = {}
        for case in cases:
            reason = applicable(case, cfg, args)
            if reason:
                record['skipped'][case.name] = reason
            else:
                runs[case.name] = []
        # repetitions interleaved (every case once, then again) so a busy spell of the machine hits all cases alike;
        # the job control cases add runs to the simulator's data, so they run after everything else has read it
        later = [case for case in cases if case.name in job_control.SIZE_INDEPENDENT]
        _repeat(ctx, cfg, args, [case for case in cases if case not in later], runs, reps, cfgdir)
        if latency == 0 and sessions <= args.verify_max and args.cases is None:
            record['verify'] = verify(ctx, cfg, cfgdir)
            log('  verify: %s' % record['verify']['detail'])
        extras = {}
        if latency == 0 and not args.no_profile and not args.cases:
            if sessions == max(args.sizes):
                log('  profiling the module (phases)')
                extras['profile_phases'] = profile(ctx, cfg, cprofile=False)
                extras['profile_phases']['sessions'] = sessions
            if sessions == min(args.sizes, key=lambda n: abs(n - 10000)):
                log('  profiling the module (cProfile) and the per-entity costs')
                extras['profile_cprofile'] = profile(ctx, cfg, cprofile=True)
                extras['profile_cprofile']['sessions'] = sessions
                extras['parse_costs'] = parse_costs(ctx, cfg)
                extras['parse_costs']['sessions'] = sessions
        if latency == 0 and sessions == min(args.sizes):
            log('  EDA source: idle polls and session end to event')
            extras['eda_source'] = eda.eda_source(ctx, cfg, args.smoke)
            log('  %s' % (eda.console(extras) or [extras['eda_source'].get('error')])[0])
        _repeat(ctx, cfg, args, later, runs, reps, cfgdir)
        for case in cases:
            if case.name in runs:
                record['cases'][case.name] = summarize_case(case, cfg, runs[case.name])
    return record, extras


def _repeat(ctx, cfg, args, cases, runs, reps, cfgdir):
    """reps runs of each of `cases` that applies (runs: name -> the runs so far), interleaved; a case stops at its
    first failed run."""
    for index in range(reps):
        for case in cases:
            done = runs.get(case.name)
            if done is None or (done and done[-1]['rc'] != 0):
                continue
            if cfg.sessions >= args.large and index >= (args.repeat_large_core if case.name in CORE_CASES else args.repeat_large):
                continue
            done.append(run_once(ctx, cfg, case, index, cfgdir))
            log('  %-18s %7.2f s  cpu %6.2f s  count %s  requests %s'
                % (case.name, done[-1]['wall_s'], done[-1]['cpu_s'], done[-1]['count'], done[-1]['stats']['requests']))


def render(args):
    with open(args.results, encoding='utf-8') as handle:
        results = json.load(handle)
    report.derive(results)  # the derived parts (summary, targets, checks) as the report code makes them now
    with open(args.results, 'w', encoding='utf-8') as handle:
        json.dump(results, handle, indent=1, sort_keys=False)
    with open(args.docs, 'w', encoding='utf-8') as handle:
        handle.write(report.markdown(results))
    log('wrote %s from %s' % (os.path.relpath(args.docs, os.getcwd()), os.path.relpath(args.results, os.getcwd())))
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.render:
        return render(args)
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix='vbr-em-bench-')
    env = AnsibleEnv(REPO, workdir, install=args.install)
    ctx = Context(env, workdir)
    results = {
        'generated': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'mode': 'smoke' if args.smoke else 'full',
        'command': 'bench/run.py ' + ' '.join((argv if argv is not None else sys.argv[1:])),
        'settings': {'sizes': args.sizes, 'latency_ms': args.latency_ms, 'repeat': args.repeat, 'repeat_large': args.repeat_large,
                     'repeat_large_core': args.repeat_large_core,
                     'large': args.large, 'seed': SEED, 'now': NOW, 'install': args.install, 'uri_latency_max': args.uri_latency_max,
                     'job_mix': args.job_mix, 'vms': args.vms},
        'load_average_start': [round(x, 2) for x in os.getloadavg()],
        'configs': [],
    }
    try:
        env.prepare()
        results['machine'] = report.machine_info(env)
        latencies = [0.0] + ([args.latency_ms] if args.latency_ms else [])
        warm = True
        for sessions in args.sizes:
            for latency in latencies:
                record, extras = run_config(ctx, args, sessions, latency, warm)
                warm = False
                results['configs'].append(record)
                results.update(extras)
    finally:
        if args.keep:
            log('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results['load_average_end'] = [round(x, 2) for x in os.getloadavg()]
    results['duration_s'] = round(time.monotonic() - started, 1)
    report.derive(results)
    os.makedirs(os.path.dirname(args.results), exist_ok=True)
    with open(args.results, 'w', encoding='utf-8') as handle:
        json.dump(results, handle, indent=1, sort_keys=False)
        handle.write('\n')
    log('wrote %s' % os.path.relpath(args.results, os.getcwd()))
    if args.docs:
        with open(args.docs, 'w', encoding='utf-8') as handle:
            handle.write(report.markdown(results))
        log('wrote %s' % os.path.relpath(args.docs, os.getcwd()))
    sys.stdout.write(report.console(results))
    failed = [check for check in results['checks'] if not check['ok']]
    for check in failed:
        log('CHECK FAILED: %s: %s' % (check['name'], check['detail']))
    log('%d checks, %d failed, %.0f s' % (len(results['checks']), len(failed), results['duration_s']))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
