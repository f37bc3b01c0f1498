# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Benchmark helper, not part of the collection: returns the JSON object stored in a file as the
# module result, so a playbook measures only what Ansible costs for returning that much data.

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: bench_facts_from_file
short_description: Return the JSON object stored in a file (benchmark helper)
description:
  - Reads a JSON object from O(path) and returns its keys as the module result.
options:
  path:
    description: The JSON file.
    type: path
    required: true
author:
  - vbr.enterprise_manager maintainers (@vbr-ansible)
'''

import json

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type='path', required=True)), supports_check_mode=True)
    with open(module.params['path'], encoding='utf-8') as handle:
        result = json.load(handle)
    result['changed'] = False
    module.exit_json(**result)


if __name__ == '__main__':
    main()
