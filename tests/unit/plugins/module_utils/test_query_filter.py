# -*- coding: utf-8 -*-
# Unit tests of the EM filter builder: quoting, AND/OR grouping, enums, dates, URL encoding.

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import unquote

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import (
    TASK_SESSION_RESULTS,
    TASK_SESSION_STATES,
    all_of,
    any_of,
    comparison,
    encode_filter,
    normalize_enum,
    quote_value,
    string_values,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import chunk_by_length

UTC = timezone.utc


@pytest.mark.parametrize('value, quoted', [
    ('ledgerdb01', '"ledgerdb01"'),
    ('Exchange Backup', '"Exchange Backup"'),
    ('say "hi"', '"say ""hi"""'),
    ('""', '""""""'),
    ('Periodic Backup Copy Job\\Nightly SQL', '"Periodic Backup Copy Job\\Nightly SQL"'),
    ('a;b,c(d)', '"a;b,c(d)"'),
])
def test_quote_value(value, quoted):
    assert quote_value(value) == quoted


def test_comparison_with_datetime_is_quoted_utc_z():
    assert comparison('CreationTime', '>=', datetime(2025, 8, 15, 6, 0, tzinfo=UTC)) == 'CreationTime>="2025-08-15T06:00:00Z"'
    with pytest.raises(ValueError):
        comparison('Name', '=~', 'x')


def test_grouping():
    assert any_of(['a==1']) == 'a==1'
    assert any_of(['a==1', 'a==2']) == '(a==1,a==2)'
    assert any_of([]) == ''
    assert all_of(['(a==1,a==2)', '', 'b==3']) == '(a==1,a==2);b==3'


def test_enums_are_case_insensitive_and_canonical():
    assert normalize_enum('result', ['failed', 'WARNING', 'Failed'], TASK_SESSION_RESULTS) == ['Failed', 'Warning']
    assert normalize_enum('state', ['inprogress'], TASK_SESSION_STATES) == ['InProgress']


@pytest.mark.parametrize('option, values, allowed', [
    ('result', ['Failure'], TASK_SESSION_RESULTS),
    ('result', ['None'], TASK_SESSION_RESULTS),
    ('state', ['Running'], TASK_SESSION_STATES),
])
def test_unknown_enum_values_are_rejected_with_the_allowed_ones(option, values, allowed):
    with pytest.raises(EMInputError) as caught:
        normalize_enum(option, values, allowed)
    message = str(caught.value)
    assert option in message and values[0] in message
    for name in allowed:
        assert name in message


def test_string_values_reject_empty_and_drop_duplicates():
    assert string_values('vm_name', ['a', 'b', 'a']) == ['a', 'b']
    with pytest.raises(EMInputError, match='vm_name'):
        string_values('vm_name', ['a', ''])


@pytest.mark.parametrize('expression, encoded', [
    ('Result==Failed;VmDisplayName=="db01"', 'Result%3D%3DFailed;VmDisplayName%3D%3D%22db01%22'),
    ('(JobName=="A & B",JobName=="C+D")', '(JobName%3D%3D%22A%20%26%20B%22,JobName%3D%3D%22C%2BD%22)'),
    ('VmDisplayName=="Müller-VM ü"', 'VmDisplayName%3D%3D%22M%C3%BCller-VM%20%C3%BC%22'),
    ('JobName=="DOM\\Job#1?x=%20"', 'JobName%3D%3D%22DOM%5CJob%231%3Fx%3D%2520%22'),
    ('CreationTime>="2025-08-15T06:00:00Z";CreationTime<"x"', 'CreationTime%3E%3D%222025-08-15T06%3A00%3A00Z%22;CreationTime%3C%22x%22'),
])
def test_encode_filter(expression, encoded):
    result = encode_filter(expression)
    assert result == encoded
    assert '&' not in result and ' ' not in result and '"' not in result
    assert unquote(result) == expression


def test_chunk_by_length_keeps_order_and_each_filter_within_the_bound():
    def make(names):
        return any_of([comparison('VmDisplayName', '==', name) for name in names])
    names = ['vm%02d' % n for n in range(10)]
    limit = len(encode_filter(make(names[:3])))
    chunks = chunk_by_length(names, make, limit)
    assert [name for chunk in chunks for name in chunk] == names
    assert [len(chunk) for chunk in chunks] == [3, 3, 3, 1]
    assert all(len(encode_filter(make(chunk))) <= limit for chunk in chunks)


def test_chunk_by_length_leaves_a_value_too_long_alone_in_its_own_group():
    def make(names):
        return any_of([comparison('VmDisplayName', '==', name) for name in names])
    assert chunk_by_length(['a', 'x' * 50, 'b'], make, 30) == [['a'], ['x' * 50], ['b']]
    assert chunk_by_length([], make, 30) == []
