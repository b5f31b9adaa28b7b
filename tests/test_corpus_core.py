"""The core on real notebooks: the real-notebook corpus and real papermill runs, end to end.

Every file goes through ``compare_paths`` (read, extract, compare) exactly as the
command line does; the server adds only the ContentsManager around the same calls.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyterlab_nbcompare.core.extract import load_record
from jupyterlab_nbcompare.core.files import compare_paths, load_entry
from jupyterlab_nbcompare.core.index import index_summary

from .conftest import corpus_file

FILES = Path(__file__).parent / "files" / "core"


def row(result, name, origin="tag"):
    return next(v for v in result["values"] if v["name"] == name and v["origin"] == origin)


# ----------------------------------------------------------------------------- corpus


def test_every_corpus_notebook_gives_a_record_or_a_read_error(corpus_notebooks):
    # Given every notebook of the real-world corpus, invalid ones included
    paths = [str(p) for p in corpus_notebooks]
    # When they are all compared at once
    result = compare_paths(paths)
    # Then each is a column with a known status; unreadable ones say why
    assert [n["path"] for n in result["notebooks"]] == paths
    for notebook in result["notebooks"]:
        assert notebook["status"] in {"ok", "failed", "unreadable"}, notebook["path"]
        if notebook["status"] == "unreadable":
            assert notebook["error"]["code"] in {"invalid_json", "invalid_notebook"}
            assert notebook["error"]["message"]
        else:
            assert notebook["error"] is None
    # And the whole answer is strict JSON with a cell key per path in every row
    json.dumps(result, allow_nan=False)
    for value in result["values"]:
        assert list(value["cells"]) == paths


@pytest.mark.parametrize(
    ("relative", "status"),
    [
        ("nbdime/nbdime/tests/files/error--1.ipynb", "failed"),
        ("nbformat/tests/many_tracebacks.ipynb", "failed"),
        ("nbformat/tests/test4.ipynb", "ok"),
        ("nbformat/tests/test3.ipynb", "ok"),
        ("nbformat/tests/test2.ipynb", "ok"),
        ("nbformat/tests/invalid.ipynb", "ok"),  # readable despite schema errors
        ("papermill/papermill/tests/notebooks/broken1.ipynb", "ok"),  # no error output
        ("papermill/papermill/tests/notebooks/keyboard_interrupt.ipynb", "failed"),
        ("scrapbook/scrapbook/tests/notebooks/collection/result1.ipynb", "ok"),
    ],
)
def test_corpus_statuses(relative, status):
    # Given a real notebook whose outputs we know (an error output means failed)
    entry = load_entry(corpus_file(relative))
    # Then it reads, with the status its outputs imply
    assert entry["error"] is None
    assert entry["record"]["status"] == status


def test_string_tags_in_the_corpus_name_the_cell():
    # Given nbformat's notebook whose tags are a string "BAD: should be list of str"
    record = load_record(corpus_file("nbformat/tests/v4_5_invalid_metadata.ipynb").read_bytes())
    # Then the string is the one tag, and the value is the cell's output ('bar')
    assert record["values"][0]["name"] == "BAD: should be list of str"
    assert record["values"][0]["cell"] == {"kind": "text", "text": "bar"}


def test_scrapbook_collection_compared():
    # Given scrapbook's two collection results (number 1 vs 2, one/two only in each)
    base = corpus_file("scrapbook/scrapbook/tests/notebooks/collection")
    paths = [str(base / "result1.ipynb"), str(base / "result2.ipynb")]
    result = compare_paths(paths)
    # Then the shared scrap is compared with a delta of 1
    number = row(result, "number", "scrap")
    assert number["cells"][paths[1]]["delta"] == 1
    assert number["cells"][paths[1]]["rel_delta"] == 1.0
    assert number["differs"] is True
    # And a scrap only in one notebook is null in the other
    assert row(result, "one", "scrap")["cells"][paths[1]] is None
    assert row(result, "two", "scrap")["cells"][paths[0]] is None
    # And the sequences give their set differences, the parameters their injected values
    lists = row(result, "list", "scrap")["cells"][paths[1]]
    assert (lists["added"], lists["removed"]) == ([4, 5, 6], [1, 2, 3])
    assert result["notebooks"][1]["parameters"]["bar"] == {"value": "world", "injected": True}


def test_hand_made_files_compared_with_unreadable_ones():
    # Given the hand-made edge notebooks, including invalid JSON and a JSON list
    names = [
        "edge_cases.ipynb",
        "nbformat3.ipynb",
        "invalid_json.ipynb",
        "not_a_notebook.ipynb",
        "nan_literal.ipynb",
    ]
    paths = [str(FILES / name) for name in names]
    result = compare_paths(paths, baseline=paths[1])
    # Then each bad file is an unreadable column with the right code, the others compare
    statuses = [(n["status"], (n["error"] or {}).get("code")) for n in result["notebooks"]]
    assert statuses == [
        ("failed", None),
        ("failed", None),
        ("unreadable", "invalid_json"),
        ("unreadable", "invalid_notebook"),
        ("ok", None),
    ]
    # And the NaN that only Python's json could read travels as the string "NaN"
    loose = row(result, "loose_json")["cells"][paths[4]]
    assert loose["items"]["v"]["value"] == "NaN"
    json.dumps(result, allow_nan=False)


# ----------------------------------------------------------------------------- real runs


@pytest.fixture(scope="module")
def grid(example_runs):
    """The comparison of every real run against ridge_alpha1."""
    paths = [str(p) for p in example_runs.values()]
    base = str(example_runs["ridge_alpha1"])
    return paths, base, compare_paths(paths, baseline=base)


def test_real_runs_mse_deltas(grid, example_runs):
    # Given every run compared with ridge_alpha1 as the baseline
    paths, base, result = grid
    mse = row(result, "mse")
    assert (mse["kind"], mse["direction"], mse["differs"]) == ("scalar", "lower", True)
    base_value = mse["cells"][base]["value"]
    # Then each run's delta is its mse minus the baseline's, and lower is better
    for path in paths:
        cell = mse["cells"][path]
        assert cell["delta"] == pytest.approx(cell["value"] - base_value, abs=1e-15)
        assert cell["rel_delta"] == pytest.approx((cell["value"] - base_value) / base_value)
        if path != base:
            assert cell["better"] is (cell["value"] < base_value)
    # And the diverged run (alpha=1000) is much worse than alpha=1
    diverged = mse["cells"][str(example_runs["ridge_diverged"])]
    assert diverged["better"] is False


def test_real_runs_metrics_items_follow_their_keys(grid, example_runs):
    # Given the printed metrics dict of every run
    _, _, result = grid
    metrics = row(result, "metrics")
    diverged = metrics["cells"][str(example_runs["ridge_diverged"])]["items"]
    # Then mse/mae are losses and r2 a score: the diverged run is worse on all three
    assert diverged["mse"]["better"] is False
    assert diverged["mae"]["better"] is False
    assert diverged["r2"]["better"] is False
    assert diverged["r2"]["delta"] < 0


def test_real_runs_statuses_parameters_and_failed_cell(grid, example_runs):
    # Given the grid, one run of which failed on purpose
    paths, _, result = grid
    by_path = {n["path"]: n for n in result["notebooks"]}
    failed = str(example_runs["ridge_diverged"])
    # Then only that run is failed and its sanity_check is an error among texts
    assert [p for p in paths if by_path[p]["status"] == "failed"] == [failed]
    check = row(result, "sanity_check")
    assert check["kind"] == "mixed"
    assert check["cells"][failed]["kind"] == "error"
    # And parameters show what the grid injected (examples/generate.py)
    assert by_path[failed]["parameters"]["alpha"] == {"value": 1000.0, "injected": True}
    small = by_path[str(example_runs["ridge_small_n"])]["parameters"]
    assert small["n_samples"] == {"value": 40, "injected": True}


def test_real_runs_images_tables_sequences_scraps(grid, example_runs):
    # Given the grid
    paths, base, result = grid
    # Then every plot has its own url to the output endpoint
    plot = row(result, "residuals_plot")
    for path in paths:
        assert plot["cells"][path]["url"].startswith("nbcompare/output?path=")
        assert plot["cells"][path]["url"].endswith("&name=residuals_plot&origin=tag")
    # And the coefficients tables align by label: the "true" column never changes
    table = row(result, "coefficients")
    for path in paths:
        cell = table["cells"][path]
        assert cell["added_rows"] == cell["removed_rows"] == []
        assert all(column != "true" for _, column in cell["changed"])
    # And the scraps test_mse (display=True) and r2 are single, directed values
    test_mse = row(result, "test_mse", "scrap")
    assert test_mse["direction"] == "lower"
    assert not any(cell.get("duplicate") for cell in test_mse["cells"].values())
    assert row(result, "r2", "scrap")["direction"] == "higher"
    # And the config scrap differs only where the grid changed alpha/model/n_samples
    config = row(result, "config", "scrap")
    assert config["cells"][base]["items"]["alpha"]["delta"] == 0.0


def test_real_runs_index(example_runs):
    # Given the runs summarised for the tag browser
    entries = [load_entry(p, key=f"runs/{p.name}") for p in example_runs.values()]
    result = index_summary(entries)
    names = {(n["origin"], n["name"]): n for n in result["names"]}
    # Then every run carries mse, and its min/max bound every run's mse
    mse = names[("tag", "mse")]
    assert mse["count"] == len(entries)
    values = [
        next(n["value"] for n in nb["names"] if n["name"] == "mse") for nb in result["notebooks"]
    ]
    assert (mse["min"], mse["max"]) == (min(values), max(values))
    assert [nb["path"] for nb in result["notebooks"]] == sorted(e["path"] for e in entries)
    assert names[("tag", "sanity_check")]["kind"] == "mixed"


def test_html_tables_reordered_and_repeated_labels(tmp_path):
    # Given two notebooks whose tagged DataFrames differ in row order and one value,
    # with a repeated index label, rendered by pandas itself
    pd = pytest.importorskip("pandas")
    base = pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=["x", "y", "x"])
    other = pd.DataFrame({"v": [2.0, 1.0, 30.0]}, index=["y", "x", "x"])
    paths = []
    for name, frame in (("a", base), ("b", other)):
        output = {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"text/html": frame.to_html(), "text/plain": repr(frame)},
        }
        cell = {"cell_type": "code", "metadata": {"tags": ["t"]}, "outputs": [output], "source": ""}
        nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(nb))
        paths.append(str(path))
    # When they are compared
    cell = row(compare_paths(paths), "t")["cells"][paths[1]]
    # Then rows pair by label and occurrence: only the second "x" changed (3 -> 30)
    assert cell["kind"] == "table"
    assert cell["index"] == ["y", "x", "x"]
    assert cell["changed"] == [["x", "v"]]
    assert cell["added_rows"] == cell["removed_rows"] == []
