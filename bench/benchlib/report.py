# Derived figures (ratios, growth, targets, correctness checks) and the two renderings of the
# results: docs/performance.md and a short console summary.
from __future__ import annotations

import os
import platform
import subprocess
import sys

from benchlib import eda
from benchlib.cases import FIELDS, PAGE_SIZE

COST_LABELS = {
    'module_xml_parse_normalise': 'module, XML: parse_response + normalize_task_session',
    'module_json_parse_normalise': 'module, JSON: parse_response + normalize_task_session',
    'module_xml_parse_only': 'module, XML: parse_response (xmltodict, canonical dicts built by its postprocessor)',
    'module_json_parse_only': 'module, JSON: parse_response (json.loads + canonical walk)',
    'xmltodict_parse_only': 'xmltodict.parse alone (as the floor calls it)',
    'normalise_only': 'normalize_task_session alone',
    'floor_xml_parse_normalise': 'floor, XML: xmltodict + facts',
    'floor_json_parse_normalise': 'floor, JSON: json.loads + facts',
    'elementtree_parse_only': 'ElementTree.fromstring alone (for comparison)',
    'json_loads_only': 'json.loads alone',
    'remove_values_all_fields': 'exit_json remove_values, all 20 keys',
    'remove_values_subset_fields': 'exit_json remove_values, fields subset',
    'json_dumps_all_fields': 'json.dumps of the result, all 20 keys',
    'json_dumps_subset_fields': 'json.dumps of the result, fields subset',
}

PHASE_LABELS = (
    ('http', 'HTTP: send, wait for EM, read the body (requests); a prefetched page: the wait for it'),
    ('xml_parse', 'XML reading: xmltodict + canonical dicts (XML only)'),
    ('parse_other', 'rest of parse_response: JSON decoding, canonical-key walk'),
    ('normalise', 'normalize_task_session'),
    ('select_other', 'paging loop, de-duplication, sort'),
    ('project_summary', 'fields projection, summary'),
    ('remove_values', 'exit_json: remove_values (no_log scrub, deep copy)'),
    ('encode_print', 'exit_json: JSON encoding, print'),
    ('startup', 'imports, argument parsing, logon/logoff, the rest'),
)


# --- machine ---------------------------------------------------------------------------------------

def machine_info(env):
    info = {'cpu_model': None, 'cores': os.cpu_count(), 'memory_gb': None, 'os': platform.platform(),
            'python': sys.version.split()[0]}
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.lower().startswith('model name'):
                    info['cpu_model'] = line.split(':', 1)[1].strip()
                    break
        with open('/proc/meminfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    info['memory_gb'] = round(int(line.split()[1]) / 1024.0 / 1024.0, 1)
    except OSError:
        pass
    for name in ('ansible-core', 'requests', 'xmltodict'):
        info[name] = _version(name)
    info['collection_commit'] = _git(['rev-parse', '--short', 'HEAD'], env.repo)
    status = _git(['status', '--porcelain', '--', 'plugins'], env.repo)
    info['plugins_modified_since_commit'] = bool(status)
    return info


def _version(dist):
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:  # pylint: disable=broad-except
        return None


def _git(argv, cwd):
    try:
        return subprocess.run(['git'] + argv, cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# --- derived figures -------------------------------------------------------------------------------

def _case(config, name):
    return config['cases'].get(name)


def _wall(config, name):
    """Best (smallest) wall time of the case's runs: the least disturbed by whatever else the machine runs."""
    case = _case(config, name)
    return case['wall_best_s'] if case and case['rc'] == 0 else None


def _median(config, name):
    case = _case(config, name)
    return case['wall_s'] if case and case['rc'] == 0 else None


def _cpu(config, name):
    case = _case(config, name)
    return case['cpu_s'] if case and case['rc'] == 0 else None


def _ratio(a, b, digits=2):
    if a is None or b is None or not b:
        return None
    return round(a / float(b), digits)


def _mb(size):
    return None if size is None else round(size / 1e6, 2)


def _plus(a, b):
    return None if a is None or b is None else round(a + b, 3)


def _config(results, sessions, latency):
    for config in results['configs']:
        if config['sessions'] == sessions and config['latency_ms'] == latency:
            return config
    return None


def derive(results):
    summary = []
    for config in results['configs']:
        base = _config(results, config['sessions'], 0.0) or config
        cost_wall, cost_cpu = _wall(base, 'ansible_cost'), _cpu(base, 'ansible_cost')
        row = {'sessions': config['sessions'], 'latency_ms': config['latency_ms'], 'window_count': config['window_count']}
        for fmt in ('xml', 'json'):
            module = 'module_%s' % fmt
            script = 'floor_script_%s' % fmt
            row['floor_%s_s' % fmt] = _plus(_wall(config, script), cost_wall)
            row['module_over_floor_%s' % fmt] = _ratio(_wall(config, module), row['floor_%s_s' % fmt])
            row['module_over_floor_cpu_%s' % fmt] = _ratio(_cpu(config, module), _plus(_cpu(config, script), cost_cpu))
            row['uri_over_module_%s' % fmt] = _ratio(_wall(config, 'uri'), _wall(config, module))
            row['uri_tasks_only_over_module_%s' % fmt] = _ratio(_wall(config, 'uri_tasks_only'), _wall(config, module))
        module = _case(config, 'module_xml') or {}
        row.update({
            'module_xml_s': _wall(config, 'module_xml'), 'module_json_s': _wall(config, 'module_json'),
            'uri_s': _wall(config, 'uri'), 'uri_tasks_only_s': _wall(config, 'uri_tasks_only'), 'ansible_cost_s': cost_wall,
            'module_xml_median_s': _median(config, 'module_xml'), 'uri_median_s': _median(config, 'uri'),
            'uri_over_module_cpu_xml': _ratio(_cpu(config, 'uri'), _cpu(config, 'module_xml')),
            'floor_script_xml_s': _wall(config, 'floor_script_xml'), 'floor_script_json_s': _wall(config, 'floor_script_json'),
            'module_requests': module.get('requests'), 'expected_requests': module.get('expected_requests'),
            'module_overfetch': module.get('overfetch'), 'module_rss_mb': module.get('module_rss_mb'),
            'uri_peak_rss_tree_mb': (_case(config, 'uri') or {}).get('peak_rss_tree_mb'),
        })
        fields = _case(config, 'module_fields')
        if fields and fields['rc'] == 0 and module.get('rc') == 0:
            row['fields'] = {
                'all_s': module['wall_best_s'], 'fields_s': fields['wall_best_s'],
                'saved_pct': round(100.0 * (module['wall_best_s'] - fields['wall_best_s']) / module['wall_best_s'], 1),
                'all_cpu_s': module['cpu_s'], 'fields_cpu_s': fields['cpu_s'],
                'module_rss_all_mb': module['module_rss_mb'], 'module_rss_fields_mb': fields['module_rss_mb'],
                'tree_rss_all_mb': module['peak_rss_tree_mb'], 'tree_rss_fields_mb': fields['peak_rss_tree_mb'],
            }
        role = _case(config, 'role_report')
        if role and role['rc'] == 0:
            sizes = role.get('measures') or {}
            row['role'] = {'role_s': role['wall_best_s'], 'role_cpu_s': role['cpu_s'], 'module_s': _wall(config, 'module_xml'),
                           'module_cpu_s': _cpu(config, 'module_xml'), 'role_over_module': _ratio(role['wall_best_s'], _wall(config, 'module_xml')),
                           'json_mb': _mb(sizes.get('json_bytes')), 'html_mb': _mb(sizes.get('html_bytes')), 'md_mb': _mb(sizes.get('md_bytes')),
                           'tree_rss_mb': role['peak_rss_tree_mb']}
        summary.append(row)
    results['summary'] = summary
    results['growth'] = _growth(results)
    results['targets'] = _targets(results)
    results['checks'] = _checks(results)


def _growth(results):
    rows = []
    for config in results['configs']:
        if config['sessions'] != 100000:
            continue
        small = _config(results, 10000, config['latency_ms'])
        if small is None:
            continue
        for name, case in config['cases'].items():
            before = _wall(small, name)
            if before is None or case['rc'] != 0:
                continue
            rows.append({'case': name, 'latency_ms': config['latency_ms'], 'wall_10k_s': before, 'wall_100k_s': case['wall_best_s'],
                         'growth': _ratio(case['wall_best_s'], before), 'entities_growth': _ratio(case['count'], (_case(small, name) or {}).get('count'))})
    return rows


def _target(rows, name, where, measured, met):
    rows.append({'target': name, 'where': where, 'measured': measured, 'met': met})


def _targets(results):
    rows = []
    for row in results['summary']:
        where = 'N=%s, latency %g ms' % (format(row['sessions'], ','), row['latency_ms'])
        config = _config(results, row['sessions'], row['latency_ms'])
        if row['sessions'] >= 10000:
            for fmt in ('xml', 'json'):
                ratio = row['module_over_floor_%s' % fmt]
                if ratio is not None:
                    _target(rows, 'module within 1.1x of the floor (%s)' % fmt.upper(), where, '%.2fx' % ratio, ratio <= 1.1)
        if row['sessions'] in (10000, 100000) and row['uri_over_module_xml'] is not None:
            _uri_target(rows, row, where)
        module = _case(config, 'module_xml')
        if module and module.get('expected_requests') is not None:
            name = 'requests = 1 logon + ceil(M/%d) + the job session queries of the floor + 1 logoff (M sessions returned)' % PAGE_SIZE
            counts = (module['requests'], module['expected_requests'], module.get('job_type_requests'))
            detail = '%d (expected %d; %s for the job types)' % counts
            _target(rows, name, where, detail, module['requests'] == module['expected_requests'])
        for name in ('module_xml', 'failed_all'):
            case = _case(config, name)
            if case and case.get('overfetch') is not None:
                _target(rows, 'over-fetch 1.0 for an EM-expressible filter (%s)' % name, where, '%.3f' % case['overfetch'],
                        case['overfetch'] <= 1.0)
        case = _case(config, 'latest_few')
        if case and case['rc'] == 0:
            k = len(config['vm_names_few'])
            _target(rows, 'latest_per_vm for K=%d VMs pulls at most K + one page (%d)' % (k, k + PAGE_SIZE), where,
                    '%d entities, %d requests' % (case['entities_served'], case['requests']), case['entities_served'] <= k + PAGE_SIZE)
        case = _case(config, 'lookup_names')
        if case and case['rc'] == 0:
            _target(rows, 'lookup of %d VM names: at most 1 logon + 2 queries + 1 logoff' % config['vm_names_many_count'], where,
                    '%d logon, %d queries, %d logoff' % (case['logons'], case['queries'], case['logoffs']),
                    case['logons'] <= 1 and case['queries'] <= 2 and case['logoffs'] == case['logons'])
        role = row.get('role')
        if role and role['role_over_module'] is not None and row['sessions'] >= 100000:  # the size issue 14 sets it for
            _target(rows, 'task_session_report role within 1.5x of the module (XML), same window', where,
                    '%.2fx (%.1f s / %.1f s)' % (role['role_over_module'], role['role_s'], role['module_s']), role['role_over_module'] <= 1.5)
        if role and role['json_mb'] is not None:
            _target(rows, 'task_session_report JSON report under 10 MB', where, '%.2f MB (HTML %s MB)' % (role['json_mb'], _s(role['html_mb'])),
                    role['json_mb'] < 10)
        _inventory_targets(rows, config, where)
        _verdict_targets(rows, config, where)
        _job_control_targets(rows, config, where)
        if row['sessions'] == 100000 and row['latency_ms'] == 0 and row['module_rss_mb'] is not None:
            _target(rows, 'module peak RSS under 500 MB', where, '%.0f MB' % row['module_rss_mb'], row['module_rss_mb'] < 500)
    return rows


def _uri_target(rows, row, where):
    """The uri way target (issue 20, as measured): at least 3x at 100,000 sessions, and within 1.1x of the floor at
    10,000, where no module can reach 3x: there even the floor (the bare script plus Ansible's own cost of the
    facts) is about 3x faster than the uri way, so 3x would ask the module to beat the floor."""
    reference = ''
    if row['uri_tasks_only_over_module_xml'] is not None:
        reference = '; the uri way without the job sessions: %.2fx (XML), %sx (JSON)' % (
            row['uri_tasks_only_over_module_xml'], row['uri_tasks_only_over_module_json'])
    ceiling = _ratio(row['uri_s'], row['floor_xml_s'])
    if ceiling is not None:  # what a module exactly at the floor would reach
        reference += '; the floor itself: %.2fx' % ceiling
    uri = '%.2fx (XML), %sx (JSON); CPU time %sx (XML)%s' % (
        row['uri_over_module_xml'], row['uri_over_module_json'], row['uri_over_module_cpu_xml'], reference)
    if row['sessions'] >= 100000:
        _target(rows, 'at least 3x faster than the uri way (reading the same task and job sessions)', where, uri,
                row['uri_over_module_xml'] >= 3.0)
    elif row['module_over_floor_xml'] is not None:
        _target(rows, 'against the uri way: within 1.1x of the floor (XML), the most any module can do here', where,
                'module/floor %.2fx; uri/module %s' % (row['module_over_floor_xml'], uri), row['module_over_floor_xml'] <= 1.1)


def _verdict_targets(rows, config, where):
    """backup_vm_info (issue 21) at 100,000 sessions without latency: 1,000 named VMs within 1.2x of latest_per_vm for
    the same VMs, every VM of the window within 1.3x of latest_per_vm over the window; the requests of each side."""
    if config['sessions'] < 100000 or config['latency_ms']:
        return
    for case, base, limit, what in (('vm_info_named', 'latest_named', 1.2, '1,000 named VMs'),
                                    ('vm_info_window', 'latest_window', 1.3, 'every VM of the window')):
        ratio = _ratio(_wall(config, case), _wall(config, base))
        if ratio is not None:
            measured = '%.2fx (%.2f s, %d requests vs %.2f s, %d requests)' % (
                ratio, _wall(config, case), _case(config, case)['requests'], _wall(config, base), _case(config, base)['requests'])
            _target(rows, 'backup_vm_info for %s within %.1fx of latest_per_vm for the same VMs' % (what, limit), where,
                    measured, ratio <= limit)


def _job_control_targets(rows, config, where):
    """Job control (issue 22): a wait reads the run once per poll interval; a quick backup has at most max_in_flight VM runs
    at once (from their task sessions' times) and sends one request per VM."""
    wait = (_case(config, 'job_wait') or {}).get('measures')
    if wait:
        _target(rows, 'backup_job wait: one read of the run per poll interval', where,
                '%s polls per minute (expected %s; %d polls in a %d s run, %d other requests)'
                % (wait['polls_per_minute'], wait['expected_per_minute'], wait['polls'], wait['run_seconds'], wait['other_requests']),
                wait['polls_per_minute'] <= wait['expected_per_minute'])
    quick = _case(config, 'quick_backup_50')
    if quick and quick.get('measures'):
        m = quick['measures']
        _target(rows, 'quick_backup: at most max_in_flight VM runs at once, one quick backup request per VM', where,
                '%d VMs in %.1f s, %d requests (%d quick backup requests), at most %d runs at once (bound %d), %d succeeded'
                % (m['vms'], quick['wall_s'], quick['requests'], m['quick_backup_requests'], m['runs_at_once'], m['bound'],
                   m['succeeded'] or 0),
                m['runs_at_once'] <= m['bound'] and m['quick_backup_requests'] == m['vms'])


def _inventory_targets(rows, config, where):
    """A sync within 1.2x of the module's latest_per_vm over the same window (issue 15); a cache hit within 1.5x of
    ansible-inventory on a script that prints the same inventory (issue 20, as measured: the cheapest source of
    that many hosts, groups and variables; the empty inventory of issue 15 left out what ansible-core itself needs
    for them, shown beside it). Shown from 10,000 sessions on."""
    if config['sessions'] < 10000:
        return
    sync = _ratio(_wall(config, 'inventory_sync'), _wall(config, 'latest_window'))
    if sync is not None:
        _target(rows, 'inventory sync within 1.2x of the module latest_per_vm (30-day window)', where,
                '%.2fx (%.2f s vs %.2f s)' % (sync, _wall(config, 'inventory_sync'), _wall(config, 'latest_window')), sync <= 1.2)
    hit = _wall(config, 'inventory_cache_hit')
    same = _ratio(hit, _wall(config, 'inventory_script_same'))
    if same is not None:
        measured = '%.2fx (%.2f s vs %.2f s)' % (same, hit, _wall(config, 'inventory_script_same'))
        empty = _ratio(hit, _wall(config, 'inventory_empty'))
        if empty is not None:  # for reference: Ansible's cost of an inventory run, and of the hosts alone
            measured += '; against an empty inventory %.2fx (%.2f s)' % (empty, _wall(config, 'inventory_empty'))
            bare = _ratio(_wall(config, 'inventory_script_hosts'), _wall(config, 'inventory_empty'))
            if bare is not None:
                measured += (', where ansible-core alone, listing the same %s hosts without any variable from a script, takes %.2fx (%.2f s)'
                             % (_n((_case(config, 'inventory_script_hosts') or {}).get('count') or 0), bare,
                                _wall(config, 'inventory_script_hosts')))
        _target(rows, 'inventory cache hit within 1.5x of ansible-inventory on a script that prints the same inventory', where,
                measured, same <= 1.5)
    static = _ratio(hit, _wall(config, 'inventory_static_same'))
    if static is not None:
        _target(rows, 'inventory cache hit within 1.5x of a static YAML inventory with the same hosts, groups and variables', where,
                '%.2fx (%.2f s vs %.2f s)' % (static, hit, _wall(config, 'inventory_static_same')), static <= 1.5)


def _inventory_checks(config, where):
    """The inventory has one host per VM among the module's latest_per_vm entries (one per VM and job type), each
    prepared inventory lists what it was made from, and the cache hit sent no request."""
    checks = []
    sync, latest, hit = (_case(config, name) for name in ('inventory_sync', 'latest_window', 'inventory_cache_hit'))
    if sync and latest and sync['rc'] == 0 and latest['rc'] == 0:
        vms = (latest.get('measures') or {}).get('vms')
        checks.append({'name': '%s inventory hosts == latest_per_vm VMs' % where, 'ok': vms is not None and sync['count'] == vms,
                       'detail': '%s hosts, %s VMs in %s latest_per_vm entries' % (sync['count'], vms, latest['count'])})
    for name, label in (('inventory_static_same', 'static inventory --list == sync --list'),
                        ('inventory_script_same', 'script inventory --list == sync --list'),
                        ('inventory_script_hosts', 'script inventory --list == sync --list without variables')):
        prepared = _case(config, name)
        if prepared and prepared['rc'] == 0:
            measures = prepared.get('measures') or {}
            checks.append({'name': '%s %s' % (where, label), 'ok': measures.get('same_as_sync') is True,
                           'detail': measures.get('same_detail', 'not compared')})
    if hit and sync and hit['rc'] == 0:
        ok = hit['requests'] == 0 and hit['count'] == sync['count']
        checks.append({'name': '%s inventory cache hit sends no request' % where, 'ok': ok,
                       'detail': '%d requests, %s hosts' % (hit['requests'], hit['count'])})
    return checks


def _checks(results):
    checks = []
    for config in results['configs']:
        where = 'N=%d latency=%g' % (config['sessions'], config['latency_ms'])
        for name, case in config['cases'].items():
            ok = case['rc'] == 0
            detail = 'rc %d' % case['rc'] if ok else 'rc %d: %s' % (case['rc'], case.get('error', '')[-400:])
            if ok and case['expected_count'] is not None and case['count'] != case['expected_count']:
                ok, detail = False, 'returned %s sessions, expected %s' % (case['count'], case['expected_count'])
            if ok and case['logons'] and (case['active_sessions_after'] or case['logons'] != case['logoffs']):
                ok, detail = False, '%d logons, %d logoffs, %d logon sessions left' % (case['logons'], case['logoffs'], case['active_sessions_after'])
            checks.append({'name': '%s %s' % (where, name), 'ok': ok, 'detail': detail})
        checks.extend(_inventory_checks(config, where))
        if 'verify' in config:
            checks.append({'name': '%s module result == floor facts' % where, 'ok': config['verify']['ok'], 'detail': config['verify']['detail']})
    for key in ('profile_phases', 'profile_cprofile', 'parse_costs'):
        section = results.get(key)
        if section is None:
            continue
        errors = [str(v.get('error')) for v in section.values() if isinstance(v, dict) and v.get('error')]
        errors += ['exit code %s' % v.get('exit_code') for v in section.values() if isinstance(v, dict) and v.get('exit_code')]
        checks.append({'name': key, 'ok': not errors, 'detail': '; '.join(errors)[-400:] or 'ran'})
    if eda.check(results) is not None:
        checks.append(eda.check(results))
    return checks


# --- rendering -------------------------------------------------------------------------------------

def _n(value):
    return format(value, ',') if isinstance(value, int) else str(value)


def _s(value, digits=2):
    return '-' if value is None else ('%.*f' % (digits, value))


def _x(value):
    return '-' if value is None else '%.2fx' % value


def _table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '|'.join(' --- ' for unused in header) + '|']
    for row in rows:
        lines.append('| ' + ' | '.join(str(cell) for cell in row) + ' |')
    return '\n'.join(lines) + '\n'


def markdown(results):
    m = results['machine']
    settings = results['settings']
    out = []
    add = out.append
    add('# Performance\n\n')
    add('Generated by `make bench` (`.venv/bin/python bench/run.py`) on %s in %.0f s; do not edit by hand. '
        'Raw figures: [bench/results.json](../bench/results.json). Method: [bench/README.md](../bench/README.md).\n'
        % (results['generated'], results['duration_s']))
    add('\n## Machine\n\n')
    add(_table(['CPU', 'cores', 'memory', 'OS', 'Python', 'ansible-core', 'requests', 'xmltodict', 'load average (start, end)'], [[
        m.get('cpu_model'), m.get('cores'), '%s GB' % m.get('memory_gb'), m.get('os'), m.get('python'), m.get('ansible-core'),
        m.get('requests'), m.get('xmltodict'),
        '%s / %s' % (', '.join(str(x) for x in results['load_average_start']), ', '.join(str(x) for x in results['load_average_end']))]]))
    add('\nCollection at commit `%s`%s. Simulator: seed %s, clock %s, HTTP on 127.0.0.1 (it shares the CPU with what it '
        'serves). Page size %d everywhere. Each case runs %d times (from %s sessions on: %d, the module and floor cases %d), '
        'the repetitions interleaved; '
        'wall times and ratios use the best run (the least disturbed by other load), the median is shown next to it. CPU is '
        'user + system time of the measured process tree (the simulator excluded), the steadier figure when the machine '
        'is busy. Ansible defaults (no pipelining, the default callback), localhost connection.\n'
        % (m.get('collection_commit'), ' plus uncommitted changes in plugins/' if m.get('plugins_modified_since_commit') else '',
           settings['seed'], settings['now'], PAGE_SIZE, settings['repeat'], _n(settings['large']), settings['repeat_large'],
           settings.get('repeat_large_core', settings['repeat_large'])))

    add('\n## Every task session of a 30-day window\n\n')
    add('*Floor* = the bare Python script (same requests, same facts, no Ansible) + Ansible\'s own cost of returning the same '
        'facts from a trivial module. *module/floor* near 1 means the module adds nothing on top of fetching, parsing and Ansible.\n\n')
    header = ['sessions (in window)', 'latency', 'module XML s (median)', 'module JSON s', 'floor XML s (script + Ansible)',
              'module/floor XML', 'module/floor JSON', 'module/floor CPU XML', 'uri way s (median)', 'uri/module XML (CPU)',
              'uri way without job sessions s (uri/module XML)', 'requests (expected)', 'over-fetch', 'module peak RSS']
    rows = []
    for r in results['summary']:
        rows.append(['%s (%s)' % (_n(r['sessions']), _n(r['window_count'])), '%g ms' % r['latency_ms'],
                     '%s (%s)' % (_s(r['module_xml_s']), _s(r['module_xml_median_s'])),
                     _s(r['module_json_s']), '%s (%s + %s)' % (_s(r['floor_xml_s']), _s(r['floor_script_xml_s']), _s(r['ansible_cost_s'])),
                     _x(r['module_over_floor_xml']), _x(r['module_over_floor_json']), _x(r['module_over_floor_cpu_xml']),
                     '%s (%s)' % (_s(r['uri_s']), _s(r['uri_median_s'])), '%s (%s)' % (_x(r['uri_over_module_xml']), _x(r['uri_over_module_cpu_xml'])),
                     '%s (%s)' % (_s(r['uri_tasks_only_s']), _x(r['uri_tasks_only_over_module_xml'])) if r.get('uri_tasks_only_s') else '-',
                     '%s (%s)' % (r['module_requests'], r['expected_requests']), _s(r['module_overfetch'], 3),
                     '%s MB' % _s(r['module_rss_mb'], 0)])
    add(_table(header, rows))
    biggest = max(results['summary'], key=lambda r: (r['sessions'], -r['latency_ms']))
    if biggest['module_xml_s'] and biggest['ansible_cost_s'] and biggest['floor_script_xml_s']:
        add('\nAt %s sessions (%s returned, latency %g ms): the module takes %.1f s (XML) and %s s (JSON); the bare script '
            'fetches and parses the same in %.1f s; Ansible alone needs %.1f s to carry that many facts back from a trivial '
            'module. The uri way takes %s s and its ansible-playbook peaks at %s MB.\n'
            % (_n(biggest['sessions']), _n(biggest['window_count']), biggest['latency_ms'], biggest['module_xml_s'],
               _s(biggest['module_json_s'], 1), biggest['floor_script_xml_s'], biggest['ansible_cost_s'], _s(biggest['uri_s'], 1),
               _s(biggest['uri_peak_rss_tree_mb'], 0)))

    add('\n## Targets (issues 7, 15 and 20)\n\n')
    add(_table(['target', 'where', 'measured', 'met'],
               [[t['target'], t['where'], t['measured'], 'yes' if t['met'] else '**no**'] for t in results['targets']]))

    add('\n## `fields`: returning only %s\n\n' % ', '.join('`%s`' % f for f in FIELDS))
    rows = []
    for r in results['summary']:
        f = r.get('fields')
        if f:
            rows.append([_n(r['sessions']), '%s (%s)' % (_s(f['all_s']), _s(f['all_cpu_s'])), '%s (%s)' % (_s(f['fields_s']), _s(f['fields_cpu_s'])),
                         '%.0f %%' % f['saved_pct'],
                         '%s / %s MB' % (_s(f['module_rss_all_mb'], 0), _s(f['module_rss_fields_mb'], 0)),
                         '%s / %s MB' % (_s(f['tree_rss_all_mb'], 0), _s(f['tree_rss_fields_mb'], 0))])
    add(_table(['sessions', 'all 20 keys s (CPU s)', '%d keys s (CPU s)' % len(FIELDS), 'time saved', 'module peak RSS all / subset',
                'peak RSS incl. ansible-playbook all / subset'], rows))

    rows = [r for r in results['summary'] if r.get('role')]
    if rows:
        add('\n## The task_session_report role\n\n')
        add('`playbooks/role.yml`: the role over the 30-day window, judged as of the simulator\'s clock, %d required VMs, '
            'HTML, JSON and Markdown reports (default options), against the module alone over the same window in the same run.\n\n'
            % len(results['configs'][0].get('vm_names_few') or []))
        add(_table(['sessions', 'role s (CPU s)', 'module XML s (CPU s)', 'role/module', 'JSON report', 'HTML report', 'Markdown',
                    'peak RSS incl. ansible-playbook'],
                   [[_n(r['sessions']), '%s (%s)' % (_s(r['role']['role_s']), _s(r['role']['role_cpu_s'])),
                     '%s (%s)' % (_s(r['role']['module_s']), _s(r['role']['module_cpu_s'])), _x(r['role']['role_over_module']),
                     '%s MB' % _s(r['role']['json_mb']), '%s MB' % _s(r['role']['html_mb']), '%s MB' % _s(r['role']['md_mb'], 3),
                     '%s MB' % _s(r['role']['tree_rss_mb'], 0)] for r in rows]))

    add('\n## Selective questions\n\n')
    rows = []
    for config in results['configs']:
        for name in ('failed_all', 'latest_few', 'lookup_names'):
            case = config['cases'].get(name)
            if case is None:
                continue
            rows.append([_n(config['sessions']), '%g ms' % config['latency_ms'], case['label'], _s(case['wall_best_s']), _n(case['count']),
                         '%d (%d logon, %d queries, %d logoff)' % (case['requests'], case['logons'], case['queries'], case['logoffs']),
                         _n(case['entities_served']), _s(case.get('overfetch'), 2)])
    add(_table(['sessions', 'latency', 'question', 'wall s', 'returned', 'requests', 'entities pulled', 'over-fetch'], rows))
    skipped = sorted(set('%s: %s' % (name, why) for config in results['configs'] for name, why in config['skipped'].items()
                         if name == 'lookup_names'))
    for line in skipped:
        add('\n%s\n' % line)

    if results['growth']:
        add('\n## Growth from 10,000 to 100,000 sessions\n\n')
        add(_table(['case', 'latency', '10k s', '100k s', 'time growth', 'returned growth'],
                   [[g['case'], '%g ms' % g['latency_ms'], _s(g['wall_10k_s']), _s(g['wall_100k_s']), _x(g['growth']),
                     _x(g['entities_growth'])] for g in results['growth']]))

    add('\n## Every case\n\n')
    for config in results['configs']:
        add('\n### %s sessions, latency %g ms (%s in the 30-day window)\n\n'
            % (_n(config['sessions']), config['latency_ms'], _n(config['window_count'])))
        rows = []
        for name, c in config['cases'].items():
            rows.append([c['label'], '%s / %s / %s' % (_s(c['wall_best_s']), _s(c['wall_s']), _s(c['wall_max_s'])), _s(c['cpu_s']),
                         _s(c['sim_cpu_s']), c['requests'], _n(c['entities_served']), _n(c['count']), _s(c.get('overfetch'), 2),
                         _s(c['module_rss_mb'], 0), _s(c['peak_rss_tree_mb'], 0), 'ok' if c['rc'] == 0 else 'rc %d' % c['rc']])
        add(_table(['case', 'wall s best / median / worst', 'CPU s (median)', 'simulator CPU s', 'requests', 'entities pulled', 'returned',
                    'over-fetch', 'module RSS MB', 'tree RSS MB', 'status'], rows))
        for name, why in config['skipped'].items():
            add('\nNot run: %s (%s).\n' % (name, why))

    _profile_markdown(results, add)
    eda.markdown(results, add, _table)
    add('\n## Correctness checks\n\n')
    failed = [c for c in results['checks'] if not c['ok']]
    add('%d checks, %d failed (each run exits 0 and returns the expected count; every logon is logged off; the module '
        'result equals the floor facts).\n' % (len(results['checks']), len(failed)))
    for check in failed:
        add('\n- FAILED %s: %s\n' % (check['name'], check['detail']))
    return ''.join(out)


def _profile_markdown(results, add):
    phases = results.get('profile_phases')
    if phases:
        add('\n## Where the module spends its time (%s sessions, in-process, no profiler)\n\n' % _n(phases.get('sessions')))
        add('The module run in one process as AnsiballZ runs it, with timers around the module_utils functions and '
            '`exit_json` (bench/profile_module.py).\n\n')
        rows = []
        xml, js = phases.get('phases_xml', {}), phases.get('phases_json', {})
        for key, label in PHASE_LABELS:
            a = (xml.get('phases_s') or {}).get(key)
            b = (js.get('phases_s') or {}).get(key)
            rows.append([label, _s(a), '%.0f %%' % (100.0 * a / xml['wall_s']) if a is not None else '-',
                         _s(b), '%.0f %%' % (100.0 * b / js['wall_s']) if b is not None else '-'])
        rows.append(['**total** (peak RSS)', '%s (%s MB)' % (_s(xml.get('wall_s')), _s(xml.get('peak_rss_mb'), 0)), '',
                     '%s (%s MB)' % (_s(js.get('wall_s')), _s(js.get('peak_rss_mb'), 0)), ''])
        add(_table(['phase', 'XML s', 'share', 'JSON s', 'share'], rows))
    costs = results.get('parse_costs')
    if costs and costs.get('ms_per_1000_entities'):
        add('\n## Cost per 1,000 task sessions (%s sessions, best of 3, bench/parse_bench.py)\n\n' % _n(costs.get('sessions')))
        add('Page sizes: XML %s bytes, JSON %s bytes per entity; the module result %s bytes per session with all keys, %s with '
            '`fields` %s.\n\n' % (costs['xml_bytes_per_entity'], costs['json_bytes_per_entity'],
                                  costs['result_bytes_per_entity_all_fields'], costs['result_bytes_per_entity_subset_fields'],
                                  ', '.join(costs['fields_subset'])))
        add(_table(['step', 'ms per 1,000'], [[COST_LABELS.get(k, k), v] for k, v in costs['ms_per_1000_entities'].items()]))
    prof = results.get('profile_cprofile')
    if prof and (prof.get('cprofile_xml') or {}).get('cprofile_top'):
        add('\n## cProfile of the module (%s sessions, XML), top functions by own time\n\n' % _n(prof.get('sessions')))
        top = prof['cprofile_xml']
        add('Total profiled time %.2f s (cProfile slows pure-Python code down; read the shares, not the seconds).\n\n'
            % top['cprofile_total_s'])
        add(_table(['function', 'calls', 'own s', 'cumulative s'],
                   [['`%s`' % row['function'], row['calls'], row['tottime_s'], row['cumtime_s']] for row in top['cprofile_top'][:15]]))


def console(results):
    lines = ['', 'sessions  latency  module-xml  module-json  floor-xml  mod/floor  uri      uri/mod  requests  rss']
    for r in results['summary']:
        lines.append('%8s  %5gms  %9s  %10s  %9s  %9s  %7s  %7s  %8s  %s' % (
            r['sessions'], r['latency_ms'], _s(r['module_xml_s']), _s(r['module_json_s']), _s(r['floor_xml_s']),
            _x(r['module_over_floor_xml']), _s(r['uri_s']), _x(r['uri_over_module_xml']),
            '%s/%s' % (r['module_requests'], r['expected_requests']), _s(r['module_rss_mb'], 0)))
    for r in results['summary']:
        if r.get('role'):
            lines.append('role %8s: %s s, module %s s, role/module %s, JSON %s MB, HTML %s MB' % (
                r['sessions'], _s(r['role']['role_s']), _s(r['role']['module_s']), _x(r['role']['role_over_module']),
                _s(r['role']['json_mb']), _s(r['role']['html_mb'])))
    lines.append('')
    for t in results['targets']:
        lines.append('%-4s %s [%s]: %s' % ('ok' if t['met'] else 'MISS', t['target'], t['where'], t['measured']))
    lines.extend(eda.console(results))
    return '\n'.join(lines) + '\n'
