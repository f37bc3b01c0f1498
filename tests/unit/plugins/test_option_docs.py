# -*- coding: utf-8 -*-
# The documentation written from the option tables (tools/option_docs.py) is current: the doc fragments
# and the role's connection options say what the tables say, and the files are byte for byte what the
# script writes, so a table change without `python tools/option_docs.py` fails here.

from __future__ import annotations

import importlib.util
import os

import pytest
import yaml

from ansible_collections.vbr.enterprise_manager.plugins.doc_fragments import connection, selection
from ansible_collections.vbr.enterprise_manager.plugins.modules import backup_task_session_info
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.connection_options import (
    CONNECTION_OPTIONS,
    OPTION_NAMES,
    connection_argument_spec,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import (
    MODULE_SELECTION_NAMES,
    SELECTION_NAMES,
    SHARED_SELECTION_NAMES,
    selection_argument_spec,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLE_SPEC = os.path.join(ROOT, 'roles', 'task_session_report', 'meta', 'argument_specs.yml')


def _script():
    spec = importlib.util.spec_from_file_location('option_docs', os.path.join(ROOT, 'tools', 'option_docs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_written_files_are_what_the_script_writes():
    script = _script()
    stale = script.stale_files(ROOT)
    assert stale == [], 'Out of date: %s. Regenerate them with `%s` (in the repository root).' % (', '.join(stale), script.COMMAND)


def _options(fragment, attribute='DOCUMENTATION'):
    return yaml.safe_load(getattr(fragment.ModuleDocFragment, attribute))['options']


def _assert_documents(doc, spec):
    """Each documented option has the type, elements, default and choices of its argument spec entry."""
    assert set(doc) == set(spec)
    for name, option in doc.items():
        for key in ('type', 'elements', 'default', 'choices'):
            assert option.get(key) == spec[name].get(key), (name, key)


def test_connection_fragment_documents_every_argument_and_its_env_fallback():
    doc = _options(connection)
    spec = connection_argument_spec()
    assert tuple(doc) == OPTION_NAMES
    _assert_documents(doc, spec)
    for name, option in doc.items():
        # every env fallback is documented where users read about the option
        assert 'E(%s)' % spec[name]['fallback'][1][0] in ' '.join(option['description'])


def test_connection_plugins_fragment_lists_env_ini_and_vars():
    doc = _options(connection, 'PLUGINS')
    assert tuple(doc) == OPTION_NAMES
    for name, option in doc.items():
        assert option == {
            'env': [{'name': 'VEEAM_EM_' + name.upper()}],
            'ini': [{'section': 'vbr_enterprise_manager', 'key': name}],
            'vars': [{'name': 'ansible_vbr_em_' + name}],
        }


def test_selection_fragments_document_every_selection_argument_once():
    shared = _options(selection)
    module_only = _options(selection, 'MODULE')
    assert tuple(shared) == SHARED_SELECTION_NAMES and tuple(module_only) == MODULE_SELECTION_NAMES
    assert not set(shared) & set(module_only)
    _assert_documents(dict(shared, **module_only), selection_argument_spec())
    assert set(SELECTION_NAMES) == set(shared) | set(module_only)


def test_the_module_documents_its_arguments_through_the_fragments_alone():
    doc = yaml.safe_load(backup_task_session_info.DOCUMENTATION)
    assert 'options' not in doc
    assert doc['extends_documentation_fragment'][:3] == [
        'vbr.enterprise_manager.connection', 'vbr.enterprise_manager.selection', 'vbr.enterprise_manager.selection.module']
    documented = dict(_options(connection), **_options(selection))
    documented.update(_options(selection, 'MODULE'))
    _assert_documents(documented, backup_task_session_info.argument_spec())


def test_role_connection_options_have_the_module_names_defaults_and_descriptions():
    with open(ROLE_SPEC, encoding='utf-8') as handle:
        role = yaml.safe_load(handle)['argument_specs']['main']['options']
    module_doc = _options(connection)
    prefix = 'task_session_report_em_'
    assert sorted(name[len(prefix):] for name in role if name.startswith(prefix)) == sorted(OPTION_NAMES)
    for option in CONNECTION_OPTIONS:
        entry = role[prefix + option.name]
        assert (entry['type'], entry.get('default'), entry.get('choices')) == (
            module_doc[option.name]['type'], module_doc[option.name].get('default'), module_doc[option.name].get('choices'))
        assert entry.get('no_log', False) is option.no_log
        # the same words, with references to the role's own variable names
        assert [line.replace(prefix, '') for line in entry['description']] == module_doc[option.name]['description']


@pytest.mark.parametrize('line, expected', [
    ('Password of O(username).', 'Password of O(task_session_report_em_username).'),
    ('Used when O(validate_certs=true).', 'Used when O(task_session_report_em_validate_certs=true).'),
    ('O(since) stays', 'O(since) stays'),
])
def test_role_descriptions_point_at_the_role_variables(line, expected, monkeypatch):
    script = _script()
    option = CONNECTION_OPTIONS[0].replace(description=[line])
    tables = script._tables()
    monkeypatch.setattr(script, '_tables', lambda: (_Table((option,)),) + tables[1:])
    assert script.role_options()['task_session_report_em_url']['description'][0] == expected


class _Table(object):
    """connection_options with other rows."""

    def __init__(self, options):
        self.CONNECTION_OPTIONS = options
        self.OPTION_NAMES = OPTION_NAMES


def test_inventory_fragments_come_from_the_tables():
    doc_entry = _script().doc_entry
    from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.inventory_options import INVENTORY_SELECTION_OPTIONS
    doc = _options(selection, 'INVENTORY')
    assert doc == dict((option.name, doc_entry(option)) for option in INVENTORY_SELECTION_OPTIONS)
    assert doc['since']['default'] == '7d' and 'job_type' in doc
    sources = _options(connection, 'INVENTORY')
    assert tuple(sources) == OPTION_NAMES
    for name, option in sources.items():  # an inventory source is read before any variable exists
        assert option == {'env': [{'name': 'VEEAM_EM_' + name.upper()}], 'ini': [{'section': 'vbr_enterprise_manager', 'key': name}]}


def test_the_inventory_plugin_takes_its_selection_and_connection_options_from_the_fragments():
    from ansible_collections.vbr.enterprise_manager.plugins.inventory import backup_vms
    doc = yaml.safe_load(backup_vms.DOCUMENTATION)
    assert doc['extends_documentation_fragment'][:3] == [
        'vbr.enterprise_manager.connection', 'vbr.enterprise_manager.connection.inventory', 'vbr.enterprise_manager.selection.inventory']
    assert not set(doc['options']) & (set(OPTION_NAMES) | set(_options(selection, 'INVENTORY')))
