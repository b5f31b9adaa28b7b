"""The notebook written by "Export as comparison notebook" runs with papermill.

The notebook is ``tests/files/generated/comparison.ipynb``: the jest test
``src/__tests__/exportNotebook.spec.ts`` builds it with the very function the
panel uses and fails when this file differs, so what runs here is what users get.
It compares runs in its own folder (``runs/``), so it is copied beside real runs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import papermill as pm
import pytest

GENERATED = Path(__file__).parent / "files" / "generated" / "comparison.ipynb"
#: The same comparison exported from a panel grouped by ``model``.
GENERATED_GROUPED = GENERATED.with_name("comparison_grouped.ipynb")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


@pytest.fixture
def runs_folder(example_runs, tmp_path) -> Path:
    """A folder of real runs, with the exported notebook beside them."""
    folder = tmp_path / "runs"
    folder.mkdir()
    for path in example_runs.values():
        shutil.copyfile(path, folder / path.name)
    shutil.copyfile(GENERATED, folder / "comparison.ipynb")
    return folder


def outputs_of(nb: dict) -> list[dict]:
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]


def execute(folder: Path, **parameters) -> dict:
    """Run the exported notebook with papermill, as `papermill comparison.ipynb out.ipynb`."""
    out = folder / "executed.ipynb"
    pm.execute_notebook(
        str(folder / "comparison.ipynb"),
        str(out),
        parameters=parameters,
        cwd=str(folder),
        kernel_name="python3",
        progress_bar=False,
    )
    return json.loads(out.read_text())


def test_the_committed_notebook_is_what_the_builder_writes():
    # Given the file the jest test keeps in sync with the builder
    nb = json.loads(GENERATED.read_text())
    # Then it is a notebook on the Python API with a papermill parameters cell
    sources = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert any("parameters" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert any("NotebookCollection(" in s for s in sources)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_exported_notebook_runs_and_shows_the_comparison(runs_folder):
    # Given the exported notebook beside the runs it compares
    runs = sorted(p for p in runs_folder.glob("*.ipynb") if p.name != "comparison.ipynb")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in runs}
    # When papermill runs it (PapermillExecutionError if any cell raised)
    executed = execute(runs_folder)
    # Then no cell raised
    outputs = outputs_of(executed)
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert executed["metadata"]["papermill"]["exception"] in (None, False)
    # And the numbers table and one side-by-side view per name are there
    html = [_text(o["data"]["text/html"]) for o in outputs if "text/html" in o.get("data", {})]
    frame = next(h for h in html if "metrics.r2" in h)
    for run in ("ridge_alpha1", "ridge_alpha10", "ridge_diverged", "ols_seed1"):
        assert run in frame
    for name in ("mse", "metrics", "coefficients", "residuals_plot", "sanity_check", "r2"):
        assert any(h.startswith(f"<h4>{name}</h4>") for h in html), name
    # the plots are embedded, the failed run's error shown as a value
    plots = next(h for h in html if h.startswith("<h4>residuals_plot</h4>"))
    assert plots.count("data:image/png;base64,") == 4
    sanity = next(h for h in html if h.startswith("<h4>sanity_check</h4>"))
    assert "RuntimeError" in sanity
    # And the compared runs were only read
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in runs}
    assert after == before


def test_exported_notebook_reruns_on_other_runs(runs_folder):
    # Given other runs passed as papermill parameters, and every name
    paths = ["ridge_alpha0.1.ipynb", "ridge_alpha100.ipynb", "ridge_small_n.ipynb"]
    executed = execute(runs_folder, paths=paths, baseline=paths[1], names=None)
    # Then it runs, shows those runs with the new baseline, and every name
    outputs = outputs_of(executed)
    assert not [o for o in outputs if o["output_type"] == "error"]
    html = [_text(o["data"]["text/html"]) for o in outputs if "text/html" in o.get("data", {})]
    views = [h for h in html if h.startswith("<h4>")]
    assert any(h.startswith("<h4>summary</h4>") for h in views)  # not in the exported names
    assert all("ridge_alpha100</span> <small>(baseline)</small>" in h for h in views)
    assert not any("ridge_alpha1<" in h for h in html)


def test_exported_grouped_notebook_shows_the_groups(runs_folder):
    # Given the notebook a panel grouped by model exports, beside the runs
    shutil.copyfile(GENERATED_GROUPED, runs_folder / "comparison.ipynb")
    nb = json.loads(GENERATED_GROUPED.read_text())
    sources = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert 'group_by = ["model"]' in sources[0]
    assert "collection.groups(by=group_by)" in sources
    # When papermill runs it
    executed = execute(runs_folder)
    # Then no cell raised, and the groups table has one row group per model
    outputs = outputs_of(executed)
    assert not [o for o in outputs if o["output_type"] == "error"]
    cell = next(
        c for c in executed["cells"] if _text(c["source"]) == "collection.groups(by=group_by)"
    )
    html = _text(cell["outputs"][0]["data"]["text/html"])
    for column in ("model", "mean", "std", "significant"):
        assert f"<th>{column}</th>" in html
    assert "<td>ridge</td>" in html
    assert "<td>ols</td>" in html
