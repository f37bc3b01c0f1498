# -*- coding: utf-8 -*-
# Unit tests of the option table shape (option_table.py) and of the selection rows: what the module's
# argument spec and task_session_selection() take from them.

from __future__ import annotations

import importlib.util
import os

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option, argument_spec, defaults, pick
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session import TASK_SESSION_KEYS
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_options import (
    SELECTION_NAMES,
    selection_argument_spec,
    selection_defaults,
    selection_options,
)
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.task_session_selection import MODULE_SELECTION, task_session_selection


def _option_docs():
    """tools/option_docs.py, which documents the options (its helpers are no module_utils: nothing on a managed host needs them)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    spec = importlib.util.spec_from_file_location('option_docs', os.path.join(root, 'tools', 'option_docs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_replace_changes_only_what_it_is_given():
    since = selection_options(['since'])[0]
    inventory_since = since.replace(default='7d')
    assert inventory_since.default == '7d' and since.default is None
    assert (inventory_since.name, inventory_since.type, inventory_since.description) == (since.name, since.type, since.description)


def test_pick_keeps_the_order_asked_for_and_refuses_unknown_names():
    assert [option.name for option in selection_options(['vm_name', 'job_name'])] == ['vm_name', 'job_name']
    with pytest.raises(KeyError):
        pick(selection_options(), ['vm_nmae'])


def test_the_selection_argument_spec():
    spec = selection_argument_spec()
    assert tuple(spec) == SELECTION_NAMES
    assert spec['fields'] == {'type': 'list', 'elements': 'str', 'choices': list(TASK_SESSION_KEYS), 'no_log': False}
    assert (spec['wait']['default'], spec['wait_timeout']['default'], spec['wait_sleep']['default'], spec['latest_per_vm']['default']) == (
        False, 600, 10, False)
    assert all('fallback' not in entry for entry in spec.values())  # selection options come from the task alone


def test_the_selection_defaults_are_the_tables():
    assert dict((k, v.get('default')) for k, v in MODULE_SELECTION.argument_spec().items()) == selection_defaults()
    search = task_session_selection({})
    assert (search.wait, search.wait_timeout, search.wait_sleep, search.latest_per_vm, search.limit) == (False, 600, 10, False, None)


def test_an_option_with_sources_documents_its_fallback():
    option = Option('url', 'str', ['Where.'], required=True, env='X_URL')
    assert _option_docs().doc_entry(option) == {'description': ['Where.', 'Required. Falls back to the E(X_URL) environment variable.'], 'type': 'str'}
    assert argument_spec([option])['url']['fallback'][1] == ['X_URL']
    assert defaults([option, Option('n', 'int', ['N.'], default=3)]) == {'url': None, 'n': 3}
