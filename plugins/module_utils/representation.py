# -*- coding: utf-8 -*-
# EM response bodies (XML or JSON) to plain dicts in one canonical shape, whatever arrived:
# - keys are EM's PascalCase names (JSON keys of EM 12 PascalCase and EM 13 camelCase both map);
# - XML attributes are plain keys (no '@'), the EM namespace is mapped away (namespace-aware parsing);
# - list wrappers hold the list directly: Links -> [...], Entities.BackupTaskSessions -> [...];
# - scalars are strings as in XML (JSON numbers/booleans converted); empty, blank and null values are
#   dropped, so an absent element, <Reason />, "" and null all read the same.
# XML is read by xml_reader.py (xmltodict), which refuses a document type declaration or an entity
# (no entity expansion, nothing fetched). The content type decides the parser; anything else is an
# EMProtocolError.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import re
from xml.parsers.expat import ExpatError

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError, EMProtocolError, redact
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.xml_reader import HAS_XMLTODICT, XMLRefused, read_xml

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

_TITLE = re.compile(r'<title[^>]*>(.*?)</title>', re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r'<[^>]*>')
_SPACE = re.compile(r'\s+')
_UTF8_BOM = b'\xef\xbb\xbf'


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
    if not HAS_XMLTODICT:
        raise EMInputError('%s sent XML, but the Python library xmltodict is not installed where the module runs.' % what,
                           hint='Install requests and xmltodict there, usually the Ansible controller or execution environment.')
    try:
        root, data = read_xml(body)
    except XMLRefused:
        raise EMProtocolError('%s sent XML with a document type declaration or an entity, which is refused.' % what,
                              hint='Enterprise Manager never sends these; check that url points at EM and not at another service.')
    except UnicodeDecodeError:
        raise EMProtocolError('%s sent undecodable UTF-16 XML.' % what)
    except (ExpatError, ValueError) as exc:
        raise EMProtocolError('%s sent malformed or truncated XML (%s): %s' % (what, exc, excerpt(body, secrets)),
                              hint='A proxy or a network problem may have cut the answer; try again, or check url.')
    return Document(root, data, 'xml')


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
        data = _canon_json(parsed)
    except (UnicodeDecodeError, ValueError) as exc:
        raise EMProtocolError('%s sent malformed or truncated JSON (%s): %s' % (what, exc, excerpt(body, secrets)),
                              hint='A proxy or a network problem may have cut the answer; try again, or check url.')
    except RecursionError:  # json.loads or _canon_json; EM's own bodies nest a few levels deep
        raise EMProtocolError('%s sent JSON nested too deeply to be an EM answer: %s' % (what, excerpt(body, secrets)),
                              hint='Check that url points at Enterprise Manager and not at another service.')
    if not isinstance(parsed, dict):
        raise EMProtocolError('%s sent JSON that is not an object: %s' % (what, excerpt(body, secrets)))
    return Document(None, data if data is not None else {}, 'json', keys=[canonical_key(key) for key in parsed])


def _canon_json(value):
    """Canonical form of a decoded JSON value (see the header); None for what is dropped."""
    convert = _JSON_CONVERTERS.get(value.__class__)
    return None if convert is None else convert(value)


# The two container readers call the converters directly (not through _canon_json): one Python frame
# per level of nesting, as deep as the recursion limit allows before a RecursionError.

def _canon_object(value):
    out = {}
    for key, item in value.items():
        if item.__class__ is str:  # most values: inline, for the speed of big pages
            if not item.strip():
                continue
        else:
            convert = _JSON_CONVERTERS.get(item.__class__)
            item = None if convert is None else convert(item)
            if item is None:
                continue
        name = _KEY_CACHE.get(key) or canonical_key(key)
        out[name] = _unwrapped(name, item)
    return out or None


def _unwrapped(name, item):
    """{"BackupTaskSessions": {"BackupTaskSessions": [...]}} and {"Refs": {"Refs": [...]}} hold the list directly."""
    if item.__class__ is dict and len(item) == 1 and item.get(name).__class__ is list:
        return item[name]
    return item


def _canon_array(value):
    items = []
    for item in value:
        convert = _JSON_CONVERTERS.get(item.__class__)
        item = None if convert is None else convert(item)
        if item is not None:
            items.append(item)
    return items or None


def _canon_float(value):
    return str(int(value)) if value.is_integer() else repr(value)


_JSON_CONVERTERS = {
    dict: _canon_object,
    list: _canon_array,
    str: lambda value: value if value.strip() else None,
    bool: lambda value: 'true' if value else 'false',
    int: str,
    float: _canon_float,
}


# --- small readers over canonical data -----------------------------------------------------------

def entity_list(value):
    """The items of a canonical list value of a document (absent -> [], a lone dict -> [dict], text -> []);
    option_values.as_list is the one for option values (text -> [text])."""
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
    for link in entity_list(data.get('Links') if isinstance(data, dict) else None):
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
