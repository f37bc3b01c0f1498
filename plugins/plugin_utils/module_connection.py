# -*- coding: utf-8 -*-
# The connection options of a module run, filled in on the controller by the module's action plugin,
# so that the ansible_vbr_em_* variables and ansible.cfg configure the module as they configure the
# lookup. Precedence: task options and module_defaults > ansible_vbr_em_* variables > VEEAM_EM_* in
# the controller's environment (with the task's `environment` keyword) > [vbr_enterprise_manager] in
# ansible.cfg. Found values become module arguments, so the module's no_log masks the password
# whichever source it came from; the module's own VEEAM_EM_* fallback (the environment where it
# runs) stays the last resort. The request log the module returns at -vvv is read here too.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible import constants as C

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import CONNECTION_OPTIONS, REQUEST_LOG_KEY
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.em_connection import _plaintext, connection_vars

# The private result key in which the module returns its request log lines (only at -vvv).
LOG_KEY = REQUEST_LOG_KEY

# Where ansible.cfg is read through Ansible's own config manager (ini quoting, ANSIBLE_CONFIG, the
# search order): the action plugin registers definitions holding only the ini entries of the table.
_CONFIG_TYPE = 'action'
_BY_NAME = dict((option.name, option) for option in CONNECTION_OPTIONS)


def _ini_definitions():
    # 'str' for every option: the module checks the value with its own strict types, while the config
    # manager would read, say, validate_certs=flase as false.
    return dict((option.name, {'type': 'str', 'ini': [{'section': option.ini[0], 'key': option.ini[1]}]})
                for option in CONNECTION_OPTIONS if option.ini)


def ini_values(plugin_name, config=None):
    """{option name: (value, 'ini: <file>')} of the connection options set in ansible.cfg."""
    config = C.config if config is None else config
    config.initialize_plugin_configuration_definitions(_CONFIG_TYPE, plugin_name, _ini_definitions())
    found = {}
    for name in _ini_definitions():
        value, origin = config.get_config_value_and_origin(name, plugin_type=_CONFIG_TYPE, plugin_name=plugin_name)
        if value not in (None, '') and origin != 'default':  # `key =` with nothing after it sets nothing
            found[name] = (value, 'ini: %s [%s] %s' % (origin, _BY_NAME[name].ini[0], _BY_NAME[name].ini[1]))
    return found


def _unset(value):
    """Only None leaves an option to the next source, as for the lookup: an empty value is a value (an empty
    password fails with 'No password given', an empty ca_path means the default CA bundle)."""
    return value is None


def fill_connection_args(args, variables, templar, environment, ini=None):
    """(module arguments, {option name: origin}): args (the task's, module_defaults merged) with each unset
    connection option taken from the first source that has it.

    variables: the task's variables (the ansible_vbr_em_* ones are rendered: templates and vault work).
    environment: the controller's environment with the task's `environment` keyword applied.
    ini: a callable returning ini_values() (read only when an option is still unset)."""
    filled = dict(args)
    origins = {}
    rendered = connection_vars(variables, templar)
    from_ini = None
    for option in CONNECTION_OPTIONS:
        if not _unset(args.get(option.name)):
            origins[option.name] = 'task or module_defaults'
            continue
        candidates = [(rendered.get(option.var), 'var: %s' % option.var), (environment.get(option.env), 'env: %s' % option.env)]
        found = next(((value, origin) for value, origin in candidates if not _unset(value)), None)
        if found is None and ini is not None:
            from_ini = ini() if from_ini is None else from_ini
            found = from_ini.get(option.name)
        if found is not None:
            filled[option.name] = _plaintext(found[0])
            origins[option.name] = found[1]
    return filled, origins


def describe_origins(origins):
    """One line for -vvv: where each connection option came from (names only, never a value)."""
    if not origins:
        return 'EM connection: no option set by the task, variables, controller environment or ansible.cfg'
    return 'EM connection: %s' % ', '.join('%s from %s' % (name, origins[name]) for name in sorted(origins, key=list(_BY_NAME).index))


def take_log(result):
    """The module's request log lines, removed from its result (an empty list when it sent none)."""
    lines = result.pop(LOG_KEY, None)
    return [str(line) for line in lines] if isinstance(lines, list) else []
