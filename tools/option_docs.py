#!/usr/bin/env python
"""Write the option documentation that Ansible needs as literal YAML from the collection's option tables.

The tables (plugins/module_utils/connection_options.py and task_session_options.py) declare every option
once. ansible-test (yamllint, validate-modules) and ansible-doc read doc fragments and role argument
specs as static text, so this script writes them:

- plugins/doc_fragments/connection.py: DOCUMENTATION (the connection options, modules and plugins),
  PLUGINS (their env, ini and vars sources) and INVENTORY (env and ini: an inventory source reads no
  variables), used as vbr.enterprise_manager.connection(.plugins|.inventory);
- plugins/doc_fragments/selection.py: DOCUMENTATION (the selection options the module and the lookup
  share), MODULE (those of the module alone) and INVENTORY (those of the backup_vms inventory plugin,
  plugins/plugin_utils/inventory_options.py);
- plugins/doc_fragments/restore_point.py: DOCUMENTATION, the options of the restore_point_info module
  (plugins/module_utils/restore_point_options.py);
- the connection block of roles/task_session_report/meta/argument_specs.yml (between its BEGIN/END lines).

Usage: python tools/option_docs.py [--check]   (--check: write nothing, exit 1 when a file is stale)
tests/unit/plugins/test_option_docs.py fails when the files differ from what this script writes.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
import types

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMAND = 'python tools/option_docs.py'
PACKAGE = 'ansible_collections.vbr.enterprise_manager'

ROLE_SPEC = 'roles/task_session_report/meta/argument_specs.yml'
ROLE_PREFIX = 'task_session_report_em_'
ROLE_BEGIN = '# BEGIN connection options: written by tools/option_docs.py from the option table, do not edit'
ROLE_END = '# END connection options'

FRAGMENT_HEAD = '''# -*- coding: utf-8 -*-
# {what}
# Written by tools/option_docs.py from {table}: edit the table and run
# `{command}`; tests/unit/plugins/test_option_docs.py fails when this file is stale.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
'''


class _Dumper(yaml.SafeDumper):
    """yamllint-style YAML: sequences indented below their key."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def to_yaml(data, indent=0):
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=130, default_flow_style=False, allow_unicode=True)
    return textwrap.indent(text, ' ' * indent)


def _tables():
    from ansible_collections.vbr.enterprise_manager.plugins.module_utils import connection_options, option_table, task_session_options
    return connection_options, option_table, task_session_options


def _inventory_options():
    from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils import inventory_options
    return inventory_options.INVENTORY_SELECTION_OPTIONS


def _restore_point_options():
    from ansible_collections.vbr.enterprise_manager.plugins.module_utils import restore_point_options
    return restore_point_options.RESTORE_POINT_OPTIONS


def description_lines(option):
    """The documented description: the table's lines, and where the value falls back to."""
    lines = list(option.description)
    if option.env:
        lines.append('%sFalls back to the E(%s) environment variable.' % ('Required. ' if option.required else '', option.env))
    elif option.required:
        lines.append('Required.')
    return lines


def doc_entry(option):
    """The option's entry in a DOCUMENTATION `options` mapping."""
    entry = {'description': description_lines(option), 'type': option.type}
    entry.update(_tables()[1].type_details(option))
    return entry


def plugin_sources(option):
    """The option's plugin-only sources (env, ini, vars) for the PLUGINS fragment; {} when it has none."""
    sources = {}
    if option.env:
        sources['env'] = [{'name': option.env}]
    if option.ini:
        sources['ini'] = [{'section': option.ini[0], 'key': option.ini[1]}]
    if option.var:
        sources['vars'] = [{'name': option.var}]
    return sources


def inventory_sources(sources):
    """The plugin sources without `vars`: an inventory source is read before any variable exists."""
    return dict((name, dict((kind, where) for kind, where in entry.items() if kind != 'vars')) for name, entry in sources.items())


def fragment_data():
    """{fragment file: [(attribute, comment, {'options': ...})]}: what each doc fragment documents."""
    connection, table, selection = _tables()
    docs = dict((option.name, doc_entry(option)) for option in connection.CONNECTION_OPTIONS)
    sources = dict((option.name, plugin_sources(option)) for option in connection.CONNECTION_OPTIONS)

    def selection_docs(names):
        return {'options': dict((option.name, doc_entry(option)) for option in selection.selection_options(names))}
    return {
        'plugins/doc_fragments/connection.py': [
            ('DOCUMENTATION', 'The connection options (modules and plugins): descriptions, types, defaults.', {'options': docs}),
            ('PLUGINS', 'Plugins only: where each option may also come from (vbr.enterprise_manager.connection.plugins).',
             {'options': sources}),
            ('INVENTORY', 'Inventory plugins: the environment and ansible.cfg, no variables (vbr.enterprise_manager.connection.inventory).',
             {'options': inventory_sources(sources)}),
        ],
        'plugins/doc_fragments/selection.py': [
            ('DOCUMENTATION', 'The selection options of the module that the lookup takes too (for its VM name terms).',
             selection_docs(selection.SHARED_SELECTION_NAMES)),
            ('MODULE', 'The selection options of the module alone (vbr.enterprise_manager.selection.module).',
             selection_docs(selection.MODULE_SELECTION_NAMES)),
            ('INVENTORY', 'The selection options of the backup_vms inventory plugin (vbr.enterprise_manager.selection.inventory).',
             {'options': dict((option.name, doc_entry(option)) for option in _inventory_options())}),
        ],
        'plugins/doc_fragments/restore_point.py': [
            ('DOCUMENTATION', 'The options of the restore_point_info module (vbr.enterprise_manager.restore_point).',
             {'options': dict((option.name, doc_entry(option)) for option in _restore_point_options())}),
        ],
    }


_FRAGMENT_TEXT = {
    'plugins/doc_fragments/connection.py': ('Documentation fragment of the EM connection options.',
                                            'plugins/module_utils/connection_options.py'),
    'plugins/doc_fragments/selection.py': ('Documentation fragment of the task session selection options.',
                                           'plugins/module_utils/task_session_options.py'),
    'plugins/doc_fragments/restore_point.py': ('Documentation fragment of the restore point selection options.',
                                               'plugins/module_utils/restore_point_options.py'),
}


def fragment_text(path, attributes):
    what, table = _FRAGMENT_TEXT[path]
    parts = [FRAGMENT_HEAD.format(what=what, table=table, command=COMMAND)]
    for number, (attribute, comment, data) in enumerate(attributes):
        if number:
            parts.append('\n')
        parts.append("    # %s\n    %s = r'''\n---\n%s'''\n" % (comment, attribute, to_yaml(data)))
    return ''.join(parts)


def role_options(prefix=ROLE_PREFIX):
    """The role's entries of the connection options: the table's, under the role's variable names."""
    connection, table, _selection = _tables()
    names = '|'.join(connection.OPTION_NAMES)
    reference = re.compile(r'O\((%s)([=)])' % names)
    options = {}
    for option in connection.CONNECTION_OPTIONS:
        entry = doc_entry(option)
        entry['description'] = [reference.sub(r'O(%s\1\2' % prefix, line) for line in entry['description']]
        if option.no_log:
            entry['no_log'] = True
        options[prefix + option.name] = entry
    return options


def role_spec_text(current):
    """The role's argument spec with its connection block rewritten."""
    pattern = re.compile(r'^( *)%s\n.*?^ *%s\n' % (re.escape(ROLE_BEGIN), re.escape(ROLE_END)), re.MULTILINE | re.DOTALL)
    match = pattern.search(current)
    if match is None:
        raise SystemExit('%s: no "%s" ... "%s" lines around the connection options.' % (ROLE_SPEC, ROLE_BEGIN, ROLE_END))
    indent = match.group(1)
    block = '%s%s\n%s%s%s\n' % (indent, ROLE_BEGIN, to_yaml(role_options(), len(indent)), indent, ROLE_END)
    return current[:match.start()] + block + current[match.end():]


def generated_files(root=ROOT):
    """{path relative to root: the text it must have}."""
    files = dict((path, fragment_text(path, attributes)) for path, attributes in fragment_data().items())
    with open(os.path.join(root, ROLE_SPEC), encoding='utf-8') as handle:
        files[ROLE_SPEC] = role_spec_text(handle.read())
    return files


def stale_files(root=ROOT):
    """The generated files whose text differs from what this script writes."""
    stale = []
    for path, text in generated_files(root).items():
        full = os.path.join(root, path)
        current = open(full, encoding='utf-8').read() if os.path.exists(full) else None
        if current != text:
            stale.append(path)
    return stale


def use_checkout(root=ROOT):
    """Make the checkout importable as ansible_collections.vbr.enterprise_manager (it is not inside
    such a tree), so the tables are read from these files and not from an installed copy."""
    for name, path in (('ansible_collections', None), ('ansible_collections.vbr', None), (PACKAGE, root)):
        module = types.ModuleType(name)
        module.__path__ = [path] if path else []
        sys.modules[name] = module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--check', action='store_true', help='write nothing; exit 1 when a file is stale')
    args = parser.parse_args(argv)
    use_checkout()
    if args.check:
        stale = stale_files()
        for path in stale:
            print('stale: %s (run %s)' % (path, COMMAND))
        return 1 if stale else 0
    for path, text in generated_files().items():
        with open(os.path.join(ROOT, path), 'w', encoding='utf-8') as handle:
            handle.write(text)
        print('wrote %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
