# -*- coding: utf-8 -*-
# Unit tests of the error types: messages, rendering for fail_json and AnsibleError, redaction.

from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import (
    EMAuthenticationError,
    EMError,
    EMInputError,
    EMQueryError,
    EMWaitTimeoutError,
    redact,
)


def test_message_hint_and_em_message_are_sentences():
    error = EMQueryError('EM rejected the query (HTTP 400)', hint='Check the filter option', status=400,
                         url='https://em:9398/api/query?x=1', em_message='Unknown field Foo ')
    assert str(error) == 'EM rejected the query (HTTP 400). EM said: Unknown field Foo. Check the filter option.'
    kwargs = error.fail_json_kwargs()
    assert kwargs['msg'] == str(error)
    assert kwargs['error'] == {'type': 'EMQueryError', 'kind': 'query', 'status': 400, 'url': 'https://em:9398/api/query?x=1',
                               'em_message': 'Unknown field Foo '}


class StandInAnsibleError(Exception):
    """module_utils tests run where ansible.errors cannot be imported (like modules on a target)."""


def test_to_ansible_error():
    error = EMAuthenticationError('Rejected.', hint='Check the password.')
    rendered = error.to_ansible_error(StandInAnsibleError)
    assert isinstance(rendered, StandInAnsibleError)
    assert str(rendered) == 'Rejected. Check the password.'


def test_hierarchy():
    for cls in (EMAuthenticationError, EMInputError, EMQueryError, EMWaitTimeoutError):
        assert issubclass(cls, EMError)
    with pytest.raises(EMError):
        raise EMWaitTimeoutError('Still running.', running=['a'])


def test_wait_timeout_details_name_the_running_sessions():
    assert EMWaitTimeoutError('x', running=['id1', 'id2']).fail_json_kwargs()['error']['running'] == ['id1', 'id2']


def test_redact():
    text = 'GET https://em:9398/api/logonSessions/e5d8a3f0-62c1-4b9e-87d4-1a0c9f6b2e73 with token OsU6RL7OGkGKrPBGxKxURw=='
    result = redact(text, ['OsU6RL7OGkGKrPBGxKxURw=='])
    assert 'e5d8a3f0' not in result and 'OsU6RL7' not in result
    assert result.startswith('GET https://em:9398/api/logonSessions/********')
    assert redact(None) is None
    # very short secrets would shred messages; the module's no_log masking covers those
    assert redact('abc', ['a']) == 'abc'


def test_url_in_details_is_redacted():
    error = EMError('x', url='https://em:9398/api/logonSessions/e5d8a3f0-62c1-4b9e-87d4-1a0c9f6b2e73')
    assert 'e5d8a3f0' not in str(error.details())
