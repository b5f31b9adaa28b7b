"""The bounded literal parser: what Python and numpy print, nothing that runs."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyterlab_nbcompare.core.literal import MAX_DEPTH, MAX_LENGTH, MAX_NODES, parse_literal

NAN = float("nan")
INF = float("inf")


def same(a: object, b: object) -> bool:
    """Structural equality where NaN equals NaN and types must match (1 != 1.0 != True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


# --------------------------------------------------------------------------
# accepted literals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.245", 0.245),
        ("-1e-05", -1e-05),
        ("+3", 3),
        ("3", 3),
        ("1.", 1.0),
        (".5", 0.5),
        ("1.e-05", 1e-05),
        ("0x1f", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("1_000", 1000),
        ("12345678901234567890123", 12345678901234567890123),
        ("True", True),
        ("False", False),
        ("None", None),
        ("true", True),
        ("null", None),
        ("'hello'", "hello"),
        ('"it\'s"', "it's"),
        ("'a\\nb'", "a\nb"),
        ("'\\u00e9t\\xe9'", "été"),
        ("r'\\d+'", "\\d+"),
        ("u'x'", "x"),
        ("'''multi\nline'''", "multi\nline"),
        ('"""a"b"""', 'a"b'),
        ("'a' 'b'", "ab"),
        ("''", ""),
        ("[]", []),
        ("[1, 2.5, 'x']", [1, 2.5, "x"]),
        ("[1,]", [1]),
        ("()", ()),
        ("(1,)", (1,)),
        ("(1)", 1),
        ("(1, (2, 3))", (1, (2, 3))),
        ("1, 2", (1, 2)),
        ("{}", {}),
        ("{'mse': 0.245}", {"mse": 0.245}),
        ("{'a': {'b': [1, (2, 3)]}, 'c': None}", {"a": {"b": [1, (2, 3)]}, "c": None}),
        ('{"a": true, "b": null}', {"a": True, "b": None}),
        ("{1: 'x', (1, 2): 'y', None: 'z'}", {1: "x", (1, 2): "y", None: "z"}),
        ("{'k': 1, 'k': 2}", {"k": 2}),
        ("  0.5 \n", 0.5),
        ("{'a': 1,\n 'b': 2}\n", {"a": 1, "b": 2}),
    ],
)
def test_python_literals(text, expected):
    # Given literal text as Python prints it / When parsed
    ok, value = parse_literal(text)
    # Then it is exactly the Python value, type included
    assert ok
    assert same(value, expected), value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{1, 2, 3}", {1, 2, 3}),
        ("{'b', 'a'}", {"a", "b"}),
        ("set()", set()),
        ("frozenset({1, 2})", frozenset({1, 2})),
        ("frozenset()", frozenset()),
    ],
)
def test_sets(text, expected):
    # Given a printed set / When parsed / Then the same set comes back
    ok, value = parse_literal(text)
    assert ok
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("nan", 0),
        ("NaN", 0),
        ("np.nan", 0),
        ("numpy.nan", 0),
        ("math.nan", 0),
        ("float('nan')", 0),
        ('float("NaN")', 0),
        ("np.float64(nan)", 0),
        ("inf", 1),
        ("Infinity", 1),
        ("np.inf", 1),
        ("math.inf", 1),
        ("float('inf')", 1),
        ('float("infinity")', 1),
        ("np.float64(inf)", 1),
        ("-inf", -1),
        ("-Infinity", -1),
        ("-np.inf", -1),
        ("float('-inf')", -1),
        ("np.float64(-inf)", -1),
        ("np.float32(-inf)", -1),
    ],
)
def test_non_finite(text, sign):
    # Given the many spellings of NaN and infinity / When parsed
    ok, value = parse_literal(text)
    # Then each is the Python float of that meaning
    assert ok
    assert isinstance(value, float)
    if sign == 0:
        assert math.isnan(value)
    else:
        assert value == sign * INF


# numpy 2 scalar reprs, produced by numpy itself so the test follows numpy.
NUMPY_SCALARS = [
    (np.float64(0.245), 0.245),
    (np.float64(-1e-05), -1e-05),
    (np.float32(1.5), 1.5),
    (np.float16(0.5), 0.5),
    (np.longdouble(0.5), 0.5),
    (np.int64(3), 3),
    (np.int32(-5), -5),
    (np.int8(7), 7),
    (np.uint8(200), 200),
    (np.uint64(2**63), 2**63),
    (np.intc(2), 2),
    (np.bool_(True), True),
    (np.bool_(False), False),
    (np.str_("a"), "a"),
]


@pytest.mark.parametrize(("scalar", "expected"), NUMPY_SCALARS, ids=repr)
def test_numpy_scalar_reprs(scalar, expected):
    # Given a numpy scalar's real repr (numpy 2 prints np.float64(0.245))
    text = repr(scalar)
    # When parsed
    ok, value = parse_literal(text)
    # Then it is the plain Python value of the same type family
    assert ok, text
    assert same(value, expected), (text, value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("numpy.float32(1.5)", 1.5),
        ("np.float64(3)", 3.0),  # a float type always gives a float
        ("np.int64(3.0)", 3),
        ("np.longdouble('0.5')", 0.5),
        ("np.True_", True),
        ("numpy.False_", False),
        ("float(2)", 2.0),
        ("int('7')", 7),
    ],
)
def test_numpy_and_builtin_calls(text, expected):
    # Given whitelisted constructor calls / When parsed / Then converted
    ok, value = parse_literal(text)
    assert ok
    assert same(value, expected)


def test_numpy_values_inside_containers():
    # Given a dict and a list printed by numpy 2 (their items are numpy scalars)
    metrics = {"mse": np.float64(0.245), "n": np.int64(10), "ok": np.bool_(True)}
    names = [np.str_("a"), np.str_("b")]
    # When their reprs are parsed
    ok1, value1 = parse_literal(repr(metrics))
    ok2, value2 = parse_literal(repr(names))
    # Then the items are plain Python values
    assert ok1
    assert same(value1, {"mse": 0.245, "n": 10, "ok": True})
    assert ok2
    assert same(value2, ["a", "b"])


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.array([1, 2]), [1, 2]),
        (np.array([1.0, 2.5]), [1.0, 2.5]),
        (np.array([1e-5, 1.0]), [1e-5, 1.0]),
        (np.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]]),
        (np.array([1, 2], dtype=np.int8), [1, 2]),
        (np.array(["a", "bc"]), ["a", "bc"]),
        (np.array([np.nan, -np.inf]), [NAN, -INF]),
    ],
    ids=repr,
)
def test_numpy_arrays_are_lists(array, expected):
    # Given the repr of a small array (printed in full, maybe with dtype=)
    text = repr(array)
    # When parsed / Then the items come back as (nested) lists
    ok, value = parse_literal(text)
    assert ok, text
    assert same(value, expected), (text, value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("array(1.5)", 1.5),
        ("np.array([1, 2])", [1, 2]),
        ("tensor(0.2450)", 0.245),
        ("tensor(3)", 3),
        ("tensor([1., 2.])", [1.0, 2.0]),
        ("tensor([[1, 2]], dtype=torch.int32)", [[1, 2]]),
        ("tensor(0.2450, device='cuda:0')", 0.245),
        ("tensor([0.5000], device='cuda:0', requires_grad=True)", [0.5]),
        ("torch.tensor(1.)", 1.0),
    ],
)
def test_zero_d_arrays_and_tensors(text, expected):
    # Given a 0-d array repr, or a PyTorch tensor repr (with its keywords)
    # When parsed / Then the number or the nested list it prints
    ok, value = parse_literal(text)
    assert ok
    assert same(value, expected)


def test_summarised_array_stays_text():
    # Given a long array, which numpy summarises with "..."
    text = repr(np.arange(5000))
    assert "..." in text
    # When parsed / Then it is refused: the printed items are not the array
    assert parse_literal(text) == (False, None)


# --------------------------------------------------------------------------
# refused text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        "hello world",
        "x",
        "__import__('os').system('true')",
        "open('/etc/passwd')",
        "print(1)",
        "np.array",
        "np.float64",
        "np.float64(1, 2)",
        "np.int64(2.5)",  # would silently truncate
        "np.int64(nan)",
        "np.str_(1)",
        "np.bool_(1)",
        "float([1])",
        "float('x')",
        "float('" + "1" * 100 + "')",
        "np.complex128(1+0j)",
        "np.datetime64('2020-01-01')",
        "np.bytes_(b'x')",
        "b'bytes'",
        "f'{x}'",
        "1j",
        "1+2",
        "2*3",
        "--1",
        "-True",
        "-'a'",
        "007",
        "1__0",
        "1_",
        "[1, 2",
        "[1 2]",
        "[,]",
        "{1:}",
        "{,}",
        "{[1]: 2}",
        "{[1], 2}",
        "{'a' 1}",
        "(1 2)",
        "[1, 2, ...]",
        "Ellipsis",
        "{'a': 1} # comment",
        "lambda: 0",
        "x if y else z",
        "[i for i in range(3)]",
        "'unterminated",
        "'\\('",  # an unknown escape: Python warns, repr never writes it
        "'\\8'",
        "'\\N{NO SUCH NAME}'",
        "'\\x4'",
        "'''unterminated",
        "1; 2",
        "a.b",
        "Infinity()",
        "set(1)",
        "array([1], order='C')",
        "array('a')",
        "tensor(0.2450, grad_fn=<MeanBackward0>)",
        "array([1], dtype)",
        "array([1], dtype=)",
        "tensor(0.5, device=cuda)(1)",
        "1 2",
    ],
)
def test_refused(text):
    # Given text that is not a printed literal (or is code) / When parsed
    # Then it is refused without raising, and nothing is executed
    assert parse_literal(text) == (False, None)


def test_refuses_non_str():
    # Given something that is not text at all / Then refused
    assert parse_literal(None) == (False, None)  # type: ignore[arg-type]
    assert parse_literal(b"1") == (False, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 1_000_000,
        "(" * 100_000,
        "{" * 100_000,
        "-" * 99_999 + "1",
        "[1, " * 24_000,
        "1," * 49_000,
        "'''" + "\\'" * 40_000,
        "\"'" * 49_000,
        "np." * 30_000 + "nan",
        "a" * 99_000,
        "[" * 5000 + "]" * 5000,
    ],
    ids=lambda t: f"{t[:12]!r}x{len(t)}",
)
def test_hostile_input_is_refused(text):
    # Given huge or deeply nested text / When parsed
    # Then it is refused (and, as the property test below checks, quickly)
    assert parse_literal(text) == (False, None)


def test_limits():
    # Given text just inside and just outside each documented limit
    nested_ok = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    nested_deep = "[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1)
    many_ok = "[" + "1," * (MAX_NODES - 1) + "]"
    many_over = "[" + "1," * MAX_NODES + "]"
    long_text = " " * (MAX_LENGTH - 1) + "1"
    too_long = " " * MAX_LENGTH + "1"
    # When parsed / Then the limits are exactly where the constants say
    assert parse_literal(nested_ok)[0]
    assert not parse_literal(nested_deep)[0]
    assert parse_literal(many_ok)[0]
    assert not parse_literal(many_over)[0]
    assert parse_literal(long_text) == (True, 1)
    assert parse_literal(too_long) == (False, None)


# --------------------------------------------------------------------------
# properties

#: A robustness bound, not a performance measurement: far above the few
#: milliseconds a call takes, far below a hang.
ROBUST_SECONDS = 1.0


def _timed(text: str) -> tuple[bool, object]:
    start = time.perf_counter()
    result = parse_literal(text)
    assert time.perf_counter() - start < ROBUST_SECONDS
    assert isinstance(result, tuple)
    assert len(result) == 2
    assert isinstance(result[0], bool)
    return result


@pytest.mark.filterwarnings("error")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_any_text(text):
    # Given any text / When parsed / Then a result comes back, quickly
    _timed(text)


_PIECES = st.sampled_from(
    [*"[](){},:'\"\\-+=.", " ", "\n", "1", "1.5e3", "nan", "np.", "float64(", "'''", "x", "(", "8"]
)


@pytest.mark.filterwarnings("error")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=400).map("".join))
def test_never_raises_on_literalish_soup(text):
    # Given a soup of the characters the grammar cares about / Then no exception
    _timed(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(r"\A[\[({]{0,3000}[0-9a-z'\", ]{0,50}[\])}]{0,3000}\Z"))
def test_never_raises_on_nested_brackets(text):
    # Given deeply nested brackets, balanced or not / Then refused or parsed, quickly
    _timed(text)


_KEYS = st.one_of(
    st.text(max_size=8),
    st.integers(-(10**6), 10**6),
    st.booleans(),
)
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_LITERALS = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(_KEYS, inner, max_size=5),
        st.frozensets(st.integers(), max_size=5).map(set),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_LITERALS)
def test_round_trip_of_python_repr(value):
    # Given any nested Python literal (NaN, inf, unicode strings included)
    # When its repr is parsed
    ok, parsed = parse_literal(repr(value))
    # Then the same value comes back
    assert ok, repr(value)
    assert same(parsed, value)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.floats(width=64, allow_nan=True).map(np.float64),
        st.floats(width=32, allow_nan=True).map(np.float32),
        st.integers(-(2**63), 2**63 - 1).map(np.int64),
        st.booleans().map(np.bool_),
    )
)
def test_round_trip_of_numpy_scalar_repr(scalar):
    # Given any numpy scalar / When its numpy 2 repr is parsed
    ok, parsed = parse_literal(repr(scalar))
    # Then the value comes back as printed: float32 prints its shortest
    # round-trip digits, and the number is those digits (what a person saw),
    # not the binary float32 widened to float64.
    expected = float(str(scalar)) if isinstance(scalar, np.floating) else scalar.item()
    assert ok, repr(scalar)
    assert same(parsed, expected)


# -- the shortcut for flat metric dicts ---------------------------------------

_FLAT_NUMBERS = st.one_of(
    st.sampled_from(["0", "-0", "007", "1.", "1e5", "1E-3", "2.5e+10", "1_0", ".5", "nan"]),
    st.sampled_from(["9" * 400, "9" * 400 + ".0", "9" * 5000, "1e400", "-1e400"]),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
_FLAT_VALUES = st.one_of(_FLAT_NUMBERS, _FLAT_NUMBERS.map("np.float64({})".format))
_FLAT_KEYS = st.text(alphabet="ab '\\\n:,{}", max_size=4).map("'{}'".format)
_FLAT_TEXTS = st.builds(
    lambda items, sep, colon, tail, end: (
        "{" + sep.join(f"{k}{colon}{v}" for k, v in items) + tail + "}" + end
    ),
    st.lists(st.tuples(_FLAT_KEYS, _FLAT_VALUES), max_size=6),
    st.sampled_from([", ", ","]),
    st.sampled_from([": ", ":", " : "]),
    st.sampled_from(["", ", ", ","]),
    st.sampled_from(["", "\n", " ", "\u3000", "\xa0", "\x1c", "\x85"]),
).map(lambda text: text if len(text) % 3 else "\xa0" + text)


@settings(max_examples=3000, deadline=None)
@given(_FLAT_TEXTS)
def test_the_flat_dict_shortcut_answers_what_the_full_parser_answers(text):
    # Given a printed dict of numbers, bare or as np.float64(...), valid or not
    from jupyterlab_nbcompare.core.literal import _flat_dict, _parse_full

    # When the shortcut reads it
    flat = _flat_dict(text)
    # Then it either declines (the full parser decides) or gives the full
    # parser's exact answer: same keys, same values, same int/float types, -0.0
    if flat is not None:
        assert repr((True, flat)) == repr(_parse_full(text))


@pytest.mark.parametrize(
    ("value", "items"),
    [
        # each form on both sides of where the full parser stops accepting it
        ("1", 9999),
        ("1", 10000),
        ("-1", 6666),
        ("-1", 6667),
        ("np.float64(1)", 6666),
        ("np.float64(1)", 6667),
        ("np.float64(-1)", 4999),
        ("np.float64(-1)", 5000),
    ],
)
def test_the_flat_dict_shortcut_keeps_the_parsers_size_limit(value, items):
    # Given dicts of metrics around the full parser's node limit (a dict, its
    # keys and values count; np.float64(...) and a sign count one more each)
    from jupyterlab_nbcompare.core.literal import _flat_dict, _parse_full

    text = "{" + ", ".join([f"'k': {value}"] * items) + "}"
    # Then the shortcut accepts exactly what the full parser accepts
    full_ok, _ = _parse_full(text)
    assert (_flat_dict(text) is not None) == full_ok


def test_the_flat_dict_shortcut_reads_numpy_2_metrics():
    from jupyterlab_nbcompare.core.literal import _flat_dict

    text = "{'mse': np.float64(2.5), 'n': 3, 'r2': np.float64(1), 'z': -0}\n"
    assert _flat_dict(text) == {"mse": 2.5, "n": 3, "r2": 1.0, "z": 0}
    assert isinstance(_flat_dict(text)["r2"], float)
    assert isinstance(_flat_dict(text)["n"], int)
    # anything beyond a flat dict of numbers is left to the full parser
    assert _flat_dict("{'a': [1]}") is None
    assert _flat_dict("{'a': np.float64(nan)}") is None
    assert _flat_dict("{'a': 1") is None


# Texts near the two shortcuts' edges: signed numbers in every spelling the
# tokenizer knows (and some it refuses), names known and unknown, string
# prefixes, calls, and the whitespace Python and the tokenizer disagree on.
_SHORTCUT_TEXTS = st.builds(
    lambda lead, sign, body, tail: lead + sign + body + tail,
    st.sampled_from(["", " ", "\n", "\t\r\n", "\xa0", "\u3000", "\x0b"]),
    st.sampled_from(["", "-", "+", "--", "+-", "- "]),
    st.one_of(
        st.from_regex(r"[0-9_.eE+\-xXoObB]{1,12}", fullmatch=True),
        st.from_regex(
            r"(?:[0-9]{1,400}|[0-9]{0,5}\.[0-9]{0,5})(?:[eE][+-]?[0-9]{1,4})?", fullmatch=True
        ),
        st.sampled_from(
            [
                "converged",
                "nan",
                "np.nan",
                "True",
                "None",
                "inf",
                "Model ridge",
                "np.float64(0.5)",
                "float('nan')",
                "array([1, 2])",
                "r'x'",
                'u"x"',
                "rb'x'",
                "ab'c'",
                "np.float64x(1)",
                "set()",
                "numpy.",
                "_x",
                "x.y.z",
            ]
        ),
        st.text(alphabet="abrRuU_.'\"()[]{}0123456789 -", max_size=12),
    ),
    st.sampled_from(["", "\n", " \n", "\r\n", "\xa0", ", 1", " x"]),
)


@settings(max_examples=4000, deadline=None)
@given(_SHORTCUT_TEXTS)
def test_the_number_and_name_shortcuts_answer_what_the_full_parser_answers(text):
    # Given a short text, perhaps a lone number or a leading name
    from jupyterlab_nbcompare.core.literal import _parse_full, _shortcut, parse_literal

    # When the shortcut decides it, its answer is the full parser's, exactly
    quick = _shortcut(text)
    if quick is not None:
        assert repr(quick) == repr(_parse_full(text))
    # and parse_literal, shortcut or not, always is
    assert repr(parse_literal(text)) == repr(_parse_full(text))


def test_the_shortcuts_decide_the_common_printed_values():
    from jupyterlab_nbcompare.core.literal import _shortcut

    # a printed float, int and negative number need no parser
    assert _shortcut("0.21445786352156676\n") == (True, 0.21445786352156676)
    assert _shortcut(" -3 ") == (True, -3)
    assert repr(_shortcut("-0.0")) == repr((True, -0.0))
    # plain sentences are refused at their first word
    assert _shortcut("converged\n") == (False, None)
    assert _shortcut("Model ridge with alpha=0.1 trained.\n") == (False, None)
    # known names, string prefixes and containers are left to the parser
    for text in ("nan", "np.float64(1)", "r'x'", "['a']", "True", "(1, 2)"):
        assert _shortcut(text) is None
