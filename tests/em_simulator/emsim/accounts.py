# EM accounts and Basic authentication. A user name is `DOMAIN\user`, `user@DOMAIN` or a bare `user`, which
# names a local account of the EM server, whose machine name is LOCAL_DOMAIN (real EM 12 answers show such
# names); both parts match case-insensitively, the password exactly. Role None cannot log on (EM needs one of
# its three roles).
from __future__ import annotations

import base64
import binascii
import json

ROLES = ('PortalAdministrator', 'PortalUser', 'RestoreOperator', 'None')
LOCAL_DOMAIN = 'EM'  # the simulated EM server's machine name: `ansible` is `EM\ansible`
# Roles that may read backup sessions; a Restore Operator gets 403 there.
READ_ROLES = ('PortalAdministrator', 'PortalUser')


class Account:
    __slots__ = ('username', 'key', 'password', 'role')

    def __init__(self, username, password, role):
        key = split_username(username)
        if key is None:
            raise ValueError('user name %r must look like DOMAIN\\user, user@DOMAIN or user' % username)
        if role not in ROLES:
            raise ValueError('role %r of %r is not one of %s' % (role, username, ', '.join(ROLES)))
        self.username = username
        self.key = key
        self.password = password
        self.role = role


def split_username(text):
    """`EM\\ansible`, `em\\Ansible`, `ansible@EM` or `ansible` -> ('em', 'ansible'); None for other shapes."""
    if '\\' in text:
        domain, user = text.split('\\', 1)
    elif '@' in text:
        user, domain = text.rsplit('@', 1)
    else:
        domain, user = LOCAL_DOMAIN, text
    if not domain or not user:
        return None
    return domain.casefold(), user.casefold()


def default_accounts():
    return [Account('EM\\ansible', 'ansible-demo', 'PortalAdministrator')]


def load_accounts(path):
    """--users FILE: a JSON list of {"username", "password", "role"}."""
    with open(path, encoding='utf-8') as handle:
        entries = json.load(handle)
    if not isinstance(entries, list) or not entries:
        raise ValueError('%s must hold a non-empty JSON list of accounts' % path)
    accounts = []
    for entry in entries:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) for key in ('username', 'password', 'role')):
            raise ValueError('%s: every account needs string values for username, password and role' % path)
        accounts.append(Account(entry['username'], entry['password'], entry['role']))
    return accounts


def authenticate(accounts, header):
    """The Authorization header value -> the Account it proves (with a role that may log on), else None."""
    if not header or not header[:6].lower() == 'basic ':
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        text = raw.decode('latin-1')
    username, colon, password = text.partition(':')
    key = split_username(username)
    if not colon or key is None:
        return None
    for account in accounts:
        if account.key == key and account.password == password and account.role != 'None':
            return account
    return None
