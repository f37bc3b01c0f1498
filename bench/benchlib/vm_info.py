# The backup_vm_info cases (issue 21): the verdict of 1,000 named VMs, against the info module's latest_per_vm for
# the same VMs (target: within 1.2x), and of every VM of the 30-day window, against latest_window (within 1.3x).
# Both read the same window; max_age reaches from the real clock back to a day before the simulator's fixed clock,
# so that the VMs whose last backup succeeded are judged as protected and their restore points are read, as they
# are on a live EM. The requests (logon, task session and job session queries, restore point queries, logoff) are in
# the results.
from __future__ import annotations

import os
import re
from datetime import datetime, timezone

from benchlib.cases import PASSWORD, USERNAME, Case, ModuleCase, parse_count, spread

NAMED = 1000
_STATUS = re.compile(r'BENCH_STATUS=([a-z_]+:\d+(?:,[a-z_]+:\d+)*)')


def named_vms(cfg):
    return spread(cfg.catalog['vm_names'], NAMED)


def max_age_seconds(cfg):
    """From now back to a day before the simulator's clock."""
    sim_now = datetime.strptime(cfg.catalog['now'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc)
    return int((datetime.now(timezone.utc) - sim_now).total_seconds()) + 86400


class VmInfoCase(Case):
    def __init__(self, name, label, named):
        super(VmInfoCase, self).__init__(name, label, 'playbook', module=True)
        self.named = named

    def command(self, ctx, cfg, rss_file=None, dump=None):
        data = {'bench_since': cfg.since, 'bench_max_age': max_age_seconds(cfg),
                'ansible_python_interpreter': ctx.env.rss_wrapper if rss_file else ctx.env.python}
        if self.named:
            data['bench_vm_names'] = named_vms(cfg)
        argv = [ctx.env.tool('ansible-playbook'), os.path.join(ctx.playbooks, 'vm_info.yml'), '-e', '@' + self.vars_file(cfg, data)]
        env = ctx.env.env(VEEAM_EM_URL=cfg.sim.url, VEEAM_EM_USERNAME=USERNAME, VEEAM_EM_PASSWORD=PASSWORD,
                          BENCH_RSS_FILE=rss_file or os.devnull)
        return argv, env

    def count(self, measured):
        return parse_count(measured.stdout)

    def expected_count(self, cfg):
        return len(named_vms(cfg)) if self.named else None

    def measures(self, cfg, measured):
        """The VMs per status of the last run."""
        found = _STATUS.findall(measured.stdout)
        return {'counts': dict((status, int(count)) for status, count in (item.split(':') for item in found[-1].split(',')))} if found else {}


def cases():
    """The cases of this file, in the order they run: each baseline before its backup_vm_info case."""
    return [
        ModuleCase('latest_named', 'module, latest_per_vm for %d named VMs over the 30-day window (VMs returned)' % NAMED,
                   lambda cfg: {'bench_since': cfg.since, 'bench_vm_names': named_vms(cfg), 'bench_latest_per_vm': True,
                                'bench_count_vms': True},
                   lambda cfg: None),
        VmInfoCase('vm_info_named', 'backup_vm_info for %d named VMs over the 30-day window (target: 1.2x latest_named)' % NAMED,
                   named=True),
        VmInfoCase('vm_info_window', 'backup_vm_info for every VM of the 30-day window (target: 1.3x latest_window)', named=False),
    ]
