"""``NotebookCollection.from_view`` and ``check_gates``: a saved view from Python, on real runs.

The same view gives the same comparison and the same gate lines as
``jupyter nbcompare VIEW.nbcompare`` (tests/test_cli_views.py); expected
numbers come from the notebooks themselves.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

from jupyterlab_nbcompare import NotebookCollection
from jupyterlab_nbcompare.gates import GateError
from jupyterlab_nbcompare.viewfile import ViewFileError

from .conftest import write_view
from .test_cli import printed_metrics, printed_mse, run
from .test_cli_views import RIDGES


def test_from_view_is_the_views_comparison_and_its_gates_are_the_clis(example_view, capsys):
    # Given the example view beside the example runs
    runs = example_view.parent / "runs"
    # When it is opened from Python
    collection = NotebookCollection.from_view(example_view, ids="filenames")
    # Then it holds the pattern's runs, against the view's baseline, showing its names
    assert collection.ids == RIDGES
    assert collection.baseline == str(runs / "ridge_alpha100.ipynb")
    assert collection.names == ["mse", "metrics", "coefficients", "residuals_plot"]
    frame = collection.to_frame()
    assert frame.loc["mse", "ridge_alpha1"] == printed_mse(runs / "ridge_alpha1.ipynb")
    assert list(frame.index) == ["mse", "metrics.mse", "metrics.mae", "metrics.r2"]
    # And its gates pass, with the lines the command line prints
    result = collection.check_gates()
    assert result
    assert result.ok
    assert result.failures == []
    _, _, err = run([example_view], capsys)
    assert str(result).splitlines() == err.splitlines()

    # Given a worse run of the sweep saved under the view's pattern
    shutil.copyfile(runs / "ridge_diverged.ipynb", runs / "ridge_alpha1000.ipynb")
    # When the view is opened again and its gates checked
    again = NotebookCollection.from_view(example_view)
    result = again.check_gates()
    # Then they fail, saying what the command line says
    assert not result
    code, _, err = run([example_view], capsys)
    assert code == 1
    assert result.failures == [line for line in err.splitlines() if line.startswith("FAIL ")]
    assert any(str(runs / "ridge_alpha1000.ipynb") in line for line in result.failures)


def test_from_view_applies_names_filter_only_differences_directions_and_groups(settings_view):
    # Given a view that narrows, overrides a direction and groups by model
    view = settings_view
    runs = view.parent.parent / "runs"
    # When it is opened
    collection = NotebookCollection.from_view(view, ids="filenames")
    # Then it shows what the panel would: the differing rows whose label holds "a"
    assert collection.ids == ["ridge_alpha1", "ridge_alpha10", "ridge_small_n", "ols_seed1"]
    assert collection.names == ["metrics", "config"]
    assert list(collection.to_frame().index) == ["metrics.mae", "config.alpha", "config.n_samples"]
    assert "metrics.r2" not in collection._repr_html_()
    # And the direction came from the view
    mae = collection["metrics"].cells["ols_seed1"]["items"]["mae"]
    ols, base = (
        printed_metrics(runs / f"{s}.ipynb")["mae"] for s in ("ols_seed1", "ridge_alpha10")
    )
    assert mae["direction"] == "higher"
    assert mae["better"] is bool(ols > base)
    # And groups() groups by the view's group_by, over the values the view shows
    groups = collection.groups()
    assert list(groups["model"].unique()) == ["ridge", "ols"]
    assert set(zip(groups["name"], groups["key"])) == {
        ("metrics", "mae"),
        ("config", "alpha"),
        ("config", "n_samples"),
    }
    ridge_mae = groups[(groups["model"] == "ridge") & (groups["key"] == "mae")].iloc[0]
    maes = [printed_metrics(runs / f"{s}.ipynb")["mae"] for s in ("ridge_alpha1", "ridge_alpha10")]
    maes.append(printed_metrics(runs / "ridge_small_n.ipynb")["mae"])
    assert ridge_mae["n"] == 3
    assert ridge_mae["mean"] == pytest.approx(sum(maes) / 3)
    # And a gate on a value the view hides still sees it
    assert collection.check_gates({"mse": "1000%"})


def test_check_gates_takes_gates_as_a_view_or_the_command_line_writes_them(example_runs):
    base, worse = example_runs["ridge_alpha1"], example_runs["ridge_alpha100"]
    collection = NotebookCollection([base, worse])
    # When gates are given as a view writes them, or as --fail-if-worse does
    as_view = collection.check_gates({"mse": "0.01", "metrics.r2": "1%"})
    as_flags = collection.check_gates(["mse:0.01", "metrics.r2:1%"])
    # Then they agree, and fail ridge_alpha100 on both
    assert as_view == as_flags
    assert not as_view
    assert len(as_view.failures) == 2
    assert as_view.failures[0].startswith(f"FAIL mse: {worse} is worse by")
    # And a tolerance wide enough passes (alpha=100's mse is 13 times alpha=1's)
    assert collection.check_gates(["mse:2000%", "metrics.r2:100%"])


def test_gates_that_cannot_be_checked_raise_naming_the_gate(example_view):
    collection = NotebookCollection.from_view(example_view)
    with pytest.raises(GateError, match=r"gates\.nope: no notebook has a value named 'nope'"):
        collection.check_gates({"nope": 0})
    with pytest.raises(ValueError, match=r"direction of 'config\.alpha' is unknown"):
        collection.check_gates(["config.alpha"])
    with pytest.raises(ValueError, match="tolerance"):
        collection.check_gates({"mse": "lots"})
    # And a collection without a view has no gates of its own
    plain = NotebookCollection(collection.paths)
    with pytest.raises(ValueError, match="no gates to check"):
        plain.check_gates()


def test_a_malformed_view_raises_naming_the_field_and_is_left_as_it_was(example_runs, tmp_path):
    shutil.copyfile(example_runs["ridge_alpha1"], tmp_path / "ridge_alpha1.ipynb")
    view = tmp_path / "bad.nbcompare"
    text = json.dumps({"nbcompare": 1, "notebooks": ["*.ipynb"], "gates": {"mse": "lots"}})
    view.write_text(text)
    before = view.stat().st_mtime_ns
    with pytest.raises(ViewFileError) as caught:
        NotebookCollection.from_view(view)
    assert caught.value.field == "gates.mse"
    assert str(caught.value).startswith(f"{view}: gates.mse: 'lots' is not a tolerance")
    assert isinstance(caught.value, ValueError)
    assert view.read_text() == text
    assert view.stat().st_mtime_ns == before
    # And a view that is not there, or names a notebook that is not, is FileNotFoundError
    with pytest.raises(FileNotFoundError, match="no such view file"):
        NotebookCollection.from_view(tmp_path / "gone.nbcompare")
    missing = write_view(tmp_path / "m.nbcompare", notebooks=["ridge_alpha1.ipynb", "gone.ipynb"])
    with pytest.raises(FileNotFoundError, match=r"gone\.ipynb"):
        NotebookCollection.from_view(missing)


def test_a_baseline_outside_the_notebooks_comes_first(example_view):
    # Given a view comparing two runs against a third it does not list
    folder = example_view.parent
    view = write_view(
        folder / "prod.nbcompare",
        notebooks=["runs/ridge_alpha1*.ipynb"],
        baseline="runs/./ridge_small_n.ipynb",
        names=["nothing_has_this", "mse"],
    )
    # When it is opened
    with pytest.warns(UserWarning, match="names: no notebook has a value named 'nothing_has_this'"):
        collection = NotebookCollection.from_view(view, ids="filenames")
    # Then the baseline is the first column, and the rest follow the pattern
    assert collection.ids == ["ridge_small_n", "ridge_alpha1", "ridge_alpha10", "ridge_alpha100"]
    assert Path(collection.baseline) == folder / "runs" / "ridge_small_n.ipynb"
    assert collection.names == ["mse"]


def test_a_view_baseline_among_the_notebooks_is_not_doubled(example_view):
    view = write_view(
        example_view.parent / "b.nbcompare",
        notebooks=["runs/ridge_alpha1*.ipynb"],
        baseline="runs/../runs/ridge_alpha10.ipynb",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        collection = NotebookCollection.from_view(view, ids="filenames")
    assert collection.ids == ["ridge_alpha1", "ridge_alpha10", "ridge_alpha100"]
    assert collection.baseline.endswith("ridge_alpha10.ipynb")
