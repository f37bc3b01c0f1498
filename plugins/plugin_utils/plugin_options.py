# -*- coding: utf-8 -*-
# The keyword options given to a lookup, checked against the plugin's documented options before
# Ansible reads them: Ansible ignores a keyword it does not know, so a misspelled narrowing option
# (reslt='Failed') would silently widen the answer; and ansible-core 2.19+ no longer lists the valid
# values of a choice in its error. Runs on the controller only.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import difflib

from ansible import constants as C

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError


def plugin_definitions(plugin):
    """The option definitions Ansible loaded from a plugin's documentation (name -> definition)."""
    return C.config.get_configuration_definitions(plugin.plugin_type, plugin._load_name)


def check_keyword_options(given, definitions, plugin_label):
    """Raise EMInputError naming every unknown keyword (with the closest known option) and every value
    outside an option's choices (with the valid values); return None when all are fine."""
    known = sorted(name for name in definitions if not name.startswith('_'))
    problems = [_unknown(name, known) for name in sorted(given) if name not in definitions or name.startswith('_')]
    problems += [_bad_choice(name, value, definitions[name]) for name, value in sorted(given.items()) if name in definitions]
    problems = [problem for problem in problems if problem]
    if problems:
        raise EMInputError('Bad options for the %s: %s.' % (plugin_label, '; '.join(problems)),
                           hint='Its options are: %s.' % ', '.join(known))


def _unknown(name, known):
    return 'unknown option %r%s' % (name, did_you_mean(name, known))


def did_you_mean(name, known):
    """' (did you mean <the closest known name>?)', or '' when no known name is close."""
    close = difflib.get_close_matches(str(name), known, n=1)
    return ' (did you mean %s?)' % close[0] if close else ''


def _bad_choice(name, value, definition):
    choices = definition.get('choices')
    if not choices or value is None or definition.get('type') not in (None, 'str', 'string'):
        return None
    if str(value) in [str(choice) for choice in choices]:
        return None
    return '%s=%r is not one of %s' % (name, value, ', '.join(str(choice) for choice in choices))
