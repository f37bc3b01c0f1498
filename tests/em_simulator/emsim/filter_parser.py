# Parser of the EM query filter language (the `filter` URL parameter, already URL-decoded):
#   comparison  field op value      op: == != < > <= >=
#   `;` AND, `,` OR, parentheses group; AND binds tighter than OR (EM does not document it: parenthesise).
#   value: "quoted" with "" for a literal quote, or unquoted up to ; , ) with spaces dropped, as EM does; in an
#   unquoted value too, "" is a literal quote: EM documents Name==""Backup"" for the name "Backup" (quotes included).
from __future__ import annotations

OPERATORS = ('==', '!=', '<=', '>=', '<', '>')


class FilterError(ValueError):
    """A filter the server cannot parse or evaluate; the HTTP layer turns it into a 400 Error body."""


class Comparison:
    __slots__ = ('field', 'op', 'value', 'quoted')

    def __init__(self, field, op, value, quoted):
        self.field = field
        self.op = op
        self.value = value
        self.quoted = quoted

    def __repr__(self):
        return 'Comparison(%r, %r, %r)' % (self.field, self.op, self.value)


class Group:
    """kind 'and' or 'or' over two or more children."""
    __slots__ = ('kind', 'children')

    def __init__(self, kind, children):
        self.kind = kind
        self.children = children

    def __repr__(self):
        return '%s(%r)' % (self.kind.upper(), self.children)


class _Scanner:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    def skip_space(self):
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self):
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ''

    def fail(self, what):
        found = repr(self.text[self.pos]) if self.pos < len(self.text) else 'the end of the filter'
        raise FilterError('Invalid filter: %s expected at position %d, found %s.' % (what, self.pos + 1, found))

    def unexpected(self, hint=''):
        raise FilterError('Invalid filter: unexpected %r at position %d.%s' % (self.text[self.pos], self.pos + 1, hint))


def parse(text):
    """Filter text -> syntax tree (Comparison / Group), or None for an empty filter."""
    scanner = _Scanner(text)
    if not scanner.peek():
        return None
    tree = _parse_or(scanner)
    if scanner.peek():
        scanner.unexpected()
    return tree


def _parse_or(scanner):
    children = [_parse_and(scanner)]
    while scanner.peek() == ',':
        scanner.pos += 1
        children.append(_parse_and(scanner))
    return children[0] if len(children) == 1 else Group('or', children)


def _parse_and(scanner):
    children = [_parse_term(scanner)]
    while scanner.peek() == ';':
        scanner.pos += 1
        children.append(_parse_term(scanner))
    return children[0] if len(children) == 1 else Group('and', children)


def _parse_term(scanner):
    if scanner.peek() == '(':
        scanner.pos += 1
        tree = _parse_or(scanner)
        if scanner.peek() != ')':
            scanner.fail("')'")
        scanner.pos += 1
        return tree
    return _parse_comparison(scanner)


def _parse_comparison(scanner):
    scanner.skip_space()
    text = scanner.text
    start = scanner.pos
    while scanner.pos < len(text) and (text[scanner.pos].isalnum() or text[scanner.pos] == '_') and text[scanner.pos].isascii():
        scanner.pos += 1
    field = text[start:scanner.pos]
    if not field or field[0].isdigit():
        scanner.pos = start
        scanner.fail('a field name')
    scanner.skip_space()
    for op in OPERATORS:
        if text.startswith(op, scanner.pos):
            scanner.pos += len(op)
            break
    else:
        scanner.fail('a comparison operator (==, !=, <, >, <=, >=)')
    value, quoted = _parse_value(scanner)
    return Comparison(field, op, value, quoted)


def _parse_value(scanner):
    scanner.skip_space()
    text = scanner.text
    if text.startswith('""', scanner.pos) and _doubled_quote_value(text, scanner.pos):
        return _parse_unquoted(scanner), False
    if scanner.pos < len(text) and text[scanner.pos] == '"':
        scanner.pos += 1
        chars = []
        while True:
            end = text.find('"', scanner.pos)
            if end < 0:
                scanner.pos = len(text)
                scanner.fail('a closing double quote')
            chars.append(text[scanner.pos:end])
            if text.startswith('""', end):
                chars.append('"')
                scanner.pos = end + 2
                continue
            scanner.pos = end + 1
            return ''.join(chars), True
    return _parse_unquoted(scanner), False


def _doubled_quote_value(text, pos):
    """True for `""` followed by more value (not the end, a space, `;`, `,`, `)` or a third `"`): an unquoted
    value that starts with a literal quote, as in EM's documented `""Backup""`. A bare `""` stays the empty
    quoted value, and three quotes open a quoted value that starts with a quote."""
    following = text[pos + 2:pos + 3]
    return bool(following) and following not in ';,)"' and not following.isspace()


def _parse_unquoted(scanner):
    text = scanner.text
    chars = []
    while scanner.pos < len(text) and text[scanner.pos] not in ';,)':
        if text.startswith('""', scanner.pos):
            chars.append('"')
            scanner.pos += 2
            continue
        if text[scanner.pos] in '("':
            scanner.unexpected(' Values holding ( or " must be quoted, with "" for a quote.')
        if not text[scanner.pos].isspace():  # EM drops spaces of unquoted values
            chars.append(text[scanner.pos])
        scanner.pos += 1
    return ''.join(chars)
