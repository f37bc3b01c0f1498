# -*- coding: utf-8 -*-
# Action plugin of backup_task_session_info: the connection options filled in on the controller (variables, the
# controller's VEEAM_EM_* environment, ansible.cfg) and the -vvv request log; plugin_utils/module_action.py.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.module_action import ModuleAction


class ActionModule(ModuleAction):

    MODULE = 'vbr.enterprise_manager.backup_task_session_info'
