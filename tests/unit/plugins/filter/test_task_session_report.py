# -*- coding: utf-8 -*-
# Unit tests of the task_session_report filter plugin itself, the glue around plugin_utils/session_report:
# registration, arguments passed through, and bad input as an AnsibleFilterError with its message only.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.vbr.enterprise_manager.plugins.filter.task_session_report import FilterModule
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.session_report import build_report

NOW = '2025-08-15T12:00:00Z'
SESSIONS = [{'id': '1', 'vm_name': 'vm1', 'job_name': 'Job A', 'creation_time': '2025-08-15T01:00:00Z',
             'state': 'Completed', 'result': 'Success'}]


@pytest.fixture
def report_filter():
    return FilterModule().filters()['task_session_report']


def test_the_filter_is_the_report(report_filter):
    assert report_filter({'backup_task_sessions': SESSIONS}, ['vm1'], '2h', now=NOW) == build_report(
        SESSIONS, required_vms=['vm1'], max_age='2h', now=NOW)


@pytest.mark.parametrize('data, options, message', [
    ({'count': 0}, {}, 'task_session_report expects the result of backup_task_session_info'),
    ('text', {}, 'task_session_report expects a dict or a list, not str.'),
    ([1], {}, 'Every backup task session must be a dict, not int.'),
    ([], {'max_age': '1y'}, "max_age '1y' is not an age: give a number with s, m, h, d or w (30m, 24h, 7d, 2w)."),
    ([], {'max_age': '0h'}, "max_age must be longer than zero, not '0h'."),
    ([], {'max_age': True}, 'max_age must be an age such as 24h, not True.'),
    ([], {'required_vms': ['a', ' ']}, 'required_vms must not contain empty names.'),
    ([], {'allow_warning': 'maybe'}, "allow_warning must be true or false, not 'maybe'."),
    ([], {'since': '2025-08-15T10:00:00'}, "The since value '2025-08-15T10:00:00' has no time zone."),
])
def test_bad_input_is_a_filter_error_with_its_message_only(report_filter, data, options, message):
    with pytest.raises(AnsibleFilterError) as caught:
        report_filter(data, **dict({'now': NOW}, **options))
    assert caught.value.message.startswith(message)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
