"""A parser for the regular subset of ECMA-262 patterns (JSON Schema's ``pattern`` dialect).

It accepts only what ECMA-262 (without flags, as JSON Schema uses it) and Python's ``re`` both
read the same way, apart from the few atoms whose meaning differs (``\\d \\w \\s``, ``.``, ``$``),
which stay symbolic so the automata can be built for either reading. Everything else is refused
with a reason: backreferences and lookaround (not regular), ``\\b`` (not handled), and syntax the
two engines read differently (``[]``, ``a{,3}``, ``(?<n>...)``, ``\\cX``, astral literals ...).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_REPEAT = 1000
MAX_NESTING = 40
MAX_LENGTH = 2000

_SPECIAL = set("^$\\.*+?()[]{}|")
_ESCAPES = {"t": 9, "n": 10, "v": 11, "f": 12, "r": 13}
_HEX = set("0123456789abcdefABCDEF")


class Unsupported(Exception):
    """The pattern is outside the regular subset both engines agree on (the message says why)."""


@dataclass(frozen=True)
class CharSet:
    """Code point ranges (inclusive) plus symbolic classes (``d w s D W S`` and ``.``)."""

    ranges: tuple[tuple[int, int], ...] = ()
    classes: tuple[str, ...] = ()
    negated: bool = False


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class Repeat:
    node: Node
    low: int
    high: int | None  # None: unbounded


@dataclass(frozen=True)
class Anchor:
    kind: str  # "^" or "$"


Node = CharSet | Seq | Alt | Repeat | Anchor


def parse(pattern: str) -> Node:
    """The syntax tree of ``pattern``; raises :class:`Unsupported` with the reason."""
    if len(pattern) > MAX_LENGTH:
        raise Unsupported(f"pattern longer than {MAX_LENGTH} characters")
    parser = _Parser(pattern)
    node = parser.alternation(0)
    if parser.pos != len(pattern):
        raise Unsupported(f"unbalanced ')' at position {parser.pos}")
    return node


def _char(code: int) -> CharSet:
    return CharSet(((code, code),))


def _check_code(code: int) -> int:
    if 0xD800 <= code <= 0xDFFF or code > 0xFFFF:
        raise Unsupported("surrogates and characters beyond U+FFFF are read per UTF-16 unit by ECMA-262")
    return code


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.text[i] if i < len(self.text) else ""

    def alternation(self, depth: int) -> Node:
        if depth > MAX_NESTING:
            raise Unsupported(f"groups nested deeper than {MAX_NESTING}")
        options = [self.sequence(depth)]
        while self.peek() == "|":
            self.pos += 1
            options.append(self.sequence(depth))
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def sequence(self, depth: int) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.term(depth))
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def term(self, depth: int) -> Node:
        ch = self.peek()
        if ch in ("^", "$"):
            self.pos += 1
            if self._quantifier_ahead():
                raise Unsupported(f"quantified assertion {ch!r} is not valid ECMA-262")
            return Anchor(ch)
        if ch in ("*", "+", "?") or (ch == "{" and self._braced() is not None):
            raise Unsupported(f"nothing to repeat at position {self.pos}")
        atom = self.atom(depth)
        return self.quantified(atom)

    def _braced(self) -> tuple[int, int | None, int] | None:
        """A ``{n}``, ``{n,}`` or ``{n,m}`` quantifier at the cursor: (low, high, end)."""
        text, i = self.text, self.pos
        if i >= len(text) or text[i] != "{":
            return None
        j = i + 1
        while j < len(text) and text[j].isdigit() and text[j].isascii():
            j += 1
        if j == i + 1:
            if text[j : j + 1] == ",":
                raise Unsupported("'{,n}' is a quantifier for Python's re and literal text for ECMA-262")
            return None
        low = int(text[i + 1 : j])
        if text[j : j + 1] == "}":
            return low, low, j + 1
        if text[j : j + 1] != ",":
            return None
        k = j + 1
        while k < len(text) and text[k].isdigit() and text[k].isascii():
            k += 1
        if text[k : k + 1] != "}":
            return None
        return low, (int(text[j + 1 : k]) if k > j + 1 else None), k + 1

    def _quantifier_ahead(self) -> bool:
        return self.peek() in ("*", "+", "?") or (self.peek() == "{" and self._braced() is not None)

    def quantified(self, atom: Node) -> Node:
        ch = self.peek()
        if ch == "*":
            low, high, end = 0, None, self.pos + 1
        elif ch == "+":
            low, high, end = 1, None, self.pos + 1
        elif ch == "?":
            low, high, end = 0, 1, self.pos + 1
        else:
            braced = self._braced()
            if braced is None:
                return atom
            low, high, end = braced
        self.pos = end
        if high is not None and high < low:
            raise Unsupported("numbers out of order in a {n,m} quantifier")
        if low > MAX_REPEAT or (high or 0) > MAX_REPEAT:
            raise Unsupported(f"repetition counts above {MAX_REPEAT}")
        if self.peek() == "?":
            self.pos += 1  # lazy: the same strings match
        if self._quantifier_ahead():
            raise Unsupported("a quantifier after a quantifier (possessive or invalid)")
        return Repeat(atom, low, high)

    def atom(self, depth: int) -> Node:
        ch = self.peek()
        if ch == "(":
            return self.group(depth)
        if ch == "[":
            return self.char_class()
        if ch == ".":
            self.pos += 1
            return CharSet(classes=(".",))
        if ch == "\\":
            return self.escape(in_class=False)
        if ch == ")":
            raise Unsupported(f"unbalanced ')' at position {self.pos}")
        self.pos += 1
        return _char(_check_code(ord(ch)))

    def group(self, depth: int) -> Node:
        self.pos += 1
        if self.peek() == "?":
            head = self.text[self.pos : self.pos + 3]
            if head.startswith("?:"):
                self.pos += 2
            elif head.startswith(("?=", "?!")) or head in ("?<=", "?<!"):
                raise Unsupported("lookaround assertions are not regular")
            else:
                raise Unsupported(f"group syntax '({head}' is not read the same by ECMA-262 and Python")
        inner = self.alternation(depth + 1)
        if self.peek() != ")":
            raise Unsupported("missing ')'")
        self.pos += 1
        return inner

    def escape(self, *, in_class: bool) -> CharSet:
        self.pos += 1
        ch = self.peek()
        if not ch:
            raise Unsupported("pattern ends with a backslash")
        self.pos += 1
        if ch in "dDwWsS":
            return CharSet(classes=(ch,))
        if ch in _ESCAPES:
            return _char(_ESCAPES[ch])
        if ch == "b" and in_class:
            return _char(8)
        if ch in "bB":
            raise Unsupported("word boundaries (\\b, \\B) are not handled")
        if ch == "0" and not self.peek().isdigit():
            return _char(0)
        if ch.isdigit():
            raise Unsupported("backreferences (and octal escapes) are not regular")
        if ch == "k":
            raise Unsupported("named backreferences are not regular")
        if ch in "xu":
            width = 2 if ch == "x" else 4
            digits = self.text[self.pos : self.pos + width]
            if len(digits) != width or not set(digits) <= _HEX:
                raise Unsupported(
                    f"'\\{ch}' without {width} hex digits is read differently by the two engines"
                )
            self.pos += width
            return _char(_check_code(int(digits, 16)))
        if ch.isascii() and ch.isalnum():
            raise Unsupported(f"escape '\\{ch}' is not read the same by ECMA-262 and Python")
        return _char(_check_code(ord(ch)))

    def char_class(self) -> CharSet:
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        if self.peek() == "]":
            raise Unsupported("'[]' and '[^]' are read differently by ECMA-262 and Python")
        ranges: list[tuple[int, int]] = []
        classes: list[str] = []
        while self.peek() != "]":
            if not self.peek():
                raise Unsupported("missing ']'")
            first = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                last = self.class_atom()
                if first.classes or last.classes:
                    raise Unsupported("a range with a class escape ('[\\d-z]') is read differently")
                low, high = first.ranges[0][0], last.ranges[0][0]
                if low > high:
                    raise Unsupported("range out of order in a character class")
                ranges.append((low, high))
            else:
                ranges.extend(first.ranges)
                classes.extend(first.classes)
        self.pos += 1
        return CharSet(tuple(ranges), tuple(classes), negated)

    def class_atom(self) -> CharSet:
        if self.peek() == "\\":
            if self.peek(1) == "B":
                raise Unsupported("'[\\B]' is read differently by ECMA-262 and Python")
            return self.escape(in_class=True)
        ch = self.peek()
        self.pos += 1
        return _char(_check_code(ord(ch)))
