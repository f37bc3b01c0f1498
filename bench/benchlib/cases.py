# The benchmark cases: what each one runs (a playbook or a script) and how its answer is read.
# A case gets a Config (the running simulator and the data facts) and returns argv + env.
from __future__ import annotations

import json
import math
import os
import re
import sys

USERNAME = 'EM\\ansible'
PASSWORD = 'ansible-demo'
PAGE_SIZE = 1000  # the module's page size (task_session_search.SEARCH_DEFAULTS), used by every case
FIELDS = ['id', 'vm_name', 'job_name', 'creation_time', 'result']
_COUNT = re.compile(r'BENCH_COUNT=(\d+)')
_JOB_SESSIONS = re.compile(r'BENCH_JOB_SESSIONS=(\d+)')
_VMS = re.compile(r'BENCH_VMS=(\d+)')


class Config(object):
    """One simulator run: size, latency, the 30-day window and the names the selective cases use."""

    def __init__(self, sim, sessions, latency_ms, catalog, workdir, names_few=5, names_many=50):
        self.sim = sim
        self.sessions = sessions
        self.latency_ms = latency_ms
        self.catalog = catalog
        self.workdir = workdir
        self.since = catalog['window_start']
        self.window_count = catalog['total_last_30_days']
        self.failed_count = catalog['counts']['by_result'].get('Failed', 0)
        names = catalog['vm_names']
        self.vm_names_few = spread(names, names_few)
        self.vm_names_many = spread(names, names_many)
        self.job_type_requests = None  # the floor's job session queries, read from its output
        # the prepared inventories (static YAML, scripts): case name -> {'hosts': n, 'same': bool, 'detail': str}
        self.prepared_inventories = {}
        self.sync_listing = None  # a sync's --list, read once for all of them
        self.facts_xml = os.path.join(workdir, 'floor-xml.json')
        self.facts_json = os.path.join(workdir, 'floor-json.json')

    @property
    def window_filter(self):
        return 'CreationTime>="%s"' % self.since


def spread(names, count):
    """count names spread evenly over the sorted list (all of them when there are fewer)."""
    if len(names) <= count:
        return list(names)
    return [names[(i * len(names)) // count] for i in range(count)]


def expected_requests(entities, job_type_requests=0):
    """1 logon + one query per page (an empty result is one page) + the job session queries that give the
    job types (as many as the floor, which reads them the same way) + 1 logoff."""
    return 2 + max(1, int(math.ceil(entities / float(PAGE_SIZE)))) + job_type_requests


class Case(object):
    """name: key in results; group: table section; kind: 'playbook' or 'script'."""

    def __init__(self, name, label, kind, latency_sensitive=True, module=False, available=None):
        self.name = name
        self.label = label
        self.kind = kind
        self.latency_sensitive = latency_sensitive
        self.module = module
        self.available = available

    def measures(self, cfg, measured):
        """Figures of the last run besides time and requests (none by default)."""
        return {}

    def vars_file(self, cfg, data):
        path = os.path.join(cfg.workdir, 'vars-%s.json' % self.name)
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(data, handle)
        return path


class ModuleCase(Case):
    def __init__(self, name, label, extra, expected_count):
        super(ModuleCase, self).__init__(name, label, 'playbook', module=True)
        self.extra = extra
        self.expected_count = expected_count

    def command(self, ctx, cfg, rss_file=None, dump=None):
        data = dict(self.extra(cfg))
        data['ansible_python_interpreter'] = ctx.env.rss_wrapper if rss_file else ctx.env.python
        if dump:
            data['bench_dump'] = dump
        argv = [ctx.env.tool('ansible-playbook'), os.path.join(ctx.playbooks, 'module.yml'), '-e', '@' + self.vars_file(cfg, data)]
        env = ctx.env.env(VEEAM_EM_URL=cfg.sim.url, VEEAM_EM_USERNAME=USERNAME, VEEAM_EM_PASSWORD=PASSWORD,
                          BENCH_RSS_FILE=rss_file or os.devnull)
        return argv, env

    def count(self, measured):
        return parse_count(measured.stdout)

    def measures(self, cfg, measured):
        """With bench_report_vms: the distinct VMs among the entries (latest_per_vm has one per VM and job type)."""
        found = _VMS.findall(measured.stdout)
        return {'vms': int(found[-1])} if found else {}


class UriCase(Case):
    """The uri way (uri_way.yml). With job_types (the baseline of the target) it also reads the job sessions of the
    window, as the module does to tell backups from backup copies; without, the task sessions only (the baseline before
    issue 13 gave every answer its job type), kept beside it as a reference."""

    def __init__(self, job_types=True):
        if job_types:
            name, label = 'uri', 'uri way (ansible.builtin.uri, JSON: task sessions and the job sessions of the window)'
        else:
            name, label = 'uri_tasks_only', 'uri way, task sessions only (no job types; the baseline before issue 13)'
        super(UriCase, self).__init__(name, label, 'playbook')
        self.job_types = job_types

    def command(self, ctx, cfg, rss_file=None, dump=None):
        data = {'em_url': cfg.sim.url, 'em_user': USERNAME, 'em_password': PASSWORD, 'em_filter': cfg.window_filter,
                'em_page_size': PAGE_SIZE, 'em_job_types': self.job_types, 'ansible_python_interpreter': ctx.env.python}
        argv = [ctx.env.tool('ansible-playbook'), os.path.join(ctx.playbooks, 'uri_way.yml'), '-e', '@' + self.vars_file(cfg, data)]
        return argv, ctx.env.env()

    def count(self, measured):
        return parse_count(measured.stdout)

    def expected_count(self, cfg):
        return cfg.window_count

    def measures(self, cfg, measured):
        found = _JOB_SESSIONS.findall(measured.stdout)
        return {'job_sessions': int(found[-1])} if found else {}


class FloorScriptCase(Case):
    def __init__(self, fmt):
        super(FloorScriptCase, self).__init__('floor_script_%s' % fmt, 'floor: bare Python script (%s)' % fmt.upper(), 'script')
        self.fmt = fmt

    def command(self, ctx, cfg, rss_file=None, dump=None):
        out = cfg.facts_xml if self.fmt == 'xml' else cfg.facts_json
        argv = [ctx.env.python, os.path.join(ctx.bench, 'floor.py'), '--url', cfg.sim.url, '--username', USERNAME,
                '--password', PASSWORD, '--filter', cfg.window_filter, '--format', self.fmt, '--page-size', str(PAGE_SIZE),
                '--out', out]
        return argv, ctx.env.env()

    def count(self, measured):
        try:
            return json.loads(measured.stdout.strip().splitlines()[-1])['count']
        except (ValueError, IndexError, KeyError):
            return None

    @staticmethod
    def job_type_requests(measured):
        """The floor's job session queries (the job type enrichment), or None."""
        try:
            return json.loads(measured.stdout.strip().splitlines()[-1])['timings']['job_session_requests']
        except (ValueError, IndexError, KeyError):
            return None

    def expected_count(self, cfg):
        return cfg.window_count


class AnsibleCostCase(Case):
    def __init__(self):
        super(AnsibleCostCase, self).__init__('ansible_cost', "floor: Ansible's own cost (trivial module, same facts)", 'playbook',
                                              latency_sensitive=False)

    def command(self, ctx, cfg, rss_file=None, dump=None):
        data = {'bench_facts_file': cfg.facts_xml, 'ansible_python_interpreter': ctx.env.rss_wrapper if rss_file else ctx.env.python}
        argv = [ctx.env.tool('ansible-playbook'), os.path.join(ctx.playbooks, 'facts_from_file.yml'), '-e',
                '@' + self.vars_file(cfg, data)]
        return argv, ctx.env.env(BENCH_RSS_FILE=rss_file or os.devnull)

    def count(self, measured):
        return parse_count(measured.stdout)

    def expected_count(self, cfg):
        return cfg.window_count


class LookupCase(Case):
    def __init__(self, available):
        super(LookupCase, self).__init__('lookup_names', 'lookup: newest session of many VM names, one call', 'playbook',
                                         available=available)

    def command(self, ctx, cfg, rss_file=None, dump=None):
        data = {'bench_vm_names': cfg.vm_names_many, 'ansible_python_interpreter': ctx.env.python}
        argv = [ctx.env.tool('ansible-playbook'), os.path.join(ctx.playbooks, 'lookup.yml'), '-e', '@' + self.vars_file(cfg, data)]
        return argv, ctx.env.env(VEEAM_EM_URL=cfg.sim.url, VEEAM_EM_USERNAME=USERNAME, VEEAM_EM_PASSWORD=PASSWORD)

    def count(self, measured):
        return parse_count(measured.stdout)

    def expected_count(self, cfg):
        return len(cfg.vm_names_many)


class RoleCase(Case):
    """The task_session_report role over the 30-day window, judged as of the simulator's clock, with the few
    VM names as required VMs; its report sizes are recorded next to the time."""

    def __init__(self):
        super(RoleCase, self).__init__('role_report', 'task_session_report role, 30-day window (HTML, JSON, Markdown)', 'playbook')

    def report_dir(self, cfg):
        return os.path.join(cfg.workdir, 'role-report')

    def command(self, ctx, cfg, rss_file=None, dump=None):
        data = {'bench_since': cfg.since, 'bench_until': cfg.catalog['now'], 'bench_vm_names': cfg.vm_names_few,
                'bench_report_dir': self.report_dir(cfg), 'ansible_python_interpreter': ctx.env.python}
        argv = [ctx.env.tool('ansible-playbook'), os.path.join(ctx.playbooks, 'role.yml'), '-e', '@' + self.vars_file(cfg, data)]
        return argv, ctx.env.env(VEEAM_EM_URL=cfg.sim.url, VEEAM_EM_USERNAME=USERNAME, VEEAM_EM_PASSWORD=PASSWORD)

    def count(self, measured):
        return parse_count(measured.stdout)

    def expected_count(self, cfg):
        return cfg.window_count

    def measures(self, cfg, measured):
        """Sizes in bytes of the reports the last run wrote (None when missing)."""
        sizes = {}
        for ext in ('html', 'json', 'md'):
            path = os.path.join(self.report_dir(cfg), 'task_session_report.' + ext)
            sizes['%s_bytes' % ext] = os.path.getsize(path) if os.path.exists(path) else None
        return sizes


class InventoryCase(Case):
    """ansible-inventory --list: of a backup_vms source over the 30-day window (with or without its cache), of an
    empty static inventory (Ansible's own cost of an inventory run), or of an inventory made from a sync's --list:
    a static YAML file or a script printing it as JSON (the cheapest source Ansible has) with the same hosts, groups
    and host variables (Ansible's own cost of that much inventory), or a script with the same hosts and groups and
    no variable (Ansible's own cost of that many hosts). The count is the number of hosts."""

    PREPARED = ('static', 'script', 'script_hosts')

    def __init__(self, name, label, source, available=True):
        super(InventoryCase, self).__init__(name, label, 'inventory', latency_sensitive=source == 'sync', available=available)
        self.source = source

    def source_file(self, cfg):
        if self.source in self.PREPARED:
            return self.prepared_path(cfg)  # written by prepare
        if self.source == 'empty':
            path = os.path.join(cfg.workdir, 'empty.ini')
            text = '# no hosts\n'
        else:
            path = os.path.join(cfg.workdir, '%s.backup_vms.yml' % self.name)
            text = 'plugin: vbr.enterprise_manager.backup_vms\nsince: "%s"\n' % cfg.since
            if self.source == 'cached':
                text += ('cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_timeout: 86400\ncache_connection: "%s"\n'
                         % os.path.join(cfg.workdir, 'inventory-cache'))
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text)
        return path

    def prepared_path(self, cfg):
        return os.path.join(cfg.workdir, {'static': 'static-same.yml', 'script': 'script-same.py',
                                          'script_hosts': 'script-hosts.py'}[self.source])

    def command(self, ctx, cfg, rss_file=None, dump=None):
        argv = [ctx.env.tool('ansible-inventory'), '-i', self.source_file(cfg), '--list']
        env = ctx.env.env(VEEAM_EM_URL=cfg.sim.url, VEEAM_EM_USERNAME=USERNAME, VEEAM_EM_PASSWORD=PASSWORD,
                          ANSIBLE_INVENTORY_UNPARSED_FAILED='True')
        return argv, env

    def prepare(self, ctx, cfg, cwd):
        """Untimed, for the prepared sources: a sync's --list (read once) written as this source, then its own
        --list (which also warms the caches) compared with what it must give; the outcome in cfg.prepared_inventories."""
        from benchlib import proc
        if cfg.sync_listing is None:
            sync = InventoryCase('inventory_sync', '', 'sync')
            argv, env = sync.command(ctx, cfg)
            measured = proc.run(argv, env=env, cwd=cwd)
            try:
                cfg.sync_listing = json.loads(measured.stdout)
            except ValueError:
                cfg.prepared_inventories[self.name] = {'hosts': None, 'same': False, 'detail': 'the sync failed: %s' % measured.tail(5)}
                return
        listing = cfg.sync_listing
        expected = listing if self.source != 'script_hosts' else without_variables(listing)
        if self.source == 'static':
            write_static_inventory(self.prepared_path(cfg), listing)
        else:
            write_script_inventory(self.prepared_path(cfg), expected)
        argv, env = self.command(ctx, cfg)
        measured = proc.run(argv, env=env, cwd=cwd)
        try:
            actual = json.loads(measured.stdout)
            if self.source != 'static':  # the script plugin trusts its strings: no untrusted markers to compare
                expected = dict(expected, _meta={'hostvars': _unwrap(expected['_meta']['hostvars'])})
            same, detail = same_listing(expected, actual)
        except ValueError:
            same, detail = False, 'the %s inventory failed: %s' % (self.source, measured.tail(5))
        cfg.prepared_inventories[self.name] = {'hosts': len(listing['_meta']['hostvars']), 'same': same, 'detail': detail}

    def count(self, measured):
        try:
            return len(listed_hosts(json.loads(measured.stdout)))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def expected_count(self, cfg):
        if self.source in self.PREPARED:
            return cfg.prepared_inventories.get(self.name, {}).get('hosts')
        return 0 if self.source == 'empty' else None

    def measures(self, cfg, measured):
        prepared = cfg.prepared_inventories.get(self.name)
        if self.source not in self.PREPARED or prepared is None:
            return {}
        return {'same_as_sync': prepared['same'], 'same_detail': prepared['detail']}


_IMPLICIT_GROUPS = ('_meta', 'all', 'ungrouped')


class _Unsafe(object):
    """A host variable whose strings --list marks untrusted ({"__ansible_unsafe": ...}, as all of the plugin's
    are): written as one !unsafe mapping or sequence. (On a single scalar, !unsafe would re-resolve a quoted
    string, so that '' became null and a time a datetime.)"""

    def __init__(self, value):
        self.value = value

    @staticmethod
    def represent(dumper, unsafe):
        if isinstance(unsafe.value, dict):
            return dumper.represent_mapping('!unsafe', unsafe.value)
        if isinstance(unsafe.value, list):
            return dumper.represent_sequence('!unsafe', unsafe.value)
        return dumper.represent_data(unsafe.value)


def _unwrap(value):
    """value from --list without its __ansible_unsafe markers."""
    if isinstance(value, dict):
        if len(value) == 1 and '__ansible_unsafe' in value:
            return value['__ansible_unsafe']
        return dict((key, _unwrap(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_unwrap(item) for item in value]
    return value


def write_static_inventory(path, listing):
    """A YAML inventory with the hosts (and their variables), groups and group members of an
    ansible-inventory --list output: the host variables under all.hosts (each one !unsafe, so that its --list
    is the same), the groups under all.children."""
    import yaml
    dumper = getattr(yaml, 'CSafeDumper', yaml.SafeDumper)
    dumper.add_representer(_Unsafe, _Unsafe.represent)
    children = {}
    # an empty group is only named among its parent's children, never a key of its own
    names = list(listing.get('all', {}).get('children', [])) + list(listing)
    for group in names:
        if group in _IMPLICIT_GROUPS or group in children:
            continue
        body = listing.get(group) or {}
        entry = {'hosts': dict((host, None) for host in body.get('hosts', []))}
        if body.get('children'):
            entry['children'] = dict((child, None) for child in body['children'])
        children[group] = entry
    hosts = dict((host, dict((name, _Unsafe(_unwrap(value))) for name, value in variables.items()))
                 for host, variables in listing['_meta']['hostvars'].items())
    data = {'all': {'hosts': hosts, 'children': children}}
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.dump(data, handle, Dumper=dumper, default_flow_style=False, sort_keys=False)


def listed_hosts(listing):
    """The hosts of an --list output: those with variables and those of any group (a host without a variable
    is only in its groups)."""
    hosts = set(listing['_meta']['hostvars'])
    for name, body in listing.items():
        if name != '_meta':
            hosts.update(body.get('hosts', []))
    return hosts


def without_variables(listing):
    """An --list output with the same hosts and groups and no host variable (each host an empty mapping)."""
    bare = dict((name, body) for name, body in listing.items() if name != '_meta')
    bare['_meta'] = {'hostvars': {}}  # what --list shows of hosts without variables
    return bare


def write_script_inventory(path, listing):
    """An inventory script (executable, run by ansible.builtin.script) that prints listing as ansible-inventory
    --list gave it, its untrusted markers removed: the cheapest inventory source Ansible has, one JSON document
    read once. (Its strings are trusted, so its --list is lighter than the plugin's, whose strings are not.)"""
    data = dict((name, body) for name, body in listing.items() if name not in _IMPLICIT_GROUPS)
    data['_meta'] = {'hostvars': _unwrap(listing['_meta']['hostvars'])}
    data['all'] = {'children': [name for name in listing.get('all', {}).get('children', []) if name != 'ungrouped']}
    if listing.get('ungrouped', {}).get('hosts'):
        data['ungrouped'] = {'hosts': listing['ungrouped']['hosts']}
    json_path = path + '.json'
    with open(json_path, 'w', encoding='utf-8') as handle:
        json.dump(data, handle)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('#!%s\nimport sys\nif "--host" in sys.argv:\n    print("{}")\nelse:\n    with open(%r) as handle:\n'
                     '        sys.stdout.write(handle.read())\n' % (sys.executable, json_path))
    os.chmod(path, 0o755)


def _shape(listing):
    """What two --list outputs must share: the host variables and each group's hosts and children."""
    groups = dict((name, (sorted(body.get('hosts', [])), sorted(body.get('children', []))))
                  for name, body in listing.items() if name != '_meta')
    return listing['_meta']['hostvars'], groups


def same_listing(expected, actual):
    """(same, detail) of two --list outputs, group and host order aside."""
    (want_vars, want_groups), (got_vars, got_groups) = _shape(expected), _shape(actual)
    if got_groups != want_groups:
        differ = sorted(name for name in set(want_groups) | set(got_groups) if want_groups.get(name) != got_groups.get(name))
        return False, 'groups differ: %s' % ', '.join(differ[:5])
    if got_vars != want_vars:
        differ = sorted(host for host in set(want_vars) | set(got_vars) if want_vars.get(host) != got_vars.get(host))
        return False, 'host variables differ: %s' % ', '.join(differ[:5])
    return True, 'same hosts, groups and host variables as the sync (%d hosts, %d groups)' % (len(want_vars), len(want_groups))


def parse_count(stdout):
    found = _COUNT.findall(stdout)
    return int(found[-1]) if found else None


def all_cases(repo):
    """Every case, in the order they run (the floor scripts first: the Ansible-cost case reads their output)."""
    inventory = os.path.exists(os.path.join(repo, 'plugins', 'inventory', 'backup_vms.py'))
    from benchlib import job_control, vm_info  # the backup_vm_info (issue 21) and job control (issue 22) cases
    return [
        FloorScriptCase('xml'),
        FloorScriptCase('json'),
        ModuleCase('module_xml', 'module, 30-day window (XML, the default)',
                   lambda cfg: {'bench_since': cfg.since, 'bench_format': 'xml'}, lambda cfg: cfg.window_count),
        ModuleCase('module_json', 'module, 30-day window (response_format=json)',
                   lambda cfg: {'bench_since': cfg.since, 'bench_format': 'json'}, lambda cfg: cfg.window_count),
        ModuleCase('module_fields', 'module, 30-day window, fields: %s (XML)' % ', '.join(FIELDS),
                   lambda cfg: {'bench_since': cfg.since, 'bench_format': 'xml', 'bench_fields': FIELDS}, lambda cfg: cfg.window_count),
        AnsibleCostCase(),
        UriCase(),
        UriCase(job_types=False),
        ModuleCase('failed_all', 'module, result: Failed over the whole history',
                   lambda cfg: {'bench_result': ['Failed']}, lambda cfg: cfg.failed_count),
        # one entry per VM and job type: the count is that of the VMs among them
        ModuleCase('latest_few', 'module, latest_per_vm for 5 named VMs (VMs returned)',
                   lambda cfg: {'bench_vm_names': cfg.vm_names_few, 'bench_latest_per_vm': True, 'bench_count_vms': True},
                   lambda cfg: len(cfg.vm_names_few)),
        LookupCase(os.path.exists(os.path.join(repo, 'plugins', 'lookup', 'backup_task_session.py'))),
        RoleCase(),
        # the inventory (issue 15) against the module's latest_per_vm over the same window, and its cache hit
        # against ansible-inventory's own cost: of no host, and of a static inventory with the same hosts and variables
        # (count: its entries, one per VM and job type; measures['vms']: the VMs among them, which are the hosts)
        ModuleCase('latest_window', 'module, latest_per_vm over the 30-day window',
                   lambda cfg: {'bench_since': cfg.since, 'bench_latest_per_vm': True, 'bench_report_vms': True}, lambda cfg: None),
        InventoryCase('inventory_sync', 'inventory backup_vms, sync of the 30-day window (ansible-inventory --list)', 'sync',
                      available=inventory),
        InventoryCase('inventory_cache_hit', 'inventory backup_vms, cache hit (ansible-inventory --list)', 'cached', available=inventory),
        InventoryCase('inventory_empty', 'ansible-inventory --list of an empty static inventory', 'empty'),
        InventoryCase('inventory_static_same', 'ansible-inventory --list of a static YAML inventory with the hosts, groups and '
                      'host variables of the sync', 'static', available=inventory),
        InventoryCase('inventory_script_same', 'ansible-inventory --list of a script printing the hosts, groups and host '
                      'variables of the sync as JSON', 'script', available=inventory),
        InventoryCase('inventory_script_hosts', 'ansible-inventory --list of a script printing the hosts and groups of the sync, '
                      'no variable', 'script_hosts', available=inventory),
    ] + vm_info.cases() + job_control.cases()  # job control last: it adds runs to the simulator's data
