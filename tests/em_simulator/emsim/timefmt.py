# Time values of the simulator: integer ticks (100 ns, like .NET) since the Unix epoch, all UTC.
# EM prints times with 0-7 fractional digits and trailing zeros dropped; filters accept UTC only.
from __future__ import annotations

import datetime
import re
import time

TICKS_PER_SECOND = 10000000
TICKS_PER_DAY = 86400 * TICKS_PER_SECOND

_FILTER_TIME = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})'
    r'(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?'
    r'(Z|z|[+-]\d{2}:?\d{2})?$')


def ticks_from_datetime(value):
    """An aware or naive (taken as UTC) datetime -> ticks."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    delta = value - datetime.datetime(1970, 1, 1)
    return (delta.days * 86400 + delta.seconds) * TICKS_PER_SECOND + delta.microseconds * 10


_DAYS = {}


def _date(day):
    """Days since the epoch -> `YYYY-MM-DD` (cached: formatting 100,000+ times must stay cheap)."""
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = time.strftime('%Y-%m-%d', time.gmtime(day * 86400))
    return text


def _clock(seconds):
    day, second = divmod(seconds, 86400)
    hour, rest = divmod(second, 3600)
    return _date(day), '%02d:%02d:%02d' % (hour, rest // 60, rest % 60)


def iso_z(ticks):
    """Ticks -> `2024-02-29T23:59:58.04Z` (fraction without trailing zeros, none when zero)."""
    seconds, fraction = divmod(ticks, TICKS_PER_SECOND)
    date, clock = _clock(seconds)
    if fraction:
        return '%sT%s.%sZ' % (date, clock, ('%07d' % fraction).rstrip('0'))
    return '%sT%sZ' % (date, clock)


def name_stamp(ticks):
    """Ticks -> `2024-02-29 23:59:58`, the stamp EM puts after `@` in session names."""
    date, clock = _clock(ticks // TICKS_PER_SECOND)
    return date + ' ' + clock


def parse_now(text):
    """The --now option: ISO 8601 ending in Z (fractions allowed) -> ticks."""
    ticks = parse_filter_time(text)
    if ticks is None or not text.upper().endswith('Z'):
        raise ValueError('expected an ISO 8601 UTC time ending in Z, e.g. 2025-10-12T14:00:00Z')
    return ticks


def default_now():
    """The current UTC time truncated to the hour."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
    return ticks_from_datetime(now)


def parse_filter_time(text):
    """A filter date-time (`2024-03-01T06:00:00Z`, without Z, fractional, or date only) -> ticks.

    Returns None when the text is not a date-time or carries a non-UTC offset: EM accepts UTC only.
    """
    match = _FILTER_TIME.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone and zone not in ('Z', 'z') and zone.replace(':', '') not in ('+0000', '-0000'):
        return None
    try:
        value = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    ticks = ticks_from_datetime(value)
    if fraction:
        ticks += int(fraction.ljust(7, '0'))
    return ticks
