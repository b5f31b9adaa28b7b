"""core.compare.compare_json: the server's row-by-row serialisation of the answer.

The server sends ``compare_json``'s bytes; the CLI and the Python API use
``compare``. Both must agree byte for byte, including the contract's spelling
of non-finite numbers, so these tests compare the two on the same inputs.
"""

from __future__ import annotations

import math

import orjson
import pytest

from jupyterlab_nbcompare.core.compare import compare, compare_json

NAN = float("nan")


def entry(path, cells, parameters=None):
    """A readable notebook whose tagged values are ``{name: cell}``."""
    values = [
        {"name": name, "origin": "tag", "cell": cell, "cell_index": 0}
        for name, cell in cells.items()
    ]
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
    ],
)
def test_compare_json_is_the_serialised_compare(first, second):
    # Given two notebooks whose cells hold plain, tuple or non-finite values,
    # and one unreadable notebook, with a non-finite parameter
    entries = [
        entry("a.ipynb", {"metric": first}, {"alpha": {"value": NAN, "injected": True}}),
        entry("b.ipynb", {"metric": second, "other": {"kind": "text", "text": "hi"}}),
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
