"""The demo's sweep (``examples/generate.py``, ``runs/sweep/``) shows what grouping is for.

``make demo`` opens JupyterLab on the generated runs; the sweep among them must
make "Group by" show something on first use: several seeds per model, a
dict-valued ``model_params`` (flattened to ``model_params.alpha`` and
``model_params.C``), one model clearly worse beyond the seed noise, one within
it, and one run that failed in an untagged cell and is counted apart. The runs
are executed for real by papermill.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from jupyterlab_nbcompare.core.files import compare_paths

REPO = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location(
        "nbcompare_examples_sweep", REPO / "examples" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo_sweep(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("demo_sweep")
    return [str(path) for path in _generator().generate_sweep(out)]


def _stat(group: dict, name: str, key: str | None = None) -> dict:
    return next(s for s in group["stats"] if s["name"] == name and s["key"] == key)


def test_the_sweep_is_three_models_by_three_seeds_with_dict_parameters(demo_sweep):
    # Given the demo's sweep compared as the panel does
    answer = compare_paths(demo_sweep)
    flat = [nb["parameters_flat"] for nb in answer["notebooks"]]
    # Then every run has a model and a seed, and model_params is flattened by key
    assert sorted({f["model"]["value"] for f in flat}) == ["lasso", "ridge", "svm"]
    assert sorted({f["seed"]["value"] for f in flat}) == [0, 1, 2]
    assert {
        f["model"]["value"]: sorted(k for k in f if k.startswith("model_params.")) for f in flat
    } == {
        "ridge": ["model_params.alpha"],
        "lasso": ["model_params.alpha"],
        "svm": ["model_params.C"],
    }
    # and the generator's other runs are untouched: the sweep is its own list
    assert len(_generator().GRID) == 7


def test_one_run_fails_in_an_untagged_cell_and_its_tagged_cells_stay_empty(demo_sweep):
    answer = compare_paths(demo_sweep)
    failed = [nb for nb in answer["notebooks"] if nb["status"] == "failed"]
    assert [Path(nb["path"]).name for nb in failed] == ["lasso_s2.ipynb"]
    failure = failed[0]["failure"]
    assert failure["ename"] == "FloatingPointError"
    cells = json.loads(Path(failed[0]["path"]).read_text())["cells"]
    assert not cells[failure["cell_index"]]["metadata"].get("tags")
    # the tagged cells after it never ran: no value, rather than an error value
    mse = next(v for v in answer["values"] if v["name"] == "mse")
    assert mse["cells"][failed[0]["path"]] is None


def test_grouping_by_model_shows_noise_and_a_real_difference(demo_sweep):
    # Given the sweep grouped by model, ridge (the first run's) as the baseline
    answer = compare_paths(demo_sweep, group_by=["model"])
    groups = {g["key"]["model"]: g for g in answer["groups"]}
    assert answer["groups"][answer["baseline_group"]]["key"] == {"model": "ridge"}
    # Then the failed lasso run is listed apart and never averaged
    assert [Path(p).name for p in groups["lasso"]["failed"]] == ["lasso_s2.ipynb"]
    assert _stat(groups["lasso"], "mse")["n"] == 2
    assert _stat(groups["ridge"], "mse")["n"] == 3
    # lasso's mse is within the seed noise of ridge's; svm's is worse beyond it
    assert _stat(groups["lasso"], "mse")["significant"] is False
    assert _stat(groups["lasso"], "mse")["better"] is None
    svm = _stat(groups["svm"], "mse")
    assert svm["significant"] is True
    assert svm["better"] is False
    assert _stat(groups["svm"], "metrics", "r2")["better"] is False
