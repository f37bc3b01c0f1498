# -*- coding: utf-8 -*-
# What the selection (module) and the term resolution (lookup) asked EM for, in the terms of
# row_check.py and query_errors.py: the criteria each returned row must satisfy, and the options a
# refused filter came from. checked_answers() wraps one run: the rows it dropped end in one warning
# of the client, a refused filter's error names its options.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from contextlib import contextmanager

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMFilterError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_errors import origin_hint
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import Criterion, Either, RowCheck
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSION_CRITERIA, TASK_SESSIONS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.text_lists import joined


def lookup_vm_checks(lookup, terms):
    """The checks of a lookup query for some VM name terms (the lookup's narrowing, a Selection, applies)."""
    return [Criterion('VM name term', 'vm_name', 'name', [term.text for term in terms])] + TASK_SESSIONS.checks(lookup.selection)


def lookup_exact_checks(ids, names):
    """The check of a lookup query for task session IDs and names: each row is one of them."""
    return [Either('term', [Criterion('term', 'id', 'guid', ids), Criterion('term', 'name', 'name', names)])]


def _given(table, source, extra=()):
    return [option for option, _key, _kind, attribute in table if getattr(source, attribute, None)] + \
        [option for option, value in extra if value is not None]


def search_origin(search):
    """(the options a search's filter was built from, in words; its raw filter or '')."""
    options = _given(TASK_SESSION_CRITERIA, search, (('since', search.since), ('until', search.until)))
    raw = getattr(search, 'raw_filter', '') or ''
    parts = []
    if options:
        parts.append('the option%s %s' % ('s' if len(options) > 1 else '', joined(options)))
    if raw:
        parts.append('the filter option %r' % (raw if len(raw) <= 200 else raw[:200] + '...'))
    return ' and '.join(parts) or 'no option', raw


def lookup_origin(lookup):
    """(the terms and options a lookup's filters were built from, in words; '': a lookup has no raw filter)."""
    options = _given(TASK_SESSION_CRITERIA, lookup, (('since', lookup.since),))
    return 'the terms%s' % (' and the options %s' % joined(options) if options else ''), ''


@contextmanager
def checked_answers(client, origin, noun='task session'):
    """A RowCheck for one run; at the end its warning (if any rows were dropped) joins client.warnings,
    and a refused filter's error names `origin`, (words, raw filter) from search_origin/lookup_origin.
    noun: what a row is (task session, restore point), in the warning."""
    check = RowCheck(noun)
    try:
        yield check
    except EMFilterError as exc:
        exc.name_origin(origin[0], origin_hint(origin[1], exc.status))
        raise
    finally:
        warning = check.warning()
        if warning:
            client.warnings.append(warning)
