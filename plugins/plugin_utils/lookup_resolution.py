# -*- coding: utf-8 -*-
# Term resolution of the backup_task_session lookup (controller-only, hence plugin_utils): each term (a task session ID or UID, an exact task
# session name, or a VM name) -> the facts of one task session, for all terms of one call in as few
# EM queries as possible. IDs and names share OR'd queries; VM names are resolved newest first, in
# rounds that only ask again for the VMs a truncated answer did not reach. A VM name resolves to a
# primary backup (or a session of the job_type types), never to a backup copy job's session.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.answer_checks import (
    checked_answers,
    lookup_exact_checks,
    lookup_origin,
    lookup_vm_checks,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_reader import Chunk, read
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import MAX_FILTER_LENGTH, any_of, chunk_by_length, comparison, encode_filter
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import TASK_SESSION_URN, is_guid, other_object_error, parse_object_id
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_sessions import JobSessionTypes
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.selection import build_selection
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSIONS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import SHARED_SELECTION_NAMES, selection_options
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import task_session_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import format_utc

TERM_ID = 'id'
TERM_NAME = 'name'
TERM_VM = 'vm_name'
OUTPUTS = ('id', 'uid', 'facts')

# Rows asked for per VM name in one VM query: a VM backed up daily has one session a day (two with a
# retry, more with copy jobs), so its newest is near the top; a VM the rows do not reach gets a query
# of its own next round, DEEPER times as many rows when a round found nothing new.
ROWS_PER_VM = 4
DEEPER = 4

# "<VM name>@<yyyy-MM-dd HH:mm:ss>[.fraction]": how EM names a task session.
_SESSION_NAME = re.compile(r'^.+@\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,7})?$')

_KIND_LABEL = {TERM_ID: 'task session ID', TERM_NAME: 'task session name', TERM_VM: 'VM name'}


class LookupTerm(object):
    """One term: `text` as given (stripped), its `kind`, and `key`, what EM answers are matched on
    (the lower-case GUID, or the name_key of the name: compared as leniently as EM's collation)."""

    __slots__ = ('text', 'kind', 'key')

    def __init__(self, text, kind, key):
        self.text = text
        self.kind = kind
        self.key = key

    @property
    def ref(self):
        return (self.kind, self.key)

    def __repr__(self):
        return 'LookupTerm(%r, %r)' % (self.text, self.kind)


# The options narrowing VM name terms: rows of the option table, converted as the module's are.
LOOKUP_SELECTION = task_session_spec(selection_options(SHARED_SELECTION_NAMES), derive=())


class PreparedLookup(object):
    """The classified terms and the Selection that narrows the VM name terms (its attributes are the lookup's)."""

    __slots__ = ('terms', 'selection')

    def __init__(self, terms, selection):
        self.terms = terms
        self.selection = selection

    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, 'selection'), name)

    def narrowing_text(self):
        """The narrowing options in words ('' when none), for messages."""
        parts = []
        if self.results:
            parts.append('result %s' % ' or '.join(self.results))
        if self.states:
            parts.append('state %s' % ' or '.join(self.states))
        if self.job_names:
            parts.append('job %s' % ' or '.join(repr(name) for name in self.job_names))
        if self.job_types:
            parts.append('job type %s' % ' or '.join(self.job_types))
        if self.since is not None:
            parts.append('created since %s' % format_utc(self.since))
        return ', '.join(parts)


def flatten_terms(terms):
    """The lookup's terms as a flat list of strings: lists (query('...', my_list)) are unpacked."""
    flat = []
    stack = [list(terms or [])]
    while stack:
        current = stack[-1]
        if not current:
            stack.pop()
            continue
        value = current.pop(0)
        if isinstance(value, (list, tuple)):
            stack.append(list(value))
            continue
        if value is None or isinstance(value, (dict, bool)):
            raise EMInputError('The term %r is not a task session ID, task session name or VM name.' % (value,),
                               hint='Give strings, for example lookup(\'vbr.enterprise_manager.backup_task_session\', \'ledgerdb01\').')
        flat.append(str(value))
    return flat


def classify_term(value):
    """A LookupTerm for one term; a UID with a bad GUID or an empty term is an EMInputError."""
    text = str(value).strip()
    if not text:
        raise EMInputError('A term is empty.', hint='Give task session IDs, task session names or VM names.')
    if text.lower().startswith(TASK_SESSION_URN.lower()) or is_guid(text):
        return LookupTerm(text, TERM_ID, parse_object_id(text, TASK_SESSION_URN, 'term'))
    if text.lower().startswith('urn:veeam:'):
        # A UID of another EM object (a job session, a restore point...) is a mistake, not a VM name.
        raise other_object_error('term', text, TASK_SESSION_URN,
                                 'a task session ID or a %s<GUID> UID, a task session name or a VM name' % TASK_SESSION_URN)
    if _SESSION_NAME.match(text):
        return LookupTerm(text, TERM_NAME, name_key(text))
    return LookupTerm(text, TERM_VM, name_key(text))


def prepare_lookup(terms, now=None, max_length=MAX_FILTER_LENGTH, **options):
    """The terms classified and the narrowing options (result, state, job_name, job_type, since) as a Selection,
    before any request; raises EMInputError."""
    lookup = PreparedLookup([classify_term(term) for term in flatten_terms(terms)], build_selection(LOOKUP_SELECTION, options, now=now))
    for term in lookup.terms:
        text = _vm_filter(lookup, [term]) if term.kind == TERM_VM else _exact_filter([term])
        if len(encode_filter(text)) > max_length:
            raise EMInputError('The term %r... is too long for an EM query (more than %d characters once encoded).'
                               % (term.text[:40], max_length), hint='Check the term; VM names are short.')
    return lookup


def _unique(terms, kind):
    seen = set()
    result = []
    for term in terms:
        if term.kind == kind and term.key not in seen:
            seen.add(term.key)
            result.append(term)
    return result


def _exact_filter(terms):
    """IDs and task session names in one OR group (no narrowing: such a term names one session)."""
    return any_of([comparison('UID', '==', TASK_SESSION_URN + term.key) if term.kind == TERM_ID
                   else comparison('Name', '==', term.text) for term in terms])


def _vm_filter(lookup, terms):
    return TASK_SESSIONS.filter_text(lookup.selection, {'vm_names': [term.text for term in terms]})


def _resolve_exact(client, terms, max_length, check):
    """(kind, key) -> facts for ID and task session name terms; the newest wins for a repeated name."""
    wanted = set(term.ref for term in terms)
    found = {}
    types = JobSessionTypes(client, by_uid=True, max_length=max_length)
    for chunk in chunk_by_length(terms, _exact_filter, max_length):
        accepts = check.bind(lookup_exact_checks([t.key for t in chunk if t.kind == TERM_ID], [t.text for t in chunk if t.kind == TERM_NAME]))
        for facts in read(client, TASK_SESSIONS, chunks=[Chunk(_exact_filter(chunk), {})], accepts=accepts, enrich=types.complete, whole=True):
            for ref in ((TERM_ID, str(facts.get('id') or '').lower()), (TERM_NAME, name_key(facts.get('name') or ''))):
                if ref in wanted and ref not in found:
                    found[ref] = facts
    return found, types


def _resolves(lookup, types, facts):
    """Whether a VM name term may resolve to facts: a session of the job_type types, else a primary backup."""
    return types.selected(facts) if lookup.job_types else not is_copy(facts.get('job_type'))


def _resolve_vms(client, lookup, terms, max_length, check):
    """(TERM_VM, key) -> facts of each VM's newest matching task session.

    Each query is sorted newest first and cut at rows_per_vm rows per name, so a VM seen in it with a
    session it may resolve to was seen with its newest such session. When EM had more rows, the VMs not
    found are asked for again, without the VMs found, and with DEEPER times the rows when the round found
    nothing (their newest rows were copy jobs'); a query that was not cut proves the VMs it did not
    return have no matching session."""
    found = {}
    types = JobSessionTypes(client, lookup.job_types, since=lookup.since, max_length=max_length)
    pending = list(terms)
    rows_per_vm = ROWS_PER_VM
    while pending:
        again = []
        progress = seen = False
        for chunk in chunk_by_length(pending, lambda group: _vm_filter(lookup, group), max_length):
            keys = set(term.key for term in chunk)
            accepts = check.bind(lookup_vm_checks(lookup, chunk))
            # a page after which every VM of the chunk has its newest ends the chunk: older rows add nothing
            reading = read(client, TASK_SESSIONS, chunks=[Chunk(_vm_filter(lookup, chunk), {})], accepts=accepts, enrich=types.complete,
                           limit=rows_per_vm * len(chunk), stop=lambda _chunk: lambda batch: not keys)
            for facts in reading:
                key = name_key(facts.get('vm_name') or '')
                seen = seen or key in keys
                if key in keys and _resolves(lookup, types, facts):
                    found[(TERM_VM, key)] = facts
                    progress = True
                    keys.discard(key)
            if keys and reading.truncated:
                again.extend(term for term in chunk if term.ref not in found)
        if not seen:
            # EM returned rows whose VM names match no term as we compare them (a collation
            # difference): asking again would return the same rows.
            break
        rows_per_vm *= 1 if progress else DEEPER
        pending = again
    return found, types


def resolve_terms(client, lookup, max_length=MAX_FILTER_LENGTH):
    """[(term, facts or None)] in the order of lookup.terms, through a connected EMClient. Rows EM
    returns that do not satisfy their query are dropped and named in a warning of the client."""
    with checked_answers(client, lookup_origin(lookup)) as check:
        return _resolve_all(client, lookup, max_length, check)


def _resolve_all(client, lookup, max_length, check):
    exact = _unique(lookup.terms, TERM_ID) + _unique(lookup.terms, TERM_NAME)
    found = {}
    for kind_terms, resolve in ((exact, lambda terms: _resolve_exact(client, terms, max_length, check)),
                                (_unique(lookup.terms, TERM_VM), lambda terms: _resolve_vms(client, lookup, terms, max_length, check))):
        if kind_terms:
            resolved, types = resolve(kind_terms)
            found.update(resolved)
            warning = types.warning()
            if warning:
                client.warnings.append(warning)
    return [(term, found.get(term.ref)) for term in lookup.terms]


def output_value(facts, output):
    """What the lookup returns for one found session."""
    if output == 'facts':
        return TASK_SESSIONS.export(facts)
    if output == 'uid':
        return facts.get('uid') or (TASK_SESSION_URN + facts['id'] if facts.get('id') else None)
    if output == 'id':
        return facts.get('id')
    raise EMInputError('The output value %r is not known.' % (output,), hint='Use one of: %s.' % ', '.join(OUTPUTS))


def render(resolved, output):
    """(values of the found terms in order, the terms found nothing for)."""
    values = []
    missing = []
    for term, facts in resolved:
        if facts is None:
            missing.append(term)
        else:
            values.append(output_value(facts, output))
    return values, missing


def describe_missing(lookup, missing):
    """One sentence naming every term without a session, and why it may be missing."""
    shown = []
    narrowing = lookup.narrowing_text()
    for term in missing:
        label = _KIND_LABEL[term.kind]
        if term.kind == TERM_VM and narrowing:
            label += ', with %s' % narrowing
        shown.append('%r (%s)' % (term.text, label))
    return ('No backup task session found for %d of %d term(s): %s.'
            % (len(missing), len(lookup.terms), ', '.join(shown)))


MISSING_HINT = ('Check the spelling (VM names as EM shows them) and that EM still keeps the sessions; '
                'set on_missing=warn or on_missing=ignore to leave such terms out instead.')
