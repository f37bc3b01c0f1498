# -*- coding: utf-8 -*-
# The EM client of a controller-side plugin (lookup today; inventory and EDA source next), built from
# the connection options of the option table: the plugin hands over its get_option (or, with no
# Ansible option machinery, a plain dict of arguments) and gets the checked values and an EMClient
# whose request log goes to the plugin's display. Runs on the controller only.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from contextlib import contextmanager

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import (
    CONNECTION_OPTIONS,
    OPTION_NAMES,
    connection_argument_spec,
    validate_connection_params,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError, redact

_NO_LOG_NAMES = tuple(option.name for option in CONNECTION_OPTIONS if option.no_log)


def connection_vars(variables, templar=None):
    """The ansible_vbr_em_* variables that are set, rendered, for set_options(var_options=...).

    A plugin gets the variables as written, so a value such as "{{ vault_em_password }}" is still a
    template there; rendering only these keeps the other variables untouched."""
    found = {}
    for option in CONNECTION_OPTIONS:
        if variables and option.var in variables:
            value = variables[option.var]
            found[option.var] = templar.template(value) if templar is not None else value
    return found


def connection_params(source, templar=None):
    """The connection options of a plugin, typed, defaulted and checked before any request.

    source: a plugin's get_option (Ansible already read env, ini and vars), or a dict of arguments
      (an EDA source): there an absent or None argument falls back to its VEEAM_EM_* environment
      variable, then to the table's default. Other keys of the dict are not looked at.
    templar: renders values that are still Jinja templates (an inventory file's options). Vaulted
      values are decrypted either way.
    Returns {option name: value} for every connection option; raises EMInputError, without the
    password in its message."""
    raw = {}
    for name in OPTION_NAMES:
        value = source(name) if callable(source) else (source or {}).get(name)
        if value is not None and templar is not None:
            value = templar.template(value)
        value = _plaintext(value)
        if value is not None:  # absent: the spec's env fallback and default apply
            raw[name] = value
    result = ArgumentSpecValidator(connection_argument_spec()).validate(raw)
    secrets = [str(raw[name]) for name in _NO_LOG_NAMES if raw.get(name) is not None]
    if result.error_messages:
        raise EMInputError('Bad connection option: %s' % redact('; '.join(result.error_messages), secrets),
                           hint='Give each option as documented (a number for timeout and retries, true or false for validate_certs).')
    params = dict((name, result.validated_parameters.get(name)) for name in OPTION_NAMES)
    validate_connection_params(params)  # URL rules, user name, password, version: the same words as the module
    return params


def _plaintext(value):
    """A vaulted value (AnsibleVaultEncryptedUnicode, or EncryptedString on ansible-core 2.19+) as its
    plaintext: neither is a str, and str() decrypts both. Plain values pass unchanged."""
    if value is None or isinstance(value, (str, bytes, bool, int, float, list, tuple, dict)):
        return value
    return str(value)


def build_client(source, log=None, templar=None, **client_args):
    """(params, EMClient): the checked connection options and a client over them, not yet logged on.

    log: called with one line per EM request (a plugin passes display.vvv, an EDA source its
    logger's debug). client_args go to EMClient (on_secret, adapter and sleep in tests)."""
    params = connection_params(source, templar=templar)
    return params, EMClient(params, log=log, **client_args)


@contextmanager
def em_session(source, log, warn, templar=None, **client_args):
    """A logged-on EMClient for one `with` block: one logon, logoff always (also when the block
    fails), then each warning of the client passed to warn (display.warning); log as for build_client."""
    client = build_client(source, log=log, templar=templar, **client_args)[1]
    try:
        with client:
            yield client
    finally:
        for warning in client.warnings:
            warn(warning)
