# -*- coding: utf-8 -*-
# The per-day part of the task_session_report data: session counts by result for every UTC day of the
# window, and the geometry of their stacked bar chart (SVG user units), so the HTML template only draws.
# Controller-only (the filter plugin's computation), hence plugin_utils.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import math
from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import TASK_SESSION_RESULTS

# The count columns: EM's results, then anything else (None, a value EM adds later).
RESULT_COLUMNS = TASK_SESSION_RESULTS + ('Other',)
MAX_CHART_DAYS = 400
CHART = {'height': 260, 'left': 48, 'right': 12, 'top': 12, 'bottom': 40, 'slot_min': 14, 'slot_max': 110, 'width_min': 960}


def result_column(result):
    """The count column of a session result."""
    return result if result in TASK_SESSION_RESULTS else 'Other'


def _days(start_day, end_day):
    count = (end_day - start_day).days + 1
    return [start_day + timedelta(days=i) for i in range(max(count, 0))]


def _first_day(starts, window_since, end_day, warnings):
    """The chart's first day: the window's start, else the oldest session's day; at most MAX_CHART_DAYS back."""
    if window_since is not None:
        start_day = window_since.date()
    elif starts:
        start_day = min(starts).date()
    else:
        start_day = end_day
    if (end_day - start_day).days >= MAX_CHART_DAYS:
        warnings.append('The per-day counts cover the last %d days only.' % MAX_CHART_DAYS)
        return end_day - timedelta(days=MAX_CHART_DAYS - 1)
    return start_day


def per_day(sessions, window_since, as_of, warnings):
    """One row per UTC day (date, a count per result column, total); sessions carry their parsed
    start as '_start' (None: not counted). A warning is added when the window was cut."""
    starts = [s['_start'] for s in sessions if s['_start'] is not None]
    end_day = max([as_of] + starts).date()
    rows = {}
    for day in _days(_first_day(starts, window_since, end_day, warnings), end_day):
        rows[day] = dict([('date', day.isoformat())] + [(column, 0) for column in RESULT_COLUMNS] + [('total', 0)])
    for start, session in ((s['_start'], s) for s in sessions if s['_start'] is not None):
        row = rows.get(start.date())
        if row is not None:
            row[result_column(session.get('result'))] += 1
            row['total'] += 1
    return [rows[day] for day in sorted(rows)]


def _nice_step(maximum):
    """A round tick step (1, 2 or 5 times a power of ten) giving at most five ticks."""
    if maximum <= 5:
        return 1
    raw = maximum / 5.0
    power = 10 ** int(math.floor(math.log10(raw)))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return int(factor * power)
    return int(10 * power)


def _segments(row, baseline, scale):
    """The stacked parts of one bar, bottom up."""
    y = float(baseline)
    segments = []
    for result in RESULT_COLUMNS:
        count = row[result]
        if not count:
            continue
        height = count * scale
        y -= height
        segments.append({'result': result, 'count': count, 'y': round(y, 2), 'height': round(height, 2)})
    return segments


def chart_geometry(per_day_rows):
    """Coordinates of the stacked per-day bar chart (SVG user units), so the template only draws."""
    days = len(per_day_rows)
    slot = max(CHART['slot_min'], min(CHART['slot_max'], (CHART['width_min'] - CHART['left'] - CHART['right']) // max(days, 1)))
    width = CHART['left'] + slot * days + CHART['right']
    baseline = CHART['height'] - CHART['bottom']
    maximum = max([row['total'] for row in per_day_rows] + [0])
    step = _nice_step(maximum)
    top_value = max(step, int(math.ceil(maximum / float(step))) * step)
    scale = (baseline - CHART['top']) / float(top_value)
    bar_width = max(2, int(slot * 0.7))
    label_every = max(1, int(math.ceil(days / 16.0)))
    bars = []
    for index, row in enumerate(per_day_rows):
        x = CHART['left'] + index * slot + (slot - bar_width) // 2
        bars.append({
            'date': row['date'], 'total': row['total'], 'x': x, 'width': bar_width, 'segments': _segments(row, baseline, scale),
            'label': row['date'][5:] if index % label_every == 0 or index == days - 1 else '',
            'label_x': x + bar_width / 2.0,
        })
    ticks = [{'value': value, 'y': round(baseline - value * scale, 2)} for value in range(0, top_value + 1, step)]
    return {
        'width': width, 'height': CHART['height'], 'left': CHART['left'], 'right': width - CHART['right'],
        'top': CHART['top'], 'baseline': baseline, 'label_y': baseline + 16, 'bars': bars, 'ticks': ticks,
        'has_other': any(row['Other'] for row in per_day_rows),
    }
