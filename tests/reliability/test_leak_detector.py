# -*- coding: utf-8 -*-
# The leak check must be able to fail: a value registered as issued, printed by a real ad hoc run at
# -vvvv, has to be found in stdout, the log file and the recorded results.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import secrets

import pytest

from rel_checks import assert_clean


def test_a_printed_token_is_caught(ansible, accounts, issued):
    token = 'SelfTest+%s==' % secrets.token_hex(8)
    issued.add(token)
    run = ansible.adhoc('msg=%s' % token, module='ansible.builtin.debug')
    assert run.rc == 0, run.tail()
    found = [where for where, text in run.texts().items() if token.lower() in text.lower()]
    assert sorted(found) == ['ANSIBLE_LOG_PATH file', 'callback results', 'stdout']
    with pytest.raises(AssertionError, match='leaked into'):
        assert_clean(run, accounts, issued)
