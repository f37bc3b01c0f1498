# -*- coding: utf-8 -*-
# The shape of the collection's option tables (connection_options.py, task_session_options.py): each
# option is declared once, as an Option, and the argument spec and the defaults are derived from it
# here; tools/option_docs.py derives the documentation entries (the doc fragments and the role's
# argument spec, where Ansible needs literal YAML).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.basic import env_fallback


class Option(object):
    """One option.

    type, elements, default, choices, no_log: as in an Ansible argument spec.
    description: the documentation lines (Ansible markup); a line naming the environment variable is added.
    required: documented as required. Never `required` in a spec: the value may also come from the
      environment or module_defaults, and the connection check explains what is missing better.
    env, ini, var: where else the value may come from (None: nowhere). env also feeds the module's
      fallback; ini ((section, key)) and var only reach plugins, which read them through their options.
    aliases: other names the option is accepted by."""

    __slots__ = ('name', 'type', 'description', 'elements', 'default', 'choices', 'no_log', 'required', 'env', 'ini', 'var', 'aliases')

    def __init__(self, name, type, description, elements=None, default=None, choices=None, no_log=False, required=False,
                 env=None, ini=None, var=None, aliases=()):
        self.name = name
        self.type = type
        self.description = tuple(description)
        self.elements = elements
        self.default = default
        self.choices = tuple(choices) if choices else None
        self.no_log = no_log
        self.required = required
        self.env = env
        self.ini = ini
        self.var = var
        self.aliases = tuple(aliases)

    def replace(self, **changes):
        """A copy with some fields changed, for a plugin that takes this option with, say, another default."""
        fields = dict((name, getattr(self, name)) for name in self.__slots__)
        fields.update(changes)
        return Option(**fields)

    def __repr__(self):
        return 'Option(%r, %r)' % (self.name, self.type)


def pick(options, names):
    """The options of `options` named in `names`, in the order of names (a KeyError names an unknown one)."""
    by_name = dict((option.name, option) for option in options)
    return tuple(by_name[name] for name in names)


def argument_spec(options):
    """The argument spec of the options: type, elements, default, choices, no_log and the env fallback."""
    spec = {}
    for option in options:
        entry = {'type': option.type, 'no_log': option.no_log}
        entry.update(type_details(option))
        if option.env:
            entry['fallback'] = (env_fallback, [option.env])
        spec[option.name] = entry
    return spec


def defaults(options):
    """name -> default (None where there is none) for every option."""
    return dict((option.name, option.default) for option in options)


def type_details(option):
    """elements, default, choices and aliases where the option has them (the spec and the docs say the same)."""
    details = {}
    if option.elements:
        details['elements'] = option.elements
    if option.default is not None:
        details['default'] = option.default
    if option.choices:
        details['choices'] = list(option.choices)
    if option.aliases:
        details['aliases'] = list(option.aliases)
    return details
