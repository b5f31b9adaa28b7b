"""core.extract: the "Named values" rules of api.md, on real papermill runs and edge cases."""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import math
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyterlab_nbcompare.core.extract import (
    extract,
    find_output,
    image_of,
    load_record,
    parse_parameters,
)
from jupyterlab_nbcompare.core.reader import NotebookReadError, parse_notebook

from .conftest import corpus_file

FILES = Path(__file__).parent / "files" / "core"

FEATURES = ["age", "bmi", "bp", "s1", "s2"]
TRUE_COEF = [1.5, -2.0, 0.0, 0.7, 3.0]  # examples/template.ipynb
#: Every kind a cell may have (api.md, "Cell shapes by kind").
KINDS = {"scalar", "mapping", "sequence", "table", "image", "text", "html", "error", "unsupported"}


# ----------------------------------------------------------------------------- builders


def code(outputs=(), tags=None, source="x", **metadata):
    """A code cell; ``tags`` goes to ``metadata.tags`` verbatim (may be junk on purpose)."""
    if tags is not None:
        metadata["tags"] = tags
    return {"cell_type": "code", "metadata": metadata, "outputs": list(outputs), "source": source}


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def display(data, metadata=None, kind="display_data"):
    return {"output_type": kind, "data": data, "metadata": metadata or {}}


def error(ename="ValueError", evalue="bad"):
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def data_scrap(name, data, encoder="json"):
    mime = f"application/scrapbook.scrap.{encoder}+json"
    payload = {"name": name, "data": data, "encoder": encoder, "version": 1}
    return display({mime: payload}, {"scrapbook": {"name": name, "data": True, "display": False}})


def display_scrap(name, data):
    return display(data, {"scrapbook": {"name": name, "data": False, "display": True}})


def notebook(*cells, metadata=None):
    return {"cells": list(cells), "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}


def values_of(record):
    return {(v["origin"], v["name"]): v for v in record["values"]}


def run(example_runs, stem):
    """(notebook dict, record) of one real papermill run."""
    nb = parse_notebook(example_runs[stem].read_bytes())
    return nb, extract(nb)


def stdout_of(nb, tag):
    """The raw stdout text of the (single) cell with this tag, read independently."""
    for cell in nb["cells"]:
        if tag in cell["metadata"].get("tags", []):
            return "".join(
                "".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream"
            )
    raise AssertionError(tag)


# ----------------------------------------------------------------------------- real runs


def test_real_run_lists_every_tag_and_scrap_in_order(example_runs):
    # Given a successful papermill run of the template
    _, record = run(example_runs, "ridge_alpha1")
    # Then its named values are the template's tags and scraps, in notebook order,
    # without papermill's own tags
    assert [(v["origin"], v["name"]) for v in record["values"]] == [
        ("tag", "mse"),
        ("tag", "metrics"),
        ("tag", "coefficients"),
        ("tag", "top_features"),
        ("tag", "residuals_plot"),
        ("tag", "summary"),
        ("scrap", "r2"),
        ("scrap", "config"),
        ("scrap", "note"),
        ("scrap", "test_mse"),
        ("tag", "sanity_check"),
    ]
    assert record["status"] == "ok"
    # And the record is plain JSON (a cache sizes it by its serialisation)
    json.dumps(record, allow_nan=True)


def test_real_run_values_have_the_right_kinds_and_contents(example_runs):
    # Given a successful run
    nb, record = run(example_runs, "ridge_alpha1")
    values = values_of(record)
    # Then the printed mse is a scalar equal to what was printed
    mse = float(stdout_of(nb, "mse"))
    assert values[("tag", "mse")]["cell"] == {"kind": "scalar", "value": mse}
    # And the printed dict of np.float64 is a mapping of plain numbers
    metrics = values[("tag", "metrics")]["cell"]
    assert metrics["kind"] == "mapping"
    assert list(metrics["items"]) == ["mse", "mae", "r2"]
    assert metrics["items"]["mse"]["value"] == pytest.approx(mse, rel=1e-12)
    # And the DataFrame is a table with the template's labels and true coefficients
    table = values[("tag", "coefficients")]["cell"]
    assert table["kind"] == "table"
    assert table["columns"] == ["coef", "true", "abs_error"]
    assert table["index"] == FEATURES
    assert [row[1] for row in table["rows"]] == TRUE_COEF
    # And the printed list is a sequence of three of the features
    top = values[("tag", "top_features")]["cell"]
    assert top["kind"] == "sequence"
    assert len(top["items"]) == 3
    assert set(top["items"]) <= set(FEATURES)
    # And the summary (two print calls) is text
    assert values[("tag", "summary")]["cell"]["text"].startswith("Model ridge with alpha=1.0 ")


def test_real_run_image_is_hashed_and_sized_not_inlined(example_runs):
    # Given the residuals plot of a real run
    nb, record = run(example_runs, "ridge_alpha10")
    cell = values_of(record)[("tag", "residuals_plot")]["cell"]
    png = next(c for c in nb["cells"] if "residuals_plot" in c["metadata"]["tags"])
    raw = base64.b64decode("".join(png["outputs"][0]["data"]["image/png"]))
    # Then the cell has the hash of the real bytes and the PNG's own size, no bytes
    assert cell["kind"] == "image"
    assert cell["mime"] == "image/png"
    assert cell["sha256"] == hashlib.sha256(raw).hexdigest()
    assert (cell["width"], cell["height"]) == tuple(
        int.from_bytes(raw[i : i + 4], "big") for i in (16, 20)
    )
    assert "url" not in cell
    # And image_of gives back exactly those bytes
    assert image_of(nb, "residuals_plot", "tag") == ("image/png", raw)


def test_real_run_scraps_follow_scrapbook(example_runs):
    # Given a run that glued r2, config, note (text encoder) and test_mse (display=True)
    nb, record = run(example_runs, "ridge_alpha100")
    values = values_of(record)
    metrics = values[("tag", "metrics")]["cell"]["items"]
    # Then r2 is the number glued, equal to the printed metrics' r2
    assert values[("scrap", "r2")]["cell"]["value"] == pytest.approx(metrics["r2"]["value"])
    # And the glued dict is a mapping of the run's parameters
    assert values[("scrap", "config")]["cell"]["items"] == {
        "alpha": {"value": 100.0},
        "model": {"value": "ridge"},
        "n_samples": {"value": 200},
    }
    # And the text encoder gives text
    assert values[("scrap", "note")]["cell"] == {"kind": "text", "text": "ridge / alpha=100.0"}
    # And display=True wrote two outputs under one name: one value, the data's, no duplicate
    test_mse = values[("scrap", "test_mse")]
    assert test_mse["cell"] == {"kind": "scalar", "value": float(stdout_of(nb, "mse"))}
    assert not test_mse["duplicate"]
    assert "duplicate" not in test_mse["cell"]


def test_real_run_parameters_are_defaults_overlaid_with_injected(example_runs):
    # Given runs whose grid injected some parameters (examples/generate.py)
    _, record = run(example_runs, "ols_seed1")
    # Then injected values are marked injected, the others are the template's defaults
    assert record["parameters"] == {
        "alpha": {"value": 1.0, "injected": False},
        "n_samples": {"value": 200, "injected": False},
        "noise": {"value": 1.0, "injected": True},
        "seed": {"value": 1, "injected": True},
        "model": {"value": "ols", "injected": True},
        "fail": {"value": False, "injected": False},
    }


def test_real_run_duration_is_papermills(example_runs):
    # Given a papermill run
    nb, record = run(example_runs, "ridge_small_n")
    # Then the duration is the one papermill recorded, in seconds
    assert record["duration"] == nb["metadata"]["papermill"]["duration"]
    assert record["duration"] > 0


def test_failed_real_run(example_runs):
    # Given the run that raises on purpose in its sanity_check cell, after printing
    _, record = run(example_runs, "ridge_diverged")
    values = values_of(record)
    # Then the notebook is failed and the tagged cell's value is the error
    assert record["status"] == "failed"
    check = values[("tag", "sanity_check")]["cell"]
    assert check["kind"] == "error"
    assert check["ename"] == "RuntimeError"
    assert check["evalue"] == "training diverged for alpha=1000.0"
    # And its parts list the print and the error, in order
    assert check["parts"] == [
        {"kind": "text", "text": "checking convergence..."},
        {"kind": "error", "ename": "RuntimeError", "evalue": "training diverged for alpha=1000.0"},
    ]
    # And papermill's error markdown cells (tagged papermill-error-cell-tag) name nothing
    assert not any(v["name"].startswith("papermill") for v in record["values"])
    assert record["parameters"]["fail"] == {"value": True, "injected": True}


# ----------------------------------------------------------------------------- hand-made file


@pytest.fixture(scope="module")
def edge():
    nb = parse_notebook((FILES / "edge_cases.ipynb").read_bytes())
    return nb, extract(nb), values_of(extract(nb))


def test_markdown_raw_and_papermill_tags_name_nothing(edge):
    # Given tags on a markdown cell, a raw cell, and papermill's parameters cells
    _, _, values = edge
    names = {name for _, name in values}
    # Then none of them is a name; a user tag on the parameters cell still is
    assert not names & {"md_tag", "raw_tag", "parameters", "injected-parameters"}
    assert "params_extra" in names


@pytest.mark.parametrize("tag", ["no_output", "only_stderr", "params_extra"])
def test_tagged_cell_without_value_has_a_null_cell(edge, tag):
    # Given a tagged cell without outputs, or with only stderr
    _, _, values = edge
    # Then the name exists and its cell is null
    assert values[("tag", tag)]["cell"] is None


def test_print_then_raise_is_an_error_with_parts(edge):
    # Given a tagged cell that printed, then raised
    _, record, values = edge
    cell = values[("tag", "print_then_raise")]["cell"]
    # Then its value is the error and the parts keep the print, in order
    assert cell["kind"] == "error"
    assert (cell["ename"], cell["evalue"]) == ("ValueError", "bad input")
    assert [p["kind"] for p in cell["parts"]] == ["text", "error"]
    assert cell["parts"][0]["text"] == "checking..."
    # And an error anywhere (here also an untagged cell) fails the notebook
    assert record["status"] == "failed"


def test_stdout_streams_are_joined(edge):
    # Given a tagged cell that printed "1" and then "2\n" in two stream outputs
    _, _, values = edge
    cell = values[("tag", "joined_stdout")]["cell"]
    # Then the value is read from all the stdout text joined ("12"), not the last one
    assert cell["kind"] == "scalar"
    assert cell["value"] == 12
    # And each output is also a part
    assert [p["value"] for p in cell["parts"]] == [1, 2]


def test_multi_output_cell_primary_and_parts(edge):
    # Given a cell (with two tags) printing, warning, showing two images then a result
    _, _, values = edge
    for tag in ("multi", "also_multi"):
        cell = values[("tag", tag)]["cell"]
        # Then the primary is the last rich output (the 0.5 result)
        assert (cell["kind"], cell["value"]) == ("scalar", 0.5)
        # And every output is a part, stderr included, images with their index
        assert [p["kind"] for p in cell["parts"]] == ["text", "text", "image", "image", "scalar"]
        assert cell["parts"][1]["text"] == "noise"
        assert [p.get("part") for p in cell["parts"]] == [None, None, 2, 3, None]
        assert (cell["parts"][2]["width"], cell["parts"][2]["height"]) == (3, 2)
        assert (cell["parts"][3]["width"], cell["parts"][3]["height"]) == (4, 5)
        assert not values[("tag", tag)]["duplicate"]


def test_image_of_parts(edge):
    # Given the multi-output cell's two images
    nb, _, values = edge
    parts = values[("tag", "multi")]["cell"]["parts"]
    # When image parts are fetched, Then their bytes hash to the parts' sha256
    for index in (2, 3):
        mime, raw = image_of(nb, "multi", "tag", index)
        assert mime == "image/png"
        assert raw.startswith(b"\x89PNG")
        assert hashlib.sha256(raw).hexdigest() == parts[index]["sha256"]
    # And what is not an image leads nowhere
    for part in (None, 0, 1, 4, 5, -1):
        assert image_of(nb, "multi", "tag", part) is None
    assert image_of(nb, "multi", "scrap", 2) is None
    assert image_of(nb, "nope", "tag", 2) is None


def test_find_output_primary(edge):
    # Given the edge notebook
    nb, _, _ = edge
    # Then the primary of joined stdout is one stream with all the text
    assert find_output(nb, "joined_stdout") == {
        "output_type": "stream",
        "name": "stdout",
        "text": "12\n",
    }
    # And an erroring cell's primary is its error, a multi-output one its last result
    assert find_output(nb, "print_then_raise")["output_type"] == "error"
    assert find_output(nb, "multi")["data"]["text/plain"] == "0.5"
    # And a cell without value has no output
    assert find_output(nb, "no_output") is None
    assert find_output(nb, "md_tag") is None


def test_tags_as_a_string_and_junk_tags(edge):
    # Given "tags": "loss_string_tag" (a string, not a list), and [..., 42, None]
    _, _, values = edge
    # Then the string is one tag and junk entries are ignored
    assert values[("tag", "loss_string_tag")]["cell"] == {"kind": "scalar", "value": 3.0}
    assert not any(name in ("42", "None") for _, name in values)


def test_duplicate_tag_last_wins(edge):
    # Given two cells tagged "dup" printing 7 then 8
    _, _, values = edge
    dup = values[("tag", "dup")]
    # Then the last wins and is marked duplicate
    assert dup["cell"] == {"kind": "scalar", "value": 8, "duplicate": True}
    assert dup["duplicate"] is True


def test_unclassifiable_output_is_unsupported(edge):
    # Given a tagged cell whose only output is JavaScript
    _, _, values = edge
    cell = values[("tag", "js_only")]["cell"]
    # Then it is a value that says it cannot be shown (not a crash, not a missing name)
    assert cell["kind"] == "unsupported"
    assert cell["message"]


def test_metadata_parameters_win_over_injected_cell(edge):
    # Given metadata.papermill.parameters alpha=3 and an injected cell alpha=2 (default 1)
    _, record, _ = edge
    # Then the metadata wins, and the papermill duration is read
    assert record["parameters"] == {"alpha": {"value": 3, "injected": True}}
    assert record["duration"] == 1.5


def test_injected_cell_when_no_metadata():
    # Given a notebook with a parameters cell and an injected cell but no papermill metadata
    record = load_record((FILES / "parameters_cell_only.ipynb").read_bytes())
    params = record["parameters"]
    # Then defaults of every literal shape are parsed, never run
    assert params["alpha"] == {"value": 0.25, "injected": True}
    assert params["new_one"] == {"value": "x", "injected": True}
    assert params["layers"] == {"value": [64, 32], "injected": False}
    assert params["opts"]["value"] == {"lr": 0.001, "x": [1, 2]}
    assert params["nothing"] == {"value": None, "injected": False}
    assert params["n"]["value"] == 10
    assert (params["a"]["value"], params["b"]["value"]) == (7, 7)
    assert (params["c"]["value"], params["d"]["value"]) == (1, "two")
    # And non-literal defaults keep their source (even after an IPython magic line)
    assert params["start"] == {"value": None, "source": "datetime.now()", "injected": False}
    assert params["limit"] == {"value": None, "source": "float('inf')", "injected": False}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a = -1", {"a": -1}),
        ("a = -1.5e-3", {"a": -0.0015}),
        ("a = (1, -2)", {"a": [1, -2]}),
        ("a = {'k': (1,)}", {"a": {"k": [1]}}),
        ("a = {1: 'x'}", {"a": {"1": "x"}}),
        ("a = 'x'\na = 'y'", {"a": "y"}),
        ("a = b'raw'", {"a": None}),
        ("a = 1 +", {}),
        ("import os\nfor i in range(3): pass", {}),
    ],
)
def test_parse_parameters_literals(source, expected):
    # Given a parameters cell source
    parsed = parse_parameters(source, injected=False)
    # Then the literal values (as JSON types) are read; nothing is executed
    assert {name: entry["value"] for name, entry in parsed.items()} == expected


def test_parse_parameters_never_runs_code(tmp_path):
    # Given a parameters cell whose default would write a file if it ran
    target = tmp_path / "ran"
    parsed = parse_parameters(f"x = open({str(target)!r}, 'w').write('x')", injected=False)
    # Then the default is its source and nothing was written
    assert parsed["x"]["value"] is None
    assert parsed["x"]["source"].startswith("open(")
    assert not target.exists()


_EXPRESSIONS = [
    "b",
    "f(1,\n  2)",
    "'é' + z",
    "[q,\r\n w]",
    "{'k': v}",
    "(\n\n w)",
    "x if y else 'π'",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_EXPRESSIONS), st.sampled_from(["\n", "\r\n", "\r", "\n\n"])),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["", "# c\n", "%matplotlib inline\n"]),
)
def test_parse_parameters_sources_are_those_ast_gives(assignments, prefix):
    # Given a parameters cell of non-literal defaults over any line endings, with
    # non-ASCII text (ast's positions are UTF-8 byte offsets) and maybe a magic
    source = prefix + "".join(f"n{i} = {expr}{end}" for i, (expr, end) in enumerate(assignments))
    # When it is parsed
    parsed = parse_parameters(source, injected=False)
    # Then each default's source is the segment ast.get_source_segment gives
    clean = "\n".join("" if line.startswith("%") else line for line in source.splitlines())
    text = source if not prefix.startswith("%") else clean
    expected = {
        target.id: ast.get_source_segment(text, node.value)
        for node in ast.parse(text).body
        for target in node.targets
    }
    assert {name: entry["source"] for name, entry in parsed.items()} == expected


def test_many_tags_on_one_cell_name_it_once_each_in_order():
    # Given a cell with thousands of distinct tags, each repeated, and papermill's own
    tags = [f"t{i}" for i in range(5000)]
    record = extract(notebook(code([stream("1\n")], tags=[*tags, "parameters", *reversed(tags)])))
    # Then every tag names the value once, in order of first appearance, and a
    # tag repeated on one cell is not a tag on two cells
    assert [value["name"] for value in record["values"]] == tags
    assert not any(value["duplicate"] for value in record["values"])


# ----------------------------------------------------------------------------- dict edge cases


@pytest.mark.parametrize("tags", [5, None, {"a": 1}, [], [""], [3.5]])
def test_junk_tags_name_nothing(tags):
    # Given a code cell whose tags are not strings
    record = extract(notebook(code([stream("1\n")], tags=tags)))
    # Then it names nothing
    assert record["values"] == []


@pytest.mark.parametrize(
    "cell",
    [
        {"cell_type": "code", "metadata": "nope", "outputs": [stream("1")]},
        {"cell_type": "code", "metadata": {"tags": ["t"]}, "outputs": "nope"},
        {"cell_type": "code", "metadata": {"tags": ["t"]}, "outputs": [1, None, "x"]},
        {"cell_type": "code", "metadata": {"tags": ["t"]}},
        {"metadata": {"tags": ["t"]}, "outputs": [stream("1")]},
        {"cell_type": "code", "metadata": {"tags": ["t"]}, "outputs": [{"output_type": "?"}]},
        {"cell_type": "code", "metadata": {"tags": ["t"]}, "outputs": [display("not a dict")]},
    ],
)
def test_malformed_cells_do_not_crash(cell):
    # Given a cell with malformed metadata or outputs
    record = extract(notebook(cell))
    # Then extraction still gives a record (the name may have no value)
    assert record["status"] in ("ok", "failed")
    for value in record["values"]:
        assert value["cell"] is None or value["cell"]["kind"] in KINDS


def test_papermill_exception_without_error_output_is_failed():
    # Given papermill recorded an exception but no cell shows an error output
    nb = notebook(code([stream("1\n")]), metadata={"papermill": {"exception": True}})
    # Then the notebook is failed
    assert extract(nb)["status"] == "failed"


@pytest.mark.parametrize(
    ("papermill", "duration"),
    [
        ({"duration": 2.5}, 2.5),
        ({"metrics": {"duration": 3.6}}, 3.6),  # papermill < 1.0
        ({"duration": True}, None),
        ({"duration": "long"}, None),
        ({}, None),
        ("junk", None),
    ],
)
def test_duration(papermill, duration):
    # Given papermill metadata of various ages and qualities
    record = extract(notebook(metadata={"papermill": papermill}))
    # Then the duration is a number of seconds or null
    assert record["duration"] == duration


def test_glue_display_true_is_one_value_and_data_wins():
    # Given sb.glue(name, x, display=True): a data scrap and a display scrap
    nb = notebook(
        code([data_scrap("acc", 0.9), display_scrap("acc", {"text/plain": "0.9000"})]),
    )
    values = values_of(extract(nb))
    # Then there is one value, the data's, not a duplicate
    assert list(values) == [("scrap", "acc")]
    assert values[("scrap", "acc")]["cell"] == {"kind": "scalar", "value": 0.9}
    assert values[("scrap", "acc")]["duplicate"] is False


def test_display_only_scrap_is_its_display_output():
    # Given a display-only scrap of an image (sb.glue(name, fig, encoder="display"))
    png = (FILES / "edge_cases.ipynb").read_bytes()
    red = json.loads(png)["cells"][8]["outputs"][2]["data"]["image/png"]
    nb = notebook(code([display_scrap("plot", {"image/png": red, "text/plain": "<Figure>"})]))
    cell = values_of(extract(nb))[("scrap", "plot")]["cell"]
    # Then the value is the image, and its bytes can be fetched under origin "scrap"
    assert cell["kind"] == "image"
    _, raw = image_of(nb, "plot", "scrap")
    assert hashlib.sha256(raw).hexdigest() == cell["sha256"]
    assert image_of(nb, "plot", "tag") is None


def test_scrap_glued_twice_is_duplicate_last_wins():
    # Given the same name glued in two cells
    nb = notebook(code([data_scrap("n", 1)]), code([data_scrap("n", 2)]))
    value = values_of(extract(nb))[("scrap", "n")]
    # Then the last wins and is marked duplicate
    assert value["cell"] == {"kind": "scalar", "value": 2, "duplicate": True}


@pytest.mark.parametrize(
    ("scrap", "expected"),
    [
        (data_scrap("s", "42", "text"), {"kind": "text", "text": "42"}),
        (data_scrap("s", 42, "text"), {"kind": "text", "text": "42"}),
        (data_scrap("s", "[1, 2]", "json"), {"kind": "sequence", "items": [1, 2]}),
        (data_scrap("s", "hello", "json"), {"kind": "text", "text": "hello"}),
        (
            data_scrap("s", {"a": {"b": 1}}, "json"),
            {"kind": "mapping", "items": {"a.b": {"value": 1}}},
        ),
        (data_scrap("s", True, "json"), {"kind": "scalar", "value": True}),
    ],
    ids=["text-str", "text-int", "json-string-doc", "json-plain-string", "json-nested", "bool"],
)
def test_scrap_encoders(scrap, expected):
    # Given a data scrap of a given encoder
    cell = values_of(extract(notebook(code([scrap]))))[("scrap", "s")]["cell"]
    # Then the value follows the encoder (text always text; json as a Python value)
    assert cell == expected


def test_unknown_encoder_is_unsupported():
    # Given a scrap written by a custom encoder
    cell = values_of(extract(notebook(code([data_scrap("s", "AAAA", "custom")]))))[("scrap", "s")][
        "cell"
    ]
    # Then it is unsupported, with a message naming the encoder
    assert cell["kind"] == "unsupported"
    assert "custom" in cell["message"]


def test_pandas_scrap_is_a_table():
    # Given a pandas scrap as scrapbook writes it (base64 parquet through pyarrow)
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"loss": [0.5, float("nan")], "name": ["a", "b"]}, index=["x", "y"])
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow")
    encoded = base64.b64encode(buffer.getvalue()).decode()
    cell = values_of(extract(notebook(code([data_scrap("df", encoded, "pandas")]))))[
        ("scrap", "df")
    ]["cell"]
    # Then it is a table with labels as strings and numbers as numbers
    assert cell["kind"] == "table"
    assert cell["columns"] == ["loss", "name"]
    assert cell["index"] == ["x", "y"]
    assert cell["rows"][0] == [0.5, "a"]
    assert math.isnan(cell["rows"][1][0])


def test_pandas_scrap_that_expands_past_the_table_bound_is_unsupported():
    # Given a pandas scrap of a few kB that decompresses to a million rows
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"x": [0] * 1_000_000})
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow")
    assert len(buffer.getvalue()) < 100_000
    encoded = base64.b64encode(buffer.getvalue()).decode()
    cell = values_of(extract(notebook(code([data_scrap("big", encoded, "pandas")]))))[
        ("scrap", "big")
    ]["cell"]
    # Then it is refused from the parquet footer, with the size in the message
    assert cell["kind"] == "unsupported"
    assert "1000000 rows" in cell["message"]


def test_undecodable_pandas_scrap_is_unsupported():
    # Given a pandas scrap whose data is not parquet
    nb = notebook(code([data_scrap("df", base64.b64encode(b"nope").decode(), "pandas")]))
    cell = values_of(extract(nb))[("scrap", "df")]["cell"]
    # Then it is unsupported with a message
    assert cell["kind"] == "unsupported"
    assert "pandas" in cell["message"]


def test_real_scrapbook_collection():
    # Given scrapbook's own test result notebook (glued text with display=True)
    record = load_record(
        corpus_file("scrapbook/scrapbook/tests/notebooks/collection/result1.ipynb").read_bytes()
    )
    values = values_of(record)
    # Then the scraps are read, and text+display is one text value
    assert values[("scrap", "output")]["cell"] == {"kind": "text", "text": "Hello World!"}
    assert values[("scrap", "list")]["cell"] == {"kind": "sequence", "items": [1, 2, 3]}
    assert values[("scrap", "dict")]["cell"]["items"] == {"a": {"value": 1}, "b": {"value": 2}}
    assert not any(v["duplicate"] for v in record["values"])


def test_nbformat3_values():
    # Given a hand-made nbformat 3 notebook with tags
    record = load_record((FILES / "nbformat3.ipynb").read_bytes())
    values = values_of(record)
    # Then pyout, stream and pyerr outputs give values like their v4 forms
    assert values[("tag", "answer")]["cell"] == {"kind": "scalar", "value": 42}
    assert values[("tag", "greeting")]["cell"] == {"kind": "text", "text": "hi"}
    assert values[("tag", "boom")]["cell"]["kind"] == "error"
    assert record["status"] == "failed"


def test_load_record_invalid_json():
    # Given a truncated file
    with pytest.raises(NotebookReadError) as caught:
        load_record((FILES / "invalid_json.ipynb").read_bytes())
    # Then it is a read error with the invalid_json code
    assert caught.value.code == "invalid_json"


def test_extract_does_not_modify_the_notebook(example_runs):
    # Given a parsed real run
    nb = parse_notebook(example_runs["ridge_alpha0.1"].read_bytes())
    before = json.dumps(nb, sort_keys=True)
    # When it is extracted twice
    first, second = extract(nb), extract(nb)
    # Then the notebook is unchanged and the records equal
    assert json.dumps(nb, sort_keys=True) == before
    assert first == second


OUTPUT = st.fixed_dictionaries(
    {"output_type": st.sampled_from(["stream", "display_data", "execute_result", "error", "x"])},
    optional={
        "name": st.sampled_from(["stdout", "stderr", 3]),
        "text": st.one_of(st.text(max_size=8), st.lists(st.text(max_size=4), max_size=3)),
        "data": st.dictionaries(
            st.sampled_from(
                [
                    "text/plain",
                    "text/html",
                    "image/png",
                    "application/json",
                    "application/scrapbook.scrap.json+json",
                    "application/scrapbook.scrap.text+json",
                ]
            ),
            st.one_of(
                st.text(max_size=8),
                st.integers(),
                st.none(),
                st.dictionaries(st.just("name"), st.text(max_size=3)),
            ),
            max_size=3,
        ),
        "metadata": st.one_of(
            st.just({}), st.just({"scrapbook": {"name": "s", "display": True}}), st.none()
        ),
        "ename": st.text(max_size=3),
    },
)
CELL = st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown", "raw", None])},
    optional={
        "metadata": st.one_of(
            st.just({}),
            st.fixed_dictionaries(
                {
                    "tags": st.one_of(
                        st.text(max_size=3),
                        st.lists(st.one_of(st.text(max_size=3), st.integers()), max_size=3),
                        st.none(),
                    )
                }
            ),
        ),
        "outputs": st.one_of(st.lists(OUTPUT, max_size=4), st.none(), st.text(max_size=2)),
        "source": st.one_of(st.text(max_size=20), st.just("a = 1\nb = [1, 2]")),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CELL, max_size=6))
def test_arbitrary_cells_give_a_json_record(cells):
    # Given arbitrary, often malformed, cells
    nb = notebook(*cells)
    # When the notebook is parsed from its bytes and extracted (no safety net)
    try:
        parsed = parse_notebook(json.dumps(nb))
    except NotebookReadError:
        return
    record = extract(parsed)
    # Then the record is JSON with the documented keys
    assert set(record) == {"status", "failure", "duration", "parameters", "generated", "values"}
    json.dumps(record)


def test_deeply_nested_injected_parameters_are_cut():
    # Given papermill metadata whose injected value nests 600 lists deep (valid JSON)
    value = 1
    for _ in range(600):
        value = [value]
    nb = notebook(metadata={"papermill": {"parameters": {"deep": value, "alpha": 0.5}}})
    # When the record is extracted
    record = load_record(json.dumps(nb))
    # Then the value is kept to a bounded depth, so any serialiser can carry it
    depth, inner = 0, record["parameters"]["deep"]["value"]
    while isinstance(inner, list):
        depth, inner = depth + 1, inner[0]
    assert 0 < depth <= 32
    assert inner == "..."
    assert record["parameters"]["alpha"] == {"value": 0.5, "injected": True}
    orjson.dumps(record)


@pytest.mark.parametrize(("exception", "status"), [(True, "failed"), (False, "ok"), (None, "ok")])
def test_papermill_cell_exception_mark(exception, status):
    # Given a cell papermill marked (or not) as the one that raised, its outputs cleared
    cell = code([stream("1\n")], papermill={"exception": exception, "status": "failed"})
    # Then only a true mark fails the notebook
    assert extract(notebook(cell))["status"] == status


def test_image_of_skips_an_unreadable_image_like_classification():
    # Given a bundle whose PNG is not ASCII base64 but whose SVG is fine
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"></svg>'
    nb = notebook(
        code([display({"image/png": "é not base64", "image/svg+xml": svg})], tags=["fig"])
    )
    cell = values_of(extract(nb))[("tag", "fig")]["cell"]
    # Then the value and the served bytes are both the SVG's
    assert (cell["kind"], cell["mime"]) == ("image", "image/svg+xml")
    assert image_of(nb, "fig") == ("image/svg+xml", svg.encode())
    assert hashlib.sha256(svg.encode()).hexdigest() == cell["sha256"]


def test_a_record_says_whether_the_extension_generated_the_notebook(example_runs):
    # Given a real run, and the comparison notebook the panel exports
    _, run_record = run(example_runs, "ridge_alpha1")
    exported = Path(__file__).parent / "files" / "generated" / "comparison.ipynb"
    # When each is extracted
    export_record = extract(parse_notebook(exported.read_bytes()))
    # Then only the export is marked generated (its metadata.nbcompare says so)
    assert run_record["generated"] is False
    assert export_record["generated"] is True
    # And a mark that is not the extension's (no dict, or generated false) is no mark
    for mark in ({"generated": False}, "generated", {"other": 1}):
        assert extract(notebook(metadata={"nbcompare": mark}))["generated"] is False
