# The documented examples, as reconstructed in fixtures/ (our own values, the documented structure: see
# fixtures/README.md), and what the simulator serves for the same request parse to the same structure: the
# same attributes, the same child elements in the same order, the same links (Rel and Type), and values of
# the same kind (a time is a time, a UID a UID of the same type, an Href the same path and parameters).
# The mutation tests prove the comparison really looks at every part of every fixture.
from __future__ import annotations

import copy
import json
import os
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from sim_helpers import GUID, TIME_RE, xml

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
# Values compared as they are; everything else is compared by kind (see kind()).
EXACT = {'@Type', '@Rel', 'Type', 'Rel', 'State', 'Result', 'type', 'rel', 'state', 'result'}
LINKS = ('Link', 'Links', 'links')


def kind(value):
    """The kind of a leaf value: JSON type, or for strings what they look like."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, int):
        return 'int'
    if not isinstance(value, str):
        return type(value).__name__  # a dict or list where the document has a leaf
    if TIME_RE.match(value):
        return 'datetime'
    if value.isdigit():
        return 'digits'
    if re.match('^%s$' % GUID, value):
        return 'guid'
    match = re.match(r'^urn:veeam:(\w+):%s$' % GUID, value)
    if match:
        return 'uid:' + match.group(1)
    if re.match(r'^urn:VMware:Vm:%s\.vm-\d+$' % GUID, value):
        return 'vmuid'
    if value.startswith(('http://', 'https://')):
        parts = urlsplit(value)
        path = re.sub(GUID, '{id}', parts.path)
        params = sorted((name.lower(), item.lower() if name.lower() in ('type', 'format', 'v') else '*')
                        for name, item in parse_qsl(parts.query, keep_blank_values=True))
        return 'href:%s?%s' % (path, params)
    if re.match(r'^.+@\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$', value, re.S):
        return 'name@stamp'
    return 'text'


def conforms(doc, served, path='', extra=(), ordered=True, optional=()):
    """Assert `served` has the structure of `doc`.

    extra: element names `served` may add; optional: element names of `doc` that `served` may leave out
    (members the schema marks optional, e.g. FirstChanceExceptionMessage of an Error).
    """
    if isinstance(doc, dict):
        assert isinstance(served, dict), path
        doc_attrs = set(key for key in doc if key.startswith('@'))
        served_attrs = set(key for key in served if key.startswith('@'))
        assert doc_attrs == served_attrs, (path, doc_attrs, served_attrs)
        doc_keys = [key for key in doc if not key.startswith('@') and (key in served or key not in optional)]
        served_keys = [key for key in served if not key.startswith('@')]
        assert set(doc_keys) <= set(served_keys), (path, doc_keys, served_keys)
        assert set(served_keys) - set(doc_keys) <= set(extra), (path, set(served_keys) - set(doc_keys))
        if ordered:
            assert [key for key in served_keys if key in doc_keys] == doc_keys, (path, doc_keys, served_keys)
        for key in doc_attrs.union(doc_keys):
            if key in LINKS and isinstance(doc[key], list):
                links_conform(doc[key], served[key], path + '/' + key)
            else:
                conforms(doc[key], served[key], path + '/' + key, extra, ordered, optional)
    elif isinstance(doc, list):
        assert isinstance(served, list) and served, path
        for item in doc:
            failures = []
            for candidate in served:
                try:
                    conforms(item, candidate, path + '[]', extra, ordered, optional)
                    break
                except AssertionError as exc:
                    failures.append(exc)
            else:
                raise failures[0]
    else:
        key = path.rsplit('/', 1)[-1]
        if key in EXACT:
            assert doc == served, (path, doc, served)
        else:
            assert kind(doc) == kind(served), (path, doc, served)


def _rel_type(link):
    """(Rel, Type) of an XML link (attributes), a JSON link or a camelCase JSON link."""
    return tuple(next((link[key] for key in ('@' + name, name, name.lower()) if key in link), None) for name in ('Rel', 'Type'))


def links_conform(doc_links, served_links, path):
    """Every documented link is served (same Rel and Type), with values of the same kinds."""
    assert isinstance(served_links, list), path
    for link in doc_links:
        matches = [item for item in served_links if _rel_type(item) == _rel_type(link)]
        assert matches, (path, _rel_type(link))
        conforms(link, matches[0], '%s/%s' % (path, _rel_type(link)[0]), ordered=False)


def load(name):
    with open(os.path.join(FIXTURES, name), 'rb') as handle:
        content = handle.read()
    return json.loads(content.decode('utf-8')) if name.endswith('.json') else xml(content)


@pytest.fixture(scope='module')
def ids(catalog):
    samples = catalog['samples']
    return {'success': samples['task_session_ids_by_result']['Success'][0], 'failed': samples['task_session_ids_by_result']['Failed'][0],
            'job_session': samples['job_session']['id'], 'vm': samples['vm_with_most_failures']['name']}


def _query_entities(sim, token, ids):
    params = {'type': 'BackupTaskSession', 'format': 'Entities', 'sortDesc': 'CreationTime', 'pageSize': 3, 'page': 1,
              'filter': 'Result==Failed;VmDisplayName=="%s"' % ids['vm']}
    return xml(sim.get('/api/query', token, params=params))


def _query_job_session_refs(sim, token, ids):
    params = {'type': 'BackupJobSession', 'sortAsc': 'name', 'pageSize': 1000, 'filter': 'JobType==Backup'}
    return sim.get('/api/query', token, 'application/json', params=params).json()


def _logon_session(sim, token, ids):
    own_token, response = sim.logon()
    sim.logoff(own_token, response)
    return xml(response)


# fixture -> (how to get what the simulator serves for the same request, comparison options)
CASES = {
    'seed_reference_head.xml': (lambda sim, token, ids: xml(sim.get('/api/backupTaskSessions/' + ids['success'], token)),
                                {'extra': ('Links',)}),  # the seed page's block is cut before the links
    'seed_entity.xml': (lambda sim, token, ids: xml(sim.get('/api/backupTaskSessions/%s?format=Entity' % ids['success'], token)),
                        {'extra': ('VmUid',)}),  # the 2014-era example predates VmUid
    'entity_ref.xml': (lambda sim, token, ids: xml(sim.get('/api/backupTaskSessions/' + ids['success'], token)), {}),
    'entity_references.xml': (lambda sim, token, ids: xml(sim.get('/api/backupSessions/%s/taskSessions' % ids['job_session'], token)), {}),
    'entity_v1_7.xml': (lambda sim, token, ids: xml(sim.get('/api/backupTaskSessions/%s?format=Entity' % ids['success'], token)), {}),
    'entity_v1_7.json': (lambda sim, token, ids: sim.get('/api/backupTaskSessions/%s?format=Entity' % ids['success'], token,
                                                         'application/json').json(), {}),
    'query_entities_page.xml': (_query_entities, {}),
    'query_refs_job_sessions.json': (_query_job_session_refs, {}),
    'enterprise_manager.xml': (lambda sim, token, ids: xml(sim.get('/api/')), {}),
    'logon_session.xml': (_logon_session, {}),
    'error.xml': (lambda sim, token, ids: xml(sim.get('/api/backupTaskSessions/00000000-0000-4000-8000-000000000000', token)),
                  {'optional': ('FirstChanceExceptionMessage',)}),
    'error.json': (lambda sim, token, ids: sim.get('/api/query?type=BackupTaskSession&filter=Result=Failed', token,
                                                   'application/json').json(), {}),
    # Served by a simulator started with --json-keys camel (see served()).
    'query_entities_camel.json': (lambda sim, token, ids: sim.get('/api/query?type=BackupTaskSession&format=Entities&pageSize=3'
                                                                  '&filter=Result%3D%3DFailed', token, 'application/json').json(), {}),
}


@pytest.fixture(scope='module')
def served(sim, admin, ids, sim_factory):
    result = dict((name, fetch(sim, admin, ids)) for name, (fetch, unused) in CASES.items() if 'camel' not in name)
    camel = sim_factory('--json-keys', 'camel', sessions=300)
    token, logon = camel.logon()
    for name in [name for name in CASES if 'camel' in name]:
        result[name] = CASES[name][0](camel, token, ids)
    camel.logoff(token, logon)
    return result


def test_every_fixture_is_compared():
    names = sorted(name for name in os.listdir(FIXTURES) if name.endswith(('.xml', '.json')))
    assert names == sorted(CASES)


@pytest.mark.parametrize('name', sorted(CASES))
def test_served_documents_have_the_documented_structure(served, name):
    conforms(load(name), served[name], **CASES[name][1])


def test_also_the_collection_of_all_task_sessions(sim, admin):
    conforms(load('entity_references.xml'), xml(sim.get('/api/backupTaskSessions', admin)))


def test_xml_error_with_its_optional_child(sim, admin):
    """A served Error that has FirstChanceExceptionMessage must have it where the example has it."""
    doc = load('error.xml')
    served = xml(sim.get('/api/backupTaskSessions/nope', admin))
    with_child = copy.deepcopy(served)
    with_child['Error']['FirstChanceExceptionMessage'] = 'details'
    conforms(doc, with_child, optional=('FirstChanceExceptionMessage',))
    with_child['Error']['FirstChanceExceptionMessage'] = {'Nested': 'x'}
    with pytest.raises(AssertionError):
        conforms(doc, with_child, optional=('FirstChanceExceptionMessage',))


# --- the comparison itself -------------------------------------------------------------------------

def _leaves(value, path=()):
    """(path, leaf) for every leaf value of a parsed document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))
    else:
        yield path, value


def _keys(value, path=()):
    """(path, key) for every dict key of a parsed document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key
            yield from _keys(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _keys(item, path + (index,))


def _at(value, path):
    for step in path:
        value = value[step]
    return value


def _other_kind(key, value):
    """A value of another kind than `value` (or another value, for the keys compared exactly)."""
    if key in EXACT:
        return (value or '') + 'X'
    return 'plain words' if kind(value) != 'text' else '2001-02-03T04:05:06Z'


def _mutants(doc):
    """(path, copy of `doc`): per leaf with a value of another kind, and per key with that key renamed."""
    for path, value in _leaves(doc):
        mutant = copy.deepcopy(doc)
        _at(mutant, path[:-1])[path[-1]] = _other_kind(path[-1], value)
        yield path, mutant
    for path, key in _keys(doc):
        mutant = copy.deepcopy(doc)
        parent = _at(mutant, path)
        parent[key + 'Z'] = parent.pop(key)
        yield path + (key,), mutant


@pytest.mark.parametrize('name', sorted(CASES))
def test_every_part_of_each_fixture_is_compared(served, name):
    """Changing any value's kind, or renaming any attribute, element or key of a fixture, breaks the match."""
    options = CASES[name][1]
    checked = 0
    for path, mutant in _mutants(load(name)):
        if set(path) & set(options.get('optional', ())):
            continue  # an optional element the simulator leaves out is not compared (see test_xml_error_...)
        with pytest.raises(AssertionError):
            conforms(mutant, served[name], **options)
            pytest.fail('%s: a change at %s went unnoticed' % (name, path))
        checked += 1
    assert checked >= 5


def test_order_and_missing_parts_are_noticed(sim, admin, ids):
    doc = load('entity_v1_7.xml')
    failed = xml(sim.get('/api/backupTaskSessions/%s?format=Entity' % ids['failed'], admin))
    with pytest.raises(AssertionError):
        conforms(doc, failed)  # Result differs and the Related link is missing
    reference = xml(sim.get('/api/backupTaskSessions/' + ids['success'], admin))
    with pytest.raises(AssertionError):
        conforms(doc, reference)
    entity = xml(sim.get('/api/backupTaskSessions/%s?format=Entity' % ids['success'], admin))
    conforms(doc, entity)
    shuffled = copy.deepcopy(entity)
    body = shuffled['BackupTaskSession']
    body['State'], body['CreationTimeUTC'] = body.pop('State'), body.pop('CreationTimeUTC')
    with pytest.raises(AssertionError):
        conforms(doc, shuffled)
    without_uid = copy.deepcopy(entity)
    del without_uid['BackupTaskSession']['VmUid']
    with pytest.raises(AssertionError):
        conforms(doc, without_uid)
    with_more = copy.deepcopy(entity)
    with_more['BackupTaskSession']['@Extra'] = 'x'
    with pytest.raises(AssertionError):
        conforms(doc, with_more)
