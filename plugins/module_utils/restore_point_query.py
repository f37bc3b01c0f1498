# -*- coding: utf-8 -*-
# Reading restore points through the one reader (em_reader.py): each kind's filters of a Selection, every
# row checked, newest first, with an early stop once every machine a filter names was seen (its newest
# point is then read); and newest_restore_points(), the newest point of each named machine, which the
# verdict of backup_vm_info uses as the evidence that a backup still exists.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import checked_answers
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import (
    AGENT,
    QUERIES,
    RESTORE_POINT_CRITERIA,
    VM,
    nothing_to_read,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_options import (
    FILTERS,
    RESTORE_POINT_SELECTION,
    kinds_of,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import build_selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.text_lists import joined

NOUN = 'restore point'


def origin(selection):
    """(the options a restore point filter was built from, in words; '': there is no raw filter)."""
    options = [option for option, _key, _kind, attribute in RESTORE_POINT_CRITERIA if selection.get(attribute)]
    options += [name for name in ('since', 'until') if selection.get(name) is not None]
    if not options:
        return 'no option', ''
    return 'the option%s %s' % ('s' if len(options) > 1 else '', joined(options)), ''


def _names_seen(chunk):
    """The early stop of one filter: done once every machine name it asks for was seen (reading newest
    first, each name's newest point has then been read)."""
    pending = set(name_key(name) for name in chunk.lists.get('vm_names') or [])

    def done(batch):
        pending.difference_update(name_key(facts.get('vm_name') or '') for facts in batch)
        return not pending
    return done


def read_points(client, selection, check, stop_when_seen=False, limit=None):
    """(facts, truncated) of every kind the selection reads, each kind's filters newest first, every row
    checked by `check` (a RowCheck). stop_when_seen: each filter's reading ends at the page on which every
    name it asks for was seen. limit: at most that many points per filter."""
    found = []
    truncated = False
    for kind in kinds_of(selection):
        if nothing_to_read(selection, kind):
            continue
        query = QUERIES[kind]
        reading = read(client, query, selection, chunks=selection.get(FILTERS[kind]), accepts=check.bind(query.checks(selection)),
                       stop=_names_seen if stop_when_seen and selection.get('vm_names') else None, limit=limit,
                       prefetch=not stop_when_seen)
        found.extend(reading)
        truncated = truncated or reading.truncated
    return found, truncated


def newest_restore_points(client, vm_names=(), computer_names=(), since=None, by_name=True):
    """The newest restore point of each machine named: VM restore points by VmDisplayName for `vm_names`,
    agent restore points by ComputerName for `computer_names` (the machines of AgentBackup jobs), created at
    or after `since` (an aware datetime) when given. Names are OR'd into as few filters as fit in one
    request URL each, never one request per VM; each filter's reading stops once every name of it was seen.
    by_name=False: each kind that has names is read in one stream without name filters (every point since
    `since`), which costs fewer requests than the name filters when nearly every machine of EM is named.

    Returns {name as given: facts or None}; a name in both lists gets the newer of its VM and agent point.
    Facts as normalize_restore_point() makes them (creation_time a datetime; public_facts() for output).
    Names compare as EM compares them (any letter case). A row EM returns that was not asked for is left out
    and named in one warning on client.warnings."""
    answer = dict((name, None) for name in list(vm_names) + list(computer_names))
    for kind, names in ((VM, vm_names), (AGENT, computer_names)):
        if not names:
            continue
        options = {'vm_name': list(names) if by_name else None, 'kind': [kind], 'since': since}
        selection = build_selection(RESTORE_POINT_SELECTION, options, validated=True)
        with checked_answers(client, origin(selection), NOUN) as check:
            points, unused = read_points(client, selection, check, stop_when_seen=by_name)
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
