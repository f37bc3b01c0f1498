# -*- coding: utf-8 -*-
# Builds EM query service filter expressions from structured criteria, quoted the way EM parses them:
# strings in double quotes with inner quotes doubled, ';' for AND, ',' for OR, parentheses around
# every OR group (EM documents no precedence), UTC date-times quoted with Z. Also URL-encodes a filter
# for the query string while keeping ';' ',' '(' ')' raw, as EM's own paging links do.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_urls import encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc

TASK_SESSION_STATES = ('InProgress', 'Pending', 'Completed')
TASK_SESSION_RESULTS = ('Success', 'Warning', 'Failed')
# The states of a session that has not finished yet.
RUNNING_STATES = ('InProgress', 'Pending')
_RUNNING = frozenset(state.lower() for state in RUNNING_STATES)
# Keep query URLs well below common URL length limits (http.sys defaults to 16 KB, proxies less).
MAX_FILTER_LENGTH = 5800

OPERATORS = ('==', '!=', '<', '>', '<=', '>=')


def is_running(facts):
    """Whether a task session's facts say it still runs (its state compared in any letter case)."""
    return str(facts.get('state') or '').lower() in _RUNNING


def quote_value(value):
    """A string value in double quotes, inner double quotes doubled."""
    return '"%s"' % str(value).replace('"', '""')


def comparison(field, operator, value):
    """field<op>"value" for a string, or field<op>"...Z" for a datetime."""
    if operator not in OPERATORS:
        raise ValueError('unknown operator %r' % operator)
    if hasattr(value, 'tzinfo'):
        value = format_utc(value)
    return '%s%s%s' % (field, operator, quote_value(value))


def enum_comparison(field, value):
    """field==Value for an enum value that was validated already (EM examples leave enums unquoted)."""
    return '%s==%s' % (field, value)


def any_of(terms):
    """OR of terms; in parentheses when there is more than one, so it can be ANDed safely."""
    terms = [t for t in terms if t]
    if not terms:
        return ''
    if len(terms) == 1:
        return terms[0]
    return '(%s)' % ','.join(terms)


def all_of(terms):
    """AND of terms (each already safe to AND: single comparisons or parenthesised groups)."""
    return ';'.join(t for t in terms if t)


def raw_group(expression):
    """A user's raw filter, parenthesised so it ANDs with the rest as one unit."""
    expression = (expression or '').strip()
    return '(%s)' % expression if expression else ''


def normalize_enum(option, values, allowed):
    """Map values case-insensitively onto the allowed spellings; unknown values are an EMInputError."""
    canonical = dict((a.lower(), a) for a in allowed)
    result = []
    for value in values or []:
        key = str(value).strip().lower()
        if key not in canonical:
            raise EMInputError('The %s value %r is not known.' % (option, value),
                               hint='Allowed (any letter case): %s.' % ', '.join(allowed))
        if canonical[key] not in result:
            result.append(canonical[key])
    return result


def string_values(option, values):
    """Non-empty strings of a list option, order kept, duplicates dropped."""
    result = []
    for value in values or []:
        if value is None or str(value) == '':
            raise EMInputError('The %s option contains an empty value.' % option)
        if str(value) not in result:
            result.append(str(value))
    return result


def chunk_by_length(values, make_filter, max_length=MAX_FILTER_LENGTH):
    """Split values, order kept, into groups whose encoded make_filter(group) fits in max_length.
    A value too long even alone forms a group of its own: the caller decides whether to refuse it."""
    chunks = []
    current = []
    for value in values:
        if current and len(encode_filter(make_filter(current + [value]))) > max_length:
            chunks.append(current)
            current = []
        current.append(value)
    if current:
        chunks.append(current)
    return chunks
