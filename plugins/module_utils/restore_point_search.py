# -*- coding: utf-8 -*-
# The restore_point_info selection: the PointQuery of each kind read (restore_point_query.py), newest first,
# the newest per machine or the first `limit`, the names that matched nothing, and a summary.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point import (
    KINDS,
    newest_first_key,
    newest_per_vm,
    public_facts,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.restore_point_query import POINT_TYPES, Dropped, read_points
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key

# At most this many unmatched names are named in the warning (RV(unmatched) has them all).
NAMED = 10


def select_restore_points(client, selection, warn):
    """The module's answer for a PointSelection: restore_points (public facts, newest first), count,
    truncated, unmatched and summary. `warn` receives each warning text."""
    dropped = Dropped()
    stop = selection.latest_per_vm and bool(selection.vm_names) and all(query.since is None for query in selection.queries)
    per_query_limit = None if selection.latest_per_vm else selection.limit
    points = []
    seen = set()
    truncated = False
    for query in selection.queries:
        found, cut = read_points(client, query, dropped, stop_when_seen=stop, limit=per_query_limit)
        truncated = truncated or cut
        for facts in found:
            if facts['id'] not in seen:  # a point inserted while paging shifts the pages: the repeat is dropped
                seen.add(facts['id'])
                points.append(facts)
    points = newest_per_vm(points) if selection.latest_per_vm else sorted(points, key=newest_first_key, reverse=True)
    # names are unknown, not unmatched, when the limit stopped the reading
    unmatched = [] if truncated else _unmatched(selection.vm_names, points)
    if selection.limit is not None and len(points) > selection.limit:
        points = points[:selection.limit]
        truncated = True
    for text in (dropped.warning(), _unmatched_warning(unmatched)):
        if text:
            warn(text)
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


def _unmatched_warning(unmatched):
    if not unmatched:
        return None
    more = ' and %d more' % (len(unmatched) - NAMED) if len(unmatched) > NAMED else ''
    return ('No restore point matched the vm_name value(s) %s%s: misspelled, never backed up, or every point removed '
            '(see unmatched).' % (', '.join(repr(name) for name in unmatched[:NAMED]), more))


def summary(points):
    """Counts of the points by kind and by point type (the documented values always present)."""
    by_kind = dict((kind, 0) for kind in KINDS)
    by_point_type = dict((value, 0) for value in POINT_TYPES['vm'])
    for facts in points:
        by_kind[facts.get('kind')] = by_kind.get(facts.get('kind'), 0) + 1
        value = facts.get('point_type') or 'None'
        by_point_type[value] = by_point_type.get(value, 0) + 1
    return {'by_kind': by_kind, 'by_point_type': by_point_type}
