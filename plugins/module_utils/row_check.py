# -*- coding: utf-8 -*-
# Every row EM returns is checked against the selection it was asked to apply, one comparison per
# criterion, and dropped (and named in a warning) when it plainly does not satisfy it: an EM that
# splits a quoted value at , ; ( ) or ignores a comparison must not put a wrong session into a gate.
# Names compare the way the most lenient EM database does (SQL Server's default collation: case and
# width insensitive, trailing spaces ignored), so a row a case-insensitive EM rightly returns is
# never dropped; a case-sensitive EM (PostgreSQL) returns fewer rows, never other ones.
# A raw `filter` cannot be checked: only the structured options are.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import unicodedata
from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import guid_from_urn
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.text_lists import shown_list
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_fact_time, parse_em_time


def name_key(value):
    """A name as EM's most lenient collation compares it: NFKC (full-width letters as ASCII), case
    folded, trailing spaces dropped (SQL Server pads the shorter string with spaces)."""
    return unicodedata.normalize('NFKC', str(value)).casefold().rstrip(' ')


def job_name_keys(value):
    """The keys a job name answers to: its own, and for a copy worker job (`<copy job>\\<source job>`,
    as EM names the sessions of backup copy workers) also the copy job's, which EM may report it under."""
    keys = {name_key(value)}
    if '\\' in str(value):
        keys.add(name_key(str(value).split('\\', 1)[0]))
    return keys


def _guid_key(value):
    return str(guid_from_urn(value)).lower()


def _enum_key(value):
    return str(value).casefold()


# kind -> (key of a fact value -> set of its keys, key of an asked-for value)
_KINDS = {
    'name': (lambda value: {name_key(value)}, name_key),
    'job_name': (job_name_keys, name_key),
    'enum': (lambda value: {_enum_key(value)}, _enum_key),
    'guid': (lambda value: {_guid_key(value)}, _guid_key),
}


class Criterion(object):
    """One criterion EM was asked to apply: the fact `key` of a row must be one of `values` (an OR),
    compared as `kind` ('name', 'job_name', 'enum', 'guid'). `option` names it in messages. A row
    without that fact (EM did not send it) cannot be checked and passes."""

    def __init__(self, option, key, kind, values):
        self.option = option
        self.key = key
        fact_keys, wanted_key = _KINDS[kind]
        self._fact_keys = fact_keys
        self.wanted = frozenset(wanted_key(value) for value in values)
        # names: fact value -> whether it matches (rows repeat few distinct names; IDs do not repeat)
        self._known = {} if kind in ('name', 'job_name') else None

    def matches(self, facts):
        value = facts.get(self.key)
        if value is None:
            return True
        if self._known is None:
            return not self.wanted.isdisjoint(self._fact_keys(value))
        known = self._known.get(value)
        if known is None:
            known = self._known[value] = not self.wanted.isdisjoint(self._fact_keys(value))
        return known

    def describe(self, facts):
        return '%s %r not asked for' % (self.option, facts.get(self.key))


class TimeRange(object):
    """since <= creation_time < until + 1 microsecond, as the filter asks for (see task_session.py)."""

    def __init__(self, since=None, until=None):
        self.option = ' and '.join(name for name, value in (('since', since), ('until', until)) if value is not None)
        self.low = since
        self.high = until + timedelta(microseconds=1) if until is not None else None

    def matches(self, facts):
        created = facts.get('creation_time')
        if isinstance(created, str):  # facts given back as text (a user's, a report's)
            created = parse_em_time(created)
        if created is None:
            return True
        return (self.low is None or created >= self.low) and (self.high is None or created < self.high)

    def describe(self, facts):
        created = facts.get('creation_time')
        return 'creation_time %s outside %s' % (created if isinstance(created, str) else format_fact_time(created), self.option)


class Either(object):
    """Any one of several criteria (the lookup's OR of task session IDs and names)."""

    def __init__(self, option, criteria):
        self.option = option
        self.criteria = [criterion for criterion in criteria if criterion.wanted]

    def matches(self, facts):
        return not self.criteria or any(criterion.matches(facts) for criterion in self.criteria)

    def describe(self, facts):
        return 'not one of the %ss asked for' % self.option


def criteria(table, source):
    """The criteria of `table` rows (option, fact key, kind, attribute of source) whose values are set."""
    found = []
    for option, key, kind, attribute in table:
        values = getattr(source, attribute, None)
        if values:
            found.append(Criterion(option, key, kind, values))
    return found


def time_range(since=None, until=None):
    """[TimeRange] when a bound is set, else []."""
    return [TimeRange(since, until)] if since is not None or until is not None else []


class RowCheck(object):
    """The rows of one run (module task or lookup call) that failed their query's criteria, each
    recorded once (a wait loop reads the same rows again). noun: what a row is, in the warning."""

    def __init__(self, noun='task session'):
        self.noun = noun
        self.dropped = []
        self._seen = set()

    def accepts(self, facts, checks):
        """True when facts satisfy every check; else the row is recorded as dropped."""
        for check in checks:
            if not check.matches(facts):
                self._drop(facts, check)
                return False
        return True

    def bind(self, checks):
        """accepts() for one query's checks, as a function of the facts alone."""
        checks = list(checks)
        return lambda facts: self.accepts(facts, checks)

    def _drop(self, facts, check):
        key = facts.get('id') or facts.get('uid') or facts.get('name')
        if key in self._seen:
            return
        self._seen.add(key)
        self.dropped.append('%s (%s)' % (_row_name(facts, self.noun), check.describe(facts)))

    def warning(self):
        """The warning naming the dropped rows, or None."""
        if not self.dropped:
            return None
        return ('Enterprise Manager returned %d %s(s) that do not satisfy the selection it was asked for; '
                'they were left out: %s. EM may have split a quoted value at , ; ( ) or compared differently: '
                'report the EM version and the options used.' % (len(self.dropped), self.noun, shown_list(self.dropped, separator='; ')))


def _row_name(facts, noun):
    return '%s %s%s' % (noun, facts.get('name') or facts.get('vm_name'), ' [%s]' % facts['id'] if facts.get('id') else '')
