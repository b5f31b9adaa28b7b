"""A bounded parser for the literals that Python and numpy print.

Notebook outputs are untrusted text, yet the values people compare are almost
always printed literals: ``0.245``, ``{'mse': np.float64(0.245)}``, ``nan``.
:func:`parse_literal` turns such text back into plain Python values **without
evaluating anything**: it is a small hand-written tokenizer and recursive
descent parser over a whitelist grammar, not ``eval`` and not ``ast.parse``
(whose C parser can hit recursion and memory limits on hostile input).

What it understands (anything else is refused, and the caller keeps the text):

* numbers as Python prints them (``3``, ``-1e-05``, ``0.5``, ``1.``, hex/octal/
  binary, ``1_000``), with one optional sign; complex numbers are refused;
* ``nan``, ``inf``, ``NaN``, ``Infinity`` (``json.dumps`` output),
  ``np.nan``/``np.inf``/``numpy.nan``/``math.nan``..., ``float('nan')``,
  ``float("-inf")``, ``float('0.5')``;
* ``True``/``False``/``None`` and JSON's ``true``/``false``/``null``,
  ``np.True_``/``np.False_``;
* strings (any quote style, ``r``/``u`` prefixes, adjacent strings
  concatenated); bytes and f-strings are refused;
* lists, tuples (a bare top-level ``1, 2`` too), dicts, sets, ``set()``,
  ``frozenset({...})``, nested;
* numpy 2 scalar reprs: ``np.float64(0.245)``, ``numpy.float32(1.5)``,
  ``np.int64(3)``, ``np.bool(True)``, ``np.str_('a')`` (``np.`` or
  ``numpy.`` prefix, every numeric scalar type name);
* numpy array reprs ``array([1, 2])`` / ``np.array([[1., 2.]])`` with an
  optional ``dtype=...`` keyword: given as (nested) lists, because an array
  printed in full is a sequence of its items; a 0-d ``array(1.5)`` is its
  number. PyTorch's ``tensor(0.2450)`` / ``tensor([1., 2.], device='cuda:0')``
  read the same way (``dtype``/``device``/``requires_grad`` keywords are
  ignored; ``grad_fn=<...>`` is not a literal and stays text). Summarised
  arrays (``...``) are refused and stay text.

Limits (module constants): :data:`MAX_LENGTH` characters, :data:`MAX_DEPTH`
levels of nesting and :data:`MAX_NODES` values; beyond them the text is
refused before any expensive work, so every call returns in milliseconds.
"""

from __future__ import annotations

import ast
import math
import re

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "MAX_NODES", "parse_literal"]

#: Longest text (in characters, surrounding whitespace included) that is parsed.
#: Printed metrics are tiny; a 100 kB repr is data, better shown as text.
MAX_LENGTH = 100_000
#: Deepest nesting of containers/calls accepted. Real results nest a few levels;
#: the bound keeps the recursive descent far below Python's recursion limit.
MAX_DEPTH = 64
#: Most values (numbers, strings, containers...) accepted in one text.
MAX_NODES = 20_000

#: Refusal result, shared so callers can compare cheaply.
_REFUSED: tuple[bool, object] = (False, None)

# One alternation, tried at each position; every branch is linear (disjoint
# alternatives inside repetitions), so there is no backtracking trap.
_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n\f\v]+)
  | (?P<str>(?:[rR]|[uU])?
        (?:'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
          |\"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
          |'[^'\\\n]*(?:\\.[^'\\\n]*)*'
          |"[^"\\\n]*(?:\\.[^"\\\n]*)*"))
  | (?P<num>0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+
        |(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9][0-9_]*)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>[\[\](){},:=+-])
  | (?P<bad>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_NAN = float("nan")
_INF = float("inf")

#: Bare or dotted names that stand for a constant.
_CONSTANTS: dict[str, object] = {
    "True": True,
    "False": False,
    "None": None,
    "true": True,
    "false": False,
    "null": None,
    "nan": _NAN,
    "NaN": _NAN,
    "inf": _INF,
    "Infinity": _INF,
}
for _prefix in ("np.", "numpy."):
    _CONSTANTS.update(
        {
            _prefix + "nan": _NAN,
            _prefix + "NaN": _NAN,
            _prefix + "NAN": _NAN,
            _prefix + "inf": _INF,
            _prefix + "Inf": _INF,
            _prefix + "infty": _INF,
            _prefix + "PINF": _INF,
            _prefix + "NINF": -_INF,
            _prefix + "True_": True,
            _prefix + "False_": False,
        }
    )
_CONSTANTS.update({"math.nan": _NAN, "math.inf": _INF})

_FLOAT_TYPES = (
    "float16 float32 float64 float96 float128 half single double longdouble float_"
).split()
_INT_TYPES = (
    "int8 int16 int32 int64 uint8 uint16 uint32 uint64 intc uintc intp uintp int_ uint "
    "short ushort byte ubyte long ulong longlong ulonglong"
).split()
_BOOL_TYPES = ["bool", "bool_", "bool8"]

#: Callables that are accepted, mapped to the converter applied to their one argument.
_CONVERTERS: dict[str, str] = {"float": "float", "int": "int"}
for _prefix in ("np.", "numpy."):
    _CONVERTERS.update({_prefix + t: "float" for t in _FLOAT_TYPES})
    _CONVERTERS.update({_prefix + t: "int" for t in _INT_TYPES})
    _CONVERTERS.update({_prefix + t: "bool" for t in _BOOL_TYPES})
    _CONVERTERS.update({_prefix + "str_": "str", _prefix + "array": "array"})
_CONVERTERS.update(
    {
        "array": "array",
        "tensor": "array",
        "torch.tensor": "array",
        "set": "set",
        "frozenset": "frozenset",
    }
)
#: Keywords of array/tensor reprs (their values, a name or a string, are ignored).
_ARRAY_KEYWORDS = frozenset({"dtype", "device", "requires_grad"})

_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_VALID_ESCAPES = frozenset("\n\\'\"abfnrtv01234567xNuU")

#: Longest string accepted by ``float('...')`` (float() itself is safe, this just
#: keeps the refusal cheap).
_MAX_FLOAT_STRING = 64


class _Refuse(Exception):
    """Raised inside the parser to abandon the text (never escapes the module)."""


class _Parser:
    """Recursive descent over a lazily tokenized text; one instance per text.

    Tokens are produced on demand, so a refusal (too deep, too many values, a
    character outside the grammar) stops the work where it is found.
    """

    __slots__ = ("_matches", "kind", "nodes", "text")

    def __init__(self, text: str) -> None:
        self._matches = _TOKEN.finditer(text)
        self.nodes = 0
        self.kind = ""
        self.text = ""
        self.advance()

    # -- token helpers -------------------------------------------------
    def advance(self) -> tuple[str, str]:
        """Return the current token and move to the next non-blank one."""
        current = (self.kind, self.text)
        for match in self._matches:
            kind = match.lastgroup
            if kind == "ws":
                continue
            if kind == "bad":
                raise _Refuse
            self.kind, self.text = kind, match.group()
            return current
        self.kind, self.text = "end", ""
        return current

    def at_op(self, text: str) -> bool:
        return self.kind == "op" and self.text == text

    def expect(self, text: str) -> None:
        if self.kind != "op" or self.text != text:
            raise _Refuse
        self.advance()

    # -- grammar -------------------------------------------------------
    def document(self) -> object:
        """A value, or a bare tuple ``a, b`` as ``ast`` eval mode accepts."""
        first = self.value(0)
        if not self.at_op(","):
            return first
        items = [first]
        while self.at_op(","):
            self.advance()
            if self.kind == "end":
                break
            items.append(self.value(0))
        return tuple(items)

    def value(self, depth: int) -> object:
        if depth > MAX_DEPTH:
            raise _Refuse
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refuse
        kind, text = self.advance()
        if kind == "num":
            return _number(text)
        if kind == "str":
            return self.strings(text)
        if kind == "name":
            if self.at_op("("):
                return self.call(text, depth)
            if text in _CONSTANTS:
                return _CONSTANTS[text]
            raise _Refuse
        if kind != "op":
            raise _Refuse
        if text in "+-":
            # One sign only: "--1" is an expression, never something printed.
            if self.kind == "op" and self.text in "+-":
                raise _Refuse
            operand = self.value(depth + 1)
            if isinstance(operand, bool) or not isinstance(operand, (int, float)):
                raise _Refuse
            return -operand if text == "-" else operand
        if text == "[":
            return self.sequence("]", depth)
        if text == "(":
            return self.paren(depth)
        if text == "{":
            return self.brace(depth)
        raise _Refuse

    def strings(self, first: str) -> str:
        parts = [_string(first)]
        while self.kind == "str":
            parts.append(_string(self.advance()[1]))
        return "".join(parts)

    def sequence(self, close: str, depth: int) -> list:
        """Items up to ``close`` (consumed); a trailing comma is allowed."""
        items: list = []
        while not self.at_op(close):
            items.append(self.value(depth + 1))
            if self.at_op(","):
                self.advance()
            elif not self.at_op(close):
                raise _Refuse
        self.advance()
        return items

    def paren(self, depth: int) -> object:
        if self.at_op(")"):
            self.advance()
            return ()
        first = self.value(depth + 1)
        if self.at_op(")"):
            self.advance()
            return first
        self.expect(",")
        rest = self.sequence(")", depth)
        return (first, *rest)

    def brace(self, depth: int) -> object:
        if self.at_op("}"):
            self.advance()
            return {}
        first = self.value(depth + 1)
        if self.at_op(":"):
            self.advance()
            result = {_hashable(first): self.value(depth + 1)}
            while self.at_op(","):
                self.advance()
                if self.at_op("}"):
                    break
                key = _hashable(self.value(depth + 1))
                self.expect(":")
                result[key] = self.value(depth + 1)
            self.expect("}")
            return result
        items = {_hashable(first)}
        if self.at_op(","):
            self.advance()
            items.update(_hashable(item) for item in self.sequence("}", depth))
        else:
            self.expect("}")
        return items

    def call(self, name: str, depth: int) -> object:
        converter = _CONVERTERS.get(name)
        if converter is None:
            raise _Refuse
        self.advance()  # "("
        if self.at_op(")"):
            self.advance()
            if converter == "set":
                return set()
            if converter == "frozenset":
                return frozenset()
            raise _Refuse
        arg = self.value(depth + 1)
        while converter == "array" and self.at_op(","):
            # array([...], dtype=float32), tensor(0.25, device='cuda:0',
            # requires_grad=True): descriptive keywords, ignored.
            self.advance()
            if self.at_op(")"):
                break
            kind, keyword = self.advance()
            if kind != "name" or keyword not in _ARRAY_KEYWORDS:
                raise _Refuse
            self.expect("=")
            kind, _ = self.advance()
            if kind not in ("name", "str"):
                raise _Refuse
        if self.at_op(","):  # a trailing comma, as in f(x,)
            self.advance()
        self.expect(")")
        return _convert(converter, arg)


def _number(text: str) -> int | float:
    """Convert a number token with Python's own int/float rules."""
    try:
        if text[:2] in ("0x", "0X", "0o", "0O", "0b", "0B"):
            return int(text, 0)
        if "." in text or "e" in text or "E" in text:
            if text.endswith("_") or "_." in text or "._" in text:
                raise _Refuse
            return float(text)
        return int(text, 0)  # base 0 refuses "007", as Python does
    except ValueError:  # bad underscores, or more digits than int() allows
        raise _Refuse from None


def _string(token: str) -> str:
    """Decode one string token; a plain one is sliced, escapes go through ast."""
    if "\\" not in token:
        body = token.lstrip("rRuU")
        quote = 3 if body[:3] in ("'''", '"""') and len(body) >= 6 else 1
        return body[quote:-quote]
    if token[0] not in "rR":
        # Python warns (and one day fails) on unknown escapes such as "\(";
        # repr never writes one, so such a string is not printed output.
        for match in _ESCAPE.finditer(token):
            if match.group(1) not in _VALID_ESCAPES:
                raise _Refuse
    try:
        # A single string token cannot be anything but a string constant, so
        # this is exactly Python's own escape decoding, not evaluation.
        result = ast.literal_eval(token)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise _Refuse from None
    if not isinstance(result, str):
        raise _Refuse
    return result


def _hashable(value: object) -> object:
    """Refuse dict keys and set items that Python itself would refuse."""
    try:
        hash(value)
    except TypeError:
        raise _Refuse from None
    return value


def _convert(converter: str, arg: object) -> object:
    """Apply a whitelisted constructor to an already parsed argument."""
    if converter == "array":
        # A list, or the bare number of a 0-d array / scalar tensor.
        if isinstance(arg, list) or (isinstance(arg, (int, float)) and not isinstance(arg, bool)):
            return arg
        raise _Refuse
    if converter == "set":
        if not isinstance(arg, (list, tuple, set, frozenset, str)):
            raise _Refuse
        return {_hashable(item) for item in arg}
    if converter == "frozenset":
        if not isinstance(arg, (list, tuple, set, frozenset, str)):
            raise _Refuse
        return frozenset(_hashable(item) for item in arg)
    if converter == "str":
        if not isinstance(arg, str):
            raise _Refuse
        return arg
    if converter == "bool":
        if not isinstance(arg, bool):
            raise _Refuse
        return arg
    if isinstance(arg, str):
        if len(arg) > _MAX_FLOAT_STRING:
            raise _Refuse
        try:
            number: int | float = float(arg) if converter == "float" else int(arg)
        except ValueError:
            raise _Refuse from None
        return number
    if isinstance(arg, bool) or not isinstance(arg, (int, float)):
        raise _Refuse
    if converter == "float":
        try:
            return float(arg)
        except OverflowError:
            raise _Refuse from None
    if isinstance(arg, float):
        # np.int64(3) is printed with an int; int(2.5) would silently truncate.
        if not math.isfinite(arg) or arg != int(arg):
            raise _Refuse
        return int(arg)
    return arg


_FLAT_NUMBER = r"(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|0|[1-9][0-9]*)"
#: One ``'key': number`` item of the commonest printed metrics, with the
#: number bare or wrapped in numpy 2's ``np.float64(...)``.
_FLAT_ITEM = (
    r"'([^'\\\n]*)'[ ]*:[ ]*"
    rf"(?:(np\.float64)\((-?{_FLAT_NUMBER})\)|(-?{_FLAT_NUMBER}))"
)
_BLANK = r"[ \t\r\n\f\v]*"  # the tokenizer's whitespace, not Unicode's
_FLAT_DICT = re.compile(rf"{_BLANK}\{{(?:{_FLAT_ITEM}, )*(?:{_FLAT_ITEM})?\}}{_BLANK}")
_FLAT_ITEMS = re.compile(_FLAT_ITEM)


def _flat_dict(text: str) -> dict | None:
    """A dict printed as ``{'a': 0.25, 'b': np.float64(0.5)}``, read with one regex.

    The shortcut for what nearly every metrics cell prints; it answers
    exactly what the full parser answers for such text (later duplicate keys
    win, ``np.float64(1)`` is ``1.0``, a bare ``1`` is ``1``) and ``None`` for
    anything else, which then goes through the full parser.
    """
    if _FLAT_DICT.fullmatch(text) is None:
        return None
    items = _FLAT_ITEMS.findall(text)
    # The full parser's node count: the dict, each key, each value, plus one
    # for a wrapper call and one for a sign. Past its limit it refuses.
    nodes = 1 + sum(
        2 + bool(wrapper) + (wrapped or bare).startswith("-") for _, wrapper, wrapped, bare in items
    )
    if nodes > MAX_NODES:
        return None
    result: dict = {}
    try:
        for key, wrapper, wrapped, bare in items:
            number = wrapped or bare
            if "." in number or "e" in number or "E" in number:
                value: int | float = float(number)
            else:
                value = int(number)
            result[key] = float(value) if wrapper else value
    except (ValueError, OverflowError):  # too many digits: the full parser refuses it
        return None
    return result


#: A lone number as ``print`` writes a float or an int (with the tokenizer's
#: whitespace around it and one optional sign): the commonest printed metric.
_BARE_NUMBER = re.compile(
    rf"{_BLANK}([+-]?)((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?){_BLANK}"
)
#: The first token when it is a (dotted) name: the tokenizer's own pattern, greedy.
_LEADING_NAME = re.compile(rf"{_BLANK}([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)")


def _shortcut(text: str) -> tuple[bool, object] | None:
    """The full parser's answer for the two commonest texts, or ``None`` to parse.

    * A lone number (``0.245``, ``-3``) is read by the parser's own
      :func:`_number` and sign rule.
    * Text that starts with a name the grammar does not know (``converged``,
      ``Model ridge ...``) is refused at its first token by the parser; here
      without building it. Every other text goes to the full parser.
    """
    match = _BARE_NUMBER.fullmatch(text)
    if match is not None:
        try:
            number = _number(match.group(2))
        except _Refuse:
            return _REFUSED
        return True, (-number if match.group(1) == "-" else number)
    match = _LEADING_NAME.match(text)
    # A quote right after the name: maybe a string prefix (r'...'), parse it.
    if match is not None and text[match.end() : match.end() + 1] not in ("'", '"'):
        name = match.group(1)
        if name not in _CONSTANTS and name not in _CONVERTERS:
            return _REFUSED
    return None


def parse_literal(text: str) -> tuple[bool, object]:
    """Parse printed Python/numpy/JSON literal text into a plain Python value.

    Returns ``(True, value)`` on success and ``(False, None)`` for anything
    that is not such a literal, too long, too deep or too large. It never
    raises and never evaluates code, because its input is untrusted notebook
    output. numpy scalars come back as Python ``float``/``int``/``bool``/``str``
    and printed arrays as lists, so values compare across numpy versions.
    """
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return _REFUSED
    if text.lstrip()[:1] == "{":
        flat = _flat_dict(text)
        if flat is not None:
            return True, flat
    else:
        quick = _shortcut(text)
        if quick is not None:
            return quick
    return _parse_full(text)


def _parse_full(text: str) -> tuple[bool, object]:
    """:func:`parse_literal` without the shortcut (the tests hold them equal)."""
    try:
        parser = _Parser(text)
        if parser.kind == "end":
            return _REFUSED
        value = parser.document()
        if parser.kind != "end":
            return _REFUSED
    except (_Refuse, IndexError, ValueError, OverflowError, RecursionError, MemoryError):
        return _REFUSED
    return True, value
