# -*- coding: utf-8 -*-
# docs/design.md's map of the collection is the code's: every file of plugins/module_utils and
# plugins/plugin_utils is in exactly one row of the layer table, and imports only its own layer and the
# layers its row names (read from the files' import lines, as test_option_docs.py reads the fragments).
# A new file needs its row, a new import the layer that allows it.

from __future__ import annotations

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DIRECTORIES = ('plugins/module_utils', 'plugins/plugin_utils')
_IMPORT = re.compile(r'ansible_collections\.vbr\.enterprise_manager\.plugins\.(?:module_utils|plugin_utils)\.([a-z0-9_]+)')


def layer_table():
    """{layer: (files, layers it may import)} from the table under "The files and what each may import"."""
    with open(os.path.join(ROOT, 'docs', 'design.md'), encoding='utf-8') as handle:
        text = handle.read()
    section = text.split('### The files and what each may import', 1)[1].split('\n### ', 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if len(cells) != 3 or cells[0] in ('layer', '---', 'glue'):
            continue
        files = re.findall(r'`([a-z0-9_]+)\.py`', cells[1])
        table[cells[0]] = (files, [name.strip() for name in cells[2].split(',') if name.strip()])
    return table


def code_files():
    return sorted(name[:-3] for directory in DIRECTORIES for name in os.listdir(os.path.join(ROOT, directory))
                  if name.endswith('.py') and name != '__init__.py')


def imports_of(name):
    for directory in DIRECTORIES:
        path = os.path.join(ROOT, directory, name + '.py')
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                return set(_IMPORT.findall(handle.read())) - {name}
    raise AssertionError(name)


def test_every_file_is_in_one_layer_and_every_layer_named_exists():
    table = layer_table()
    listed = [name for files, _allowed in table.values() for name in files]
    assert sorted(listed) == code_files(), 'docs/design.md layer table vs the files (missing or gone: %s)' % sorted(
        set(listed).symmetric_difference(code_files()))
    assert all(layer in table for _files, allowed in table.values() for layer in allowed)


def test_each_file_imports_only_what_its_layer_may():
    table = layer_table()
    layer_of = dict((name, layer) for layer, (files, _allowed) in table.items() for name in files)
    wrong = []
    for name in code_files():
        layer = layer_of[name]
        allowed = set(table[layer][1]) | {layer}
        wrong += ['%s (%s) imports %s (%s)' % (name, layer, other, layer_of.get(other)) for other in sorted(imports_of(name))
                  if layer_of.get(other) not in allowed]
    assert wrong == []


def test_the_data_flow_names_every_module_utils_file():
    with open(os.path.join(ROOT, 'docs', 'design.md'), encoding='utf-8') as handle:
        flow = handle.read().split('### The data flow', 1)[1].split('```', 2)[1]
    named = set(re.findall(r'([a-z0-9_]+)\.py', flow))
    module_utils = set(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'module_utils')) if name.endswith('.py'))
    assert sorted(module_utils - named - {'__init__'}) == []
    assert sorted(named - module_utils - set(code_files())) == []
