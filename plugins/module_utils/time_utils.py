# -*- coding: utf-8 -*-
# Time handling: EM timestamps (0-7 fractional digits, Z) and user input (ISO 8601 with a zone, or
# relative such as 24h / 7d) to aware UTC datetimes; durations (24h, or seconds) to seconds; UTC ISO
# 8601 output ending in Z.
# Regular expressions instead of fromisoformat(): Python < 3.11 rejects Z and 7-digit fractions.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
from datetime import datetime, timedelta, timezone

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError

UTC = timezone.utc

# Dates before this year are sentinels, "unset": VBR's own 1900-01-01 (what its PowerShell shows for a time not
# set), SQL Server's 1753-01-01, .NET's 0001-01-01. No backup ran in 1900.
MIN_YEAR = 1901

_ISO = re.compile(
    r'^\s*(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?'
    r'\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?\s*$'
)
# An age or duration: a whole number with a unit (a bare number is seconds, but only for durations).
_AGE = re.compile(r'^\s*(\d+)\s*([smhdw]?)\s*$', re.IGNORECASE)
_UNIT_SECONDS = {'': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
AGE_FORMS = 'a number with s, m, h, d or w (30m, 24h, 7d, 2w)'


def utc_now():
    return datetime.now(UTC)


def _build(match, assume_utc):
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    micro = int((fraction or '0')[:6].ljust(6, '0'))
    if zulu:
        tz = UTC
    elif sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        if offset >= timedelta(hours=24):
            raise ValueError('offset out of range')
        tz = timezone(-offset if sign == '-' else offset)
    elif assume_utc:
        tz = UTC
    else:
        return None
    value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz)
    return value.astimezone(UTC)


def parse_em_time(value):
    """An EM date-time (e.g. 2025-03-14T02:17:41.38Z) as an aware UTC datetime; None when empty,
    in 1900 or before (a sentinel) or not a date-time. A value without a zone is UTC (EM's ...UTC fields)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        result = value if value.tzinfo else value.replace(tzinfo=UTC)
        result = result.astimezone(UTC)
    else:
        match = _ISO.match(str(value))
        if not match:
            return None
        try:
            result = _build(match, assume_utc=True)
        except ValueError:
            return None
    if result.year < MIN_YEAR:
        return None
    return result


def format_utc(value):
    """YYYY-MM-DDTHH:MM:SS[.ffffff]Z for an aware datetime (fraction only when not zero); None stays None."""
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    if value.microsecond:
        return '%04d-%02d-%02dT%02d:%02d:%02d.%06dZ' % (
            value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)
    return '%04d-%02d-%02dT%02d:%02d:%02dZ' % (value.year, value.month, value.day, value.hour, value.minute, value.second)


def format_fact_time(value):
    """YYYY-MM-DDTHH:MM:SS.ffffffZ for an aware datetime, always six fractional digits, so that sorting
    the strings sorts the times (the facts' creation_time and end_time); None stays None."""
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    return '%04d-%02d-%02dT%02d:%02d:%02d.%06dZ' % (
        value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)


def parse_user_time(value, option='since', now=None):
    """A since/until value as an aware UTC datetime.

    Accepts ISO 8601 with Z or an offset (converted to UTC), or a relative age such as 30m, 24h, 7d
    or 2w (that long before now). A value without a zone is rejected: its meaning would depend on
    the time zone of whatever host runs the module."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise EMInputError('The %s value %s has no time zone.' % (option, value.isoformat()),
                               hint='Add Z for UTC or an offset such as +02:00.')
        return value.astimezone(UTC)
    text = str(value).strip()
    if not text:
        raise EMInputError('The %s option is empty.' % option, hint='Give an ISO 8601 time such as 2025-08-15T06:00:00Z, or an age such as 24h.')
    relative = _AGE.match(text)
    if relative and relative.group(2):  # a bare number is no time (seconds ago, or a Unix time?): refused
        amount, unit = int(relative.group(1)), relative.group(2).lower()
        now = now or utc_now()
        try:
            return (now - timedelta(seconds=amount * _UNIT_SECONDS[unit])).astimezone(UTC)
        except OverflowError:
            raise EMInputError('The %s value %r reaches too far back.' % (option, text))
    match = _ISO.match(text)
    if not match:
        raise EMInputError('The %s value %r is not a time.' % (option, text),
                           hint='Give ISO 8601 with Z or an offset (2025-08-15T06:00:00Z, 2025-08-15T08:00:00+02:00), '
                                'or an age: %s.' % AGE_FORMS)
    try:
        result = _build(match, assume_utc=False)
    except ValueError as exc:
        raise EMInputError('The %s value %r is not a valid time (%s).' % (option, text, exc))
    if result is None:
        raise EMInputError('The %s value %r has no time zone.' % (option, text),
                           hint='Add Z for UTC (%sZ) or an offset such as +02:00.' % text)
    return result


def parse_duration(value, option):
    """Seconds (an int above zero) of a duration option: a whole number of seconds, or a number with
    a unit as in AGE_FORMS; anything else is an EMInputError."""
    if isinstance(value, bool):  # bool is an int: True must not mean one second
        raise EMInputError('%s must be an age such as 24h, not %r.' % (option, value))
    if isinstance(value, int):
        seconds = value
    else:
        match = _AGE.match(str(value if value is not None else ''))
        if not match:
            raise EMInputError('%s %r is not an age: give %s.' % (option, value, AGE_FORMS))
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise EMInputError('%s must be longer than zero, not %r.' % (option, value))
    return seconds


def duration_seconds(start, end):
    """Seconds from start to end (aware datetimes) as a float, never negative; None when either is missing."""
    if start is None or end is None:
        return None
    seconds = (end - start).total_seconds()
    return round(seconds, 6) if seconds > 0 else 0.0
