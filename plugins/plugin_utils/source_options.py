# -*- coding: utf-8 -*-
# The options of the EDA source vbr.enterprise_manager.task_sessions besides the connection: rows of the
# option table (task_session_options.py's, with the source's own defaults and words, and its own interval
# and overlap), and the conversions that give its Selection. The source's DOCUMENTATION says the same
# (a unit test compares them).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import math

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import TASK_SESSION_RESULTS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import Conversion, enums, number, time
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import selection_options
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_spec


def _result():
    # `results` (plural) is the source's name for the module's `result` since 0.2.0
    option = selection_options(('result',))[0]
    return option.replace(name='results', default=['Failed', 'Warning'])


SOURCE_OPTIONS = (
    # raw: the conversion refuses a bool or text, which a float conversion would take (True as 1.0 second)
    Option('interval', 'raw', ['Seconds between two polls (a number greater than 0).'], default=60),
    _result(),
) + selection_options(('job_name', 'job_type', 'vm_name', 'since')) + (
    Option('overlap', 'int', ['Seconds before the newest end time seen that every poll reads again.'], default=120),
)


def _interval(value, now):
    number_value = None
    if not isinstance(value, bool):
        try:
            number_value = float(value)
        except (TypeError, ValueError):
            pass
    if number_value is None:
        raise EMInputError('The interval argument must be a number of seconds, not %r.' % (value,))
    if not math.isfinite(number_value) or number_value <= 0:
        raise EMInputError('The interval argument must be greater than 0, not %r.' % (value,))
    return {'interval': number_value}


def _some_result(selection):
    if not selection.results:
        raise EMInputError('The results argument is empty.', hint='Give one or more of %s.' % ', '.join(TASK_SESSION_RESULTS))


# `since` is where the first poll starts (by end time; default: the start of the source), not a creation
# time window, so it is the Selection's `start`; the filters depend on each poll's window (no derived ones).
SOURCE_SELECTION = task_session_spec(SOURCE_OPTIONS, conversions={
    'interval': Conversion('interval', _interval),
    'results': enums('results', 'results', TASK_SESSION_RESULTS),
    'since': time('since', 'start', default_now=True),
    'overlap': number('overlap', 0),
}, derive=()).extended(checks=(_some_result,))
