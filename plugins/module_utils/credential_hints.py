# -*- coding: utf-8 -*-
# Credentials changed on the way: in YAML double quotes and in -a/-e key=value arguments a backslash
# starts an escape, so "EM\ansible" reaches EM as EM<BEL>nsible and the logon fails with a 401 that looks like a wrong
# password. The logon error then says which value holds such a character (never the password itself).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import unicodedata

# What YAML's double-quoted escapes (\a \b \t \n \v \f \r \e \0 \N \_ \L \P) make, by a readable name.
_NAMES = {'\a': 'BEL', '\b': 'BS', '\t': 'TAB', '\n': 'LF', '\v': 'VT', '\f': 'FF', '\r': 'CR', '\x1b': 'ESC', '\0': 'NUL',
          '\x85': 'NEL', '\xa0': 'NBSP', '\u2028': 'LS', '\u2029': 'PS'}


def _special(char):
    return char in _NAMES or unicodedata.category(char) in ('Cc', 'Zl', 'Zp')


def has_special_characters(value):
    return value is not None and any(_special(char) for char in str(value))


def printable(value):
    """value with every control character shown as <NAME> (EM<BEL>nsible), for messages."""
    return ''.join('<%s>' % _NAMES.get(char, 'U+%04X' % ord(char)) if _special(char) else char for char in str(value))


def credential_hint(settings):
    """A hint about YAML quoting when the user name or password holds a control character, else ''."""
    holders = [name for name, key in (('user name', 'username'), ('password', 'password')) if has_special_characters(settings.get(key))]
    if not holders:
        return ''
    return (' The %s %s a control character, which is what a backslash becomes in two places: inside YAML double '
            'quotes ("EM\\ansible" becomes EM<BEL>nsible) and in key=value arguments on the command line '
            '(-a username=EM\\ansible, -e ansible_vbr_em_username=EM\\ansible). In YAML write the value in single quotes '
            '(\'EM\\ansible\') or double the backslash ("EM\\\\ansible"); on the command line double it '
            '(username=EM\\\\ansible) or put the value in a vars file.' % (' and the '.join(holders), 'contain' if len(holders) > 1 else 'contains'))
