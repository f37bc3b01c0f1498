# -*- coding: utf-8 -*-
# Unit tests of time parsing/formatting: EM timestamps with 0-7 fractional digits, user input in ISO
# 8601 (zone required) or relative form, UTC output ending in Z, durations.

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import (
    duration_seconds,
    format_fact_time,
    format_utc,
    parse_duration,
    parse_em_time,
    parse_user_time,
)

UTC = timezone.utc
NOW = datetime(2025, 8, 16, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize('text, micro', [
    ('2016-02-27T11:52:08Z', 0),
    ('2016-02-27T11:52:08.5Z', 500000),
    ('2016-02-27T11:52:08.38Z', 380000),
    ('2016-02-27T11:52:08.853Z', 853000),
    ('2016-02-27T11:52:08.0012Z', 1200),
    ('2016-02-27T11:52:08.22142Z', 221420),
    ('2016-02-27T11:52:08.003406Z', 3406),
    ('2016-02-27T11:52:08.1234567Z', 123456),
])
def test_em_times_with_0_to_7_fraction_digits(text, micro):
    value = parse_em_time(text)
    assert value == datetime(2016, 2, 27, 11, 52, 8, micro, tzinfo=UTC)


def test_em_time_with_offset_and_without_zone():
    assert parse_em_time('2021-02-09T22:00:00+02:00') == datetime(2021, 2, 9, 20, 0, tzinfo=UTC)
    assert parse_em_time('2021-02-09T22:00:00') == datetime(2021, 2, 9, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize('text', ['1900-01-01T00:00:00Z', '1900-01-01T00:00:00', '1753-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '',
                                  None, 'yesterday', '2025-13-01T00:00:00Z'])
def test_em_time_unset_or_invalid_is_none(text):
    assert parse_em_time(text) is None


def test_the_first_time_after_the_sentinel_year_is_a_time():
    assert parse_em_time('1901-01-01T00:00:00Z') == datetime(1901, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize('value, text', [
    (datetime(2025, 8, 15, 6, 0, tzinfo=UTC), '2025-08-15T06:00:00Z'),
    (datetime(2025, 8, 15, 6, 0, 0, 56000, tzinfo=UTC), '2025-08-15T06:00:00.056000Z'),
    (datetime(2025, 8, 15, 8, 0, tzinfo=timezone(timedelta(hours=2))), '2025-08-15T06:00:00Z'),
    (None, None),
])
def test_format_utc(value, text):
    assert format_utc(value) == text


@pytest.mark.parametrize('value, text', [
    (datetime(2025, 8, 15, 6, 0, tzinfo=UTC), '2025-08-15T06:00:00.000000Z'),
    (datetime(2025, 8, 15, 6, 0, 0, 56000, tzinfo=UTC), '2025-08-15T06:00:00.056000Z'),
    (datetime(2025, 8, 15, 6, 0, 0, 999999, tzinfo=UTC), '2025-08-15T06:00:00.999999Z'),
    (datetime(2025, 8, 15, 8, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))), '2025-08-15T06:00:00.000005Z'),
    (datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC), '0999-01-02T03:04:05.000000Z'),
    (None, None),
])
def test_format_fact_time_is_fixed_width(value, text):
    assert format_fact_time(value) == text


@pytest.mark.parametrize('text, expected', [
    ('2025-08-15T06:00:00Z', datetime(2025, 8, 15, 6, 0, tzinfo=UTC)),
    ('2025-08-15t06:00:00z', datetime(2025, 8, 15, 6, 0, tzinfo=UTC)),
    ('2025-08-15T08:00:00+02:00', datetime(2025, 8, 15, 6, 0, tzinfo=UTC)),
    ('2025-08-15T01:30:00-0430', datetime(2025, 8, 15, 6, 0, tzinfo=UTC)),
    ('2025-08-15 06:00:00+00:00', datetime(2025, 8, 15, 6, 0, tzinfo=UTC)),
    ('2025-08-15T06:00Z', datetime(2025, 8, 15, 6, 0, tzinfo=UTC)),
    ('2025-08-15T06:00:00.123456789Z', datetime(2025, 8, 15, 6, 0, 0, 123456, tzinfo=UTC)),
    ('30m', NOW - timedelta(minutes=30)),
    ('24h', NOW - timedelta(hours=24)),
    ('7d', NOW - timedelta(days=7)),
    ('2w', NOW - timedelta(weeks=2)),
    (' 90S ', NOW - timedelta(seconds=90)),
])
def test_user_times(text, expected):
    value = parse_user_time(text, 'since', now=NOW)
    assert value == expected
    assert value.utcoffset() == timedelta(0)


def test_user_datetime_objects():
    assert parse_user_time(datetime(2025, 8, 15, 8, 0, tzinfo=timezone(timedelta(hours=2)))) == datetime(2025, 8, 15, 6, 0, tzinfo=UTC)
    with pytest.raises(EMInputError, match='no time zone'):
        parse_user_time(datetime(2025, 8, 15, 8, 0))


@pytest.mark.parametrize('text, message', [
    ('2025-08-15T06:00:00', 'no time zone'),
    ('2025-08-15', 'not a time'),
    ('yesterday', 'not a time'),
    ('24', 'not a time'),
    ('-24h', 'not a time'),
    ('24y', 'not a time'),
    ('2025-02-30T00:00:00Z', 'not a valid time'),
    ('2025-08-15T06:00:00+25:00', 'not a valid time'),
    ('', 'empty'),
])
def test_bad_user_times(text, message):
    with pytest.raises(EMInputError, match=message) as caught:
        parse_user_time(text, 'until', now=NOW)
    assert 'until' in str(caught.value)


def test_naive_time_message_suggests_z():
    with pytest.raises(EMInputError) as caught:
        parse_user_time('2025-08-15T06:00:00', 'since')
    assert '2025-08-15T06:00:00Z' in str(caught.value)


def test_duration():
    start = datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert duration_seconds(start, start + timedelta(seconds=59, microseconds=720000)) == 59.72
    assert duration_seconds(start, start - timedelta(hours=27)) == 0.0
    assert duration_seconds(start, None) is None
    assert duration_seconds(None, start) is None


@pytest.mark.parametrize('value, seconds', [('24h', 86400), ('30m', 1800), ('7d', 604800), ('2W', 1209600), (' 45 s ', 45), ('90', 90), (90, 90)])
def test_durations(value, seconds):
    assert parse_duration(value, 'max_age') == seconds


@pytest.mark.parametrize('value, message', [
    ('', "max_age '' is not an age: give a number with s, m, h, d or w"),
    ('1y', "max_age '1y' is not an age"),
    ('soon', "max_age 'soon' is not an age"),
    ('-1h', "max_age '-1h' is not an age"),
    (None, 'max_age None is not an age'),
    (1.5, 'max_age 1.5 is not an age'),
    ('0h', "max_age must be longer than zero, not '0h'"),
    (0, 'max_age must be longer than zero, not 0'),
    (True, 'max_age must be an age such as 24h, not True'),
])
def test_bad_durations(value, message):
    with pytest.raises(EMInputError) as caught:
        parse_duration(value, 'max_age')
    assert str(caught.value).startswith(message)
