# -*- coding: utf-8 -*-
# The action plugin of every module that talks to EM (backup_task_session_info, restore_point_info, ...): on the controller, fills the
# module's unset connection options from the ansible_vbr_em_* variables, the controller's VEEAM_EM_* environment
# and ansible.cfg (module_connection.py), runs the module, and shows at -vvv where each option came from and the
# module's request log. A plugin subclasses ModuleAction and names its module in MODULE.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import functools
import os

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.module_connection import (
    describe_origins,
    fill_connection_args,
    ini_values,
    take_log,
)

display = Display()


class ModuleAction(ActionBase):

    MODULE = None  # the module's full name
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ModuleAction, self).run(tmp, task_vars)
        del tmp  # no effect since ansible-core 2.5
        task_vars = task_vars or {}
        host = task_vars.get('inventory_hostname')
        args, origins = fill_connection_args(self._task.args, task_vars, self._templar, self._environment(),
                                             ini=functools.partial(ini_values, self.MODULE))
        display.vvv(describe_origins(origins), host=host)
        wrap_async = self._task.async_val
        module_result = self._execute_module(module_name=self.MODULE, module_args=args, task_vars=task_vars, wrap_async=wrap_async)
        for line in take_log(module_result):
            display.vvv(line, host=host)
        result.update(module_result)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _environment(self):
        """The controller's environment with the task's `environment` keyword on top: what the module's own
        VEEAM_EM_* fallback sees when it runs on the controller (the usual case)."""
        keyword = {}
        self._compute_environment_string(keyword)
        environment = dict(os.environ)
        environment.update((str(name), value) for name, value in keyword.items())
        return environment
