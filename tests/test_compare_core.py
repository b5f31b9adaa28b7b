"""core.compare, core.directions, core.index, core.files: the compare/index rules of api.md."""

from __future__ import annotations

import copy
import json
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyterlab_nbcompare.core.compare import compare, json_safe, output_url
from jupyterlab_nbcompare.core.directions import direction_for, split_words
from jupyterlab_nbcompare.core.files import compare_paths, load_entry
from jupyterlab_nbcompare.core.index import index_merge, index_part, index_summary

NAN = float("nan")


# ----------------------------------------------------------------------------- builders


def entry(path, *values, status="ok", parameters=None, duration=None):
    """An entry of a readable notebook; values are (name, cell) or (name, origin, cell)."""
    rows = []
    for value in values:
        name, origin, cell = value if len(value) == 3 else (value[0], "tag", value[1])
        rows.append({"name": name, "origin": origin, "cell": cell, "cell_index": 0})
    record = {
        "status": status,
        "duration": duration,
        "parameters": parameters or {},
        "values": rows,
    }
    return {"path": path, "last_modified": "2026-11-26T05:41:52Z", "record": record, "error": None}


def unreadable(path, code="invalid_json"):
    error = {"code": code, "message": "The file is not valid JSON."}
    return {"path": path, "last_modified": None, "record": None, "error": error}


def scalar(value):
    return {"kind": "scalar", "value": value}


def mapping(**items):
    return {"kind": "mapping", "items": {k: {"value": v} for k, v in items.items()}}


def sequence(*items):
    return {"kind": "sequence", "items": list(items)}


def table(columns, index, rows):
    return {"kind": "table", "columns": columns, "index": index, "rows": rows}


def image(sha):
    return {"kind": "image", "mime": "image/png", "sha256": sha, "width": 2, "height": 1}


def row(result, name, origin="tag"):
    return next(v for v in result["values"] if v["name"] == name and v["origin"] == origin)


def cells(result, name, origin="tag"):
    return row(result, name, origin)["cells"]


# ----------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("name", "base", "value", "delta", "rel_delta", "better"),
    [
        ("mse", 10.0, 8.0, -2.0, -0.2, True),
        ("mse", 10.0, 12.5, 2.5, 0.25, False),
        ("accuracy", 0.5, 0.75, 0.25, 0.5, True),
        ("accuracy", 0.5, 0.25, -0.25, -0.5, False),
        ("val_loss", -4.0, -2.0, 2.0, 0.5, False),  # rel_delta divides by |base|
        ("mse", 0, 3, 3, None, False),  # base 0: no relative change
        ("mse", 5, 5, 0, 0.0, None),  # no change: neither better nor worse
        ("count", 2, 3, 1, 0.5, None),  # unknown direction
        ("mse", NAN, 1.0, "NaN", "NaN", None),  # a NaN side: better unknown
        ("mse", 1.0, NAN, "NaN", "NaN", None),
        ("mse", 1.0, math.inf, "Infinity", "Infinity", False),
        ("mse", 1, True, None, None, None),  # booleans get no deltas
        ("mse", True, 1, None, None, None),
        ("flag", True, False, None, None, None),
    ],
)
def test_scalar_deltas(name, base, value, delta, rel_delta, better):
    # Given a baseline and another notebook with one scalar each
    result = compare([entry("a", (name, scalar(base))), entry("b", (name, scalar(value)))])
    cell = cells(result, name)["b"]
    # Then delta = value - base, rel_delta = delta/|base|, better follows the direction
    assert cell["delta"] == (pytest.approx(delta) if isinstance(delta, float) else delta)
    assert cell["rel_delta"] == (
        pytest.approx(rel_delta) if isinstance(rel_delta, float) else rel_delta
    )
    assert cell["better"] is better


@pytest.mark.parametrize(
    ("value", "delta", "rel_delta"),
    [(10.2, 0.0, 0.0), (0.0, 0.0, None), (0, 0, None), (7, 0, 0.0), (True, None, None)],
)
def test_baseline_own_cell(value, delta, rel_delta):
    # Given the baseline's own scalar
    result = compare([entry("a", ("mse", scalar(value))), entry("b", ("mse", scalar(1.0)))])
    cell = cells(result, "mse")["a"]
    # Then it has delta 0 and rel_delta 0 (null when its value is 0), never a verdict
    assert (cell["delta"], cell["rel_delta"], cell["better"]) == (delta, rel_delta, None)


def test_no_base_value_means_no_deltas():
    # Given a baseline without the name, or with another kind under it
    result = compare(
        [
            entry("a", ("other", scalar(1)), ("mse2", {"kind": "text", "text": "1"})),
            entry("b", ("mse", scalar(2.0)), ("mse2", scalar(2.0))),
        ]
    )
    # Then the other notebook's cells have null deltas
    for name in ("mse", "mse2"):
        cell = cells(result, name)["b"]
        assert (cell["delta"], cell["rel_delta"], cell["better"]) == (None, None, None)
    assert cells(result, "mse")["a"] is None


def test_baseline_is_chosen_and_validated():
    # Given three notebooks and the last as baseline
    entries = [entry(p, ("loss", scalar(v))) for p, v in (("a", 1.0), ("b", 2.0), ("c", 4.0))]
    result = compare(entries, baseline="c")
    # Then deltas are against it
    assert result["baseline"] == "c"
    assert [cells(result, "loss")[p]["delta"] for p in "abc"] == [-3.0, -2.0, 0.0]
    assert cells(result, "loss")["a"]["better"] is True
    # And the default baseline is the first path
    assert compare(entries)["baseline"] == "a"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"baseline": "z"}, "baseline"),
        ({"directions": {"mse": "up"}}, "direction"),
        ({"directions": ["mse"]}, "directions"),
    ],
)
def test_invalid_requests_raise_value_error(kwargs, words):
    # Given a request with a baseline not among the paths, or a bad direction
    entries = [entry("a", ("mse", scalar(1))), entry("b")]
    # Then compare refuses it with a clear message (the server's 400)
    with pytest.raises(ValueError, match=words):
        compare(entries, **kwargs)


def test_duplicate_or_no_paths_raise_value_error():
    # Given the same path twice, or none
    with pytest.raises(ValueError, match="more than once"):
        compare([entry("a"), entry("a")])
    with pytest.raises(ValueError, match="at least one"):
        compare([])


# ----------------------------------------------------------------------------- mappings


def test_mapping_items_get_deltas_by_their_key():
    # Given metrics mappings with a loss, a score, a string and a bool
    base = mapping(mse=0.5, r2=0.8, model="ridge", ok=True)
    other = mapping(mse=0.25, r2=0.6, model="ols", ok=False, extra=1.0)
    result = compare([entry("a", ("metrics", base)), entry("b", ("metrics", other))])
    items = cells(result, "metrics")["b"]["items"]
    # Then each numeric item is compared with the same key, its direction from the key
    assert items["mse"] == {
        "value": 0.25,
        "delta": -0.25,
        "rel_delta": -0.5,
        "better": True,
        "direction": "lower",
    }
    assert items["r2"]["direction"] == "higher"
    assert items["model"]["direction"] is None
    assert items["r2"]["better"] is False
    assert items["r2"]["delta"] == pytest.approx(-0.2)
    # And strings, bools and keys missing from the baseline get null deltas
    for key in ("model", "ok", "extra"):
        assert (items[key]["delta"], items[key]["rel_delta"], items[key]["better"]) == (
            None,
            None,
            None,
        )
    # And the baseline's own items are 0 (numbers only)
    own = cells(result, "metrics")["a"]["items"]
    assert own["mse"] == {
        "value": 0.5,
        "delta": 0.0,
        "rel_delta": 0.0,
        "better": None,
        "direction": "lower",
    }
    assert own["model"]["delta"] is None
    # And the row's direction is the name's ("metrics": none)
    assert row(result, "metrics")["direction"] is None


@pytest.mark.parametrize(
    ("overrides", "better"),
    [
        (None, True),  # "mae" is a loss by default: lower is better
        ({"mae": "higher"}, False),  # a bare key overrides
        ({"metrics": "higher"}, False),  # the name applies to its items
        ({"mae": "higher", "metrics.mae": "lower"}, True),  # name.key beats key
        ({"metrics": "lower", "mae": "higher"}, False),  # key beats name
    ],
)
def test_direction_overrides_for_mapping_items(overrides, better):
    # Given mae went down from 2 to 1
    result = compare(
        [entry("a", ("metrics", mapping(mae=2.0))), entry("b", ("metrics", mapping(mae=1.0)))],
        directions=overrides,
    )
    # Then better follows the most specific override, and the item says which
    item = cells(result, "metrics")["b"]["items"]["mae"]
    assert item["better"] is better
    assert item["direction"] == ("lower" if better else "higher")


def test_direction_override_for_a_row():
    # Given a name with no known direction, overridden
    entries = [entry("a", ("widgets", scalar(1))), entry("b", ("widgets", scalar(2)))]
    result = compare(entries, directions={"widgets": "higher"})
    # Then the row has that direction and the increase is better
    assert row(result, "widgets")["direction"] == "higher"
    assert cells(result, "widgets")["b"]["better"] is True


# ----------------------------------------------------------------------------- rows


def test_union_of_names_in_first_appearance_order_with_null_cells():
    # Given notebooks with overlapping names, a scrap sharing a tag's name, an unreadable one
    entries = [
        entry("a", ("x", scalar(1)), ("y", scalar(2))),
        entry("b", ("z", scalar(3)), ("x", scalar(1)), ("x", "scrap", scalar(9))),
        unreadable("c"),
    ]
    result = compare(entries)
    # Then rows are the union by (origin, name) in order of first appearance
    assert [(v["origin"], v["name"]) for v in result["values"]] == [
        ("tag", "x"),
        ("tag", "y"),
        ("tag", "z"),
        ("scrap", "x"),
    ]
    # And every row has a cell key per path, null where the notebook lacks the name
    for value in result["values"]:
        assert list(value["cells"]) == ["a", "b", "c"]
        assert value["cells"]["c"] is None
    assert cells(result, "y")["b"] is None


def test_notebooks_keep_request_order_and_status():
    # Given an ok, a failed and an unreadable notebook
    params = {"alpha": {"value": 0.5, "injected": True}}
    entries = [
        entry("runs/b.ipynb", parameters=params, duration=1.5),
        entry("runs/a.ipynb", status="failed"),
        unreadable("runs/c.ipynb", "too_large"),
    ]
    result = compare(entries)
    # Then notebooks[] follow the request, with status, error, duration, parameters
    assert [n["path"] for n in result["notebooks"]] == [
        "runs/b.ipynb",
        "runs/a.ipynb",
        "runs/c.ipynb",
    ]
    first, second, third = result["notebooks"]
    assert first == {
        "path": "runs/b.ipynb",
        "last_modified": "2026-11-26T05:41:52Z",
        "status": "ok",
        "error": None,
        "duration": 1.5,
        "parameters": params,
        "failure": None,
        "parameters_flat": params,
    }
    assert second["status"] == "failed"
    assert third["status"] == "unreadable"
    assert third["error"] == {"code": "too_large", "message": "The file is not valid JSON."}
    assert (third["duration"], third["parameters"]) == (None, {})


@pytest.mark.parametrize(
    ("a", "b", "differs"),
    [
        (scalar(1.0), scalar(1.0), False),
        (scalar(1), scalar(1.0), False),
        (scalar(NAN), scalar(NAN), False),  # NaN equals NaN
        (scalar(1.0), scalar(2.0), True),
        (scalar(True), scalar(1), True),  # a flag is not a count
        (scalar(1.0), None, True),  # a notebook lacks it
        (image("abc"), image("abc"), False),  # images by sha256 (urls differ by path)
        (image("abc"), image("abd"), True),
        (
            mapping(x=1, y=NAN),
            {"kind": "mapping", "items": {"y": {"value": NAN}, "x": {"value": 1}}},
            False,
        ),
        (mapping(x=1), mapping(x=2), True),
        (sequence(1, 2), sequence(2, 1), True),  # order matters for equality
        (table(["c"], ["r"], [[NAN]]), table(["c"], ["r"], [[NAN]]), False),
        (table(["c"], ["r"], [[1]]), table(["c"], ["s"], [[1]]), True),
        ({"kind": "text", "text": "a"}, {"kind": "text", "text": "a"}, False),
        ({"kind": "text", "text": "1"}, scalar(1), True),
        (
            dict(scalar(1), parts=[{"kind": "text", "text": "x"}]),
            dict(scalar(1), parts=[{"kind": "text", "text": "y"}]),
            False,  # the value is the primary output
        ),
    ],
)
def test_differs(a, b, differs):
    # Given two notebooks' cells under one name
    entries = [entry("a", ("v", a)), entry("b", *([("v", b)] if b is not None else []))]
    result = compare(entries)
    # Then differs is false only when both have it and the values are equal
    assert row(result, "v")["differs"] is differs


def test_single_notebook_does_not_differ():
    # Given one notebook only
    result = compare([entry("a", ("v", scalar(1)))])
    # Then nothing differs
    assert row(result, "v")["differs"] is False


def test_kind_shared_or_mixed():
    # Given a name that is text in one run and an error in another, and a shared kind
    entries = [
        entry("a", ("check", {"kind": "text", "text": "ok"}), ("mse", scalar(1))),
        entry("b", ("check", {"kind": "error", "ename": "E", "evalue": "v"}), ("mse", scalar(2))),
        entry("c"),
    ]
    result = compare(entries)
    # Then the row kind is mixed, or the shared kind (missing cells do not count)
    assert row(result, "check")["kind"] == "mixed"
    assert row(result, "mse")["kind"] == "scalar"


def test_names_filter():
    # Given several names, and a request for two of them (one tag+scrap, one absent)
    entries = [entry("a", ("mse", scalar(1)), ("r2", scalar(1)), ("mse", "scrap", scalar(1)))]
    result = compare(entries, names=["mse", "nothing"])
    # Then only the rows of those names are answered (both origins)
    assert [(v["origin"], v["name"]) for v in result["values"]] == [
        ("tag", "mse"),
        ("scrap", "mse"),
    ]
    assert compare(entries, names=[])["values"] == []


def test_value_without_any_cell_keeps_its_row():
    # Given a tagged cell without outputs in the only notebook
    result = compare([entry("a", ("empty", None))])
    # Then the row exists with a null cell, and differs is true (nobody has a value)
    assert cells(result, "empty") == {"a": None}
    assert row(result, "empty")["differs"] is True


# ----------------------------------------------------------------------------- sequences


def test_sequence_added_removed_against_baseline():
    # Given a baseline sequence and another, with repeats
    result = compare(
        [
            entry("a", ("top", sequence("a", "b", "c"))),
            entry("b", ("top", sequence("c", "d", "a", "d"))),
            entry("c", ("top", scalar(1))),
            entry("d", ("top", sequence("b", "e", "b"))),
        ]
    )
    # Then added/removed are set differences in item order (each once), for
    # every notebook against the same baseline
    b = cells(result, "top")["b"]
    assert (b["added"], b["removed"]) == (["d"], ["b"])
    assert b["items"] == ["c", "d", "a", "d"]
    d = cells(result, "top")["d"]
    assert (d["added"], d["removed"]) == (["e"], ["a", "c"])
    # And the baseline's own sequence adds and removes nothing
    assert (cells(result, "top")["a"]["added"], cells(result, "top")["a"]["removed"]) == ([], [])


def test_sequence_without_base_sequence_has_null_diffs():
    # Given the baseline has no sequence under the name
    result = compare([entry("a"), entry("b", ("top", sequence(1, [2, 3], {"k": NAN})))])
    # Then added and removed are null
    b = cells(result, "top")["b"]
    assert (b["added"], b["removed"]) == (None, None)


def test_sequence_items_compare_by_value():
    # Given unhashable and NaN items
    result = compare(
        [
            entry("a", ("s", sequence([1, 2], {"k": 1}, NAN, 1))),
            entry("b", ("s", sequence([1, 2], {"k": 2}, NAN, 1.0, True))),
        ]
    )
    # Then equal items (NaN with NaN, 1 with 1.0) are neither added nor removed
    b = cells(result, "s")["b"]
    assert b["added"] == [{"k": 2}, True]
    assert b["removed"] == [{"k": 1}]


# ----------------------------------------------------------------------------- tables


def test_table_diff_aligns_by_labels_not_positions():
    # Given a baseline table, and one with rows reordered, a change, a new row and column
    base = table(["coef", "err"], ["age", "bmi", "bp"], [[1.0, 0.1], [2.0, 0.2], [3.0, 0.3]])
    other = table(
        ["err", "coef", "new"],
        ["bmi", "age", "s1"],
        [[0.2, 2.0, 1], [0.1, 1.5, 1], [0.4, 4.0, 1]],
    )
    result = compare([entry("a", ("coefs", base)), entry("b", ("coefs", other))])
    cell = cells(result, "coefs")["b"]
    # Then only the value that really changed is reported, by its labels
    assert cell["changed"] == [["age", "coef"]]
    assert (cell["added_rows"], cell["removed_rows"]) == (["s1"], ["bp"])
    assert (cell["added_columns"], cell["removed_columns"]) == (["new"], [])
    # And the baseline's own table has nothing changed
    own = cells(result, "coefs")["a"]
    assert [own[k] for k in ("changed", "added_rows", "removed_rows")] == [[], [], []]


def test_table_repeated_labels_pair_by_occurrence():
    # Given tables with a repeated row label "x"
    base = table(["v"], ["x", "y", "x"], [[1], [2], [3]])
    other = table(["v"], ["x", "x", "x"], [[1], [30], [4]])
    result = compare([entry("a", ("t", base)), entry("b", ("t", other))])
    cell = cells(result, "t")["b"]
    # Then the 2nd "x" pairs with the baseline's 2nd "x" (3 -> 30), the 3rd is added
    assert cell["changed"] == [["x", "v"]]
    assert (cell["added_rows"], cell["removed_rows"]) == (["x"], ["y"])


def test_table_positions_tell_repeated_labels_apart():
    # Given the same tables with a repeated row label "x"
    base = table(["v"], ["x", "y", "x"], [[1], [2], [3]])
    other = table(["v", "w"], ["x", "x", "x"], [[1, 0], [30, 0], [4, 0]])
    cell = cells(compare([entry("a", ("t", base)), entry("b", ("t", other))]), "t")["b"]
    # Then each row and column says which of the baseline's it pairs with
    assert cell["row_pairs"] == [0, 2, None]
    assert cell["column_pairs"] == [0, None]
    # And the changed cell is the 2nd "x" row's, by position
    assert cell["changed_at"] == [[1, 0]]


def test_table_multilevel_labels_and_nan_cells():
    # Given tables with two-level column labels and NaN cells
    cols = [["loss", "train"], ["loss", "test"]]
    base = table(cols, ["0"], [[NAN, 1.0]])
    other = table(cols, ["0"], [[NAN, 2.0]])
    result = compare([entry("a", ("t", base)), entry("b", ("t", other))])
    # Then NaN equals NaN and the changed cell is named by its full labels
    assert cells(result, "t")["b"]["changed"] == [["0", ["loss", "test"]]]


_CELL_VALUES = st.sampled_from(
    [0, 1, 1.0, -0.0, 2.5, True, False, None, "a", "1", NAN, [1], [True]]
)
_LABELS = st.sampled_from(["a", "b", "a", 1, ["x", "y"], None])


@st.composite
def _tables(draw):
    columns = draw(st.lists(_LABELS, max_size=4))
    index = draw(st.lists(_LABELS, max_size=4))
    width = draw(st.sampled_from([len(columns), max(0, len(columns) - 1)]))  # ragged too
    rows = [draw(st.lists(_CELL_VALUES, min_size=width, max_size=width)) for _ in index]
    return table(columns, index, rows)


def _reference_changed_at(cell: dict, base: dict) -> list[list[int]]:
    """The contract's table diff, the slow obvious way: pair labels by occurrence."""
    from jupyterlab_nbcompare.core.compare import equal_key

    def keyed(labels):
        seen: dict = {}
        out = []
        for label in labels:
            key = equal_key(label)
            seen[key] = seen.get(key, 0) + 1
            out.append((key, seen[key]))
        return out

    def at(rows, i, j):
        return rows[i][j] if i < len(rows) and j < len(rows[i]) else None

    base_rows, base_cols = keyed(base["index"]), keyed(base["columns"])
    found = []
    for i, row_key in enumerate(keyed(cell["index"])):
        for j, col_key in enumerate(keyed(cell["columns"])):
            if row_key in base_rows and col_key in base_cols:
                bi, bj = base_rows.index(row_key), base_cols.index(col_key)
                if equal_key(at(cell["rows"], i, j)) != equal_key(at(base["rows"], bi, bj)):
                    found.append([i, j])
    return found


@st.composite
def _table_pairs(draw):
    """A baseline and another table: independent, or the baseline with changes."""
    base = draw(_tables())
    if draw(st.booleans()):
        return base, draw(_tables())
    rows = [[draw(_CELL_VALUES) if draw(st.booleans()) else v for v in row] for row in base["rows"]]
    order = draw(st.permutations(range(len(rows))))
    index = [base["index"][i] for i in order]
    return base, table(base["columns"], index, [rows[i] for i in order])


@settings(max_examples=800, deadline=None)
@given(_table_pairs())
def test_table_diff_matches_a_brute_force_reference(pair):
    base, other = pair
    # Given any two tables (repeated and non-string labels, NaN, bools, ragged rows)
    result = compare([entry("a", ("t", base)), entry("b", ("t", other))])
    cell = cells(result, "t")["b"]
    # Then the changed cells are exactly those a brute-force pairing finds
    assert cell["changed_at"] == _reference_changed_at(other, base)
    assert len(cell["changed"]) == len(cell["changed_at"])


def test_table_without_base_table_has_null_diffs():
    # Given the baseline has no table under the name
    result = compare([entry("a", ("t", scalar(1))), entry("b", ("t", table(["c"], ["r"], [[1]])))])
    cell = cells(result, "t")["b"]
    # Then every diff field is null
    for field in ("changed", "added_rows", "removed_rows", "added_columns", "removed_columns"):
        assert cell[field] is None
    assert (cell["row_pairs"], cell["column_pairs"], cell["changed_at"]) == (None, None, None)


# ----------------------------------------------------------------------------- images, parts


def test_image_urls_are_relative_and_encoded():
    # Given an image under a name with spaces, in a notebook in a folder
    part = dict(image("p"), part=2)
    primary = dict(image("abc"), parts=[{"kind": "text", "text": "hi"}, scalar(1), part])
    result = compare([entry("runs/a b.ipynb", ("my plot", primary))])
    cell = cells(result, "my plot")["runs/a b.ipynb"]
    # Then the url is relative to base_url, with path and name URL-encoded
    assert cell["url"] == "nbcompare/output?path=runs%2Fa%20b.ipynb&name=my%20plot&origin=tag"
    # And an image part has its own url with its part index; parts get no deltas
    assert cell["parts"][2]["url"].endswith("&origin=tag&part=2")
    assert "delta" not in cell["parts"][1]
    assert "url" not in cell["parts"][0]


def test_output_url_for_scraps():
    # Given a scrap image
    # Then the origin is in the url
    assert output_url("a.ipynb", "fig&1", "scrap") == (
        "nbcompare/output?path=a.ipynb&name=fig%261&origin=scrap"
    )


def test_duplicate_flag_is_kept():
    # Given a record cell marked duplicate by the extractor
    result = compare([entry("a", ("mse", dict(scalar(1), duplicate=True)))])
    # Then the response cell keeps it
    assert cells(result, "mse")["a"]["duplicate"] is True


# ----------------------------------------------------------------------------- JSON safety


def test_json_safe_spells_non_finite_numbers():
    # Given nested non-finite floats
    data = {"a": [NAN, math.inf, -math.inf, 1.5, (2, NAN)], "b": {"c": True, "d": None}}
    # Then they become the contract's strings, and the rest is unchanged
    assert json_safe(data) == {
        "a": ["NaN", "Infinity", "-Infinity", 1.5, [2, "NaN"]],
        "b": {"c": True, "d": None},
    }


def test_compare_result_is_strict_json_and_records_are_untouched():
    # Given records with NaN values, mappings and tables
    entries = [
        entry("a", ("m", mapping(x=NAN)), ("t", table(["c"], ["r"], [[NAN]])), ("s", scalar(NAN))),
        entry("b", ("m", mapping(x=1.0)), ("t", table(["c"], ["r"], [[1.0]])), ("s", scalar(1.0))),
    ]
    before = copy.deepcopy(entries)
    result = compare(entries)
    # Then the response is valid strict JSON (no bare NaN)
    text = json.dumps(result, allow_nan=False)
    assert '"NaN"' in text
    # And the records (a cache may share them) were not modified
    assert json.dumps(entries, sort_keys=True) == json.dumps(before, sort_keys=True)


# ----------------------------------------------------------------------------- directions


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("val_loss", ["val", "loss"]),
        ("valLoss", ["val", "loss"]),
        ("MSELoss", ["mse", "loss"]),
        ("test-mse", ["test", "mse"]),
        ("f1 score", ["f1", "score"]),
        ("R2Score", ["r2", "score"]),
        ("metrics.top5Acc", ["metrics", "top5", "acc"]),
    ],
)
def test_split_words(name, words):
    # Given a metric name in any casing style, Then it splits into lower-case words
    assert split_words(name) == words


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("mse", "lower"),
        ("test_mse", "lower"),
        ("valLoss", "lower"),
        ("meanAbsoluteError", "lower"),
        ("log-loss", "lower"),
        ("logloss", "lower"),
        ("perplexity", "lower"),
        ("train_time", "lower"),
        ("accuracy", "higher"),
        ("val_acc", "higher"),
        ("f1", "higher"),
        ("roc_auc", "higher"),
        ("r2", "higher"),
        ("precision", "higher"),
        ("recall@10", "higher"),
        ("ndcg_at_5", "higher"),
        ("score", "higher"),
        ("loss_ratio", None),  # the last word decides
        ("error_count", None),
        ("alpha", None),
        ("", None),
    ],
)
def test_default_directions(name, direction):
    # Given a value name, Then its last word decides the direction
    assert direction_for(name) == direction


# ----------------------------------------------------------------------------- index


def test_index_summary():
    # Given three notebooks (out of order) and an unreadable one
    entries = [
        entry("runs/c.ipynb", ("mse", scalar(3.0)), ("flag", scalar(True)), ("m", mapping(a=1))),
        entry("runs/a.ipynb", ("mse", scalar(1.0)), ("flag", scalar(5)), ("m", scalar(2))),
        entry(
            "runs/b.ipynb",
            ("mse", scalar(NAN)),
            ("empty", None),
            ("txt", {"kind": "text", "text": "x"}),
        ),
        unreadable("runs/0.ipynb"),
    ]
    result = index_summary(entries, path="runs", truncated=True)
    # Then notebooks are sorted by path, the unreadable one with its status and error
    assert [n["path"] for n in result["notebooks"]] == [
        "runs/0.ipynb",
        "runs/a.ipynb",
        "runs/b.ipynb",
        "runs/c.ipynb",
    ]
    assert result["notebooks"][0]["status"] == "unreadable"
    assert result["notebooks"][0]["error"]["code"] == "invalid_json"
    assert (result["path"], result["truncated"]) == ("runs", True)
    # And scalars carry their value, other kinds do not; a name without value is left out
    b = result["notebooks"][2]
    assert b["names"] == [
        {"name": "mse", "origin": "tag", "kind": "scalar", "value": "NaN"},
        {"name": "txt", "origin": "tag", "kind": "text"},
    ]
    # And names are summarised: count, shared kind or mixed, min/max of finite numbers
    names = {n["name"]: n for n in result["names"]}
    assert names["mse"] == {
        "name": "mse",
        "origin": "tag",
        "kind": "scalar",
        "count": 3,
        "min": 1.0,
        "max": 3.0,
    }
    assert names["flag"]["count"] == 2
    assert (names["flag"]["min"], names["flag"]["max"]) == (5, 5)  # True is not a number
    assert names["m"]["kind"] == "mixed"
    assert "min" not in names["txt"]
    assert "empty" not in names
    json.dumps(result, allow_nan=False)


def reference_summary(entries):
    """index_summary as it was written before parts and merges: the oracle below."""
    notebooks, summary = [], {}
    for e in sorted(entries, key=lambda e: e["path"]):
        record = e.get("record")
        if record is not None and record.get("generated"):
            continue
        item = {"path": e["path"], "last_modified": e.get("last_modified")}
        if record is None:
            error = e.get("error") or {"code": "unreadable", "message": "Cannot read."}
            item.update(status="unreadable", error=dict(error), names=[])
            notebooks.append(item)
            continue
        names = []
        for value in record.get("values", ()):
            cell = value.get("cell")
            if cell is None:
                continue
            name, origin, kind = value["name"], value["origin"], cell.get("kind")
            listed = {"name": name, "origin": origin, "kind": kind}
            if kind == "scalar":
                listed["value"] = cell.get("value")
            names.append(listed)
            agg = summary.setdefault(
                (origin, name), {"name": name, "origin": origin, "kind": kind, "count": 0}
            )
            agg["count"] += 1
            if agg["kind"] != kind:
                agg["kind"] = "mixed"
            number = cell.get("value") if kind == "scalar" else None
            finite = isinstance(number, (int, float)) and not isinstance(number, bool)
            if finite and math.isfinite(number):
                agg["min"] = number if "min" not in agg else min(agg["min"], number)
                agg["max"] = number if "max" not in agg else max(agg["max"], number)
        item.update(status=record.get("status", "ok"), error=None, names=names)
        notebooks.append(item)
    names = list(summary.values())
    return json_safe({"path": "", "notebooks": notebooks, "names": names, "truncated": False})


CELLS = st.one_of(
    st.none(),
    st.sampled_from([0, 1, 1.0, -2, -2.0, 2**70, True, math.nan, math.inf]).map(scalar),
    st.floats(-3, 3).map(scalar),
    st.just({"kind": "text", "text": "x"}),
    st.just(mapping(a=1)),
)
VALUES = st.lists(
    st.tuples(
        st.sampled_from(["mse", "r2", "loss", "f"]), st.sampled_from(["tag", "scrap"]), CELLS
    ),
    max_size=5,
)
NOTEBOOKS = st.dictionaries(
    st.tuples(st.sampled_from(["", "a/", "a/b/", "c/"]), st.sampled_from("xyz0")).map(
        lambda parts: f"{parts[0]}{parts[1]}.ipynb"
    ),
    st.one_of(VALUES, st.just("unreadable"), st.just("generated")),
    max_size=12,
)


def as_entries(notebooks):
    entries = []
    for path, values in notebooks.items():
        if values == "unreadable":
            entries.append(unreadable(path))
            continue
        e = entry(path, *(values if values != "generated" else []))
        e["record"]["generated"] = values == "generated"
        entries.append(e)
    return entries


@settings(max_examples=300, deadline=None)
@given(NOTEBOOKS, st.lists(st.integers(0, 3), min_size=12, max_size=12))
def test_index_parts_merge_into_the_whole_summary(notebooks, split):
    # Given any notebooks, split into up to four parts (as folders are)
    entries = as_entries(notebooks)
    parts = [[e for i, e in enumerate(entries) if split[i] == k] for k in range(4)]
    # When each part is summarised alone, then merged
    made = [index_part(part) for part in parts]
    kept = copy.deepcopy(made)
    merged = index_merge(made)
    # Then the body is the whole summary's, to the JSON text (1 and 1.0 apart)
    whole = index_summary(entries)
    assert json.dumps(merged) == json.dumps(whole) == json.dumps(reference_summary(entries))
    # And the parts (which servers cache) are left as they were
    assert made == kept


def test_a_merge_keeps_the_first_notebooks_number_on_a_tie():
    # Given 1 in b.ipynb and 1.0 in a.ipynb, in parts listed b first
    parts = [[entry("b.ipynb", ("mse", scalar(1)))], [entry("a.ipynb", ("mse", scalar(1.0)))]]
    # When they are merged
    merged = index_merge([index_part(part) for part in parts])
    # Then min and max are a.ipynb's 1.0, as a summary of both at once says
    (mse,) = merged["names"]
    assert json.dumps([mse["min"], mse["max"]]) == "[1.0, 1.0]"
    assert merged == index_summary(parts[0] + parts[1])


# ----------------------------------------------------------------------------- files


def test_load_entry_errors(tmp_path):
    # Given a missing file, a directory, a file over the limit and a good one
    good = tmp_path / "good.ipynb"
    good.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    # Then each gives the contract's code, and the good one a record and a UTC time
    assert load_entry(tmp_path / "missing.ipynb")["error"]["code"] == "not_found"
    assert load_entry(tmp_path)["error"]["code"] == "not_found"
    assert load_entry(good, max_bytes=10)["error"]["code"] == "too_large"
    ok = load_entry(good)
    assert ok["error"] is None
    assert ok["record"]["values"] == []
    assert ok["last_modified"].endswith("Z")
    assert ok["path"] == os.fspath(good)


def test_compare_paths_keys_are_the_given_strings(tmp_path, monkeypatch):
    # Given notebooks addressed by relative paths
    monkeypatch.chdir(tmp_path)
    nb = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "a.ipynb").write_text(json.dumps(nb))
    # When compared by those strings (plus a missing one)
    result = compare_paths(["./a.ipynb", "b.ipynb"], baseline="b.ipynb")
    # Then the keys are verbatim and the missing one is a per-notebook error
    assert [n["path"] for n in result["notebooks"]] == ["./a.ipynb", "b.ipynb"]
    assert result["notebooks"][1]["error"]["code"] == "not_found"
    assert result["baseline"] == "b.ipynb"


def test_a_single_name_string_is_one_name():
    # Given names given as one string by a Python caller
    entries = [entry("a", ("mse", scalar(1)), ("m", scalar(2)), ("s", scalar(3)))]
    # Then it selects that name, not the names spelled by its letters
    assert [v["name"] for v in compare(entries, names="mse")["values"]] == ["mse"]


def test_cells_say_which_notebook_cell_produced_them(example_runs):
    # Given two real runs, compared
    paths = [str(example_runs["ridge_alpha1"]), str(example_runs["ridge_alpha10"])]
    result = compare_paths(paths)
    # Then every present cell carries the index of the code cell that produced it
    for path in paths:
        nb = json.loads(open(path, encoding="utf-8").read())
        for name in ("mse", "metrics", "coefficients", "residuals_plot"):
            tagged = [
                i
                for i, cell in enumerate(nb["cells"])
                if name in cell.get("metadata", {}).get("tags", [])
            ]
            assert cells(result, name)[path]["cell_index"] == tagged[-1]
        # and a scrap points at the cell that glued it
        glued = cells(result, "r2", origin="scrap")[path]["cell_index"]
        assert 'sb.glue("r2"' in "".join(nb["cells"][glued]["source"])


def test_cell_position_never_makes_equal_values_differ():
    # Given the same value produced by cells at different positions
    a, b = entry("a", ("mse", scalar(0.5))), entry("b", ("mse", scalar(0.5)))
    b["record"]["values"][0]["cell_index"] = 7
    result = compare([a, b])
    # Then each cell says where it came from, and the row does not differ
    assert [cells(result, "mse")[p]["cell_index"] for p in "ab"] == [0, 7]
    assert row(result, "mse")["differs"] is False


_STRING_LABELS = st.sampled_from(["a", "b", "a", "", ["x", "y"], ["x", "y"]])


@st.composite
def _same_label_pairs(draw):
    """A baseline and a table with its very labels, values changed, rows maybe ragged."""
    columns = draw(st.lists(_STRING_LABELS, max_size=4))
    index = draw(st.lists(_STRING_LABELS, max_size=4))

    def rows():
        return [draw(st.lists(_CELL_VALUES, min_size=0, max_size=len(columns) + 1)) for _ in index]

    return table(columns, index, rows()), table(list(columns), list(index), rows())


@settings(max_examples=800, deadline=None)
@given(_same_label_pairs())
def test_a_table_with_the_baselines_labels_gets_the_general_answer(pair):
    # Given two tables with the same string labels (the commonest case, which
    # takes a shortcut), with NaN, bools, lists and ragged rows as values
    from jupyterlab_nbcompare.core import compare as core_compare

    base, other = pair
    entries = [entry("a", ("t", base)), entry("b", ("t", other))]
    quick = compare(entries)
    # When the general pairing by label and occurrence answers the same request
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core_compare, "_same_labels", lambda labels, base_labels: False)
        general = compare(entries)
    # Then both answers are identical, field for field
    assert repr(quick) == repr(general)
    assert cells(quick, "t")["b"]["changed_at"] == _reference_changed_at(other, base)
