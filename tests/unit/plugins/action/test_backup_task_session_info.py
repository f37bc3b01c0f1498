# -*- coding: utf-8 -*-
# Unit tests of the action plugin of the modules (plugin_utils/module_action.py), loaded through Ansible's action loader:
# the module gets the task's arguments with the unset connection options filled (variables, the
# controller's environment with the task's environment keyword, ansible.cfg), the -vvv lines (sources
# and the module's request log) are shown and the private log key leaves the result.

from __future__ import annotations

from unittest import mock

import pytest

from ansible.config.manager import ConfigManager
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import action_loader
from ansible.template import Templar

from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import module_action as action_module
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import module_connection
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.module_connection import LOG_KEY

PASSWORD = 'S3cret-pass!word'
MODULE = 'vbr.enterprise_manager.backup_task_session_info'
LOG = ['POST https://em.example.com:9398/api/sessionMngr/?v=latest -> 201 (0.01s)',
       'DELETE https://em.example.com:9398/api/logonSessions/******** -> 204 (0.00s)']


class Recorder(object):
    def __init__(self):
        self.lines = []

    def __call__(self, text, host=None):
        self.lines.append((host, str(text)))


@pytest.fixture
def make_action(monkeypatch, tmp_path):
    """(action, calls): the plugin as Ansible loads it, with _execute_module recorded and answering `answer`."""
    for name in list(action_module.os.environ):
        if name.startswith('VEEAM_EM_'):
            monkeypatch.delenv(name)
    monkeypatch.setenv('ANSIBLE_CONFIG', str(tmp_path / 'none.cfg'))  # no ansible.cfg unless a test writes one
    vvv = Recorder()
    monkeypatch.setattr(action_module.display, 'vvv', vvv)

    def make(args, environment=None, answer=None, ini=None):
        task = mock.MagicMock()
        task.args = dict(args)
        task.async_val = 0
        task.check_mode = False
        task.diff = False
        task.environment = environment
        loader = DataLoader()
        action = action_loader.get(MODULE, task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                                   templar=Templar(loader=loader), shared_loader_obj=None)
        assert type(action).__module__.endswith('plugins.action.backup_task_session_info')
        calls = []

        def execute_module(**kwargs):
            calls.append(kwargs)
            return dict(answer or {'changed': False, 'count': 0})
        action._execute_module = execute_module
        action._remove_tmp_path = lambda path: None
        if ini is not None:
            monkeypatch.setattr(action_module, 'ini_values', lambda name: ini)
        action.vvv = vvv
        return action, calls
    return make


def test_unset_connection_options_are_filled_before_the_module_runs(make_action, monkeypatch):
    monkeypatch.setenv('VEEAM_EM_USERNAME', 'CORP\\env-user')
    monkeypatch.setenv('VEEAM_EM_TIMEOUT', '12')
    action, calls = make_action({'url': 'https://task.example', 'limit': 3})
    variables = {'inventory_hostname': 'localhost', 'ansible_vbr_em_password': PASSWORD, 'ansible_vbr_em_timeout': 40}
    result = action.run(task_vars=variables)
    assert result['count'] == 0
    assert len(calls) == 1 and calls[0]['module_name'] == MODULE and calls[0]['wrap_async'] == 0
    assert calls[0]['module_args'] == {'url': 'https://task.example', 'limit': 3, 'username': 'CORP\\env-user', 'password': PASSWORD,
                                       'timeout': 40}
    assert action._task.args == {'url': 'https://task.example', 'limit': 3}  # the task itself is left as written
    host, line = action.vvv.lines[0]
    assert host == 'localhost' and PASSWORD not in line
    assert line == ('EM connection: url from task or module_defaults, username from env: VEEAM_EM_USERNAME, '
                    'password from var: ansible_vbr_em_password, timeout from var: ansible_vbr_em_timeout')


def test_the_task_environment_keyword_beats_the_controller_environment(make_action, monkeypatch):
    monkeypatch.setenv('VEEAM_EM_URL', 'https://controller.example')
    monkeypatch.setenv('VEEAM_EM_RETRIES', '1')
    action, calls = make_action({}, environment=[{'VEEAM_EM_URL': 'https://play.example'}, {'VEEAM_EM_URL': 'https://task.example'}])
    action.run(task_vars={})
    assert calls[0]['module_args'] == {'url': 'https://task.example', 'retries': '1'}


def test_ansible_cfg_comes_last(make_action, monkeypatch, tmp_path):
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text('[vbr_enterprise_manager]\nurl = https://ini.example\nusername = CORP\\ini-user\npassword = %s\n' % PASSWORD,
                   encoding='utf-8')
    monkeypatch.setenv('ANSIBLE_CONFIG', str(cfg))
    monkeypatch.setenv('VEEAM_EM_USERNAME', 'CORP\\env-user')
    monkeypatch.setattr(module_connection.C, 'config', ConfigManager(conf_file=str(cfg)))
    action, calls = make_action({'url': 'https://task.example'})
    action.run(task_vars={})
    assert calls[0]['module_args'] == {'url': 'https://task.example', 'username': 'CORP\\env-user', 'password': PASSWORD}
    assert 'password from ini: %s [vbr_enterprise_manager] password' % cfg in action.vvv.lines[0][1]


def test_the_request_log_is_shown_at_vvv_and_removed_from_the_result(make_action):
    action, _calls = make_action({'url': 'https://task.example'}, answer={'changed': False, 'count': 0, LOG_KEY: LOG}, ini={})
    result = action.run(task_vars={'inventory_hostname': 'web01'})
    assert LOG_KEY not in result and result['count'] == 0
    assert action.vvv.lines[1:] == [('web01', line) for line in LOG]


def test_without_a_request_log_nothing_is_added(make_action):
    action, _calls = make_action({}, answer={'changed': False, 'count': 2}, ini={})
    result = action.run(task_vars={})
    assert result == {'changed': False, 'count': 2}
    assert len(action.vvv.lines) == 1  # only the line on the sources


def test_a_failed_module_result_keeps_its_message_and_loses_the_log(make_action):
    answer = {'failed': True, 'msg': 'Enterprise Manager rejected the logon', LOG_KEY: LOG[:1]}
    action, _calls = make_action({}, answer=answer, ini={})
    result = action.run(task_vars={})
    assert result == {'failed': True, 'msg': 'Enterprise Manager rejected the logon'}


def test_async_is_passed_on_and_the_tmp_dir_kept_for_the_job(make_action):
    action, calls = make_action({}, ini={})
    action._task.async_val = 60
    removed = []
    action._remove_tmp_path = removed.append
    action.run(task_vars={})
    assert calls[0]['wrap_async'] == 60 and removed == []
