# -*- coding: utf-8 -*-
# EM response bodies (XML or JSON) to plain dicts in one canonical shape, whatever arrived:
# - keys are EM's PascalCase names (JSON keys of EM 12 PascalCase and EM 13 camelCase both map);
# - XML attributes are plain keys (no '@'), the EM namespace is mapped away (namespace-aware parsing);
# - list wrappers hold the list directly: Links -> [...], Entities.BackupTaskSessions -> [...];
# - scalars are strings as in XML (JSON numbers/booleans converted); empty, blank and null values are
#   dropped, so an absent element, <Reason />, "" and null all read the same.
# XML with a document type declaration or an entity is refused before parsing (no entity expansion,
# nothing fetched). The content type decides the parser; anything else is an EMProtocolError.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import re

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMProtocolError, redact

from xml.parsers import expat
from xml.parsers.expat import ExpatError

EM_NAMESPACE = 'http://www.veeam.com/ent/v1.0'
XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance'
XSD_NAMESPACE = 'http://www.w3.org/2001/XMLSchema'
_NAMESPACES = {EM_NAMESPACE: None, XSI_NAMESPACE: None, XSD_NAMESPACE: None}

# XML elements that may repeat (so one item must still be a list).
FORCE_LIST = frozenset((
    'Link', 'Ref', 'BackupTaskSession', 'BackupJobSession', 'SupportedVersion', 'LogonSession',
    'BackupServer', 'Job', 'ReplicaTaskSession', 'RestoreSession', 'VmRestorePoint',
))

# Canonical spellings of the names we read (case-insensitive lookup); other names get an upper-case first letter.
CANONICAL_NAMES = (
    'BackupJobSession', 'BackupJobSessions', 'BackupServerName', 'BackupServerUid', 'BackupTaskSession',
    'BackupTaskSessions', 'CreationTimeUTC', 'EndTimeUTC', 'EnterpriseManager', 'Entities', 'FailureMessage',
    'FirstChanceExceptionMessage', 'Href', 'IsRetry', 'JobName', 'JobSessionUid', 'JobType', 'JobUid', 'Link',
    'Links', 'LogonSession', 'LogonSessions', 'Message', 'Name', 'PageNum', 'PageSize', 'PagesCount', 'PagingInfo',
    'Progress', 'Reason', 'Ref', 'Refs', 'Rel', 'Resources', 'Result', 'SessionId', 'StackTrace', 'State', 'Status',
    'StatusCode', 'SupportedVersion', 'SupportedVersions', 'TotalSize', 'Type', 'UID', 'UserName', 'VmDisplayName',
    'VmUid',
)
_KEYS = dict((name.lower(), name) for name in CANONICAL_NAMES)
_KEY_CACHE = {}

_DECLARATION = re.compile(br'<!\s*(?:DOCTYPE|ENTITY)', re.IGNORECASE)
_DECLARATION_TEXT = re.compile(r'<!\s*(?:DOCTYPE|ENTITY)', re.IGNORECASE)
_TITLE = re.compile(r'<title[^>]*>(.*?)</title>', re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r'<[^>]*>')
_SPACE = re.compile(r'\s+')
_UTF8_BOM = b'\xef\xbb\xbf'
_UTF16_BOMS = (b'\xff\xfe', b'\xfe\xff')


class Document(object):
    """A parsed body: `root` is the XML root element name (None for JSON), `data` the canonical dict,
    `keys` the canonical names of the top-level JSON members as sent, null ones included (EM sends the
    unused members of a QueryResult as null, which `data` drops)."""

    __slots__ = ('root', 'data', 'format', 'keys')

    def __init__(self, root, data, fmt, keys=None):
        self.root = root
        self.data = data
        self.format = fmt
        self.keys = frozenset(keys if keys is not None else data)

    @property
    def is_error(self):
        """True for an EM <Error> / JSON error object."""
        if self.root is not None:
            return self.root == 'Error'
        return 'StatusCode' in self.data and 'Href' not in self.data and ('Message' in self.data or len(self.data) == 1)

    @property
    def error_message(self):
        if not self.is_error:
            return None
        return self.data.get('Message') or self.data.get('FirstChanceExceptionMessage')

    def __repr__(self):
        return 'Document(root=%r, format=%r, data=%r)' % (self.root, self.format, self.data)


def canonical_key(key):
    """EM's canonical (PascalCase) spelling of a key in either JSON style."""
    try:
        return _KEY_CACHE[key]
    except KeyError:
        pass
    name = _KEYS.get(key.lower())
    if name is None:
        name = key[:1].upper() + key[1:]
    if len(_KEY_CACHE) < 4096:
        _KEY_CACHE[key] = name
    return name


def media_type(content_type):
    """'xml', 'json' or None for a Content-Type header value."""
    if not content_type:
        return None
    mime = content_type.split(';', 1)[0].strip().lower()
    if mime in ('application/xml', 'text/xml') or mime.endswith('+xml'):
        return 'xml'
    if mime in ('application/json', 'text/json') or mime.endswith('+json'):
        return 'json'
    return None


def excerpt(body, secrets=(), limit=160):
    """A short, single-line, secret-free excerpt of a body for an error message."""
    if body is None:
        return ''
    if isinstance(body, bytes):
        text = body[:4096].decode('utf-8', 'replace')
    else:
        text = str(body)[:4096]
    title = _TITLE.search(text)
    if title and '<html' in text.lower():
        text = 'HTML page "%s": %s' % (_SPACE.sub(' ', title.group(1)).strip(), _TAG.sub(' ', text[title.end():]))
    text = ''.join(ch if ch.isprintable() else ' ' for ch in text)
    text = _SPACE.sub(' ', text).strip()
    text = redact(text, secrets)
    if len(text) > limit:
        text = text[:limit].rstrip() + '...'
    return text


def parse_response(body, content_type, secrets=(), what='EM'):
    """Parse a response body by its content type into a Document, or raise EMProtocolError."""
    fmt = media_type(content_type)
    if body is None or not body.strip():
        raise EMProtocolError('%s sent an empty body (content type %r).' % (what, content_type or 'none'),
                              hint='Check that url points at Enterprise Manager and not at a proxy or another service.')
    if fmt == 'json':
        return parse_json(body, secrets=secrets, what=what)
    if fmt == 'xml':
        return parse_xml(body, secrets=secrets, what=what)
    raise EMProtocolError('%s answered with content type %r, which is neither XML nor JSON: %s' % (what, content_type or 'none', excerpt(body, secrets)),
                          hint='Check that url points at Enterprise Manager (port 9398) and not at a proxy login page or another service.')


def parse_xml(body, secrets=(), what='EM'):
    """Parse an XML body (namespace-aware) into a Document."""
    data = body
    if isinstance(data, bytes):
        if data[:2] in _UTF16_BOMS:
            try:
                data = data.decode('utf-16')
            except UnicodeDecodeError:
                raise EMProtocolError('%s sent undecodable UTF-16 XML.' % what)
            if _DECLARATION_TEXT.search(data):
                raise _refused(what)
        elif _DECLARATION.search(data):
            raise _refused(what)
    elif _DECLARATION_TEXT.search(data):
        raise _refused(what)
    try:
        root, content = _read_xml(data)
    except _Refused:
        raise _refused(what)
    except (ExpatError, ValueError) as exc:
        raise EMProtocolError('%s sent malformed or truncated XML (%s): %s' % (what, exc, excerpt(body, secrets)),
                              hint='A proxy or a network problem may have cut the answer; try again, or check url.')
    return Document(root, _root_data(content), 'xml')


class _Refused(Exception):
    """A DOCTYPE or entity declaration met while parsing (the pre-check normally catches it first)."""


def _refuse(*unused):
    raise _Refused()


_NAME_CACHE = {}


def _local_name(name):
    """'<namespace> <local>' from expat -> the local name for EM's (and XML Schema's) namespaces,
    '<namespace>:<local>' for any other namespace, the name itself without one."""
    try:
        return _NAME_CACHE[name]
    except KeyError:
        pass
    namespace, sep, local = name.rpartition(' ')
    result = local if not sep or namespace in _NAMESPACES else namespace + ':' + local
    if len(_NAME_CACHE) < 4096:
        _NAME_CACHE[name] = result
    return result


def _read_xml(data):
    """(root name, canonical content) of an XML document, the canonical dicts (see the header) built
    straight from expat's callbacks in one pass. Python's expat binding is in the standard library;
    building the canonical shape while parsing, instead of a generic tree walked again afterwards, is
    what makes big query pages cheap. Each open element is a frame [name, dict, text parts, names seen
    repeated] on a stack."""
    parser = expat.ParserCreate(namespace_separator=' ')
    parser.buffer_text = True
    # No DTD and no entity is ever processed (defence in depth behind the pre-check).
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack = []
    result = []
    names = _NAME_CACHE
    local_name = _local_name
    force_list = FORCE_LIST

    def start(name, attributes):
        element = {}
        for key, value in attributes.items():
            if value.strip():
                element[names.get(key) or local_name(key)] = value
        stack.append([names.get(name) or local_name(name), element, None, None])

    def text(chunk):
        frame = stack[-1]
        if frame[2] is None:
            frame[2] = [chunk]
        else:
            frame[2].append(chunk)

    def end(unused):
        name, element, parts, unused = stack.pop()
        if not stack:
            result.append((name, _finish(element, parts, nested=False)))
            return
        value = _finish(element, parts, nested=True)
        if value is None:
            return
        frame = stack[-1]
        parent = frame[1]
        if name in force_list:
            items = parent.get(name)
            if items is None:
                parent[name] = [value]
            else:
                items.append(value)
        elif name not in parent:
            parent[name] = value
        elif frame[3] is not None and name in frame[3]:
            parent[name].append(value)
        else:  # an element that is not a known list but repeats: a list all the same
            parent[name] = [parent[name], value]
            frame[3] = (frame[3] or set()) | set([name])

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(data, True)
    return result[0]


def _finish(element, parts, nested):
    """The canonical value of a closed element: its text, its dict, the list it wraps, or None.
    The root stays a dict (see _root_data)."""
    text = None
    if parts is not None:
        text = parts[0] if len(parts) == 1 else ''.join(parts)
        if not text.strip():
            text = None
    if not element:
        return text
    if text is not None:
        element['#text'] = text
    if not nested:
        return element
    if len(element) == 1:
        key, item = next(iter(element.items()))
        if key in FORCE_LIST and item.__class__ is list:
            return item
        if key == '#text':
            return item
    if element.get('nil') == 'true':  # xsi:nil
        return None
    return element


def _root_data(content):
    """The data of the root element: always a dict."""
    if isinstance(content, dict):
        # A root that only wraps repeated items (<EntityReferences><Ref/>..., <BackupTaskSessions>...)
        # is keyed like JSON: by the plural of the item name.
        if len(content) == 1:
            key, items = next(iter(content.items()))
            if key in FORCE_LIST and isinstance(items, list):
                return {key + 's': items}
        if content.get('nil') == 'true':  # xsi:nil
            return {}
        return content
    if content is None:
        return {}
    return {'#text': content}


def parse_json(body, secrets=(), what='EM'):
    """Parse a JSON body (either key style, optional UTF-8 BOM) into a Document."""
    try:
        if isinstance(body, bytes):
            if body.startswith(_UTF8_BOM):
                body = body[len(_UTF8_BOM):]
            text = body.decode('utf-8')
        else:
            text = body.lstrip('\ufeff')
        parsed = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise EMProtocolError('%s sent malformed or truncated JSON (%s): %s' % (what, exc, excerpt(body, secrets)),
                              hint='A proxy or a network problem may have cut the answer; try again, or check url.')
    if not isinstance(parsed, dict):
        raise EMProtocolError('%s sent JSON that is not an object: %s' % (what, excerpt(body, secrets)))
    data = _canon_json(parsed)
    return Document(None, data if data is not None else {}, 'json', keys=[canonical_key(key) for key in parsed])


def _canon_json(value):
    """Canonical form of a decoded JSON value (see the header)."""
    cls = value.__class__
    if cls is dict:
        out = {}
        cache = _KEY_CACHE
        for key, item in value.items():
            if item is None:
                continue
            name = cache.get(key) or canonical_key(key)
            item_cls = item.__class__
            if item_cls is str:
                if item.strip():
                    out[name] = item
                continue
            item = _canon_json(item)
            if item is None:
                continue
            # {"BackupTaskSessions": {"BackupTaskSessions": [...]}} and {"Refs": {"Refs": [...]}}
            if item.__class__ is dict and len(item) == 1 and name in item and item[name].__class__ is list:
                item = item[name]
            out[name] = item
        return out or None
    if cls is list:
        items = []
        for item in value:
            item = _canon_json(item)
            if item is not None:
                items.append(item)
        return items or None
    if cls is str:
        return value if value.strip() else None
    if cls is bool:
        return 'true' if value else 'false'
    if cls is int:
        return str(value)
    if cls is float:
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def _refused(what):
    return EMProtocolError('%s sent XML with a document type declaration or an entity, which is refused.' % what,
                           hint='Enterprise Manager never sends these; check that url points at EM and not at another service.')


# --- small readers over canonical data -----------------------------------------------------------

def as_list(value):
    """A list for a canonical list value (absent -> [], a lone dict -> [dict])."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    return []


def find_links(data, rel=None, link_type=None):
    """Links of an object, filtered by Rel and/or Type (case-insensitive)."""
    links = []
    for link in as_list(data.get('Links') if isinstance(data, dict) else None):
        if not isinstance(link, dict):
            continue
        if rel is not None and str(link.get('Rel', '')).lower() != rel.lower():
            continue
        if link_type is not None and str(link.get('Type', '')).lower() != link_type.lower():
            continue
        links.append(link)
    return links


def first_link(data, rel=None, link_type=None):
    links = find_links(data, rel, link_type)
    return links[0] if links else None


def to_int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
