"""``jupyter nbcompare VIEW.nbcompare``: a saved view run from a terminal or CI, on real runs.

The view is the example's (``examples/sweep.nbcompare``) or one written here;
the runs are real papermill runs of ``examples/template.ipynb``. Expected
numbers come from the notebooks themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, marked_generated, write_view
from .test_cli import printed_metrics, printed_mse, run

RIDGES = ["ridge_alpha0.1", "ridge_alpha1", "ridge_alpha10", "ridge_alpha100"]


def compared(out: str) -> list[str]:
    """File names of the notebooks of a JSON answer, in column order."""
    return [Path(nb["path"]).name for nb in json.loads(out)["notebooks"]]


def shown(out: str) -> dict[str, list[str] | None]:
    """``{name: mapping keys or None}`` of the values of a JSON answer."""
    values = json.loads(out)["values"]
    out_ = {}
    for value in values:
        keys = None
        if value["kind"] == "mapping":
            keys = list(dict.fromkeys(k for c in value["cells"].values() if c for k in c["items"]))
        out_[value["name"]] = keys
    return out_


# --------------------------------------------------------------------------- the example view


def test_the_example_view_passes_on_the_sweep_and_fails_on_a_regression(example_view, capsys):
    # Given the example's view (ridge_alpha*.ipynb against ridge_alpha100, gated
    # on mse and metrics.r2) beside the example's runs
    runs = example_view.parent / "runs"
    # When it is run as it is
    code, out, err = run([example_view, "-f", "json"], capsys)
    # Then the pattern's runs are compared, sorted, against the view's baseline
    assert code == 0, err
    assert compared(out) == [f"{stem}.ipynb" for stem in RIDGES]
    assert json.loads(out)["baseline"] == str(runs / "ridge_alpha100.ipynb")
    # And every gate passed, in the words of --fail-if-worse
    assert err.count("ok   mse: ") == 3
    assert err.count("ok   metrics.r2: ") == 3
    assert "FAIL" not in err

    # Given a new run of the sweep that is worse than the baseline (alpha=1000,
    # a real papermill run), saved under the view's pattern
    shutil.copyfile(runs / "ridge_diverged.ipynb", runs / "ridge_alpha1000.ipynb")
    worse = printed_mse(runs / "ridge_alpha1000.ipynb")
    assert worse > printed_mse(runs / "ridge_alpha100.ipynb")
    # When the view is run again
    code, out, err = run([example_view], capsys)
    # Then the pattern picked it up, and the gate fails with exit code 1
    assert code == 1
    assert f"FAIL mse: {runs / 'ridge_alpha1000.ipynb'} is worse by" in err
    assert f"{worse:.6g} vs baseline" in err
    assert "FAIL metrics.r2: " in err
    assert err.rstrip().endswith("2 gate checks failed")


def test_a_view_gate_says_what_the_same_fail_if_worse_says(example_view, capsys):
    # Given the example view and a regression beside its runs
    runs = example_view.parent / "runs"
    shutil.copyfile(runs / "ridge_diverged.ipynb", runs / "ridge_alpha1000.ipynb")
    # When the view runs, and the same comparison is asked with flags
    view_code, view_out, view_err = run([example_view], capsys)
    paths = sorted(runs.glob("ridge_alpha*.ipynb"))
    flags = ["--baseline", runs / "ridge_alpha100.ipynb", "--names"]
    flags += ["mse,metrics,coefficients,residuals_plot"]
    flags += ["--fail-if-worse", "mse:0", "--fail-if-worse", "metrics.r2:1%"]
    flag_code, flag_out, flag_err = run([*paths, *flags], capsys)
    # Then both print and exit the same, line for line
    assert (view_code, view_out, view_err) == (flag_code, flag_out, flag_err)
    assert view_code == 1


def test_generate_writes_the_view_beside_the_runs_and_the_console_script_runs_it(example_runs):
    # Given the folder examples/generate.py ran the grid into (what `make demo` opens)
    view = next(iter(example_runs.values())).parent / "sweep.nbcompare"
    # Then the example view is there, its paths relative to the runs' folder
    written = json.loads(view.read_text())
    committed = json.loads((REPO / "examples" / "sweep.nbcompare").read_text())
    assert written["notebooks"] == ["ridge_alpha*.ipynb"]
    assert written["baseline"] == "ridge_alpha100.ipynb"
    assert {k: v for k, v in written.items() if k not in ("notebooks", "baseline")} == {
        k: v for k, v in committed.items() if k not in ("notebooks", "baseline")
    }
    # When the installed command runs it, as CI would
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [Path(sys.executable).with_name("jupyter"), "nbcompare", view, "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    # Then the gates pass, and the answer holds the view's runs and names only
    assert done.returncode == 0, done.stderr
    assert "ok   mse: " in done.stderr
    assert compared(done.stdout) == [f"{stem}.ipynb" for stem in RIDGES]
    assert list(shown(done.stdout)) == ["mse", "metrics", "coefficients", "residuals_plot"]


# --------------------------------------------------------------------------- settings


def test_the_view_settings_shape_the_answer(settings_view, capsys):
    # Given a view with names, a filter, only differences, directions and groups
    view = settings_view
    runs = view.parent.parent / "runs"
    # When it is run
    code, out, err = run([view, "-f", "json"], capsys)
    assert code == 0, err
    answer = json.loads(out)
    # Then `..` climbed out of the view's folder, patterns sorted, explicit paths kept
    assert compared(out) == [
        "ridge_alpha1.ipynb",
        "ridge_alpha10.ipynb",
        "ridge_small_n.ipynb",
        "ols_seed1.ipynb",
    ]
    assert Path(answer["baseline"]).name == "ridge_alpha10.ipynb"
    # And only the rows of the named values whose label holds "a" (any case) and
    # that differ: not mse, metrics.mse, metrics.r2 nor config.model (no "a"), and
    # config.n_samples stays because ridge_small_n has 40 samples
    assert shown(out) == {"metrics": ["mae"], "config": ["alpha", "n_samples"]}
    # And the view's direction was applied
    metrics = next(v for v in answer["values"] if v["name"] == "metrics")
    mae = metrics["cells"][str(runs / "ols_seed1.ipynb")]["items"]["mae"]
    ols_mae = printed_metrics(runs / "ols_seed1.ipynb")["mae"]
    assert ols_mae != printed_metrics(runs / "ridge_alpha10.ipynb")["mae"]
    assert mae["direction"] == "higher"
    assert mae["better"] is bool(ols_mae > printed_metrics(runs / "ridge_alpha10.ipynb")["mae"])
    # And the runs were grouped by model, the stats narrowed as the values are
    assert [group["key"] for group in answer["groups"]] == [{"model": "ridge"}, {"model": "ols"}]
    for group in answer["groups"]:
        assert {(s["name"], s["key"]) for s in group["stats"]} <= {
            ("metrics", "mae"),
            ("config", "alpha"),
            ("config", "n_samples"),
        }


def test_flags_override_the_view(example_view, capsys):
    # Given the example view, whose baseline is ridge_alpha100
    runs = example_view.parent / "runs"
    # When the baseline, names, filter and the mse gate's tolerance come from flags
    argv = [example_view, "-f", "json", "--baseline", runs / "ridge_alpha1.ipynb"]
    argv += ["--names", "metrics", "--filter", "R2", "--fail-if-worse", "mse:5%"]
    code, out, err = run(argv, capsys)
    # Then the flags won: against ridge_alpha1, alpha10 and 100 are worse
    assert json.loads(out)["baseline"] == str(runs / "ridge_alpha1.ipynb")
    assert shown(out) == {"metrics": ["r2"]}
    assert code == 1
    assert "tolerance 5% of the baseline" in err
    assert "tolerance 0\n" not in err  # the view's own mse gate was replaced
    assert f"FAIL mse: {runs / 'ridge_alpha100.ipynb'}" in err
    # And the view's other gate still counts
    assert f"FAIL metrics.r2: {runs / 'ridge_alpha100.ipynb'}" in err
    # And --no-only-differences turns a view's setting off
    view = write_view(
        example_view.parent / "same.nbcompare",
        notebooks=["runs/ridge_alpha1.ipynb", "runs/ridge_alpha10.ipynb"],
        names=["config"],
        only_differences=True,
    )
    _, out, _ = run([view, "-f", "json"], capsys)
    assert shown(out) == {"config": ["alpha"]}
    _, out, _ = run([view, "-f", "json", "--no-only-differences"], capsys)
    assert shown(out) == {"config": ["alpha", "model", "n_samples"]}


def test_filter_and_only_differences_without_a_view(example_runs, capsys):
    # Given two runs that share some values
    runs = [example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]]
    # When they are compared with the panel's filter and toggle as flags
    code, out, _ = run([*runs, "-f", "json", "--filter", "conf", "--only-differences"], capsys)
    # Then only the differing items of the matching values are shown
    assert code == 0
    assert shown(out) == {"config": ["alpha"]}
    # And the table shows the rows the filter matches, whatever their case
    _, table, _ = run([*runs, "--filter", "MAE", "--width", "0"], capsys)
    rows = [line.split()[0] for line in table.splitlines()[2:]]
    assert "metrics.mae" in rows
    assert not {"mse", "metrics.mse", "metrics.r2", "coefficients"} & set(rows)


def test_gates_see_values_a_filter_hides(example_view, capsys):
    # Given the example view shown with a filter that hides both gated values
    runs = example_view.parent / "runs"
    shutil.copyfile(runs / "ridge_diverged.ipynb", runs / "ridge_alpha1000.ipynb")
    # When it is run
    code, out, err = run([example_view, "-f", "json", "--filter", "coefficients"], capsys)
    # Then the gates still checked mse and r2
    assert shown(out) == {"coefficients": None}
    assert code == 1
    assert "FAIL mse: " in err


# --------------------------------------------------------------------------- generated notebooks


def test_patterns_skip_generated_notebooks_unless_named(example_runs, tmp_path, capsys):
    # Given runs and, under the same pattern, a copy of a run marked as an export
    for stem in ("ridge_alpha1", "ridge_alpha10"):
        shutil.copyfile(example_runs[stem], tmp_path / f"{stem}.ipynb")
    marked = tmp_path / "ridge_alpha_export.ipynb"
    marked.write_bytes(marked_generated(example_runs["ridge_alpha100"].read_bytes()))
    exported = tmp_path / "ridge_comparison.ipynb"
    shutil.copyfile(REPO / "tests" / "files" / "generated" / "comparison.ipynb", exported)
    pattern = write_view(tmp_path / "p.nbcompare", notebooks=["ridge_*.ipynb"])
    folder = write_view(tmp_path / "f.nbcompare", notebooks=["."])
    named = write_view(
        tmp_path / "n.nbcompare", notebooks=["ridge_*.ipynb", "ridge_alpha_export.ipynb"]
    )
    # When each view is run
    results = {v.stem: run([v, "-f", "json"], capsys) for v in (pattern, folder, named)}
    # Then neither generated notebook is a run of the pattern or the folder
    assert compared(results["p"][1]) == ["ridge_alpha1.ipynb", "ridge_alpha10.ipynb"]
    assert compared(results["f"][1]) == ["ridge_alpha1.ipynb", "ridge_alpha10.ipynb"]
    # And naming one compares it, with its values
    assert compared(results["n"][1]) == [
        "ridge_alpha1.ipynb",
        "ridge_alpha10.ipynb",
        "ridge_alpha_export.ipynb",
    ]
    mse = next(v for v in json.loads(results["n"][1])["values"] if v["name"] == "mse")
    assert mse["cells"][str(marked)]["value"] == printed_mse(example_runs["ridge_alpha100"])


# --------------------------------------------------------------------------- bad views


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"nbcompare": 1, "notebooks": ["a.ipynb"]', "not valid JSON"),
        ('{"nbcompare": 1}', "the view needs the field 'notebooks'"),
        ('{"nbcompare": 1, "notebooks": ["*.ipynb"], "names": "mse"}', "names: expected"),
        ('{"nbcompare": 1, "notebooks": ["*.ipynb"], "gates": {"mse": "x"}}', "gates.mse: 'x'"),
        ('{"nbcompare": 1, "notebooks": ["*.ipynb"], "baseline": "r*.ipynb"}', "baseline: "),
        ('{"nbcompare": 1, "notebooks": ["nothing*.ipynb"]}', "notebooks: no notebook matches"),
        ('{"nbcompare": 7, "notebooks": ["*.ipynb"]}', "nbcompare: this view is version 7"),
    ],
)
def test_a_malformed_view_exits_2_naming_the_field_and_stays_as_it_was(
    example_runs, tmp_path, capsys, text, words
):
    # Given a run and a malformed view beside it
    shutil.copyfile(example_runs["ridge_alpha1"], tmp_path / "ridge_alpha1.ipynb")
    view = tmp_path / "bad.nbcompare"
    view.write_text(text)
    before = view.stat()
    # When it is run
    code, out, err = run([view], capsys)
    # Then it is a usage error in one line naming the file and the field, no traceback
    assert code == 2
    assert out == ""
    assert f"error: {view}: " in err
    assert words in err
    assert "Traceback" not in err
    # And the file is untouched
    assert view.read_text() == text
    assert view.stat().st_mtime_ns == before.st_mtime_ns


def test_a_view_is_never_written_and_stands_alone(example_view, capsys):
    original = example_view.read_bytes()
    # When the output would overwrite the view, or a view is mixed with notebooks
    code, _, err = run([example_view, "-o", example_view], capsys)
    assert code == 2
    assert "is the view file being run" in err
    runs = example_view.parent / "runs"
    code, _, err = run([example_view, runs / "ridge_alpha1.ipynb"], capsys)
    assert code == 2
    assert "a view file stands alone" in err
    code, _, err = run([example_view.parent / "missing.nbcompare"], capsys)
    assert code == 2
    assert "no such view file" in err
    # Then the view is as it was
    assert example_view.read_bytes() == original


def test_a_gate_of_a_view_that_cannot_be_checked_names_the_view_field(example_view, capsys):
    folder = example_view.parent
    # Given views gating a name nobody has, a mapping, and a value without direction
    cases = {
        "nope": "gates.nope: no notebook has a value named 'nope'",
        "metrics": '"gates": {"metrics.KEY": "0.01"}',
        "config.alpha": 'say it in the view\'s "directions"',
    }
    for name, words in cases.items():
        view = write_view(folder / "g.nbcompare", notebooks=["runs/ridge_*.ipynb"], gates={name: 0})
        # When each is run
        code, _, err = run([view], capsys)
        # Then it is a usage error (exit 2, not a failed gate) naming the view's field
        assert code == 2, err
        assert f"{view}: gates.{name}: " in err
        assert words in err
        assert "--fail-if-worse config.alpha" not in err
