# -*- coding: utf-8 -*-
# Action plugin of restore_point_info: fills the module's unset connection options on the controller (ansible_vbr_em_*
# variables, VEEAM_EM_* environment, ansible.cfg) and shows at -vvv where they came from and the module's request
# log. Thin glue over plugin_utils/module_action.py.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.module_action import ModuleAction


class ActionModule(ModuleAction):

    MODULE = 'vbr.enterprise_manager.restore_point_info'
