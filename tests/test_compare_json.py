"""core.compare.compare_json: the server's row-by-row serialisation of the answer.

The server sends ``compare_json``'s bytes; the CLI and the Python API use
``compare``. Both must agree byte for byte, including the contract's spelling
of non-finite numbers, so these tests compare the two on the same inputs.
"""

from __future__ import annotations

import math

import orjson
import pytest

from jupyterlab_nbcompare.core.classify import is_plain_json
from jupyterlab_nbcompare.core.compare import compare, compare_json

NAN = float("nan")


def entry(path, cells, parameters=None, flagged=False):
    """A readable notebook whose tagged values are ``{name: cell}``.

    ``flagged``: each value says whether it is plain JSON, as extraction
    records it (without the flag, the comparison checks for itself).
    """
    values = [
        {"name": name, "origin": "tag", "cell": cell, "cell_index": 0}
        for name, cell in cells.items()
    ]
    if flagged:
        for value in values:
            value["plain"] = is_plain_json(value["cell"])
    record = {"status": "ok", "duration": 1.5, "parameters": parameters or {}, "values": values}
    return {"path": path, "last_modified": None, "record": record, "error": None}


UNREADABLE = {
    "path": "broken.ipynb",
    "last_modified": None,
    "record": None,
    "error": {"code": "invalid_json", "message": "The file is not valid JSON."},
}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            {"kind": "scalar", "value": 0.5}, {"kind": "scalar", "value": 0.25}, id="finite"
        ),
        pytest.param({"kind": "scalar", "value": NAN}, {"kind": "scalar", "value": 1}, id="nan"),
        pytest.param(
            {"kind": "scalar", "value": math.inf},
            {"kind": "scalar", "value": -math.inf},
            id="infinities",
        ),
        pytest.param(
            {"kind": "sequence", "items": (1, NAN, "x")},
            {"kind": "sequence", "items": [1, 2.5]},
            id="tuple-and-nan-in-sequence",
        ),
        pytest.param(
            {"kind": "table", "columns": ["a"], "index": ["0"], "rows": [[NAN]]},
            {"kind": "table", "columns": ["a"], "index": ["0"], "rows": [[1.0]]},
            id="table-with-nan",
        ),
        pytest.param(
            {"kind": "scalar", "value": 1e308},
            {"kind": "scalar", "value": -1e308},
            id="finite-values-whose-delta-overflows",
        ),
        pytest.param(
            {"kind": "mapping", "items": {"m": {"value": -1e308}, "n": {"value": 1}}},
            {"kind": "mapping", "items": {"m": {"value": 1e308}, "n": {"value": 5e-324}}},
            id="mapping-deltas-that-overflow",
        ),
    ],
)
@pytest.mark.parametrize("flagged", [False, True], ids=["unflagged", "flagged"])
def test_compare_json_is_the_serialised_compare(first, second, flagged):
    # Given two notebooks whose cells hold plain, tuple or non-finite values
    # (or finite ones whose deltas overflow), flagged as extraction flags them
    # or not, and one unreadable notebook, with a non-finite parameter
    entries = [
        entry("a.ipynb", {"metric": first}, {"alpha": {"value": NAN, "injected": True}}, flagged),
        entry(
            "b.ipynb", {"metric": second, "other": {"kind": "text", "text": "hi"}}, None, flagged
        ),
        UNREADABLE,
    ]
    # When the answer is serialised row by row and as a whole
    streamed = compare_json(entries, baseline="b.ipynb")
    whole = orjson.dumps(compare(entries, baseline="b.ipynb"))
    # Then the bytes are the same, and the NaN parameter is spelled as a string
    assert streamed == whole
    assert orjson.loads(streamed)["notebooks"][0]["parameters"]["alpha"]["value"] == "NaN"


def test_compare_json_with_no_values_and_a_name_filter():
    # Given notebooks, and a name filter that matches nothing
    entries = [entry("a.ipynb", {"m": {"kind": "scalar", "value": 1}}), UNREADABLE]
    # When serialised both ways
    streamed = compare_json(entries, names=["absent"])
    # Then the answer has no rows and the same bytes as the whole answer
    assert streamed == orjson.dumps(compare(entries, names=["absent"]))
    assert orjson.loads(streamed)["values"] == []


def test_compare_json_rejects_a_bad_request_before_building_anything():
    # Given a baseline that is not one of the notebooks
    entries = [entry("a.ipynb", {})]
    # When / Then compare_json refuses it as compare does
    with pytest.raises(ValueError, match="baseline"):
        compare_json(entries, baseline="nope.ipynb")


def test_overflowing_deltas_are_spelled_as_the_contract_says():
    # Given finite values so far apart that their difference overflows
    entries = [
        entry("a.ipynb", {"m": {"kind": "scalar", "value": 1e308}}, flagged=True),
        entry("b.ipynb", {"m": {"kind": "scalar", "value": -1e308}}, flagged=True),
    ]
    # When compared against b
    cell = orjson.loads(compare_json(entries, baseline="b.ipynb"))["values"][0]["cells"]["a.ipynb"]
    # Then the delta is the string "Infinity" (never a JSON null), and so is
    # the relative delta
    assert cell["delta"] == "Infinity"
    assert cell["rel_delta"] == "Infinity"


def test_extraction_flags_values_that_are_not_plain_json():
    from jupyterlab_nbcompare.core.extract import load_record

    def notebook(text):
        output = {"output_type": "stream", "name": "stdout", "text": text}
        cell = {"cell_type": "code", "metadata": {"tags": ["m"]}, "source": "", "outputs": [output]}
        return orjson.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})

    # Given printed values, finite or not
    flags = {
        text: load_record(notebook(text))["values"][0]["plain"]
        for text in ("0.5\n", "nan\n", "{'a': inf}\n", "[1, -inf]\n", "converged\n")
    }
    # Then only the finite ones are plain JSON
    assert flags == {
        "0.5\n": True,
        "nan\n": False,
        "{'a': inf}\n": False,
        "[1, -inf]\n": False,
        "converged\n": True,
    }


def test_integer_deltas_beyond_64_bits_become_floats():
    # Given integers at both ends of the 64-bit range (as a scalar and in a mapping)
    big, small = 2**64 - 1, -(2**63)

    def mapping(value):
        return {"kind": "mapping", "items": {"k": {"value": value}}}

    entries = [
        entry("a.ipynb", {"n": {"kind": "scalar", "value": big}}, flagged=True),
        entry("b.ipynb", {"n": {"kind": "scalar", "value": small}}, flagged=True),
        entry("c.ipynb", {"m": mapping(big)}, flagged=True),
        entry("d.ipynb", {"m": mapping(small)}, flagged=True),
    ]
    # When compared against b and d, whose differences JSON cannot carry as integers
    for baseline, name, other in (("b.ipynb", "n", "a.ipynb"), ("d.ipynb", "m", "c.ipynb")):
        answer = orjson.loads(compare_json(entries, baseline=baseline))
        row = next(row for row in answer["values"] if row["name"] == name)
        cell = row["cells"][other]
        delta = cell["delta"] if name == "n" else cell["items"]["k"]["delta"]
        # Then the answer is served, the delta a float of the right size
        assert delta == float(big - small)
        assert compare_json(entries, baseline=baseline) == orjson.dumps(
            compare(entries, baseline=baseline)
        )
