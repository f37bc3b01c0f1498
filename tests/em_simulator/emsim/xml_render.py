# Nodes -> EM XML. Every element is in the default namespace http://www.veeam.com/ent/v1.0; the root also
# declares xmlns:xsd/xmlns:xsi in one of several positions, some documents start with an <?xml ?>
# declaration, and attribute orders vary between entities, all chosen deterministically (section 8.11-8.12).
from __future__ import annotations

NS = 'http://www.veeam.com/ent/v1.0'
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
_XMLNS = 'xmlns="%s"' % NS
_XSD_XSI = 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'

# Attribute orders seen in EM examples (2014 entity, 13.1 entity, 13.1 query entity, 13.1 reference list).
_ATTR_ORDERS = [
    ['Type', 'Href', 'Name', 'UID', 'VmDisplayName'],
    ['Href', 'Type', 'Name', 'UID', 'VmDisplayName'],
    ['Type', 'Href', 'Name', 'VmDisplayName', 'UID'],
    ['UID', 'Name', 'Href', 'Type', 'VmDisplayName'],
]
_LINK_ORDERS = [['Rel', 'Type', 'Href', 'Name'], ['Href', 'Name', 'Type', 'Rel']]


def attr_escape(text):
    return (text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')
            .replace('\n', '&#xA;').replace('\r', '&#xD;').replace('\t', '&#x9;'))


def text_escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('\r', '&#xD;')


class XmlWriter:
    """Renders one document. `base` is scheme://host the client used; `variant` picks the root's layout."""

    def __init__(self, base, variant):
        self.base = attr_escape(base)
        self.variant = variant

    def open_root(self, tag, attr_text):
        """Start tag of the root element, with the namespace declarations placed as this variant says."""
        placement = (self.variant >> 1) % 5
        attr_text = (' ' + attr_text) if attr_text else ''
        if placement == 0:
            start = '<%s %s%s' % (tag, _XMLNS, attr_text)
        elif placement == 1:
            start = '<%s %s %s%s' % (tag, _XSD_XSI, _XMLNS, attr_text)
        elif placement == 2:
            start = '<%s %s%s %s' % (tag, _XSD_XSI, attr_text, _XMLNS)
        elif placement == 3:
            start = '<%s %s %s%s' % (tag, _XMLNS, _XSD_XSI, attr_text)
        else:
            start = '<%s%s %s' % (tag, attr_text, _XMLNS)
        return (_DECLARATION if self.variant & 1 else '') + start

    def attrs(self, pairs, variant):
        order = _ATTR_ORDERS[variant % len(_ATTR_ORDERS)]
        known = dict(pairs)
        names = [name for name in order if name in known] + [pair[0] for pair in pairs if pair[0] not in order]
        parts = []
        for name in names:
            value = known[name]
            if name == 'Href':
                parts.append('Href="%s%s"' % (self.base, attr_escape(value)))
            else:
                parts.append('%s="%s"' % (name, attr_escape(value)))
        return ' '.join(parts)

    def links(self, links, variant, pad):
        order = _LINK_ORDERS[(variant >> 2) % len(_LINK_ORDERS)]
        out = [pad, '<Links>\n']
        for rel, href, name, kind in links:
            values = {'Rel': rel, 'Href': self.base + attr_escape(href), 'Name': None if name is None else attr_escape(name),
                      'Type': kind}
            out.append('%s  <Link %s />\n' % (pad, ' '.join('%s="%s"' % (key, values[key]) for key in order if values[key] is not None)))
        out.append(pad + '</Links>\n')
        return ''.join(out)

    def node(self, node, depth=0, root=False):
        pad = '  ' * depth
        attr_text = self.attrs(node.attrs, node.variant)
        start = self.open_root(node.tag, attr_text) if root else '%s<%s %s' % (pad, node.tag, attr_text)
        if not node.links and not node.fields:
            return start + ' />\n'
        out = [start, '>\n']
        if node.links:
            out.append(self.links(node.links, node.variant, pad + '  '))
        for name, value in node.fields:
            out.append(field_xml(name, value, pad + '  '))
        out.append('%s</%s>\n' % (pad, node.tag))
        return ''.join(out)

    def document(self, node):
        return self.node(node, 0, True)

    def collection(self, list_tag, nodes):
        """<EntityReferences> of <Ref>, or an entity list such as <BackupTaskSessions>."""
        if not nodes:
            return self.open_root(list_tag, '') + ' />\n'
        return ''.join([self.open_root(list_tag, '') + '>\n'] + [self.node(node, 1) for node in nodes] + ['</%s>\n' % list_tag])

    def query_result(self, list_tag, nodes, paging):
        """<QueryResult> with <Refs> (list_tag None) or <Entities><list_tag>, then <PagingInfo>."""
        out = [self.open_root('QueryResult', '') + '>\n']
        if list_tag is None:
            out.append('  <Refs>\n' if nodes else '  <Refs />\n')
            out.extend(self.node(node, 2) for node in nodes)
            if nodes:
                out.append('  </Refs>\n')
        else:
            out.append('  <Entities>\n')
            if nodes:
                out.append('    <%s>\n' % list_tag)
                out.extend(self.node(node, 3) for node in nodes)
                out.append('    </%s>\n' % list_tag)
            else:
                out.append('    <%s />\n' % list_tag)
            out.append('  </Entities>\n')
        numbers = [('PageNum', paging.page_num), ('PageSize', paging.page_size), ('PagesCount', paging.pages_count)]
        if (self.variant >> 4) & 1:
            numbers.reverse()
        out.append('  <PagingInfo %s>\n' % ' '.join('%s="%d"' % pair for pair in numbers))
        out.append('    <Links>\n')
        for rel, href in paging.links:
            if (self.variant >> 5) & 1:
                out.append('      <Link Href="%s%s" Rel="%s" />\n' % (self.base, attr_escape(href), rel))
            else:
                out.append('      <Link Rel="%s" Href="%s%s" />\n' % (rel, self.base, attr_escape(href)))
        out.append('    </Links>\n  </PagingInfo>\n</QueryResult>\n')
        return ''.join(out)

    def references(self, nodes):
        return self.collection('EntityReferences', nodes)

    def logon_sessions(self, nodes):
        return self.collection('LogonSessions', nodes)

    def enterprise_manager(self, versions):
        out = [self.open_root('EnterpriseManager', '') + '>\n', '  <Links>\n',
               '    <Link Href="%s/api/logonSessions" Type="LogonSessionList" Rel="Down" />\n' % self.base,
               '    <Link Href="%s/api/sessionMngr/?v=latest" Type="LogonSession" Rel="Create" />\n' % self.base,
               '  </Links>\n', '  <SupportedVersions>\n']
        for name in versions:
            out.append('    <SupportedVersion Name="%s">\n      <Links>\n' % name)
            out.append('        <Link Href="%s/api/sessionMngr/?v=%s" Type="LogonSession" Rel="Create" />\n' % (self.base, name))
            out.append('      </Links>\n    </SupportedVersion>\n')
        out.append('  </SupportedVersions>\n</EnterpriseManager>\n')
        return ''.join(out)

    def error(self, status, message):
        return self.open_root('Error', 'Message="%s" StatusCode="%d"' % (attr_escape(message), status)) + ' />\n'


def field_xml(name, value, pad):
    if value is None:
        return ''
    if value == '':
        return '%s<%s />\n' % (pad, name)
    if value is True or value is False:
        value = 'true' if value else 'false'
    elif not isinstance(value, str):
        value = str(value)
    return '%s<%s>%s</%s>\n' % (pad, name, text_escape(value), name)
