# -*- coding: utf-8 -*-
# Checks of plain option values shared by the connection options, the task session selection and the
# lookup, so all of them read lists alike and reject bad numbers with the same words, before any request.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError


def whole_number(name, value, minimum):
    """value as an int of at least minimum; a bool, a fraction or text is an EMInputError naming the option."""
    if isinstance(value, bool):  # int(True) == 1 would hide a YAML slip such as `limit: yes`
        raise EMInputError('The %s option must be a whole number, not %r.' % (name, value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise EMInputError('The %s option must be a whole number, not %r.' % (name, value))
    if number < minimum:
        raise EMInputError('The %s option must be at least %d, not %d.' % (name, minimum, number))
    return number


def as_list(value):
    """An option value as a list: None -> [], a list or tuple -> a list of its items, anything else -> [value]."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
