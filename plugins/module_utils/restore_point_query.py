# -*- coding: utf-8 -*-
# The EM query types VmRestorePoint and AgentRestorePoint: their filters (VM names OR'd in chunks that fit
# one request URL; EM filters the point type as `Type`, and the machine as VmDisplayName for VMs, as
# ComputerName for agents), the checks of each row EM returns against what was asked, and the reading,
# newest first, with an early stop once every named machine was seen (for the newest point per VM).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from datetime import timedelta

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import (
    MAX_FILTER_LENGTH,
    all_of,
    any_of,
    chunk_by_length,
    comparison,
    encode_filter,
    enum_comparison,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import (
    AGENT,
    QUERY_TYPES,
    VM,
    normalize_restore_point,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_fact_time

# The point types EM documents per kind (`PointType` of the entity, `Type` in a filter).
POINT_TYPES = {VM: ('Full', 'Increment', 'ReverseIncrement'), AGENT: ('Full', 'Increment')}
# The filter field of the machine name per kind (VmName is no query field of VmRestorePoint).
NAME_FIELDS = {VM: 'VmDisplayName', AGENT: 'ComputerName'}


class PointQuery(object):
    """What to ask EM for one kind of restore point: machine names (OR, any of them), backup servers (OR),
    point types (OR, canonical spellings), a creation time window. Values are validated already."""

    def __init__(self, kind, names=(), backup_server_names=(), point_types=(), since=None, until=None):
        self.kind = kind
        self.type_name = QUERY_TYPES[kind]
        self.names = list(names)
        self.backup_server_names = list(backup_server_names)
        self.point_types = [value for value in point_types if value in POINT_TYPES[kind]]
        # point types were asked for and none of them exists for this kind (ReverseIncrement of an agent)
        self.empty = bool(point_types) and not self.point_types
        self.since = since
        self.until = until

    def filter_for(self, names):
        """The filter of this query with `names` as the machine names."""
        field = NAME_FIELDS[self.kind]
        return all_of([
            any_of([comparison(field, '==', name) for name in names]),
            any_of([comparison('BackupServerName', '==', name) for name in self.backup_server_names]),
            any_of([enum_comparison('Type', value) for value in self.point_types]),
            comparison('CreationTime', '>=', self.since) if self.since is not None else '',
            # EM keeps 100 ns ticks, the facts microseconds: `until` takes in its whole microsecond.
            comparison('CreationTime', '<', self.until + timedelta(microseconds=1)) if self.until is not None else '',
        ])

    def filters(self, max_length=MAX_FILTER_LENGTH):
        """[(filter, names of that chunk)]: one filter, or one per chunk of the names when all of them do not
        fit in one URL (the chunks' answers are disjoint). EMInputError when one name alone does not fit."""
        if not self.names:
            return [(self.filter_for([]), [])]
        chunks = chunk_by_length(self.names, self.filter_for, max_length)
        found = [(self.filter_for(chunk), chunk) for chunk in chunks]
        if any(len(encode_filter(text)) > max_length for text, unused in found):
            raise EMInputError('A restore point query needs an EM filter longer than the %d characters that fit in one '
                               'request URL.' % max_length, hint='Give fewer backup server names, or shorter names.')
        return found

    def checks(self):
        """The row checks of this query: each fact a filter comparison asked for."""
        found = []
        if self.names:
            found.append(_Wanted('vm_name', 'vm_name', self.names, name_key))
        if self.backup_server_names:
            found.append(_Wanted('backup_server_name', 'backup_server_name', self.backup_server_names, name_key))
        if self.point_types:
            found.append(_Wanted('point_type', 'point_type', self.point_types, lambda value: str(value).casefold()))
        if self.since is not None or self.until is not None:
            found.append(_Window(self.since, self.until))
        return found


class _Wanted(object):
    """The fact `key` must be one of `values` as `fold` compares them; a row without it cannot be checked."""

    def __init__(self, option, key, values, fold):
        self.option = option
        self.key = key
        self.fold = fold
        self.wanted = frozenset(fold(value) for value in values)

    def matches(self, facts):
        value = facts.get(self.key)
        return value is None or self.fold(value) in self.wanted

    def describe(self, facts):
        return '%s %r not asked for' % (self.option, facts.get(self.key))


class _Window(object):
    """since <= creation_time < until + 1 microsecond (datetimes, as the filter asks)."""

    def __init__(self, since, until):
        self.since = since
        self.until = until + timedelta(microseconds=1) if until is not None else None

    def matches(self, facts):
        created = facts.get('creation_time')
        if created is None:
            return True
        return (self.since is None or created >= self.since) and (self.until is None or created < self.until)

    def describe(self, facts):
        return 'creation_time %s outside since/until' % format_fact_time(facts.get('creation_time'))


class Dropped(object):
    """The rows EM returned that fail their query's checks: left out, named once in one warning."""

    def __init__(self):
        self.rows = []

    def accepts(self, facts, checks):
        for check in checks:
            if not check.matches(facts):
                self.rows.append('restore point %s [%s] (%s)' % (facts.get('name'), facts.get('id'), check.describe(facts)))
                return False
        return True

    def warning(self):
        if not self.rows:
            return None
        more = ' and %d more' % (len(self.rows) - 10) if len(self.rows) > 10 else ''
        return ('Enterprise Manager returned %d restore point(s) that do not satisfy the selection it was asked for; they '
                'were left out: %s%s. Report the EM version and the options used.' % (len(self.rows), '; '.join(self.rows[:10]), more))


def read_points(client, query, dropped, stop_when_seen=False, limit=None):
    """The facts of the points of `query`, newest first per filter chunk, checked (failing rows go to
    `dropped`). With stop_when_seen, each chunk's reading stops at the end of the page on which every name
    of the chunk was seen (newest first, so each name's newest point is read). With `limit`, at most that
    many points per chunk (the caller keeps the newest overall). Returns (facts, truncated).
    (Reads through QueryPager; to move onto the collection's one reader.)"""
    found = []
    truncated = False
    checks = query.checks()
    for filter_text, names in query.filters():
        pending = set(name_key(name) for name in names) if stop_when_seen else None
        pager = client.query(query.type_name, filter=filter_text, limit=limit)
        for page in pager.iter_pages():
            batch = [facts for facts in (normalize_restore_point(entity, query.kind) for entity in page)
                     if dropped.accepts(facts, checks)]
            found.extend(batch)
            if pending:
                pending.difference_update(name_key(facts.get('vm_name') or '') for facts in batch)
                if not pending:
                    break
        truncated = truncated or pager.truncated
    return found, truncated


def newest_restore_points(client, vm_names=(), computer_names=(), since=None, dropped=None):
    """The newest restore point of each machine named: VM restore points by VmDisplayName for `vm_names`,
    agent restore points by ComputerName for `computer_names` (the machines of AgentBackup jobs), created at or
    after `since` (an aware datetime) when given. Names are OR'd into as few filters as fit in one request
    URL each, never one request per VM; each filter's reading stops once every name of it was seen.

    Returns {name as given: facts or None}, a name in both lists getting the newer of its VM and agent point;
    facts as normalize_restore_point() makes them (creation_time a datetime). Names compare as EM compares
    them (any letter case). Rows EM returns that were not asked for are left out and listed in `dropped`
    (a Dropped, whose warning() the caller shows) when given."""
    dropped = dropped if dropped is not None else Dropped()
    answer = dict((name, None) for name in list(vm_names) + list(computer_names))
    for kind, names in ((VM, vm_names), (AGENT, computer_names)):
        names = _unique(names)
        if not names:
            continue
        points, unused = read_points(client, PointQuery(kind, names, since=since), dropped, stop_when_seen=True)
        newest = {}
        for facts in points:
            key = name_key(facts.get('vm_name') or '')
            if key not in newest or _newer(facts, newest[key]):
                newest[key] = facts
        for name in names:
            facts = newest.get(name_key(name))
            if facts is not None and (answer.get(name) is None or _newer(facts, answer[name])):
                answer[name] = facts
    return answer


def _newer(facts, other):
    mine, theirs = facts.get('creation_time'), other.get('creation_time')
    return theirs is None or (mine is not None and mine > theirs)


def _unique(names):
    seen = set()
    result = []
    for name in names or ():
        key = name_key(name)
        if key not in seen:
            seen.add(key)
            result.append(str(name))
    return result
