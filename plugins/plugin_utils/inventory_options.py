# -*- coding: utf-8 -*-
# The selection options of the backup_vms inventory plugin: rows of the collection's option tables
# (task_session_options.py), with the inventory's own default window. The
# `selection.inventory` doc fragment is written from them by tools/option_docs.py.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import selection_options
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_spec

DEFAULT_SINCE = '7d'


def _since():
    option = selection_options(('since',))[0]
    lines = option.description + (
        'The window of the inventory: a VM (or agent computer) with no task session in it is no host. Keep it longer than '
        'O(max_age), or a VM whose last backup is older than O(max_age) drops out of the inventory instead of showing in C(backup_stale).',)
    return option.replace(default=DEFAULT_SINCE, description=lines)


INVENTORY_SELECTION_OPTIONS = (_since(),) + selection_options(('job_name', 'vm_name', 'backup_server_name', 'job_type'))
INVENTORY_SELECTION_NAMES = tuple(option.name for option in INVENTORY_SELECTION_OPTIONS)
INVENTORY_SELECTION = task_session_spec(INVENTORY_SELECTION_OPTIONS)
