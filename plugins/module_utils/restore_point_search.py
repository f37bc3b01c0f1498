# -*- coding: utf-8 -*-
# The restore_point_info selection: every kind it asks for read (restore_point_query.py), newest first, the
# newest per machine or the first `limit`, the names that matched nothing, and a summary.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import checked_answers
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import (
    KINDS,
    POINT_TYPES,
    VM,
    newest_first_key,
    newest_per_vm,
    public_facts,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_query import NOUN, origin, read_points
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.text_lists import shown_list


def select_restore_points(client, selection):
    """The module's answer for a Selection of RESTORE_POINT_SELECTION: restore_points (public facts, newest
    first), count, truncated, unmatched and summary. Warnings join client.warnings."""
    # newest per machine of named machines without a window: each filter's reading stops once all were seen
    stop = selection.latest_per_vm and bool(selection.vm_names) and selection.since is None
    with checked_answers(client, origin(selection), NOUN) as check:
        points, truncated = read_points(client, selection, check, stop_when_seen=stop,
                                        limit=None if selection.latest_per_vm else selection.limit)
    points = newest_per_vm(points) if selection.latest_per_vm else sorted(points, key=newest_first_key, reverse=True)
    # names are unknown, not unmatched, when the limit stopped the reading
    unmatched = [] if truncated else _unmatched(selection.vm_names, points)
    if selection.limit is not None and len(points) > selection.limit:
        points = points[:selection.limit]
        truncated = True
    if unmatched:
        client.warnings.append('No restore point matched the vm_name value(s) %s: misspelled, never backed up, or every '
                               'point removed (see unmatched).' % shown_list(unmatched, repr))
    return {
        'restore_points': [public_facts(facts) for facts in points],
        'count': len(points),
        'truncated': truncated,
        'unmatched': unmatched,
        'summary': summary(points),
    }


def _unmatched(names, points):
    found = set(name_key(facts.get('vm_name') or '') for facts in points)
    return [name for name in names if name_key(name) not in found]


def summary(points):
    """Counts of the points by kind and by point type (the documented values always present)."""
    by_kind = dict((kind, 0) for kind in KINDS)
    by_point_type = dict((value, 0) for value in POINT_TYPES[VM])
    for facts in points:
        by_kind[facts.get('kind')] = by_kind.get(facts.get('kind'), 0) + 1
        value = facts.get('point_type') or 'None'
        by_point_type[value] = by_point_type.get(value, 0) + 1
    return {'by_kind': by_kind, 'by_point_type': by_point_type}
