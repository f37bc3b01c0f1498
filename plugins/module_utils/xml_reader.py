# -*- coding: utf-8 -*-
# EM's XML bodies to the canonical dicts described in representation.py, read with xmltodict in one
# pass: namespaces processed (EM's and XML Schema's mapped away, any other kept as '<namespace>:<name>'),
# attributes as plain keys, the elements that may repeat always lists, blank values and xsi:nil dropped.
# A document type or entity declaration is refused: by a byte-level check before parsing (xmltodict alone
# accepts a bare DOCTYPE) and by the parser itself; no entity is expanded, nothing is fetched.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
import traceback
from xml.parsers import expat

try:
    import xmltodict
except ImportError:
    HAS_XMLTODICT = False
    XMLTODICT_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_XMLTODICT = True
    XMLTODICT_IMPORT_ERROR = None

EM_NAMESPACE = 'http://www.veeam.com/ent/v1.0'
XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance'
XSD_NAMESPACE = 'http://www.w3.org/2001/XMLSchema'
_NAMESPACES = frozenset((EM_NAMESPACE, XSI_NAMESPACE, XSD_NAMESPACE))

# XML elements that may repeat (so one item must still be a list).
FORCE_LIST = frozenset((
    'Link', 'Ref', 'BackupTaskSession', 'BackupJobSession', 'SupportedVersion', 'LogonSession',
    'BackupServer', 'Job', 'ReplicaTaskSession', 'RestoreSession', 'VmRestorePoint', 'AgentRestorePoint',
))

_DECLARATION = re.compile(br'<!\s*(?:DOCTYPE|ENTITY)', re.IGNORECASE)
_DECLARATION_TEXT = re.compile(r'<!\s*(?:DOCTYPE|ENTITY)', re.IGNORECASE)
_UTF16_BOMS = (b'\xff\xfe', b'\xfe\xff')


class XMLRefused(Exception):
    """The body declares a document type or an entity."""


def read_xml(body):
    """(root element name, canonical dict of the root) of an XML body (bytes or text). Raises XMLRefused,
    UnicodeDecodeError for bad UTF-16, and expat.ExpatError or ValueError for anything else malformed."""
    data = body
    if isinstance(data, bytes):
        if data[:2] in _UTF16_BOMS:
            data = data.decode('utf-16')
            if _DECLARATION_TEXT.search(data):
                raise XMLRefused()
        elif _DECLARATION.search(data):
            raise XMLRefused()
    elif _DECLARATION_TEXT.search(data):
        raise XMLRefused()
    root, content = _read_xml(data)
    return root, _root_data(content)


def _refuse(*unused):
    raise XMLRefused()


class _GuardedExpat(object):
    """The expat module as xmltodict sees it (its `expat` argument): each parser refuses any document
    type declaration and external entity itself, a second line of defence behind the byte-level check
    for what it cannot see (UTF-16 without a byte order mark); disable_entities covers only entity
    declarations."""

    @staticmethod
    def ParserCreate(*args):  # noqa: N802 - expat's name
        parser = expat.ParserCreate(*args)
        parser.StartDoctypeDeclHandler = _refuse
        parser.ExternalEntityRefHandler = _refuse
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        return parser


class _LocalNames(dict):
    """Expat's '<namespace>:<local>' names -> the local name for EM's (and XML Schema's) namespaces,
    the name unchanged for any other namespace or none; each name worked out once, then looked up."""

    def __missing__(self, name):
        namespace, sep, local = name.rpartition(':')
        result = local if not sep or namespace in _NAMESPACES else name
        if len(self) < 4096:
            self[name] = result
        return result


_LOCAL_NAMES = _LocalNames()


def _read_xml(data):
    """(root name, content) in one xmltodict pass whose postprocessor builds the canonical dicts as the
    elements close: no second walk over a generic tree. Expat resolves the namespaces; _canonical maps
    the names (xmltodict's own `namespaces` mapping costs a sixth more time on a big page)."""
    parsed = xmltodict.parse(data, expat=_GuardedExpat, process_namespaces=True, attr_prefix='', strip_whitespace=False,
                             force_list=FORCE_LIST, disable_entities=True, postprocessor=_canonical, dict_constructor=dict)
    root, content = next(iter(parsed.items()))
    if root in FORCE_LIST:  # force_list applies to the root too
        content = content[0]
    return root, content


def _canonical(path, key, value, names=_LOCAL_NAMES):
    """xmltodict postprocessor, called for each attribute, text and closed element: (local name, canonical
    value), or None to leave it out (blank text or attribute, xsi:nil, namespace declarations). At the
    root level what is left out becomes None instead, for _root_data, so that the root is never lost."""
    key = names[key]
    cls = value.__class__
    if cls is str:
        if value.strip():
            return key, value
    elif cls is dict:
        if key == 'xmlns' and path[-1][1] is not None and path[-1][1].get('xmlns') is value:
            return None  # an element's namespace declarations, handed over as an attribute
        value = _canonical_dict(value, below_root=len(path) > 1)
        if value is not None:
            return key, value
    return (key, None) if len(path) == 1 else None


def _canonical_dict(value, below_root):
    """An element's dict as a canonical value: the list itself for a wrapper of repeated items (Links,
    BackupTaskSessions) below the root, the text alone for text only, None for xsi:nil."""
    if len(value) == 1:
        for name in value:
            item = value[name]
            if (below_root and name in FORCE_LIST and item.__class__ is list) or name == '#text':
                return item
    return None if value.get('nil') == 'true' else value


def _root_data(content):
    """The data of the root element: always a dict."""
    if content.__class__ is dict:
        if None in content.values():  # blank attributes or text of the root
            content = dict((key, value) for key, value in content.items() if value is not None)
        # A root that only wraps repeated items (<EntityReferences><Ref/>..., <BackupTaskSessions>...)
        # is keyed like JSON: by the plural of the item name.
        if len(content) == 1:
            key, items = next(iter(content.items()))
            if key in FORCE_LIST and isinstance(items, list):
                return {key + 's': items}
        return content
    if content is None:
        return {}
    return {'#text': content}
