# What the query service can filter and sort on, per query type, and the compiler that turns a parsed
# filter into a predicate. Field names are case-insensitive; strings compare case-insensitively (EM runs
# on SQL Server's default collation); enums compare by their position in the documented value list.
from __future__ import annotations

import operator

from .filter_parser import Comparison, FilterError
from .timefmt import parse_filter_time

_OPS = {'==': operator.eq, '!=': operator.ne, '<': operator.lt, '>': operator.gt, '<=': operator.le, '>=': operator.ge}

# Documented orders. `None` (what running sessions report) is not documented: it sorts before everything.
TASK_STATES = ['InProgress', 'Pending', 'Completed']
RESULTS = ['None', 'Success', 'Warning', 'Failed']
JOB_SESSION_STATES = ['Starting', 'Stopping', 'Working', 'Pausing', 'Resuming', 'Stopped']
JOB_TYPES = ['Backup', 'BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker', 'AgentBackup', 'AgentManagement',
             'NasBackup']


def _guid_part(text):
    """`urn:veeam:BackupTaskSession:<guid>` or a bare `<guid>` -> the GUID, case-folded: both forms match."""
    return text.rsplit(':', 1)[-1].casefold()


class Field:
    """kind: text | uid | time | enum | int | bool. `key` maps a record to a comparable value (None = no value)."""
    __slots__ = ('name', 'kind', 'key', 'enum')

    def __init__(self, name, kind, getter, enum=None):
        self.name = name
        self.kind = kind
        self.enum = enum
        if kind == 'text':
            self.key = lambda record: getter(record).casefold()
        elif kind == 'uid':
            self.key = lambda record: _guid_part(getter(record))
        elif kind == 'enum':
            index = dict((value, position) for position, value in enumerate(enum))
            self.key = lambda record: index.get(getter(record), -1)
        else:
            self.key = getter

    def convert(self, comparison):
        """The comparison's value as a key of this field; FilterError when it does not fit."""
        value = comparison.value
        if self.kind == 'text':
            return value.casefold()
        if self.kind == 'uid':
            return _guid_part(value)
        if self.kind == 'time':
            ticks = parse_filter_time(value)
            if ticks is None:
                raise FilterError('Invalid filter: %s needs a UTC date-time such as "2024-03-01T06:00:00Z", not %r.' % (self.name, value))
            return ticks
        if self.kind == 'enum':
            for position, name in enumerate(self.enum):
                if name.casefold() == value.casefold():
                    return position
            raise FilterError('Invalid filter: %r is not a value of %s (%s).' % (value, self.name, ', '.join(self.enum)))
        if self.kind == 'int':
            try:
                return int(value)
            except ValueError:
                raise FilterError('Invalid filter: %s needs a whole number, not %r.' % (self.name, value))
        if value.lower() in ('true', 'false'):
            return value.lower() == 'true'
        raise FilterError('Invalid filter: %s needs true or false, not %r.' % (self.name, value))


class QueryType:
    def __init__(self, name, list_name, fields, aliases):
        self.name = name
        self.list_name = list_name  # e.g. BackupTaskSessions (the Entities wrapper)
        self.fields = fields
        self._lookup = dict((field.name.lower(), field) for field in fields)
        for alias, target in aliases.items():
            self._lookup[alias.lower()] = self._lookup[target.lower()]

    def field(self, name):
        field = self._lookup.get(name.lower())
        if field is None:
            raise FilterError('Field %r cannot be used with query type %s. Fields: %s.'
                              % (name, self.name, ', '.join(field.name for field in self.fields)))
        return field


_TIME_ALIASES = {'CreationTimeUTC': 'CreationTime', 'EndTimeUTC': 'EndTime'}

BACKUP_TASK_SESSION = QueryType('BackupTaskSession', 'BackupTaskSessions', [
    Field('UID', 'uid', lambda task: task.uid),
    Field('Name', 'text', lambda task: task.name),
    Field('CreationTime', 'time', lambda task: task.creation),
    Field('EndTime', 'time', lambda task: task.end),
    Field('State', 'enum', lambda task: task.state, TASK_STATES),
    Field('Result', 'enum', lambda task: task.result, RESULTS),
    Field('Reason', 'text', lambda task: task.reason),
    Field('TotalSize', 'int', lambda task: task.total_size),
    Field('JobSessionUid', 'uid', lambda task: task.job_session.uid),
    Field('JobUid', 'uid', lambda task: task.job_session.job.uid),
    Field('JobName', 'text', lambda task: task.job_session.job.name),
    Field('BackupServerUid', 'uid', lambda task: task.job_session.job.server.uid),
    Field('BackupServerName', 'text', lambda task: task.job_session.job.server.name),
    Field('VmDisplayName', 'text', lambda task: task.vm.name),
], _TIME_ALIASES)

BACKUP_JOB_SESSION = QueryType('BackupJobSession', 'BackupJobSessions', [
    Field('UID', 'uid', lambda session: session.uid),
    Field('Name', 'text', lambda session: session.name),
    Field('JobUid', 'uid', lambda session: session.job.uid),
    Field('JobName', 'text', lambda session: session.job.name),
    Field('JobType', 'enum', lambda session: session.job_type, JOB_TYPES),
    Field('CreationTime', 'time', lambda session: session.creation),
    Field('EndTime', 'time', lambda session: session.end),
    Field('State', 'enum', lambda session: session.state, JOB_SESSION_STATES),
    Field('Result', 'enum', lambda session: session.result, RESULTS),
    Field('IsRetry', 'bool', lambda session: session.is_retry),
    Field('BackupServerUid', 'uid', lambda session: session.job.server.uid),
    Field('BackupServerName', 'text', lambda session: session.job.server.name),
], _TIME_ALIASES)

QUERY_TYPES = dict((kind.name.lower(), kind) for kind in (BACKUP_TASK_SESSION, BACKUP_JOB_SESSION))


def compile_filter(tree, query_type):
    """Syntax tree -> predicate(record) -> bool. A record without a value (EndTime while running) never matches."""
    if isinstance(tree, Comparison):
        field = query_type.field(tree.field)
        value = field.convert(tree)
        compare = _OPS[tree.op]
        key = field.key

        def matches(record):
            actual = key(record)
            return actual is not None and compare(actual, value)
        return matches
    if tree.kind != 'and':
        same = _equal_to_any(tree, query_type)
        if same is not None:
            return same
    children = [compile_filter(child, query_type) for child in tree.children]
    if tree.kind == 'and':
        return lambda record: all(child(record) for child in children)
    return lambda record: any(child(record) for child in children)


def _equal_to_any(tree, query_type):
    """An OR of `field==value` comparisons on one field (a list of VM names) as one set lookup, or None.
    Same answer as the comparisons one by one; a 160-name OR over 100,000 records is about 40 times faster."""
    if not tree.children or not all(isinstance(child, Comparison) and child.op == '==' for child in tree.children):
        return None
    fields = set(query_type.field(child.field).name for child in tree.children)
    if len(fields) != 1:
        return None
    field = query_type.field(tree.children[0].field)
    wanted = frozenset(field.convert(child) for child in tree.children)
    key = field.key
    return lambda record: key(record) in wanted


def sort_key(field):
    """Sort key of a field; records without a value sort first, as SQL Server sorts NULL."""
    key = field.key

    def ordered(record):
        value = key(record)
        return (0, 0) if value is None else (1, value)
    return ordered
