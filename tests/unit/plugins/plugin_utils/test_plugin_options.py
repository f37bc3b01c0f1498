# -*- coding: utf-8 -*-
# Unit tests of plugin_utils/plugin_options.py: unknown keyword options with the closest known one,
# values outside an option's choices with the valid values, and nothing else checked.

from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.plugin_options import check_keyword_options

DEFINITIONS = {
    '_terms': {'type': 'list'},
    'result': {'type': 'list'},
    'since': {'type': 'str'},
    'output': {'type': 'str', 'choices': ['id', 'uid', 'facts']},
    'retries': {'type': 'int', 'choices': [0, 1]},
}


def test_known_options_and_valid_choices_pass():
    assert check_keyword_options({'result': ['Failed'], 'since': '1h', 'output': 'facts', 'retries': 7}, DEFINITIONS, 'lookup x') is None
    assert check_keyword_options({}, DEFINITIONS, 'lookup x') is None
    assert check_keyword_options({'output': None}, DEFINITIONS, 'lookup x') is None


def test_every_unknown_option_is_named_with_the_closest_known_one():
    with pytest.raises(EMInputError) as caught:
        check_keyword_options({'sinse': '1h', 'reslt': 'Failed', 'colour': 'red'}, DEFINITIONS, 'lookup x')
    assert caught.value.message == ("Bad options for the lookup x: unknown option 'colour'; unknown option 'reslt' (did you mean result?); "
                                    "unknown option 'sinse' (did you mean since?).")
    assert caught.value.hint == 'Its options are: output, result, retries, since.'


def test_a_private_option_is_not_a_keyword():
    with pytest.raises(EMInputError, match="unknown option '_terms'"):
        check_keyword_options({'_terms': ['x']}, DEFINITIONS, 'lookup x')


def test_a_value_outside_the_choices_lists_the_valid_ones():
    with pytest.raises(EMInputError) as caught:
        check_keyword_options({'output': 'fact'}, DEFINITIONS, 'lookup x')
    assert caught.value.message == "Bad options for the lookup x: output='fact' is not one of id, uid, facts."
