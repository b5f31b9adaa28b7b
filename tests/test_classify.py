"""Classification of one output into an api.md cell (core.classify)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import struct
import time
import zlib

import matplotlib
import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyterlab_nbcompare.core.classify import (
    MAX_VALUE_DEPTH,
    classify_bundle,
    classify_output,
    classify_text,
    classify_value,
    image_bytes,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from PIL import Image  # Pillow comes with matplotlib

KINDS = {"scalar", "mapping", "sequence", "table", "image", "text", "html", "error"}


def is_nan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


# --------------------------------------------------------------------------
# classify_value


@pytest.mark.parametrize(
    "value", [0, -3, 2**63 - 1, -(2**63), 2**64 - 1, 0.245, -1e-05, True, False]
)
def test_value_numbers_and_bools_are_scalars(value):
    # Given a number or a bool / When classified / Then a scalar holding it
    cell = classify_value(value)
    assert cell == {"kind": "scalar", "value": value}
    assert type(cell["value"]) is type(value)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (2**64, {"kind": "scalar", "value": float(2**64)}),
        (-(2**63) - 1, {"kind": "scalar", "value": float(-(2**63) - 1)}),
        (10**400, {"kind": "text", "text": "1" + "0" * 400}),
        ([10**30], {"kind": "sequence", "items": [1e30]}),
        ({"n": 10**30}, {"kind": "mapping", "items": {"n": {"value": 1e30}}}),
    ],
)
def test_value_integers_beyond_64_bits(value, cell):
    # Given integers JSON (orjson, JavaScript) cannot carry exactly
    # When classified / Then floats, or text beyond the float range, so the
    # response can always be serialized
    assert classify_value(value) == cell
    orjson.dumps(cell)


def test_value_subclasses_become_plain():
    # Given numbers of subclasses (numpy's float64 is a float subclass)
    cell = classify_value({"f": np.float64(0.5), "b": np.bool_(True).item()})
    # When classified / Then plain Python numbers
    assert cell["items"]["f"]["value"] == 0.5
    assert type(cell["items"]["f"]["value"]) is float
    assert type(classify_value(np.float64(2.5))["value"]) is float


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_value_non_finite_floats_stay_floats(value):
    # Given NaN or an infinity / When classified
    cell = classify_value(value)
    # Then a scalar float (the JSON layer writes it as a string later)
    assert cell["kind"] == "scalar"
    assert isinstance(cell["value"], float)
    assert (is_nan(value) and is_nan(cell["value"])) or cell["value"] == value


@pytest.mark.parametrize(
    ("value", "text"), [("hello", "hello"), ("", ""), ("a\nb", "a\nb"), (None, "None")]
)
def test_value_strings_and_none_are_text(value, text):
    # Given a string (or None, which is not a number) / Then text of its value
    assert classify_value(value) == {"kind": "text", "text": text}


def test_value_mapping_flattens_nested_keys_in_order():
    # Given a nested dict as a training loop prints it
    value = {"mse": 0.2, "scores": {"val": {"acc": 0.9}, "test": 0.8}, "name": "x"}
    # When classified
    cell = classify_value(value)
    # Then nested keys are joined with "." in printed order, each with a value
    assert cell == {
        "kind": "mapping",
        "items": {
            "mse": {"value": 0.2},
            "scores.val.acc": {"value": 0.9},
            "scores.test": {"value": 0.8},
            "name": {"value": "x"},
        },
    }
    assert list(cell["items"]) == ["mse", "scores.val.acc", "scores.test", "name"]


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ({}, {}),
        ({"a": {}}, {"a": {"value": {}}}),
        ({True: "y", 0: "z"}, {"True": {"value": "y"}, "0": {"value": "z"}}),
        (
            {2.5: 1, None: 2, (1, "a"): 3},
            {"2.5": {"value": 1}, "None": {"value": 2}, "(1, 'a')": {"value": 3}},
        ),
        ({"a": [1, (2, 3)], "b": None}, {"a": {"value": [1, [2, 3]]}, "b": {"value": None}}),
        ({"a": {"b": 1}, "a.b": 2}, {"a.b": {"value": 2}}),  # the later key wins
        ({"s": {"y", "x"}}, {"s": {"value": ["x", "y"]}}),
        ({"n": {1: {2: 3}}}, {"n.1.2": {"value": 3}}),
    ],
)
def test_value_mapping_edge_cases(value, items):
    # Given dicts with empty, non-string, colliding or container values
    # When classified / Then keys are strings and values JSON-ready
    assert classify_value(value) == {"kind": "mapping", "items": items}


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ([], []),
        ([1, "a", None], [1, "a", None]),
        ((1, 2), [1, 2]),
        ([(1, 2), {"k": (3,)}], [[1, 2], {"k": [3]}]),
        ({3, 1, 2}, [1, 2, 3]),
        ({"b", "c", "a"}, ["a", "b", "c"]),
        ({"x", 2, 1.5, (1,)}, [1.5, 2, "x", [1]]),
        (frozenset({2, 1}), [1, 2]),
    ],
)
def test_value_sequences(value, items):
    # Given lists, tuples and sets / When classified
    # Then a sequence; sets in a stable sorted order (numbers, strings, others),
    # because a set of strings prints in a different order in every process
    assert classify_value(value) == {"kind": "sequence", "items": items}


def test_value_set_with_nan_has_stable_order():
    # Given a set holding NaN among numbers / When classified
    cell = classify_value({2.0, math.nan, 1.0})
    # Then NaN goes after the comparable numbers and sorting does not break
    assert cell["items"][:2] == [1.0, 2.0]
    assert is_nan(cell["items"][2])


def test_value_deep_json_is_capped_and_serializable():
    # Given JSON nested far deeper than anyone prints (a hostile output)
    deep: object = 1
    for _ in range(900):
        deep = [deep]
    # When classified
    cell = classify_value(deep)
    # Then the cell can still be serialized: deep parts are abbreviated
    orjson.dumps(cell)
    node = cell["items"]
    for _ in range(MAX_VALUE_DEPTH - 1):
        assert isinstance(node, list)
        node = node[0]
    assert "[...]" in json.dumps(node)


def test_value_deep_dict_flattens_without_recursion_error():
    # Given dicts nested 2000 deep (beyond Python's recursion limit)
    deep: dict = {"v": 1}
    for _ in range(2000):
        deep = {"k": deep}
    # When classified / Then one flat key holds the leaf
    cell = classify_value(deep)
    assert cell["items"] == {"k." * 2000 + "v": {"value": 1}}


# --------------------------------------------------------------------------
# classify_text


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("0.245\n", {"kind": "scalar", "value": 0.245}),
        ("np.float64(0.245)", {"kind": "scalar", "value": 0.245}),
        ("nan\n", None),  # checked separately below
        ("True\n", {"kind": "scalar", "value": True}),
        (
            "{'mse': np.float64(0.245), 'r2': 0.9}\n",
            {"kind": "mapping", "items": {"mse": {"value": 0.245}, "r2": {"value": 0.9}}},
        ),
        ("['s2', 'bmi']\n", {"kind": "sequence", "items": ["s2", "bmi"]}),
        ("(1, 2)", {"kind": "sequence", "items": [1, 2]}),
        ("'hello'", {"kind": "text", "text": "hello"}),
        ("np.str_('hello')", {"kind": "text", "text": "hello"}),
        ("None\n", {"kind": "text", "text": "None"}),
        ("converged\n", {"kind": "text", "text": "converged"}),
        ("a\nb\n", {"kind": "text", "text": "a\nb"}),
        ("a\n\n", {"kind": "text", "text": "a\n"}),
        ("line\r\n", {"kind": "text", "text": "line"}),
        ("  indented", {"kind": "text", "text": "  indented"}),
        ("", {"kind": "text", "text": ""}),
        (["{'a':\n", " 1}\n"], {"kind": "mapping", "items": {"a": {"value": 1}}}),
        (["x\n", "y\n"], {"kind": "text", "text": "x\ny"}),
    ],
)
def test_text(text, cell):
    # Given stream text or a text/plain repr (maybe as nbformat's list of lines)
    # When classified / Then literals become values, other text stays text
    # (one trailing newline dropped: print adds it, reprs never have it)
    result = classify_text(text)
    if cell is None:
        assert result["kind"] == "scalar"
        assert is_nan(result["value"])
    else:
        assert result == cell


def test_text_too_large_stays_text():
    # Given a literal larger than the parser's bound / When classified
    text = "[" + ", ".join(["0.5"] * 60_000) + "]"
    # Then it stays text, verbatim
    assert classify_text(text) == {"kind": "text", "text": text}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(st.text(max_size=30), max_size=20)))
def test_text_never_raises(text):
    # Given any text / When classified / Then a valid, serializable cell, quickly
    start = time.perf_counter()
    cell = classify_text(text)
    assert time.perf_counter() - start < 1.0  # robustness bound, not a benchmark
    assert cell["kind"] in KINDS
    orjson.dumps(cell)


_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=4),
        st.frozensets(st.one_of(st.integers(), st.text(max_size=5)), max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_any_value_gives_a_serializable_cell(value):
    # Given any nested Python value a literal or JSON can hold / When classified
    cell = classify_value(value)
    # Then a cell of a value kind that orjson serializes
    assert cell["kind"] in {"scalar", "mapping", "sequence", "text"}
    orjson.dumps(cell)


# --------------------------------------------------------------------------
# images


def png_bytes(width: int, height: int) -> bytes:
    """A real RGB PNG written by hand (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pil_bytes(fmt: str, width: int, height: int, **options) -> bytes:
    """A real image written by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 30)).save(buffer, fmt, **options)
    return buffer.getvalue()


def figure_bytes(fmt: str) -> bytes:
    """A real matplotlib figure of 2 x 1 inches at 50 dpi (100 x 50 px)."""
    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.plot([0, 1], [1, 0])
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=50)
    plt.close(fig)
    return buffer.getvalue()


def b64_lines(blob: bytes) -> list[str]:
    """Base64 split into newline-terminated lines, as some writers store it."""
    text = base64.b64encode(blob).decode()
    return [text[i : i + 76] + "\n" for i in range(0, len(text), 76)]


@pytest.mark.parametrize(
    ("mime", "blob", "size"),
    [
        ("image/png", png_bytes(3, 2), (3, 2)),
        ("image/png", png_bytes(640, 1), (640, 1)),
        ("image/png", figure_bytes("png"), (100, 50)),
        ("image/jpeg", pil_bytes("JPEG", 37, 21), (37, 21)),
        ("image/jpeg", pil_bytes("JPEG", 300, 7, progressive=True), (300, 7)),
        ("image/jpeg", figure_bytes("jpg"), (100, 50)),
        ("image/gif", pil_bytes("GIF", 17, 9), (17, 9)),
    ],
    ids=[
        "png-hand",
        "png-wide",
        "png-matplotlib",
        "jpeg",
        "jpeg-progressive",
        "jpeg-matplotlib",
        "gif",
    ],
)
@pytest.mark.parametrize("layout", ["string", "lines"])
def test_raster_images(mime, blob, size, layout):
    # Given a real image, base64 as one string or as nbformat lines
    encoded = base64.b64encode(blob).decode() if layout == "string" else b64_lines(blob)
    data = {mime: encoded, "text/plain": "<Figure size 100x50 with 1 Axes>"}
    # When classified
    cell = classify_bundle(data)
    # Then an image cell: its size from the header, the hash of the decoded bytes
    assert cell == {
        "kind": "image",
        "mime": mime,
        "sha256": hashlib.sha256(blob).hexdigest(),
        "width": size[0],
        "height": size[1],
    }
    # And image_bytes gives exactly those bytes back, for the output endpoint
    assert image_bytes(data, mime) == blob


def test_image_size_from_metadata_when_header_unknown():
    # Given bytes that claim to be a PNG but have no readable header
    blob = b"not really a png"
    data = {"image/png": base64.b64encode(blob).decode()}
    metadata = {"image/png": {"width": 320, "height": 240}}
    # When classified with nbformat's display metadata
    cell = classify_bundle(data, metadata)
    # Then the size comes from the metadata, the hash still from the bytes
    assert (cell["width"], cell["height"]) == (320, 240)
    assert cell["sha256"] == hashlib.sha256(blob).hexdigest()
    # And without metadata the size is unknown
    assert (classify_bundle(data)["width"], classify_bundle(data)["height"]) == (None, None)


def test_image_header_beats_metadata():
    # Given a real PNG whose metadata asks for a smaller display size
    data = {"image/png": base64.b64encode(png_bytes(8, 4)).decode()}
    # When classified / Then width/height are the image's own
    cell = classify_bundle(data, {"image/png": {"width": 2, "height": 1}})
    assert (cell["width"], cell["height"]) == (8, 4)


def test_broken_base64_falls_through_to_text():
    # Given an image whose base64 is broken (bad padding) and a text fallback
    data = {"image/png": "abc", "text/plain": "0.5"}
    # When classified / Then the next usable MIME type wins
    assert classify_bundle(data) == {"kind": "scalar", "value": 0.5}
    with pytest.raises(ValueError, match="base64"):
        image_bytes(data, "image/png")


def test_image_bytes_missing_mime():
    # Given a bundle without the requested MIME type / Then KeyError
    with pytest.raises(KeyError):
        image_bytes({"text/plain": "x"}, "image/png")


@pytest.mark.parametrize(
    ("svg", "size"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"></svg>', (120, 80)),
        ("<svg width='120px' height='80.4px'><rect/></svg>", (120, 80)),
        ('<svg width="144pt" height="72pt" viewBox="0 0 144 72"></svg>', (192, 96)),
        ('<svg width="1in" height="2.54cm"></svg>', (96, 96)),
        ('<svg viewBox="0 0 300 150"></svg>', (300, 150)),
        ('<svg viewBox="0,0,300,150" width="600"></svg>', (600, 300)),
        ('<svg width="100%" height="100%" viewBox="0 0 40 30"></svg>', (40, 30)),
        ('<?xml version="1.0"?>\n<!-- c -->\n<svg\n  height="5"\n  width="7"/>', (7, 5)),
        ("<svg></svg>", (None, None)),
        ('<svg width="10em" height="auto"></svg>', (None, None)),
        ('<svg viewBox="broken"></svg>', (None, None)),
        ("no svg element at all", (None, None)),
    ],
)
def test_svg_size(svg, size):
    # Given SVG text with/without width, height (units) and viewBox
    # When classified / Then the size a browser would give it, in CSS px
    cell = classify_bundle({"image/svg+xml": svg})
    assert cell["kind"] == "image"
    assert cell["mime"] == "image/svg+xml"
    assert (cell["width"], cell["height"]) == size
    assert cell["sha256"] == hashlib.sha256(svg.encode()).hexdigest()


def test_svg_from_matplotlib_as_lines():
    # Given matplotlib's real SVG (2 x 1 in, written in pt), as nbformat lines
    text = figure_bytes("svg").decode()
    lines = text.splitlines(keepends=True)
    # When classified
    cell = classify_bundle({"image/svg+xml": lines, "text/plain": "<Figure>"})
    # Then 144pt x 72pt is 192 x 96 CSS px, and the hash is of the joined text
    assert (cell["width"], cell["height"]) == (192, 96)
    assert cell["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert image_bytes({"image/svg+xml": lines}, "image/svg+xml") == text.encode()


def test_image_mime_order():
    # Given a bundle with every image type plus html and text
    png, gif = png_bytes(1, 1), pil_bytes("GIF", 2, 2)
    bundle = {
        "text/plain": "x",
        "text/html": "<b>x</b>",
        "image/svg+xml": "<svg width='3' height='3'/>",
        "image/gif": base64.b64encode(gif).decode(),
        "image/png": base64.b64encode(png).decode(),
    }
    # When classified / Then api.md's order decides, not the bundle's order
    assert classify_bundle(bundle)["mime"] == "image/png"
    del bundle["image/png"]
    assert classify_bundle(bundle)["mime"] == "image/gif"
    del bundle["image/gif"]
    assert classify_bundle(bundle)["mime"] == "image/svg+xml"
    del bundle["image/svg+xml"]
    assert classify_bundle(bundle)["kind"] == "html"


# --------------------------------------------------------------------------
# tables from pandas


def frame_cell(frame: pd.DataFrame) -> dict:
    """Classify a DataFrame as Jupyter displays it (html + text/plain)."""
    return classify_bundle({"text/html": frame._repr_html_(), "text/plain": repr(frame)})


def test_table_simple_frame():
    # Given a DataFrame with numbers, strings and a NaN
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", np.nan], "c": [0.5, -1e-3]})
    # When its HTML is classified
    cell = frame_cell(frame)
    # Then labels are strings, numbers are numbers, NaN is a float NaN
    assert cell["kind"] == "table"
    assert cell["columns"] == ["a", "b", "c"]
    assert cell["index"] == ["0", "1"]
    assert cell["rows"][0] == [1, "x", 0.5]
    assert cell["rows"][1][0] == 2
    assert is_nan(cell["rows"][1][1])
    assert cell["rows"][1][2] == -0.001


def test_table_named_index_and_columns():
    # Given a frame whose index and columns have names (extra header row)
    frame = pd.DataFrame({"a": [1.5], "b": [True]}, index=pd.Index(["r"], name="idx"))
    frame.columns.name = "cols"
    # When classified / Then the names row is not taken for column labels
    cell = frame_cell(frame)
    assert cell["columns"] == ["a", "b"]
    assert cell["index"] == ["r"]
    assert cell["rows"] == [[1.5, True]]


def test_table_multiindex_rows():
    # Given rows with a two-level index (pandas prints it with rowspan)
    index = pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["l1", "l2"])
    frame = pd.DataFrame({"v": [10, 20, 30, 40]}, index=index)
    # When classified / Then each row label is the list of its levels
    cell = frame_cell(frame)
    assert cell["columns"] == ["v"]
    assert cell["index"] == [["a", "1"], ["a", "2"], ["b", "1"], ["b", "2"]]
    assert cell["rows"] == [[10], [20], [30], [40]]


def test_table_multiindex_columns():
    # Given two-level columns (pandas prints the top level with colspan)
    columns = pd.MultiIndex.from_tuples([("x", "p"), ("x", "q"), ("y", "p")])
    frame = pd.DataFrame([[1, 2, 3], [4, 5, 6]], columns=columns, index=["r1", "r2"])
    # When classified / Then each column label is the list of its levels
    cell = frame_cell(frame)
    assert cell["columns"] == [["x", "p"], ["x", "q"], ["y", "p"]]
    assert cell["index"] == ["r1", "r2"]
    assert cell["rows"] == [[1, 2, 3], [4, 5, 6]]


def test_table_multiindex_both_with_names():
    # Given multi-level rows and columns, all levels named
    columns = pd.MultiIndex.from_tuples([("x", "p"), ("y", "q")], names=["c1", "c2"])
    index = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["i1", "i2"])
    frame = pd.DataFrame([[0.25, np.nan], [-1.0, 2.0]], index=index, columns=columns)
    # When classified
    cell = frame_cell(frame)
    # Then neither level names nor index names leak into the labels
    assert cell["columns"] == [["x", "p"], ["y", "q"]]
    assert cell["index"] == [["a", "1"], ["b", "2"]]
    assert cell["rows"][0][0] == 0.25
    assert is_nan(cell["rows"][0][1])
    assert cell["rows"][1] == [-1.0, 2.0]


def test_table_without_index_and_empty_frames():
    # Given frames printed without an index, and empty frames
    no_index = pd.DataFrame({"a": [1, 2]}).to_html(index=False)
    empty_with_columns = pd.DataFrame(columns=["a", "b"])._repr_html_()
    # When classified
    first = classify_bundle({"text/html": no_index})
    second = classify_bundle({"text/html": empty_with_columns})
    # Then rows are numbered, and an empty frame keeps its columns
    assert first == {"kind": "table", "columns": ["a"], "index": ["0", "1"], "rows": [[1], [2]]}
    assert second == {"kind": "table", "columns": ["a", "b"], "index": [], "rows": []}


def test_table_truncated_frame_as_printed():
    # Given a frame too large for the display options (pandas prints "...")
    frame = pd.DataFrame(np.arange(60).reshape(10, 6))
    with pd.option_context("display.max_rows", 4, "display.max_columns", 4):
        cell = frame_cell(frame)
    # Then the table is what was printed, ellipsis labels included
    assert cell["columns"] == ["0", "1", "...", "4", "5"]
    assert cell["index"] == ["0", "1", "...", "8", "9"]
    assert cell["rows"][0] == [0, 1, "...", 4, 5]
    assert cell["rows"][4] == [54, 55, "...", 58, 59]


def test_table_from_styler_with_entities():
    # Given a Styler's HTML (&nbsp; corner, escaped entities, formatted floats)
    frame = pd.DataFrame({"a": [1.5], "b": ["x & y"]}, index=["r<1>"])
    html = frame.style.format(precision=2).format_index(escape="html").to_html()
    # When classified / Then entities are decoded, the corner is blank
    cell = classify_bundle({"text/html": html})
    assert cell == {
        "kind": "table",
        "columns": ["a", "b"],
        "index": ["r<1>"],
        "rows": [[1.5, "x & y"]],
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("-3", -3),
        ("1.250000", 1.25),
        ("1.234568e+06", 1234568.0),
        ("inf", math.inf),
        ("-inf", -math.inf),
        ("True", True),
        ("False", False),
        ("1,000", "1,000"),
        ("12%", "12%"),
        ("None", "None"),
        ("<NA>", "<NA>"),
        ("2020-01-01", "2020-01-01"),
        ("", ""),
    ],
)
def test_table_cell_values(text, value):
    # Given a cell printed as text by pandas
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = f"<table><tr><th></th><th>c</th></tr><tr><th>r</th><td>{escaped}</td></tr></table>"
    # When classified / Then numbers are numbers and everything else stays text
    cell = classify_bundle({"text/html": html})
    assert cell["rows"] == [[value]]
    assert type(cell["rows"][0][0]) is type(value)


@pytest.mark.parametrize(
    "html",
    [
        "<b>bold</b> no table",
        "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>",  # ragged
        "<table><tr><td>1</td></tr></table><table><tr><td>2</td></tr></table>",  # two tables
        "<table><tr><td><table><tr><td>1</td></tr></table></td></tr></table>",  # nested
        "<table></table>",  # no cells
    ],
    ids=["no-table", "ragged", "two-tables", "nested", "empty"],
)
def test_html_that_is_not_a_table(html):
    # Given HTML that is not one rectangular table / When classified
    # Then it is html, kept verbatim
    assert classify_bundle({"text/html": html, "text/plain": "x"}) == {"kind": "html", "html": html}


def test_html_lines_are_joined():
    # Given html stored as nbformat lines / Then joined verbatim
    cell = classify_bundle({"text/html": ["<p>\n", "hi</p>"]})
    assert cell == {"kind": "html", "html": "<p>\nhi</p>"}


def test_html_table_too_large_stays_html(monkeypatch):
    # Given a table beyond the size bound / When classified / Then html
    import jupyterlab_nbcompare.core.classify as classify

    monkeypatch.setattr(classify, "MAX_TABLE_HTML", 100)
    html = pd.DataFrame({"a": [1]})._repr_html_()
    assert classify_bundle({"text/html": html})["kind"] == "html"


#: Robustness bound for hostile inputs of a few megabytes: a linear parser
#: needs well under a second even on a loaded machine; the quadratic
#: behaviour this guards against took minutes.
HOSTILE_SECONDS = 10.0


@pytest.mark.parametrize(
    "html",
    [
        "<table>" + "<tr><td>1" * 3000,
        "<table><tr><td colspan='999999' rowspan='999999'>x</td></tr>" + "<tr></tr>" * 500,
        "<table><tr>" + "<td colspan=1000>x</td>" * 49_000,
        "<table" + "<" * 20_000,
        "<table>" + "<" * 1_900_000,
        "<table>" + "<a " * 600_000,
        "<table><tr><td a='" + "x" * 1_900_000,
        "<table>" + "<!---->" * 250_000 + "<td>",
        "<table>" + "<!--<td>-->" * 150_000,
        "<table><!--" + "x" * 1_900_000,
        "<table>" + "<script>" * 200_000,
        "<table>" + "<script></script>" * 100_000,
        "<table><tr><td>" + "&" * 1_900_000,
        "<table><tr><th rowspan=3>a</th><td>1</td></tr><tr></tr><tr><td>2</td><td>3</td></tr>",
    ],
    ids=lambda html: f"{html[:20]!r}x{len(html)}",
)
def test_hostile_html_never_raises(html):
    # Given malformed or hostile HTML with a "<table" (html.parser needs
    # minutes for "<a <a <a ..." on this Python: the scanner must not)
    start = time.perf_counter()
    # When classified
    cell = classify_bundle({"text/html": html})
    # Then a cell comes back (a table or html), within the robustness bound
    assert time.perf_counter() - start < HOSTILE_SECONDS
    assert cell["kind"] in {"table", "html"}
    orjson.dumps(cell)


@pytest.mark.parametrize(
    "svg",
    ["<svg " * 400_000, "<svg " + "a" * 1_000_000 + ">", "<svg " + "a=" * 500_000 + ">"],
    ids=["unclosed-tags", "long-name", "many-equals"],
)
def test_hostile_svg_never_raises(svg):
    # Given SVG text built to make attribute scanning slow / When classified
    start = time.perf_counter()
    cell = classify_bundle({"image/svg+xml": svg})
    # Then an image of unknown size, within the robustness bound
    assert time.perf_counter() - start < HOSTILE_SECONDS
    assert (cell["kind"], cell["width"], cell["height"]) == ("image", None, None)


def test_table_ignores_comments_scripts_and_case():
    # Given a table with upper-case tags, a comment and a script holding
    # cell-like markup, a <br> inside a cell and entities
    html = (
        "<TABLE><THEAD><TR><TH>&nbsp;</TH><TH>a<BR>b</TH></TR></THEAD>"
        "<!-- <tr><td>9</td></tr> -->"
        "<TBODY><TR><TH>r</TH><TD>1&#46;5<script>'<td>7</td>'</script></TD></TR></TBODY>"
        "</TABLE>"
    )
    # When classified / Then only the real cells count, text is decoded
    cell = classify_bundle({"text/html": html})
    assert cell == {"kind": "table", "columns": ["a b"], "index": ["r"], "rows": [[1.5]]}


_HTML_PIECES = st.sampled_from(
    [
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th>",
        "<th colspan=2>",
        "<td rowspan='3'>",
        "<thead>",
        "</thead>",
        "<tbody>",
        "<!--",
        "-->",
        "<script>",
        "</script>",
        "<",
        ">",
        "&",
        "&nbsp;",
        "1",
        "x",
        " ",
        "\n",
        "'",
        '"',
        "nan",
        "1.5e3",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_HTML_PIECES, max_size=300).map(lambda pieces: "<table>" + "".join(pieces)))
def test_html_soup_never_raises(html):
    # Given any soup of table markup / When classified
    start = time.perf_counter()
    cell = classify_bundle({"text/html": html})
    # Then a table or html cell, quickly; a table is always rectangular
    assert time.perf_counter() - start < 1.0  # robustness bound, not a benchmark
    assert cell["kind"] in {"table", "html"}
    if cell["kind"] == "table":
        assert len(cell["rows"]) == len(cell["index"])
        assert all(len(row) == len(cell["columns"]) for row in cell["rows"])
    orjson.dumps(cell)


def dataresource(frame: pd.DataFrame) -> dict:
    """The Table Schema JSON that pandas' ``display.html.table_schema`` emits."""
    return json.loads(frame.to_json(orient="table"))


def test_dataresource_simple():
    # Given pandas' Table Schema JSON with a null and strings
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None], "c": [0.5, np.nan]})
    # When classified
    cell = classify_bundle({"application/vnd.dataresource+json": dataresource(frame)})
    # Then the index column is the row labels and missing values are null
    assert cell == {
        "kind": "table",
        "columns": ["a", "b", "c"],
        "index": ["0", "1"],
        "rows": [[1, "x", 0.5], [2, None, None]],
    }


def test_dataresource_multiindex_rows_and_precedence():
    # Given a frame with a two-level index, displayed with both html and JSON
    index = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"])
    frame = pd.DataFrame({"v": [0.1, 0.2]}, index=index)
    bundle = {
        "text/html": "<b>html loses</b>",
        "application/vnd.dataresource+json": dataresource(frame),
    }
    # When classified / Then the JSON wins and each label lists its levels
    cell = classify_bundle(bundle)
    assert cell == {
        "kind": "table",
        "columns": ["v"],
        "index": [["a", "1"], ["b", "2"]],
        "rows": [[0.1], [0.2]],
    }


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame([[1, 2.5], [3, -0.5]]),
        pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=["r1", "r2"]),
        pd.DataFrame(
            {"v": [0.25, 0.5]},
            index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"]),
        ),
    ],
    ids=["int-names", "strings", "multiindex"],
)
def test_dataresource_and_html_agree(frame):
    # Given one frame (short floats, so both forms print the same digits)
    # When classified from its HTML and from its Table Schema JSON
    from_html = classify_bundle({"text/html": frame._repr_html_()})
    from_json = classify_bundle({"application/vnd.dataresource+json": dataresource(frame)})
    # Then both give the same table
    assert from_html == from_json


def test_dataresource_as_string_and_invalid():
    # Given the JSON stored as a string, and an invalid resource beside html
    frame = pd.DataFrame({"a": [1]}, index=["r"])
    as_text = frame.to_json(orient="table")
    broken = {"application/vnd.dataresource+json": {"schema": 1}, "text/html": "<i>x</i>"}
    # When classified / Then the string is parsed; the invalid one falls through
    assert classify_bundle({"application/vnd.dataresource+json": as_text})["index"] == ["r"]
    assert classify_bundle(broken) == {"kind": "html", "html": "<i>x</i>"}


# --------------------------------------------------------------------------
# other bundle types and outputs


@pytest.mark.parametrize(
    ("bundle", "cell"),
    [
        (
            {"application/json": {"a": {"b": 1}}},
            {"kind": "mapping", "items": {"a.b": {"value": 1}}},
        ),
        ({"application/json": [1, 2]}, {"kind": "sequence", "items": [1, 2]}),
        ({"application/json": 3.5, "text/plain": "x"}, {"kind": "scalar", "value": 3.5}),
        ({"text/plain": ["{'a':", " 1}"]}, {"kind": "mapping", "items": {"a": {"value": 1}}}),
        (
            {"text/plain": "<Figure size 640x480 with 1 Axes>"},
            {"kind": "text", "text": "<Figure size 640x480 with 1 Axes>"},
        ),
        ({}, None),
        ({"application/vnd.plotly.v1+json": {}}, None),
        ({"text/plain": 5}, None),
        ("not a dict", None),
    ],
)
def test_bundles(bundle, cell):
    # Given MIME bundles without images or tables / When classified
    assert classify_bundle(bundle) == cell


@pytest.mark.parametrize(
    ("output", "cell"),
    [
        (
            {
                "output_type": "error",
                "ename": "RuntimeError",
                "evalue": "diverged",
                "traceback": [],
            },
            {"kind": "error", "ename": "RuntimeError", "evalue": "diverged"},
        ),
        ({"output_type": "error"}, {"kind": "error", "ename": "", "evalue": ""}),
        (
            {"output_type": "stream", "name": "stdout", "text": "0.5\n"},
            {"kind": "scalar", "value": 0.5},
        ),
        (
            {"output_type": "stream", "name": "stderr", "text": ["warn", "ing\n"]},
            {"kind": "text", "text": "warning"},
        ),
        (
            {
                "output_type": "execute_result",
                "execution_count": 1,
                "metadata": {},
                "data": {"text/plain": "np.int64(3)"},
            },
            {"kind": "scalar", "value": 3},
        ),
        (
            {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<p/>"}},
            {"kind": "html", "html": "<p/>"},
        ),
        ({"output_type": "display_data", "data": None}, None),
        ({"output_type": "stream", "text": None}, None),
        ({"output_type": "future output"}, None),
        ({}, None),
        ([], None),
    ],
)
def test_outputs(output, cell):
    # Given nbformat v4 outputs, well-formed or not / When classified
    assert classify_output(output) == cell


def test_every_corpus_output_classifies(corpus_notebooks):
    # Given every output of the real-world corpus (some files are invalid)
    seen = set()
    for path in corpus_notebooks:
        try:
            notebook = json.loads(path.read_bytes())
        except ValueError:
            continue
        cells = notebook.get("cells") if isinstance(notebook, dict) else None
        for nb_cell in cells if isinstance(cells, list) else []:
            outputs = nb_cell.get("outputs") if isinstance(nb_cell, dict) else None
            for output in outputs if isinstance(outputs, list) else []:
                # When classified
                cell = classify_output(output)
                # Then each is None or a serializable cell of a known kind
                if cell is not None:
                    assert cell["kind"] in KINDS, (path, cell)
                    orjson.dumps(cell)
                    seen.add(cell["kind"])
    # And the corpus exercises the main kinds
    assert {"scalar", "text", "image", "error", "html"} <= seen


def _tagged_outputs(path) -> dict[str, list[dict]]:
    notebook = json.loads(path.read_text())
    return {
        tag: nb_cell.get("outputs", [])
        for nb_cell in notebook["cells"]
        for tag in nb_cell.get("metadata", {}).get("tags", [])
    }


def _stdout(outputs: list[dict]) -> str:
    """The joined ``stdout`` text of a cell's outputs."""
    return "".join(
        "".join(o["text"]) if isinstance(o["text"], list) else o["text"]
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


def test_example_runs(example_runs):
    # Given a real papermill run of examples/template.ipynb
    outputs = _tagged_outputs(example_runs["ridge_alpha1"])
    # When each tagged cell's output is classified
    mse = classify_text(_stdout(outputs["mse"]))
    metrics = classify_text(_stdout(outputs["metrics"]))
    coefficients = classify_output(outputs["coefficients"][-1])
    plot = classify_output(outputs["residuals_plot"][-1])
    # (a print may reach the notebook as one stream output or as several,
    # `['s2', 'bmi', 'age']` then `\n`, depending on when the kernel flushed:
    # the stdout text is their join, as the extractor takes it)
    top = classify_text(_stdout(outputs["top_features"]))
    summary = classify_text(_stdout(outputs["summary"]))
    # Then print(float) is a scalar, and the numpy 2 dict of the same
    # computation has the very same mse
    assert mse["kind"] == "scalar"
    assert isinstance(mse["value"], float)
    assert metrics["kind"] == "mapping"
    assert list(metrics["items"]) == ["mse", "mae", "r2"]
    assert metrics["items"]["mse"]["value"] == mse["value"]
    assert 0 < metrics["items"]["r2"]["value"] <= 1
    # And the DataFrame is a table whose "true" column is the template's truth
    assert coefficients["kind"] == "table"
    assert coefficients["columns"] == ["coef", "true", "abs_error"]
    assert coefficients["index"] == ["age", "bmi", "bp", "s1", "s2"]
    assert [row[1] for row in coefficients["rows"]] == [1.5, -2.0, 0.0, 0.7, 3.0]
    for coef, true, abs_error in coefficients["rows"]:
        assert abs_error == pytest.approx(abs(coef - true), abs=2e-4)
    # And the top features are three of the feature names
    assert top["kind"] == "sequence"
    assert len(top["items"]) == 3
    assert set(top["items"]) <= {"age", "bmi", "bp", "s1", "s2"}
    # And the plot is a PNG whose size is read from its bytes
    assert plot["kind"] == "image"
    assert plot["mime"] == "image/png"
    data = next(o for o in outputs["residuals_plot"] if o.get("output_type") == "display_data")
    blob = image_bytes(data["data"], "image/png")
    assert Image.open(io.BytesIO(blob)).size == (plot["width"], plot["height"])
    assert plot["sha256"] == hashlib.sha256(blob).hexdigest()
    assert summary["kind"] == "text"
    assert summary["text"].startswith("Model ridge with alpha=1")
    assert summary["text"].endswith("Largest coefficient: s2.")


def test_example_failed_run_has_error(example_runs):
    # Given the run that fails on purpose / When its sanity check is classified
    outputs = _tagged_outputs(example_runs["ridge_diverged"])["sanity_check"]
    errors = [classify_output(o) for o in outputs if o.get("output_type") == "error"]
    # Then the error names the exception papermill recorded
    assert errors
    assert errors[-1]["kind"] == "error"
    assert errors[-1]["ename"] == "RuntimeError"
    assert "diverged" in errors[-1]["evalue"]


# Text that looks like base64, with the noise notebooks carry: line breaks,
# spaces, stray padding, characters outside the alphabet, and non-ASCII.
_BASE64_NOISE = st.text(
    alphabet=st.sampled_from(
        list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n \t-_!é")
    ),
    max_size=200,
)


def _insert(text: str, inserts: list[tuple[int, str]]) -> str:
    for position, blank in inserts:
        position = min(position, len(text))
        text = text[:position] + blank + text[position:]
    return text


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        _BASE64_NOISE,
        st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode()),
        # valid base64 with whitespace inserted anywhere
        st.tuples(
            st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode()),
            st.lists(st.tuples(st.integers(0, 400), st.sampled_from([" ", "\n", "\r\n", "\t"]))),
        ).map(lambda pair: _insert(*pair)),
    )
)
def test_image_bytes_decodes_exactly_as_the_standard_library(text):
    """The fast decoder gives ``b64decode(validate=False)``'s bytes, or refuses as it does."""
    try:
        expected = base64.b64decode(text.encode("ascii"), validate=False)
    except (UnicodeEncodeError, ValueError):  # binascii.Error is a ValueError
        expected = None
    try:
        got = image_bytes({"image/png": text}, "image/png")
    except ValueError:
        got = None
    assert got == expected


def test_image_bytes_reads_base64_wrapped_in_lines():
    blob = bytes(range(256)) * 8
    wrapped = base64.encodebytes(blob).decode()  # lines of 76 characters
    assert image_bytes({"image/png": wrapped}, "image/png") == blob
    assert image_bytes({"image/png": wrapped.splitlines(True)}, "image/png") == blob
