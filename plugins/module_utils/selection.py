# -*- coding: utf-8 -*-
# One Selection for every front-end (module, lookup, inventory, EDA source) and every EM query type:
# an immutable value built by build_selection() from option values over rows of the option table.
# ansible-core's ArgumentSpecValidator checks types, choices, aliases and defaults (once: a module
# passes the params AnsibleModule checked); each option's Conversion then gives the canonical values
# (GUIDs, enum spellings, aware UTC datetimes with relative times fixed at construction). Nothing
# downstream checks them again. READER_API (docs/design.md) says how a module adds options of its own.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.em_ids import parse_object_id
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import argument_spec
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_values import as_list, whole_number
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import normalize_enum, string_values
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.time_utils import parse_user_time, utc_now


class Selection(object):
    """What to select, by attribute (selection.vm_names); get() for one a query type may not have.
    Immutable: replace() gives a changed copy (the wait watch, a lookup's round of VM names)."""

    __slots__ = ('_values',)

    def __init__(self, values):
        object.__setattr__(self, '_values', dict(values))

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError('The selection has no %r.' % name) from None

    def __setattr__(self, name, value):
        raise AttributeError('A Selection is immutable; use replace().')

    def get(self, name, default=None):
        return self._values.get(name, default)

    def replace(self, **changes):
        return Selection(dict(self._values, **changes))

    def __repr__(self):
        return 'Selection(%s)' % ', '.join('%s=%r' % item for item in sorted(self._values.items()))


class Conversion(object):
    """How one validated option value becomes Selection attributes: convert(value, now) -> {attribute: value}."""

    __slots__ = ('option', 'convert')

    def __init__(self, option, convert):
        self.option = option
        self.convert = convert


class SelectionSpec(object):
    """What a front-end selects with: `options`, the option table rows it takes; `conversions`, option name ->
    Conversion for every attribute of its query's Selection (an option it does not take converts None, as if
    absent, so every Selection of a query has every attribute); `checks`, function(selection) across options
    (raise EMInputError); `derive`, (attribute, function(selection)) computed last, in order (the filters,
    checked for length before any request; the wait watch)."""

    def __init__(self, options, conversions, checks=(), derive=()):
        self.options = tuple(options)
        self.conversions = dict(conversions)
        self.checks = tuple(checks)
        self.derive = tuple(derive)
        self.names = tuple(option.name for option in self.options)
        self.accepted = frozenset(self.names + tuple(alias for option in self.options for alias in option.aliases))

    def extended(self, options=(), conversions=None, checks=(), derive=()):
        """This spec with more options (a module's own), their conversions, checks and derived values."""
        return SelectionSpec(self.options + tuple(options), dict(self.conversions, **(conversions or {})),
                             self.checks + tuple(checks), self.derive + tuple(derive))

    def argument_spec(self):
        return argument_spec(self.options)


def build_selection(spec, values, now=None, validated=False, **extra):
    """The Selection of `values` (option name -> value; None or absent: the default) over `spec`.

    validated: the values were checked against spec.argument_spec() already (AnsibleModule's params).
    extra: attributes that are no option (page_size), taken as given. Raises EMInputError before any request."""
    params = values
    if not validated:
        given = dict((name, value) for name, value in (values or {}).items() if value is not None and name in spec.accepted)
        result = ArgumentSpecValidator(spec.argument_spec()).validate(given)
        if result.error_messages:
            raise EMInputError('Bad option: %s' % '; '.join(result.error_messages),
                               hint='Give each option as documented (the type, and one of its choices where it has them).')
        params = result.validated_parameters
    now = now or utc_now()
    attributes = {}
    for name, conversion in spec.conversions.items():
        attributes.update(conversion.convert(params.get(name) if name in spec.names else None, now))
    attributes.update(extra)
    selection = Selection(attributes)
    for check in spec.checks:
        check(selection)
    for attribute, function in spec.derive:
        selection = selection.replace(**{attribute: function(selection)})
    return selection


# --- conversions of the usual kinds of option ---------------------------------------------------

def as_is(option, attribute=None):
    return Conversion(option, lambda value, now: {attribute or option: value})


def flag(option, attribute=None):
    return Conversion(option, lambda value, now: {attribute or option: bool(value)})


def number(option, minimum, attribute=None):
    """A whole number of at least minimum (None stays None); ArgumentSpecValidator lets a bool through as int."""
    return Conversion(option, lambda value, now: {attribute or option: None if value is None else whole_number(option, value, minimum)})


def time(option, attribute=None, default_now=False):
    """An aware UTC datetime (ISO 8601 with a zone, or an age before now); None, or now with default_now."""
    def convert(value, now):
        if value in (None, ''):
            return {attribute or option: now if default_now else None}
        return {attribute or option: parse_user_time(value, option, now=now)}
    return Conversion(option, convert)


def values_of(option, attribute, canonical):
    """A list option through canonical(option, values) -> the list (order kept, duplicates dropped)."""
    return Conversion(option, lambda value, now: {attribute: canonical(option, as_list(value))})


def strings(option, attribute):
    """Non-empty strings, order kept, duplicates dropped."""
    return values_of(option, attribute, string_values)


def enums(option, attribute, allowed):
    """Values in any letter case mapped onto the allowed spellings; unknown ones are an EMInputError."""
    return values_of(option, attribute, lambda name, values: normalize_enum(name, values, allowed))


def object_ids(option, urn, attribute, inputs=None, with_urn=False):
    """IDs as lower-case GUIDs (or URN + GUID with with_urn), each once; inputs: the attribute keeping the
    values as given (stripped), for messages."""
    def convert(value, now):
        ids, given = [], []
        for item in as_list(value):
            guid = parse_object_id(item, urn, option)
            guid = urn + guid if with_urn else guid
            if guid not in ids:
                ids.append(guid)
                given.append(str(item).strip())
        return dict([(attribute, ids)] + ([(inputs, given)] if inputs else []))
    return Conversion(option, convert)
