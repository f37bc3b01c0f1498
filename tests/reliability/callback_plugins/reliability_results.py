# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Test helper of tests/reliability: writes every task (and loop item) result as one JSON line to the
# file named by RELIABILITY_RESULTS, so the suite asserts on what Ansible really returned. It sees the
# results exactly as any other callback (after no_log censoring), and the file is scanned for secrets too.

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: reliability_results
type: aggregate
short_description: Write task results as JSON lines for the reliability tests
description:
  - Test helper of tests/reliability; writes one JSON line per task or loop item result to the file in E(RELIABILITY_RESULTS).
requirements:
  - enabled in configuration
'''

import json
import os

from ansible.plugins.callback import CallbackBase


def _plain_data(value):
    """Tagged/wrapped values of the templating engine as plain JSON types."""
    if isinstance(value, dict):
        return dict((str(k), _plain_data(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return [_plain_data(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'reliability_results'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, status, result):
        path = os.environ.get('RELIABILITY_RESULTS')
        if not path:
            return
        data = dict(result._result)
        record = {
            'task': result.task_name,
            'host': result._host.get_name(),
            'status': status,
            'label': _plain_data(data.get('_ansible_item_label')),
            'result': _plain_data(dict((k, v) for k, v in data.items() if not k.startswith('_ansible'))),
        }
        with open(path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(record, sort_keys=True) + '\n')

    def _plain(self, status, result):
        if 'results' not in result._result:  # a loop's summary: its items were written one by one
            self._write(status, result)

    def v2_runner_on_ok(self, result):
        self._plain('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._plain('failed', result)

    def v2_runner_on_skipped(self, result):
        self._plain('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._write('unreachable', result)

    def v2_runner_item_on_ok(self, result):
        self._write('ok', result)

    def v2_runner_item_on_failed(self, result):
        self._write('failed', result)

    def v2_runner_item_on_skipped(self, result):
        self._write('skipped', result)
