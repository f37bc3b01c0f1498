# -*- coding: utf-8 -*-
# Unit tests of the backup_vms inventory plugin, loaded through Ansible's plugin loader (its real
# documentation, fragments and option sources) with the strict fake EM transport: one logon, the
# query, one logoff per sync; hosts, vbr_em, state groups, compose/groups/keyed_groups; the jsonfile
# cache (a hit sends nothing and rewrites nothing, a flush reads EM again, no secret in the file, a
# failed sync writes nothing); templated connection values; clear errors without the password.

from __future__ import annotations

import functools
import os
import sys
from datetime import datetime, timezone

import pytest

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.inventory.host import Host
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import backup_inventory, em_connection
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_job_sessions import expect_job_sessions
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_restore_points import points_page, query_url, restore_point
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import (
    BASE,
    PASSWORD,
    SESSION_ID,
    TOKEN,
    error_body,
    expect_logoff,
    expect_logon,
    page,
    query_with,
    task_session,
)

NOW = datetime(2025, 3, 14, 12, 0, 0, tzinfo=timezone.utc)
SINCE = '2025-03-07T00:00:00Z'
MAX_AGE_START = '2025-03-13T12:00:00Z'  # NOW - max_age (24h, the default)
QUERY = query_with('CreationTime>="%s"' % SINCE)
ENV_NAMES = ('URL', 'USERNAME', 'PASSWORD', 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT', 'RETRIES', 'API_VERSION', 'RESPONSE_FORMAT')
CONFIG = '''plugin: vbr.enterprise_manager.backup_vms
url: https://em.example.com
username: 'CORP\\svc-ansible'
password: "{password}"
since: '{since}'
'''


def sessions():
    """db01 backed up; web01's newest backup failed (its older success stays within max_age); app01 runs now."""
    return [
        task_session(1, vm='db01', vm_uid='urn:VMware:Vm:1', created='2025-03-14T02:00:00Z', name_time='2025-03-14 02:00:00'),
        task_session(2, vm='web01', vm_uid='urn:VMware:Vm:2', created='2025-03-14T01:00:00Z', result='Failed', reason='disk',
                     name_time='2025-03-14 01:00:00', restore_point=None),
        task_session(3, vm='app01', vm_uid='urn:VMware:Vm:3', created='2025-03-14T11:00:00Z', state='InProgress', result='None',
                     ended=None, name_time='2025-03-14 11:00:00', restore_point=None),
        task_session(4, vm='web01', vm_uid='urn:VMware:Vm:2', created='2025-03-13T23:00:00Z', name_time='2025-03-13 23:00:00'),
    ]


class Recorder(object):
    def __init__(self):
        self.lines = []

    def __call__(self, text, *args, **kwargs):
        self.lines.append(str(text))


@pytest.fixture
def plugin(monkeypatch, em):
    loader = DataLoader()
    found = inventory_loader.get('vbr.enterprise_manager.backup_vms')
    assert found is not None
    module = sys.modules[type(found).__module__]
    monkeypatch.setattr(em_connection, 'EMClient', functools.partial(EMClient, adapter=em, sleep=lambda seconds: None))
    monkeypatch.setattr(backup_inventory, 'utc_now', lambda: NOW)
    found.warnings = Recorder()
    found.vvv = Recorder()
    monkeypatch.setattr(module.display, 'warning', found.warnings)
    monkeypatch.setattr(module.display, 'vvv', found.vvv)
    for name in ENV_NAMES:
        monkeypatch.delenv('VEEAM_EM_' + name, raising=False)
    found.test_loader = loader
    return found


def sync(plugin, tmp_path, extra='', cache=True, password=PASSWORD, name='em.backup_vms.yml'):
    path = tmp_path / name
    path.write_text(CONFIG.format(password=password, since=SINCE) + extra, encoding='utf-8')
    inventory = InventoryData()
    plugin.parse(inventory, plugin.test_loader, str(path), cache=cache)
    return inventory


def expect_sync(em, entities=None, protected=('db01',)):
    """One sync: logon, the task sessions, their job sessions, the restore points created within max_age (every VM
    of the window is judged: one query without name filters; each VM the sessions would protect has one), logoff."""
    expect_logon(em)
    em.expect('GET', QUERY, **page(sessions() if entities is None else entities))
    expect_job_sessions(em)
    if protected:
        filter_text = 'CreationTime>="%s"' % MAX_AGE_START
        points = [restore_point(n, vm=name, created='2025-03-14T02:17:55Z') for n, name in enumerate(protected, 1)]
        em.expect('GET', query_url('vm', filter_text), **points_page(points, filter_text=filter_text))
    expect_logoff(em)


def members(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def test_files_named_backup_vms_yml_or_yaml_only(plugin, tmp_path):
    for name, wanted in (('a.backup_vms.yml', True), ('backup_vms.yaml', True), ('a.backup.yml', False), ('backup_vms.json', False)):
        (tmp_path / name).write_text('plugin: vbr.enterprise_manager.backup_vms\n', encoding='utf-8')
        assert plugin.verify_file(str(tmp_path / name)) is wanted, name


def test_a_misnamed_file_of_this_plugin_is_told_the_names_it_accepts(plugin, tmp_path):
    for name, text in (('em.yml', 'plugin: vbr.enterprise_manager.backup_vms\n'), ('inv.yaml', "plugin: 'backup_vms'  # EM\n")):
        (tmp_path / name).write_text(text + 'since: 7d\n', encoding='utf-8')
        assert plugin.verify_file(str(tmp_path / name)) is False
    assert plugin.warnings.lines == [
        'The inventory source %s names the plugin vbr.enterprise_manager.backup_vms, which reads only files whose names end in '
        'backup_vms.yml or backup_vms.yaml: rename it, for example to %s.backup_vms.yml.' % (tmp_path / stem, stem.split('.', maxsplit=1)[0])
        for stem in ('em.yml', 'inv.yaml')]


def test_a_file_of_another_plugin_gets_no_warning(plugin, tmp_path):
    for name, text in (('hosts.yml', 'plugin: amazon.aws.aws_ec2\n'), ('other.yml', 'all:\n  hosts:\n    backup_vms:\n'),
                       ('em.backup_vms.json', 'plugin: vbr.enterprise_manager.backup_vms\n')):
        (tmp_path / name).write_text(text, encoding='utf-8')
        assert plugin.verify_file(str(tmp_path / name)) is False
    assert plugin.warnings.lines == []


def test_a_misspelled_option_gets_the_closest_name(plugin, tmp_path):
    with pytest.raises(AnsibleParserError) as caught:
        sync(plugin, tmp_path, extra='max_ag: 2d\nhostname: [vm_name]\n')
    message = str(caught.value)
    assert 'Unknown option(s) in the inventory source: hostname (did you mean hostnames?), max_ag (did you mean max_age?).' in message
    assert 'Known options:' in message


def test_sync_makes_hosts_vbr_em_and_state_groups(plugin, em, tmp_path):
    expect_sync(em)
    inventory = sync(plugin, tmp_path)
    assert sorted(inventory.hosts) == ['app01', 'db01', 'web01']
    assert members(inventory, 'backup_ok') == ['db01']
    assert members(inventory, 'backup_failed') == ['web01']
    assert members(inventory, 'backup_running') == ['app01']
    assert members(inventory, 'backup_protected') == ['db01']
    assert members(inventory, 'vbr_em_synced') == ['app01', 'db01', 'web01']
    for group in ('backup_stale', 'backup_warning', 'backup_no_restore_point', 'backup_never', 'backup_copy_failed'):
        assert members(inventory, group) == [], group  # every host in exactly one state group
    web = inventory.get_host('web01').vars['vbr_em']
    assert web['latest']['id'] == task_session(2)['UID'].rsplit(':', 1)[1] and web['latest']['reason'] == 'disk'
    assert (web['sessions'], web['backed_up'], web['last_result'], web['enterprise_manager']) == (2, False, 'Failed', 'em.example.com')
    assert web['last_success_time'] == '2025-03-13T23:00:00.000000Z' and web['backup_servers'] == ['em01.corp.example']
    assert (web['status'], web['protected']) == ('failed', False) and web['reason'].startswith('the newest backup (job ')
    db = inventory.get_host('db01').vars['vbr_em']
    assert (db['status'], db['last_restore_point_time']) == ('ok', '2025-03-14T02:17:55.000000Z')
    assert any('GET' in line and '/api/query?type=BackupTaskSession' in line for line in plugin.vvv.lines)
    assert not any(PASSWORD in line or TOKEN in line or SESSION_ID in line for line in plugin.vvv.lines)


def test_compose_groups_and_keyed_groups(plugin, em, tmp_path):
    expect_sync(em)
    inventory = sync(plugin, tmp_path, extra='''compose:
  ansible_host: vbr_em.vm_name ~ '.corp.example'
groups:
  needs_attention: not vbr_em.backed_up
keyed_groups:
  - key: vbr_em.latest.result
    prefix: result
  - key: vbr_em.jobs
    separator: ''
leading_separator: false
''')
    assert inventory.get_host('db01').vars['ansible_host'] == 'db01.corp.example'
    assert members(inventory, 'needs_attention') == ['app01', 'web01']
    assert members(inventory, 'result_Success') == ['db01'] and members(inventory, 'result_Failed') == ['web01']
    assert members(inventory, 'Nightly_SQL') == ['app01', 'db01', 'web01']


@pytest.mark.parametrize('extra, check', [
    ("compose:\n  ansible_host: vbr_em.vm_name ~ '.corp.example'\n",
     lambda inventory: inventory.get_host('web01').vars['ansible_host'] == 'web01.corp.example'),
    ('groups:\n  needs_attention: not vbr_em.backed_up\n',
     lambda inventory: members(inventory, 'needs_attention') == ['app01', 'web01']),
    ('keyed_groups:\n  - key: vbr_em.last_result\n    prefix: last\n',
     lambda inventory: members(inventory, 'last_Failed') == ['web01'] and members(inventory, 'last_Success') == ['db01']),
])
def test_each_constructed_option_applies_alone(plugin, em, tmp_path, extra, check):
    expect_sync(em)
    assert check(sync(plugin, tmp_path, extra=extra))


def test_without_constructed_options_no_host_variables_are_gathered(plugin, em, tmp_path, monkeypatch):
    gathered = []
    monkeypatch.setattr(Host, 'get_vars', lambda host: gathered.append(host.name) or {})
    expect_sync(em)
    inventory = sync(plugin, tmp_path)
    assert sorted(inventory.hosts) == ['app01', 'db01', 'web01'] and members(inventory, 'backup_ok') == ['db01']
    assert gathered == []


def test_hostnames_first_non_empty_wins_and_duplicates_are_warned(plugin, em, tmp_path):
    twins = [task_session(1, vm='DB01', vm_uid='urn:VMware:Vm:1'),
             task_session(2, vm='db01', vm_uid='urn:VMware:Vm:9', name_time='2025-03-14 02:17:42')]
    expect_sync(em, twins, protected=('DB01', 'db01'))
    inventory = sync(plugin, tmp_path, extra='''hostnames:
  - no_such_name
  - vm_name | lower
  - "{{ vm_name | lower }}_{{ vm_uid.rsplit('-', 1)[-1] | default('x') }}"
''')
    assert sorted(inventory.hosts) == ['db01', 'db01_urn:VMware:Vm:9']
    assert len(plugin.warnings.lines) == 1 and "would both be host 'db01'" in plugin.warnings.lines[0]


def test_strict_fails_on_a_hostnames_entry_that_does_not_render(plugin, em, tmp_path):
    expect_sync(em)
    with pytest.raises(AnsibleParserError, match="hostnames entry 'no_such_name' for VM"):
        sync(plugin, tmp_path, extra='hostnames: [no_such_name, vm_name]\nstrict: true\n')


def test_templated_password_is_rendered(plugin, em, tmp_path):
    expect_sync(em)
    inventory = sync(plugin, tmp_path, password="{{ 'S3cret-pass' ~ '!word' }}")
    assert 'db01' in inventory.hosts


CACHE = '''cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: {dir}
cache_timeout: 600
'''


def test_cache_hit_sends_nothing_and_rewrites_nothing_flush_reads_again(plugin, em, tmp_path):
    cache_dir = tmp_path / 'cache'
    extra = CACHE.format(dir=cache_dir)
    expect_sync(em)
    first = sync(plugin, tmp_path, extra=extra)
    plugin.update_cache_if_changed()  # what the inventory manager does after parse()
    files = os.listdir(cache_dir)
    assert len(files) == 1
    written = (cache_dir / files[0]).read_text(encoding='utf-8')
    for secret in (PASSWORD, TOKEN, SESSION_ID, 'svc-ansible:'):
        assert secret not in written
    os.utime(cache_dir / files[0], (os.stat(cache_dir / files[0]).st_atime, os.stat(cache_dir / files[0]).st_mtime - 5))
    stamp = os.stat(cache_dir / files[0]).st_mtime
    requests_before = len(em.calls)
    second = sync(plugin, tmp_path, extra=extra)
    plugin.update_cache_if_changed()
    assert len(em.calls) == requests_before
    assert os.stat(cache_dir / files[0]).st_mtime == stamp
    assert sorted(second.hosts) == sorted(first.hosts)
    assert second.get_host('web01').vars['vbr_em'] == first.get_host('web01').vars['vbr_em']
    expect_sync(em)
    sync(plugin, tmp_path, extra=extra, cache=False)  # --flush-cache / refresh_inventory
    assert len(em.calls) == requests_before + 5  # logon, the task sessions, their job sessions, the restore points, logoff


def test_cache_of_other_options_is_a_miss(plugin, em, tmp_path):
    extra = CACHE.format(dir=tmp_path / 'cache')
    expect_sync(em)
    sync(plugin, tmp_path, extra=extra)
    plugin.update_cache_if_changed()
    expect_sync(em, protected=())  # db01's success is older than 1h: no restore point can change a verdict
    inventory = sync(plugin, tmp_path, extra=extra + 'max_age: 1h\n')
    assert members(inventory, 'backup_ok') == []


def test_failed_sync_writes_no_cache_and_hides_the_password(plugin, em, tmp_path):
    cache_dir = tmp_path / 'cache'
    expect_logon(em)
    body, content_type = error_body('Access is denied.', 403)
    em.expect('GET', QUERY, status=403, body=body, content_type=content_type)
    expect_logoff(em)
    with pytest.raises(AnsibleParserError) as caught:
        sync(plugin, tmp_path, extra=CACHE.format(dir=cache_dir))
    plugin.update_cache_if_changed()
    assert 'HTTP 403' in str(caught.value) and PASSWORD not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert not cache_dir.exists() or os.listdir(cache_dir) == []


def test_rejected_logon_is_a_clear_error(plugin, em, tmp_path):
    body, content_type = error_body('Authentication failed.', 401)
    em.expect('POST', BASE + '/api/sessionMngr/?v=latest', status=401, body=body, content_type=content_type)
    with pytest.raises(AnsibleParserError, match='rejected the logon') as caught:
        sync(plugin, tmp_path, password='wrong-password-x')
    assert 'wrong-password-x' not in str(caught.value)


@pytest.mark.parametrize('extra, words', [
    ('sinse: 2d\n', 'Unknown option.*sinse.*Known options:'),
    ('job_type: [Copy]\n', "job_type value 'Copy' is not a job type"),
    ('max_age: soon\n', "max_age 'soon' is not an age"),
    ('timeout: many\n', "timeout.*(invalid value|invalid literal)"),  # Ansible's own check of the option types
    ('timeout: 0\n', 'Bad connection option|timeout option must be at least 1'),
])
def test_bad_options_fail_before_any_request(plugin, tmp_path, extra, words):
    with pytest.raises(AnsibleError, match=words):
        sync(plugin, tmp_path, extra=extra)


@pytest.mark.parametrize('line, quoted', [
    ('since: 2025-03-07T00:00:00Z', 'since: "2025-03-07T00:00:00Z"'),
    ('since: 2025-03-07', 'since: "2025-03-07T00:00:00Z"'),
])
def test_an_unquoted_time_fails_with_what_to_write(plugin, tmp_path, line, quoted):
    """YAML reads an unquoted time as a datetime, which Ansible refuses for a str option without saying why."""
    path = tmp_path / 'em.backup_vms.yml'
    path.write_text(CONFIG.format(password=PASSWORD, since=SINCE).replace("since: '%s'" % SINCE, line), encoding='utf-8')
    with pytest.raises(AnsibleParserError) as caught:
        plugin.parse(InventoryData(), plugin.test_loader, str(path))
    assert 'is unquoted, so YAML reads it as a date or time' in str(caught.value)
    assert 'Quote it: %s.' % quoted in str(caught.value)
    assert PASSWORD not in str(caught.value) and caught.value.__cause__ is None


def test_a_bad_option_type_that_is_no_time_keeps_ansibles_message(plugin, tmp_path):
    with pytest.raises(AnsibleError, match='timeout') as caught:
        sync(plugin, tmp_path, extra='timeout: many\n')
    assert 'unquoted' not in str(caught.value)


def test_username_in_the_message_of_a_missing_password(plugin, tmp_path):
    path = tmp_path / 'em.backup_vms.yml'
    path.write_text('plugin: vbr.enterprise_manager.backup_vms\nurl: https://em.example.com\nusername: x\n', encoding='utf-8')
    with pytest.raises(AnsibleParserError, match='No password given'):
        plugin.parse(InventoryData(), plugin.test_loader, str(path))
