"""Issue #13 in the core: failures, why a value is missing, flattened parameters, groups.

On notebooks papermill really executed (``sweep_grid``: seeds, a dict parameter,
a failing run; ``example_runs``: the demo grid), compared through
``core.files.compare_paths`` as the CLI and the Python API do.
"""

from __future__ import annotations

import json
import math
import statistics

import orjson
import pytest
from scipy import stats

from jupyterlab_nbcompare.core.compare import compare, compare_json
from jupyterlab_nbcompare.core.extract import extract
from jupyterlab_nbcompare.core.files import compare_paths, load_entry

from .sweep_runs import SWEEP, score

PARAMS = dict(SWEEP)


def _index_of(path, needle: str) -> int:
    """The index (among all cells) of the one cell whose source holds ``needle``."""
    cells = json.loads(path.read_text())["cells"]
    found = [i for i, cell in enumerate(cells) if needle in "".join(cell["source"])]
    assert len(found) == 1
    return found[0]


def _notebook(answer: dict, path: str) -> dict:
    return next(n for n in answer["notebooks"] if n["path"] == path)


def _row(answer: dict, name: str) -> dict:
    return next(v for v in answer["values"] if v["name"] == name)


# --------------------------------------------------------------------------- failure


def test_failure_names_the_first_error_and_its_cell(sweep_grid):
    # Given an ok run and a run that raised in an untagged cell
    ok, failed = str(sweep_grid["c01_s0"]), str(sweep_grid["c1_fail"])
    # When they are compared
    answer = compare_paths([ok, failed])
    # Then the failed one says what was raised, and where (among all cells)
    assert _notebook(answer, failed)["status"] == "failed"
    assert _notebook(answer, failed)["failure"] == {
        "ename": "ValueError",
        "evalue": "bad C: 1.0",
        "cell_index": _index_of(sweep_grid["c1_fail"], "raise ValueError"),
    }
    assert _notebook(answer, ok)["failure"] is None


def test_failure_of_the_demo_grid(example_runs):
    answer = compare_paths([str(example_runs["ridge_alpha1"]), str(example_runs["ridge_diverged"])])
    failure = answer["notebooks"][1]["failure"]
    assert failure == {
        "ename": "RuntimeError",
        "evalue": "training diverged for alpha=1000.0",
        "cell_index": _index_of(example_runs["ridge_diverged"], "training diverged"),
    }


def _code(source: str, outputs=(), tags=(), **metadata) -> dict:
    return {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {"tags": list(tags), **metadata},
        "outputs": list(outputs),
        "source": source,
    }


def _error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def test_the_first_error_wins_tagged_or_not():
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "x"},
            _code("1/0", [_error("ZeroDivisionError", "division by zero")]),
            _code("x", [_error("NameError", "x")], tags=["t"]),
        ],
        "metadata": {},
    }
    assert extract(nb)["failure"] == {
        "ename": "ZeroDivisionError",
        "evalue": "division by zero",
        "cell_index": 1,
    }


def test_failure_known_only_from_papermill_metadata_has_no_cell():
    nb = {"cells": [_code("1")], "metadata": {"papermill": {"exception": True}}}
    record = extract(nb)
    assert record["status"] == "failed"
    assert record["failure"] == {"ename": None, "evalue": None, "cell_index": None}


def test_papermill_cell_mark_without_error_output_still_gives_the_cell():
    nb = {
        "cells": [_code("a"), _code("b", papermill={"exception": True, "status": "failed"})],
        "metadata": {},
    }
    assert extract(nb)["failure"] == {"ename": None, "evalue": None, "cell_index": 1}


# --------------------------------------------------------------------------- missing


def test_a_value_after_the_failure_is_missing_because_it_never_ran(sweep_grid):
    # Given a run whose failure left the tagged cell "late" pending
    ok, failed = str(sweep_grid["c01_s0"]), str(sweep_grid["c1_fail"])
    answer = compare_paths([ok, failed])
    late = _row(answer, "late")
    failed_at = _index_of(sweep_grid["c1_fail"], "raise ValueError")
    # Then its missing cell says so, machine-readably and in words
    assert late["cells"][failed] is None
    assert late["missing"] == {
        failed: {
            "reason": "not_run",
            "cell_index": _index_of(sweep_grid["c1_fail"], "print(seed)"),
            "failed_at": failed_at,
            "message": f"not run: the run failed at cell {failed_at}",
        }
    }
    # And a value both runs have is missing nowhere
    assert _row(answer, "score")["missing"] == {}


def test_absent_no_output_and_unreadable_are_told_apart(tmp_path, example_runs):
    nb = {
        "cells": [
            _code("print(1)", [{"output_type": "stream", "name": "stdout", "text": "1"}], ["v"]),
            _code("warn()", [{"output_type": "stream", "name": "stderr", "text": "w"}], ["w"]),
        ],
        "metadata": {},
    }
    (tmp_path / "a.ipynb").write_text(json.dumps(nb))
    del nb["cells"][1]["outputs"][0]  # ran, left nothing (not even stderr)
    nb["cells"][0]["outputs"] = []
    nb["cells"][0]["execution_count"] = None  # never ran
    (tmp_path / "b.ipynb").write_text(json.dumps(nb))
    paths = [str(tmp_path / name) for name in ("a.ipynb", "b.ipynb", "gone.ipynb")]
    answer = compare_paths([*paths, str(example_runs["ridge_alpha1"])])
    v, w = _row(answer, "v"), _row(answer, "w")
    assert v["missing"][paths[1]]["reason"] == "not_run"
    assert v["missing"][paths[1]]["message"] == "not run"
    assert w["missing"][paths[0]]["reason"] == "no_output"  # stderr only carries no value
    assert w["missing"][paths[1]] == {
        "reason": "no_output",
        "cell_index": 1,
        "failed_at": None,
        "message": "no output",
    }
    assert v["missing"][paths[2]]["reason"] == "unreadable"
    assert v["missing"][paths[2]]["message"].startswith("unreadable: ")
    absent = v["missing"][str(example_runs["ridge_alpha1"])]
    assert absent == {
        "reason": "absent",
        "cell_index": None,
        "failed_at": None,
        "message": "missing",
    }


# --------------------------------------------------------------------------- parameters_flat


def test_dict_parameters_are_flattened_on_real_runs(sweep_grid):
    answer = compare_paths([str(sweep_grid["c1_s1"])])
    notebook = answer["notebooks"][0]
    assert notebook["parameters"]["cfg"]["value"] == {"C": 1.0, "kernel": {"gamma": 2}}
    assert notebook["parameters_flat"] == {
        "cfg.C": {"value": 1.0, "injected": True},
        "cfg.kernel.gamma": {"value": 2, "injected": True},
        "seed": {"value": 1, "injected": True},
        "fail": {"value": False, "injected": False},
    }


# --------------------------------------------------------------------------- groups


def test_groups_of_seeds_by_a_dict_leaf(sweep_grid):
    # Given the sweep, grouped by the dict parameter's leaf
    paths = [str(p) for p in sweep_grid.values()]
    answer = compare_paths(paths, group_by=["cfg.C"])
    groups = answer["groups"]
    # Then one group per C, in first-appearance order, the failed run listed apart
    assert [g["key"] for g in groups] == [{"cfg.C": 0.1}, {"cfg.C": 1.0}]
    low = [str(sweep_grid[s]) for s in ("c01_s0", "c01_s1", "c01_s2")]
    high = [str(sweep_grid[s]) for s in ("c1_s0", "c1_s1", "c1_fail")]
    assert groups[0]["paths"] == low
    assert groups[1]["paths"] == high
    assert groups[1]["failed"] == [str(sweep_grid["c1_fail"])]
    assert answer["baseline_group"] == 0
    # And the score's statistics are those of the ok runs, by hand
    low_scores = [score(PARAMS[s]) for s in ("c01_s0", "c01_s1", "c01_s2")]
    high_scores = [score(PARAMS[s]) for s in ("c1_s0", "c1_s1")]  # not the failed one
    base, other = (next(s for s in g["stats"] if s["name"] == "score") for g in groups)
    assert base["n"] == 3
    assert base["mean"] == pytest.approx(statistics.mean(low_scores))
    assert base["std"] == pytest.approx(statistics.stdev(low_scores))
    assert (base["min"], base["max"]) == (min(low_scores), max(low_scores))
    assert other["n"] == 2
    assert other["mean"] == pytest.approx(statistics.mean(high_scores))
    assert other["delta"] == pytest.approx(statistics.mean(high_scores) - base["mean"])
    welch = stats.ttest_ind(high_scores, low_scores, equal_var=False).pvalue
    assert other["p_value"] == pytest.approx(welch, rel=1e-9)
    assert welch < 0.05  # ten apart, little spread: the sweep is made so
    assert other["significant"] is True
    assert other["better"] is True  # "score": higher is better
    # And a mapping's number item has its own entry; its text item none
    assert [s["key"] for s in groups[0]["stats"] if s["name"] == "m"] == ["loss"]


def test_groups_of_the_demo_grid_by_model(example_runs):
    paths = [str(p) for p in example_runs.values()]
    answer = compare_paths(paths, group_by=["model"])
    ridge, ols = answer["groups"]
    assert ridge["key"] == {"model": "ridge"}
    assert ridge["failed"] == [str(example_runs["ridge_diverged"])]
    # by hand, from the cells of the ok ridge runs
    mse = _row(answer, "mse")["cells"]
    ok = [p for p in ridge["paths"] if p not in ridge["failed"]]
    values = [mse[p]["value"] for p in ok]
    stat = next(s for s in ridge["stats"] if s["name"] == "mse" and s["origin"] == "tag")
    assert stat["n"] == len(values) == 5
    assert stat["mean"] == pytest.approx(statistics.mean(values))
    assert stat["std"] == pytest.approx(statistics.stdev(values))
    ols_stat = next(s for s in ols["stats"] if s["name"] == "mse" and s["origin"] == "tag")
    assert ols_stat["n"] == 1
    assert ols_stat["std"] is None
    assert ols_stat["significant"] is None  # n = 1: no test
    assert ols_stat["better"] is None  # so no verdict either (the base group has n = 5)


def test_group_by_a_parameter_nobody_has_is_refused(sweep_grid):
    with pytest.raises(ValueError, match=r"cfg\.D"):
        compare_paths([str(sweep_grid["c01_s0"])], group_by=["cfg.D"])


def test_without_group_by_there_are_no_group_fields(sweep_grid):
    answer = compare_paths([str(sweep_grid["c01_s0"])])
    assert "groups" not in answer
    assert "baseline_group" not in answer


def test_streamed_json_carries_the_same_groups(sweep_grid, example_runs):
    entries = [load_entry(p) for p in [*sweep_grid.values(), example_runs["ridge_alpha1"]]]
    whole = compare(entries, group_by=["cfg.C", "seed"])
    streamed = orjson.loads(compare_json(entries, group_by=["cfg.C", "seed"]))
    assert streamed == json.loads(json.dumps(whole))
    assert len(whole["groups"]) == 7  # six runs, and the demo run without cfg
    assert whole["groups"][-1]["key"] == {"cfg.C": None, "seed": 0}  # the demo run's seed
    assert not math.isnan(whole["groups"][0]["stats"][0]["mean"])
