# -*- coding: utf-8 -*-
# The main() of every read-only module (backup_task_session_info, restore_point_info, backup_vm_info):
# options checked before any request, one logon that is always logged off, EM's warnings shown, a
# typed error as fail_json, and at -vvv the request log for the action plugin to print (a module
# cannot print). Each module names its options, its Selection and its reading.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, EMClient
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import REQUEST_LOG_KEY, connection_argument_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.xml_reader import HAS_XMLTODICT, XMLTODICT_IMPORT_ERROR


def module_argument_spec(selection_spec):
    """The connection options and those of the module's selection (an argument spec dict)."""
    spec = connection_argument_spec()
    spec.update(selection_spec)
    return spec


def run_info_module(argument_spec, select, answer):
    """Run a read-only module of that argument spec (module_argument_spec()): select(params) -> its Selection (AnsibleModule checked the types; the rest fails
    here, before any request); answer(client, selection) -> the result dict, read over one logon."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not (HAS_REQUESTS and HAS_XMLTODICT):
        module.fail_json(msg=missing_required_lib('requests and xmltodict'), exception=REQUESTS_IMPORT_ERROR or XMLTODICT_IMPORT_ERROR)

    client = None
    error = None
    log = [] if module._verbosity >= 3 else None
    try:
        selection = select(module.params)
        client = EMClient(module.params, on_secret=module.no_log_values.add, log=None if log is None else log.append)
        with client:
            result = answer(client, selection)
    except EMError as exc:
        error = exc
    for warning in client.warnings if client is not None else []:
        module.warn(warning)
    extra = {} if log is None else {REQUEST_LOG_KEY: log}
    if error is not None:
        # Outside the except block: an expected error is no crash, so fail_json must not attach the
        # traceback of the exception being handled (ansible-core adds it at -vvv when one is pending).
        module.fail_json(**dict(error.fail_json_kwargs(), **extra))
    module.exit_json(changed=False, **dict(result, **extra))
