# -*- coding: utf-8 -*-
# Lists in messages, written the same way everywhere: the first ten items "and N more", and options
# joined as "a, b and c".
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

# Items a message names before it counts the rest.
SHOWN = 10


def shown_list(items, describe=str, separator=', ', shown=SHOWN):
    """The first `shown` items, each describe(item), joined by separator, then ' and N more' for the rest."""
    items = list(items)
    text = separator.join(describe(item) for item in items[:shown])
    return text + (' and %d more' % (len(items) - shown) if len(items) > shown else '')


def joined(names):
    """'a', 'a and b', 'a, b and c'."""
    names = list(names)
    if len(names) <= 1:
        return ''.join(names)
    return '%s and %s' % (', '.join(names[:-1]), names[-1])
