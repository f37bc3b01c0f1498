# The job control cases (issue 22, item 7): the requests a wait makes per minute (backup_job started with wait: one
# read of the run per poll interval, on top of the requests before and after it), and a quick backup of 50 VMs with
# wait (requests, time, and the most VM runs at once, from their task sessions' times, against max_in_flight).
# Both change the simulator's data (new runs), so they run last in each configuration.
from __future__ import annotations

import json
import os
import re
from datetime import datetime

from benchlib.cases import PASSWORD, USERNAME, Case, parse_count, spread

WAIT_RUN_SECONDS = 30  # how long the job run being waited for lasts (the simulator's job plan)
DEFAULT_RUN_SECONDS = 2  # the simulator's --job-run-seconds, which the bench leaves at its default
WAIT_SLEEP = 5  # the module's poll interval in the wait case
QUICK_VMS = 50
QUICK_IN_FLIGHT = 5  # the module's default max_in_flight
QUICK_SLEEP = 1
POLL_ROUTE = 'GET /api/backupSessions/{ID}'  # one read of the run followed, per poll
QUICK_ROUTE = 'POST /api/backupServers/{ID}'
_SUCCEEDED = re.compile(r'BENCH_SUCCEEDED=(\d+)')


def backup_job(cfg):
    """The Backup job with the most VMs (its run is followed), as the catalog lists it."""
    jobs = [job for job in cfg.catalog['jobs'] if job['job_type'] == 'Backup' and job['vms']]
    return max(jobs, key=lambda job: (job['vms'], job['name']))


def quick_vms(cfg):
    """QUICK_VMS names spread over the VMs of the Backup jobs (a quick backup runs the job that protects the VM)."""
    names = sorted(set(name for job in cfg.catalog['jobs'] if job['job_type'] == 'Backup' for name in job.get('vm_names', [])))
    return spread(names, QUICK_VMS)


def _time(text):
    return datetime.strptime(text.rstrip('Z')[:26], '%Y-%m-%dT%H:%M:%S.%f' if '.' in text else '%Y-%m-%dT%H:%M:%S')


def runs_at_once(vms):
    """The most VM runs (task sessions of the quick backups, creation to end) that overlapped at one moment."""
    edges = []
    for facts in vms.values():
        session = facts.get('task_session') or {}
        if session.get('creation_time') and session.get('end_time'):
            edges += [(_time(session['creation_time']), 1), (_time(session['end_time']), -1)]
    most = current = 0
    for unused, step in sorted(edges, key=lambda edge: (edge[0], edge[1])):  # an end before a start at the same moment
        current += step
        most = max(most, current)
    return most


class JobControlCase(Case):
    def __init__(self, name, label, action):
        super(JobControlCase, self).__init__(name, label, 'playbook', latency_sensitive=action == 'quick', module=True)
        self.action = action

    def command(self, ctx, cfg, rss_file=None, dump=None):
        data = {'bench_action': self.action, 'ansible_python_interpreter': ctx.env.rss_wrapper if rss_file else ctx.env.python}
        if self.action == 'wait':
            job = backup_job(cfg)
            cfg.sim.post('/__simulator/job-plan', {'job_id': job['id'], 'run_seconds': WAIT_RUN_SECONDS, 'result': 'Success'})
            data.update(bench_job_name=job['name'], bench_backup_server=job['backup_server'], bench_wait_sleep=WAIT_SLEEP)
        else:
            data.update(bench_vm_names=quick_vms(cfg), bench_in_flight=QUICK_IN_FLIGHT, bench_wait_sleep=QUICK_SLEEP,
                        bench_dump=self.dump_path(cfg))
        argv = [ctx.env.tool('ansible-playbook'), os.path.join(ctx.playbooks, 'job_control.yml'), '-e', '@' + self.vars_file(cfg, data)]
        env = ctx.env.env(VEEAM_EM_URL=cfg.sim.url, VEEAM_EM_USERNAME=USERNAME, VEEAM_EM_PASSWORD=PASSWORD,
                          BENCH_RSS_FILE=rss_file or os.devnull)
        return argv, env

    def dump_path(self, cfg):
        return os.path.join(cfg.workdir, '%s-vms.json' % self.name)

    def count(self, measured):
        return parse_count(measured.stdout)

    def expected_count(self, cfg):
        return 1 if self.action == 'wait' else len(quick_vms(cfg))  # fewer than QUICK_VMS in a small dataset

    def measures(self, cfg, measured):
        """The simulator's counters of the run just measured (they are reset before each run)."""
        stats = cfg.sim.stats()
        routes = stats['routes']
        if self.action == 'wait':
            # the job's next runs (the quick backups of its VMs in the next repetition) take the default time again
            cfg.sim.post('/__simulator/job-plan', {'job_id': backup_job(cfg)['id'], 'run_seconds': DEFAULT_RUN_SECONDS})
            polls = routes.get(POLL_ROUTE, 0)
            return {'run_seconds': WAIT_RUN_SECONDS, 'wait_sleep': WAIT_SLEEP, 'polls': polls,
                    'polls_per_minute': round(polls * 60.0 / WAIT_RUN_SECONDS, 1), 'expected_per_minute': 60.0 / WAIT_SLEEP,
                    'other_requests': stats['requests'] - polls, 'routes': routes}
        succeeded = _SUCCEEDED.findall(measured.stdout)
        try:
            with open(self.dump_path(cfg), encoding='utf-8') as handle:
                vms = json.load(handle)
        except (OSError, ValueError):
            vms = {}
        return {'vms': len(quick_vms(cfg)), 'succeeded': int(succeeded[-1]) if succeeded else None, 'quick_backup_requests': routes.get(QUICK_ROUTE, 0),
                'runs_at_once': runs_at_once(vms), 'bound': QUICK_IN_FLIGHT,
                'requests_at_once': stats.get('max_in_flight', {}).get(QUICK_ROUTE), 'routes': routes}


SIZE_INDEPENDENT = ('quick_backup_50', 'job_wait')  # measured at one size only (bench/run.py): size_of()


def size_of(sizes):
    """The size the job control cases run at: the one nearest 10,000 sessions, whose Backup jobs have well over
    QUICK_VMS VMs (1,000 sessions have about 26)."""
    return min(sizes, key=lambda n: abs(n - 10000))


def cases():
    return [
        JobControlCase('quick_backup_50', 'quick_backup of %d VMs with wait, max_in_flight %d (most runs at once vs the bound)'
                       % (QUICK_VMS, QUICK_IN_FLIGHT), 'quick'),
        JobControlCase('job_wait', 'backup_job started with wait for a %d s run, wait_sleep %d (polls per minute: one per interval)'
                       % (WAIT_RUN_SECONDS, WAIT_SLEEP), 'wait'),
    ]
