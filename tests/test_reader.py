"""core.reader: every file becomes a notebook dict or one clear NotebookReadError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyterlab_nbcompare.core.reader import NotebookReadError, parse_notebook

from .conftest import corpus_file

FILES = Path(__file__).parent / "files" / "core"

MINIMAL = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("as_text", [False, True], ids=["bytes", "str"])
def test_minimal_notebook_parses_from_bytes_and_text(as_text):
    # Given the smallest valid notebook, as bytes or as text
    raw = json.dumps(MINIMAL)
    # When it is parsed
    nb = parse_notebook(raw if as_text else raw.encode())
    # Then the same dict comes back
    assert nb == MINIMAL


def test_bare_nan_literal_is_accepted():
    # Given a notebook written by Python's json module with a bare NaN (orjson refuses it)
    raw = (FILES / "nan_literal.ipynb").read_bytes()
    assert b"NaN" in raw
    # When it is parsed
    nb = parse_notebook(raw)
    # Then the NaN survives as a float NaN
    value = nb["cells"][0]["outputs"][0]["data"]["application/json"]["v"]
    assert value != value


def test_utf8_byte_order_mark_is_accepted():
    # Given a notebook saved with a UTF-8 BOM (some Windows editors do this)
    raw = b"\xef\xbb\xbf" + json.dumps(MINIMAL).encode()
    # When it is parsed, Then it reads like the same file without the BOM
    assert parse_notebook(raw) == MINIMAL


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ((FILES / "invalid_json.ipynb").read_bytes(), "invalid_json", "not valid JSON"),
        (b"", "invalid_json", "empty"),
        (b"   \n", "invalid_json", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "invalid_json", "not valid JSON"),
        ((FILES / "not_a_notebook.ipynb").read_bytes(), "invalid_notebook", "list"),
        (b'"just a string"', "invalid_notebook", "str"),
        (b'{"metadata": {}, "nbformat": 4}', "invalid_notebook", "cells"),
        (b'{"cells": {"a": 1}, "nbformat": 4}', "invalid_notebook", "cells"),
        (b'{"cells": [1, 2], "nbformat": 4}', "invalid_notebook", "Cell 0"),
        (b'{"nbformat": 0, "worksheets": []}', "invalid_notebook", "nbformat"),
        (b'{"nbformat": 3, "worksheets": "nope"}', "invalid_notebook", "worksheets"),
        (b"[" * 100_000 + b"]" * 100_000, "invalid_json", ""),
    ],
    ids=[
        "truncated",
        "empty",
        "blank",
        "binary",
        "top-level-list",
        "top-level-string",
        "no-cells",
        "cells-not-list",
        "cell-not-object",
        "unknown-version",
        "bad-worksheets",
        "deeply-nested",
    ],
)
def test_unreadable_files_raise_a_coded_error(raw, code, words):
    # Given content that is not a readable notebook
    # When it is parsed
    with pytest.raises(NotebookReadError) as caught:
        parse_notebook(raw)
    # Then the error carries the contract's code and a message saying what is wrong
    assert caught.value.code == code
    assert words in caught.value.message
    assert caught.value.as_dict() == {"code": code, "message": caught.value.message}


def test_nbformat3_is_upgraded_to_cells_and_v4_outputs():
    # Given a hand-made nbformat 3 notebook (worksheets, pyout, pyerr, stream "stream" key)
    nb = parse_notebook((FILES / "nbformat3.ipynb").read_bytes())
    # Then it has v4 cells: the heading became markdown, outputs have v4 types
    assert [cell["cell_type"] for cell in nb["cells"]] == ["markdown", "code", "code", "code"]
    kinds = [[o["output_type"] for o in cell.get("outputs", [])] for cell in nb["cells"]]
    assert kinds == [[], ["execute_result"], ["stream"], ["error"]]
    # And cell metadata (the tags) is kept
    assert nb["cells"][1]["metadata"]["tags"] == ["answer"]
    assert nb["cells"][2]["outputs"][0]["name"] == "stdout"


@pytest.mark.parametrize(
    ("name", "cells"),
    [
        ("test2.ipynb", 21),
        ("test3.ipynb", 9),
        ("test3_no_metadata.ipynb", 9),
        ("test3_no_min_version.ipynb", 0),
        ("test3_no_worksheets.ipynb", 0),
        ("test3_worksheet_with_no_cells.ipynb", 0),
    ],
)
def test_real_old_notebooks_are_upgraded(name, cells):
    # Given nbformat's own v2/v3 test notebooks, some with missing keys
    nb = parse_notebook(corpus_file(f"nbformat/tests/{name}").read_bytes())
    # Then they come back with a cells list of the expected length
    assert isinstance(nb["cells"], list)
    assert len(nb["cells"]) == cells


def test_lenient_about_what_nbformat_validation_would_refuse():
    # Given a notebook whose metadata is wrong in many ways (tags a string, kernelspec a string)
    raw = corpus_file("nbformat/tests/v4_5_invalid_metadata.ipynb").read_bytes()
    # When it is parsed, Then it reads (the extractor copes with the odd fields)
    nb = parse_notebook(raw)
    assert nb["cells"][0]["metadata"]["tags"] == "BAD: should be list of str"


def test_reader_never_raises_anything_else_on_the_corpus(corpus_notebooks):
    # Given every notebook of the real-world corpus
    for path in corpus_notebooks:
        # When it is parsed, Then it is a dict with cells, or a NotebookReadError
        try:
            nb = parse_notebook(path.read_bytes())
        except NotebookReadError as error:
            code = error.code
        else:
            code = "ok" if isinstance(nb["cells"], list) else "no cells"
        assert code in {"ok", "invalid_json", "invalid_notebook"}, path


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["cells", "nbformat", "worksheets", "metadata", "outputs", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=64), JSON_VALUES.map(lambda v: json.dumps(v).encode())))
def test_arbitrary_input_gives_a_notebook_or_a_read_error(raw):
    # Given arbitrary bytes or arbitrary JSON shaped a bit like a notebook
    # When it is parsed, Then the only possible failure is a NotebookReadError
    try:
        nb = parse_notebook(raw)
    except NotebookReadError as error:
        failure = (error.code, bool(error.message))
    else:
        failure = None
        assert isinstance(nb["cells"], list)
        assert all(isinstance(cell, dict) for cell in nb["cells"])
    assert failure in (None, ("invalid_json", True), ("invalid_notebook", True))
