# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import as_list, whole_number


@pytest.mark.parametrize('value, expected', [(0, 0), ('7', 7), (30, 30)])
def test_whole_numbers_are_accepted(value, expected):
    assert whole_number('timeout', value, 0) == expected


@pytest.mark.parametrize('value', [True, False, 'ten', '1.5', None, [3]])
def test_anything_else_is_refused_naming_the_option(value):
    with pytest.raises(EMInputError, match='The limit option must be a whole number'):
        whole_number('limit', value, 1)


def test_the_minimum_is_enforced():
    with pytest.raises(EMInputError, match='The retries option must be at least 0, not -1.'):
        whole_number('retries', -1, 0)


@pytest.mark.parametrize('value, expected', [(None, []), ('db01', ['db01']), (['a', 'b'], ['a', 'b']), (('a',), ['a']), (0, [0])])
def test_as_list(value, expected):
    assert as_list(value) == expected


def test_as_list_copies_a_list():
    given = ['a']
    assert as_list(given) is not given
