"""``jupyter nbcompare`` on real papermill runs: formats, the CI gate, exit codes.

Expected numbers are read from the notebooks themselves (what the ``mse`` cell
printed), never from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyterlab_nbcompare import cli


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def printed_mse(path: Path) -> float:
    """The float the run's ``mse`` cell printed (``print(mse)``), read as stored."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if "mse" in cell.get("metadata", {}).get("tags", []):
            text = "".join(
                _text(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream"
            )
            return float(text)
    raise AssertionError(f"no mse cell in {path}")


def printed_metrics(path: Path) -> dict[str, float]:
    """The ``metrics`` dict as printed, e.g. ``{'mse': np.float64(0.2), ...}``."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if "metrics" in cell.get("metadata", {}).get("tags", []):
            text = "".join(
                _text(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream"
            )
            return eval(text, {"np": __import__("numpy")})  # our own fixture's output
    raise AssertionError(f"no metrics cell in {path}")


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    out = io.StringIO()
    code = cli.run([str(a) for a in argv], stdout=out)
    captured = capsys.readouterr()
    return code, out.getvalue(), captured.err


def with_mse_cell(source: Path, target: Path, outputs: list | None, keep_tag: bool = True) -> Path:
    """A copy of a real run whose ``mse`` cell has other outputs or no tag.

    Used for the gate's "missing" and "error" cases, which a healthy template
    run cannot produce.
    """
    nb = json.loads(source.read_text())
    for cell in nb["cells"]:
        if "mse" in cell.get("metadata", {}).get("tags", []):
            if outputs is not None:
                cell["outputs"] = outputs
            if not keep_tag:
                cell["metadata"]["tags"] = []
    target.write_text(json.dumps(nb))
    return target


# --------------------------------------------------------------------------- formats


def test_json_is_the_compare_response_with_paths_as_given(example_runs, capsys):
    # Given two real runs, named by absolute paths
    a, b = example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]
    # When the CLI prints JSON
    code, out, _ = run([a, b, "--format", "json"], capsys)
    # Then it is the compare shape, keyed by the paths exactly as given
    assert code == 0
    response = json.loads(out)
    assert set(response) == {"baseline", "notebooks", "values"}
    assert response["baseline"] == str(a)
    assert [nb["path"] for nb in response["notebooks"]] == [str(a), str(b)]
    mse = next(v for v in response["values"] if v["name"] == "mse")
    assert set(mse["cells"]) == {str(a), str(b)}
    # And the numbers are what the notebooks printed, the delta their difference
    assert mse["cells"][str(a)]["value"] == printed_mse(a)
    assert mse["cells"][str(b)]["value"] == printed_mse(b)
    assert mse["cells"][str(b)]["delta"] == pytest.approx(printed_mse(b) - printed_mse(a))
    assert mse["direction"] == "lower"


def test_json_stays_valid_json_with_non_finite_numbers(example_runs, tmp_path, capsys):
    # Given a run whose mse printed nan
    nan_run = with_mse_cell(
        example_runs["ridge_alpha1"],
        tmp_path / "nan.ipynb",
        [{"output_type": "stream", "name": "stdout", "text": "nan\n"}],
    )
    # When it is compared as JSON
    code, out, _ = run([example_runs["ridge_alpha1"], nan_run, "-f", "json"], capsys)
    # Then the output parses strictly (no bare NaN) and says "NaN"
    assert code == 0
    response = json.loads(out, parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))
    mse = next(v for v in response["values"] if v["name"] == "mse")
    assert mse["cells"][str(nan_run)]["value"] == "NaN"


def test_names_restrict_the_values(example_runs, capsys):
    runs = [example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]]
    code, out, _ = run([*runs, "--names", "mse,r2", "--names", "metrics", "-f", "json"], capsys)
    assert code == 0
    assert [v["name"] for v in json.loads(out)["values"]] == ["mse", "metrics", "r2"]


def test_table_is_plain_when_not_a_terminal_and_coloured_on_request(example_runs, capsys):
    runs = [example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]]
    # When written to a pipe (StringIO is not a TTY)
    code, plain, _ = run(runs, capsys)
    # Then there is no escape sequence, and each run is a column
    assert code == 0
    assert "\x1b[" not in plain
    header = plain.splitlines()[0]
    assert "ridge_alpha1 (baseline)" in header
    assert "ridge_alpha10" in header
    mse_line = next(line for line in plain.splitlines() if line.startswith("mse "))
    # the candidate is worse on mse (it printed a larger number): marked so
    assert printed_mse(runs[1]) > printed_mse(runs[0])
    assert "✗" in mse_line
    # When colour is forced, worse is red
    code, coloured, _ = run([*runs, "--color", "always"], capsys)
    assert "\x1b[31m" in coloured


def test_markdown_is_a_table_with_one_column_per_notebook(example_runs, capsys):
    runs = [example_runs[k] for k in ("ridge_alpha1", "ridge_alpha10", "ols_seed1")]
    code, out, _ = run([*runs, "-f", "markdown"], capsys)
    assert code == 0
    lines = out.strip().splitlines()
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    # name column + 3 notebooks => 4 cells => 5 unescaped pipes per line
    for line in lines:
        assert line.replace("\\|", "").count("|") == 5


def test_csv_is_tidy_and_keeps_full_precision(example_runs, capsys):
    a, b = example_runs["ridge_alpha1"], example_runs["ridge_small_n"]
    code, out, _ = run([a, b, "-f", "csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    mse = {r["notebook"]: r for r in rows if r["name"] == "mse" and r["origin"] == "tag"}
    assert float(mse[str(a)]["value"]) == printed_mse(a)
    assert float(mse[str(b)]["value"]) == printed_mse(b)
    assert float(mse[str(b)]["delta"]) == pytest.approx(printed_mse(b) - printed_mse(a))
    assert mse[str(a)]["baseline"] == "true"
    # a mapping item is its own row, with the item's direction
    r2 = next(r for r in rows if r["name"] == "metrics" and r["key"] == "r2")
    assert r2["direction"] == "higher"


def test_output_file(example_runs, tmp_path, capsys):
    target = tmp_path / "report.md"
    code, out, _ = run([example_runs["ridge_alpha1"], "-f", "markdown", "-o", target], capsys)
    assert code == 0
    assert out == ""
    assert target.read_text().startswith("| name |")


def test_a_directory_stands_for_its_notebooks(example_runs, capsys):
    folder = example_runs["ridge_alpha1"].parent
    code, out, _ = run([folder, "-f", "json"], capsys)
    assert code == 0
    paths = [nb["path"] for nb in json.loads(out)["notebooks"]]
    assert paths == sorted(str(p) for p in folder.glob("*.ipynb"))


def test_baseline_outside_paths_is_added_first(example_runs, capsys):
    a, b = example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]
    code, out, _ = run([b, "--baseline", a, "-f", "json"], capsys)
    assert code == 0
    response = json.loads(out)
    assert response["baseline"] == str(a)
    assert [nb["path"] for nb in response["notebooks"]] == [str(a), str(b)]


# --------------------------------------------------------------------------- the gate


@pytest.mark.parametrize(
    ("baseline", "candidate", "gate", "expected"),
    [
        # worse: alpha=10 shrinks the fit, so mse rises against alpha=1
        ("ridge_alpha1", "ridge_alpha10", "mse", 1),
        # better: the same pair the other way round
        ("ridge_alpha10", "ridge_alpha1", "mse", 0),
        # equal: a notebook against itself (a copy of it)
        ("ridge_alpha1", "ridge_alpha1", "mse", 0),
        # higher is better for r2 (a mapping item), so the lower r2 fails
        ("ridge_alpha1", "ridge_alpha10", "metrics.r2", 1),
        ("ridge_alpha10", "ridge_alpha1", "metrics.r2", 0),
        # a scrap works too
        ("ridge_alpha1", "ridge_alpha100", "r2", 1),
    ],
)
def test_gate_exit_codes(example_runs, tmp_path, capsys, baseline, candidate, gate, expected):
    # Given a baseline and a candidate run (a copy when they are the same run)
    base = example_runs[baseline]
    cand = example_runs[candidate]
    if base == cand:
        cand = Path(shutil.copy(cand, tmp_path / f"{candidate}_copy.ipynb"))
    # The direction of the effect is checked on the printed numbers, not assumed
    key = gate.split(".")[-1]
    b_val = printed_metrics(base)[key] if key == "r2" else printed_mse(base)
    c_val = printed_metrics(cand)[key] if key == "r2" else printed_mse(cand)
    worse = (c_val > b_val) if key == "mse" else (c_val < b_val)
    assert worse == (expected == 1)
    # When the gate runs
    code, _, err = run([base, cand, "--fail-if-worse", gate], capsys)
    # Then the exit code follows, and a failure names the run, the amount, the baseline
    assert code == expected, err
    if expected:
        fail = next(line for line in err.splitlines() if line.startswith("FAIL"))
        assert str(cand) in fail
        assert str(base) in fail
        assert f"{abs(c_val - b_val):.6g}" in fail
    else:
        assert "FAIL" not in err


@pytest.mark.parametrize("slack", [0.5, 2.0])
@pytest.mark.parametrize("relative", [False, True])
def test_gate_tolerance(example_runs, capsys, slack, relative):
    # Given alpha=10 worse than alpha=1 on mse by `worse` (read from the notebooks)
    base, cand = example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]
    worse = printed_mse(cand) - printed_mse(base)
    assert worse > 0
    # When the tolerance is half or twice that (absolute, or as % of the baseline)
    if relative:
        tol = f"{worse / printed_mse(base) * 100 * slack}%"
    else:
        tol = f"{worse * slack}"
    code, _, err = run([base, cand, "--fail-if-worse", f"mse:{tol}"], capsys)
    # Then only the tighter tolerance fails
    assert code == (1 if slack < 1 else 0), err


@pytest.mark.parametrize(
    ("base", "cand", "tolerance", "direction", "expected"),
    [
        # a drop exactly as large as the tolerance is within it, whatever binary
        # rounding makes of the printed decimals (0.8 - 0.7 > 0.1 in floats)
        ("0.7", "0.8", "0.1", "lower", 0),
        ("0.85", "0.84", "0.01", "higher", 0),
        ("0.5", "0.505", "1%", "lower", 0),
        ("0.93", "0.91", "0.02", "higher", 0),
        # and one just beyond it still fails, also for large numbers, and a
        # metric gone to infinity fails whatever the tolerance
        ("0.7", "0.8000001", "0.1", "lower", 1),
        ("1e15", "1.000000000001e15", "0", "lower", 1),
        ("0.5", "inf", "0.1", "lower", 1),
        ("0.5", "inf", "5%", "lower", 1),
        ("0.5", "-inf", "0.1", "higher", 1),
        ("inf", "0.5", "0%", "higher", 1),
        ("inf", "0.5", "5%", "higher", 1),
        ("-inf", "0.5", "5%", "lower", 1),
        # integers are exact: no rounding slack, however large
        ("100000000000000000", "100000000000000100", "0", "lower", 1),
        ("0.85", "0.8399", "0.01", "higher", 1),
        ("0.5", "0.50501", "1%", "lower", 1),
    ],
)
def test_gate_tolerance_is_inclusive(
    example_runs, tmp_path, capsys, base, cand, tolerance, direction, expected
):
    # Given two runs whose mse cells printed exactly these decimals
    def run_printing(text: str, name: str) -> Path:
        stream = {"output_type": "stream", "name": "stdout", "text": f"{text}\n"}
        return with_mse_cell(example_runs["ridge_alpha1"], tmp_path / name, [stream])

    first, second = run_printing(base, "base.ipynb"), run_printing(cand, "cand.ipynb")
    # When the gate's tolerance equals the drop (or is just below it)
    code, _, err = run(
        [first, second, "--fail-if-worse", f"mse:{tolerance}", "--direction", f"mse={direction}"],
        capsys,
    )
    # Then equal to the tolerance passes, beyond it fails
    assert code == expected, err
    assert ("FAIL" in err) == bool(expected)


def test_gate_fails_on_a_missing_value(example_runs, tmp_path, capsys):
    base = example_runs["ridge_alpha1"]
    cand = with_mse_cell(example_runs["ridge_alpha10"], tmp_path / "untagged.ipynb", None, False)
    code, _, err = run([base, cand, "--fail-if-worse", "mse"], capsys)
    assert code == 1
    assert f"FAIL mse: {cand} has no value" in err


def test_gate_fails_on_an_error_value(example_runs, tmp_path, capsys):
    base = example_runs["ridge_alpha1"]
    error = {
        "output_type": "error",
        "ename": "FloatingPointError",
        "evalue": "overflow in mse",
        "traceback": [],
    }
    cand = with_mse_cell(example_runs["ridge_alpha0.1"], tmp_path / "raised.ipynb", [error])
    code, _, err = run([base, cand, "--fail-if-worse", "mse"], capsys)
    assert code == 1
    assert "raised FloatingPointError: overflow in mse" in err
    assert str(cand) in err


def test_gate_checks_every_candidate(example_runs, capsys):
    # Given one better and one worse candidate against alpha=1
    base = example_runs["ridge_alpha1"]
    better, worse = example_runs["ridge_alpha0.1"], example_runs["ridge_diverged"]
    assert printed_mse(better) <= printed_mse(base) < printed_mse(worse)
    code, _, err = run([base, better, worse, "--fail-if-worse", "mse"], capsys)
    # Then only the worse one is reported as a failure
    assert code == 1
    fails = [line for line in err.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 1
    assert str(worse) in fails[0]


def test_gate_keeps_its_name_when_names_restrict_the_output(example_runs, capsys):
    base, cand = example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]
    code, out, _ = run(
        [base, cand, "--names", "summary", "-f", "json", "--fail-if-worse", "metrics.mse"], capsys
    )
    assert code == 1
    assert [v["name"] for v in json.loads(out)["values"]] == ["summary"]


# --------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["{missing}"], "no such notebook: {missing}"),
        (["{a}", "--baseline", "{missing}"], "no such notebook: {missing}"),
        (["{a}", "--baseline", "{folder}"], "--baseline {folder} is a folder"),
        (["{a}", "--baseline", "{fifo}"], "--baseline {fifo} is not a regular file"),
        (["{a}", "{fifo}"], "not a regular file: {fifo}"),
        (["{a}", "{bad}"], "cannot read {bad}"),
        (["{a}", "--fail-if-worse", "mse:lots"], "tolerance 'lots' is not a number"),
        (["{a}", "--fail-if-worse", "mse:-1"], "must be a number >= 0"),
        (["{a}", "--fail-if-worse", "no_such_name"], "no notebook has a value named"),
        (["{a}", "--fail-if-worse", "config.alpha"], "direction of 'config.alpha' is unknown"),
        (["{a}", "--fail-if-worse", "summary"], "'summary' is text, and only numbers"),
        (["{a}", "--direction", "mse=up"], "expected NAME=lower or NAME=higher"),
        (["{a}", "{a}"], "named twice"),
        (["{a}", "--format", "pdf"], "invalid choice"),
        ([], "the following arguments are required"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(example_runs, tmp_path, capsys, argv, message):
    # Given a real run, a missing path and a file that is not JSON
    bad = tmp_path / "broken.ipynb"
    bad.write_text("{ not json")
    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    names = {
        "a": example_runs["ridge_alpha1"],
        "missing": tmp_path / "nope.ipynb",
        "bad": bad,
        "folder": tmp_path,
        "fifo": fifo,
    }
    argv = [a.format(**names) for a in argv]
    message = message.format(**names)
    # When the command runs
    try:
        code, _, err = run(argv, capsys)
    except SystemExit as exit_:  # argparse's own errors
        code, err = exit_.code, capsys.readouterr().err
    # Then it exits 2, names the problem, and shows no traceback
    assert code == 2
    assert message in err
    assert "Traceback" not in err


#: Tags papermill puts on cells it manages: never value names.
PAPERMILL_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag"}


def tags_of(path: Path) -> set[str]:
    """Every value tag of a notebook (papermill's own tags aside), read from the file."""
    nb = json.loads(path.read_text())
    tags = {tag for cell in nb["cells"] for tag in cell.get("metadata", {}).get("tags", [])}
    return tags - PAPERMILL_TAGS


def test_names_no_notebook_has_are_a_usage_error_listing_the_known_ones(example_runs, capsys):
    # Given two real runs and a name neither has
    a, b = example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]
    assert "nothere" not in tags_of(a) | tags_of(b)
    # When --names asks for it (beside a name they do have)
    code, out, err = run([a, b, "--names", "mse,nothere"], capsys)
    # Then it is a one-line usage error naming it and listing the names there are
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "'nothere'" in err
    for tag in tags_of(a):
        assert tag in err
    assert "Traceback" not in err


def test_names_pointing_at_a_mapping_key_say_which_name_to_use(example_runs, capsys):
    # Given a run whose `metrics` cell printed a dict with an `r2` key
    a, b = example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]
    assert "r2" in printed_metrics(a)
    # When --names asks for the table's row label `metrics.r2`
    code, out, err = run([a, b, "--names", "metrics.r2"], capsys)
    # Then it is a usage error with a hint to ask for `metrics`
    assert code == 2
    assert out == ""
    assert "'metrics.r2' is a key of 'metrics': use --names metrics" in err


@pytest.mark.parametrize("spelling", ["dot", "hardlink", "symlink"])
def test_one_notebook_named_twice_by_another_spelling(example_runs, tmp_path, capsys, spelling):
    # Given a copy of a real run and a second name for the very same file
    a = tmp_path / "a.ipynb"
    a.write_bytes(example_runs["ridge_alpha1"].read_bytes())
    if spelling == "dot":
        other = f"{tmp_path}/./a.ipynb"
    else:
        other = tmp_path / "other.ipynb"
        (other.hardlink_to if spelling == "hardlink" else other.symlink_to)(a)
    # When both names are compared
    code, out, err = run([a, other], capsys)
    # Then it is a usage error naming both spellings, not two identical columns
    assert code == 2
    assert out == ""
    assert f"a notebook is named twice: {a} and {other}" in err


def test_the_console_script(example_runs, tmp_path):
    # Given the installed entry point, run as a user would (`jupyter nbcompare`)
    exe = Path(sys.executable).with_name("jupyter")
    base, cand = example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]
    worse = subprocess.run(
        [exe, "nbcompare", base, cand, "--fail-if-worse", "mse"],
        capture_output=True,
        text=True,
        check=False,
    )
    missing = subprocess.run(
        [exe, "nbcompare", base, tmp_path / "gone.ipynb"],
        capture_output=True,
        text=True,
        check=False,
    )
    # Then the exit codes and messages reach the shell
    assert worse.returncode == 1, worse.stderr
    assert "FAIL mse" in worse.stderr
    assert "mse" in worse.stdout
    assert missing.returncode == 2
    assert "gone.ipynb" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_gate_parse():
    assert cli.Gate.parse("mse") == cli.Gate("mse", 0.0, False)
    assert cli.Gate.parse("metrics.mse:0.5") == cli.Gate("metrics.mse", 0.5, False)
    gate = cli.Gate.parse("mse:5%")
    assert gate.relative
    assert math.isclose(gate.tolerance, 0.05)


@pytest.mark.parametrize("which", ["baseline", "candidate"])
def test_output_file_never_overwrites_a_compared_notebook(example_runs, tmp_path, capsys, which):
    # Given copies of two runs (the extension never writes a notebook it reads)
    a = tmp_path / "a.ipynb"
    b = tmp_path / "b.ipynb"
    a.write_bytes(example_runs["ridge_alpha1"].read_bytes())
    b.write_bytes(example_runs["ridge_alpha10"].read_bytes())
    target = a if which == "baseline" else b
    before = target.read_bytes()
    # When -o names one of them (spelled differently, so only the file is the same)
    code, _out, err = run([a, b, "-f", "html", "-o", tmp_path / "." / target.name], capsys)
    # Then it is a usage error that says why, and the notebook is untouched
    assert code == 2
    assert "compared notebooks" in err
    assert target.read_bytes() == before


# --------------------------------------------------------------------------- issue #12


def cell_of(path: Path, tag: str) -> dict:
    """The code cell carrying ``tag``, as stored in the notebook file."""
    nb = json.loads(path.read_text())
    return next(c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", []))


def injected_parameters(path: Path) -> dict:
    """What papermill recorded it injected (the notebook's metadata)."""
    return json.loads(path.read_text())["metadata"]["papermill"]["parameters"]


def png_size(output: dict) -> tuple[int, int]:
    """Width and height of an output's PNG, read from its IHDR chunk."""
    import base64
    import struct

    png = base64.b64decode(_text(output["data"]["image/png"]))
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_table_and_markdown_have_a_row_per_output_of_a_two_figure_cell(sweep_runs, capsys, fmt):
    # Given runs whose `curves` cell displayed two figures of different sizes
    runs = [sweep_runs["depth4"], sweep_runs["depth8"]]
    outputs = cell_of(runs[0], "curves")["outputs"]
    assert [o["output_type"] for o in outputs] == ["display_data"] * 2
    sizes = [png_size(o) for o in outputs]
    assert sizes[0] != sizes[1]
    # When they are compared
    code, out, _ = run([*runs, "-f", fmt], capsys)
    assert code == 0
    lines = [line.strip("| ").replace("\\[", "[").replace("\\]", "]") for line in out.splitlines()]
    # Then the value says it has two outputs, and each output has its own row,
    # showing that figure (its size), in order
    assert "(2 outputs)" in next(line for line in lines if line.startswith("curves "))
    for position, (width, height) in enumerate(sizes, start=1):
        row = next(line for line in lines if line.startswith(f"curves[{position}]"))
        assert f"image {width}x{height}" in row
    assert not any(line.startswith("curves[3]") for line in lines)


def test_csv_has_status_failure_parts_flat_parameters_and_every_run(sweep_runs, capsys):
    # Given a folder of a sweep over a dict parameter, one run failed early
    folder = sweep_runs["depth4"].parent
    # When it is exported as long CSV, restricted to a value the failed run lacks
    code, out, _ = run([folder, "-f", "csv", "--names", "after,curves"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    by_run = {Path(r["notebook"]).stem: [] for r in rows}
    for r in rows:
        by_run[Path(r["notebook"]).stem].append(r)
    # Then every run is there, the failed one included, with its status
    assert set(by_run) == set(sweep_runs)
    error = next(
        o
        for o in cell_of(sweep_runs["deep_failed"], "check")["outputs"]
        if o["output_type"] == "error"
    )
    for stem, path in sweep_runs.items():
        failed = stem == "deep_failed"
        assert {r["status"] for r in by_run[stem]} == {"failed" if failed else "ok"}
        # the failed run's every line says which exception stopped it
        expected_failure = f"{error['ename']}: {error['evalue']}" if failed else ""
        assert {r["failure"] for r in by_run[stem]} == {expected_failure}
        # the dict parameter as its leaves, with the values papermill injected
        params = injected_parameters(path)["model_params"]
        for r in by_run[stem]:
            for key, value in params.items():
                assert float(r[f"param.model_params.{key}"]) == value
    after = {Path(r["notebook"]).stem: r for r in rows if r["name"] == "after"}
    assert after["deep_failed"]["kind"] == "missing"
    assert after["deep_failed"]["value"] == ""
    # And each figure of the two-figure cell is a line with its part number
    parts = [r for r in rows if r["name"] == "curves" and r["part"]]
    assert sorted({r["part"] for r in parts}) == ["1", "2"]
    assert {r["kind"] for r in parts} == {"image"}
    assert all(r["delta"] == "" for r in parts)


def test_csv_prints_a_failure_the_answer_carries(sweep_runs):
    # Given the answer for a failed run, with the `failure` field api.md adds
    from jupyterlab_nbcompare import report
    from jupyterlab_nbcompare.core.files import compare_paths

    failed = sweep_runs["deep_failed"]
    error = next(o for o in cell_of(failed, "check")["outputs"] if o["output_type"] == "error")
    response = compare_paths([sweep_runs["depth4"], failed])
    response["notebooks"][1]["failure"] = {
        "ename": error["ename"],
        "evalue": error["evalue"],
        "cell_index": 5,
    }
    response["notebooks"][0]["failure"] = None
    # When it is written as CSV
    rows = list(csv.DictReader(io.StringIO(report.to_csv(response))))
    # Then the failed run's lines say ename: evalue, the other run's nothing
    failures = {Path(r["notebook"]).stem: r["failure"] for r in rows}
    assert failures == {"deep_failed": f"{error['ename']}: {error['evalue']}", "depth4": ""}


def test_csv_wide_is_the_panels_layout(sweep_runs, capsys):
    # Given two runs and their printed score
    a, b = sweep_runs["depth4"], sweep_runs["depth8"]
    # When exported as csv-wide
    code, out, _ = run([a, b, "-f", "csv-wide"], capsys)
    assert code == 0
    # Then it is the panel's metricsCsv: CRLF lines, metric, direction, one column per path
    assert out.endswith("\r\n")
    assert "\n" not in out.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(out.replace("\r\n", "\n"))))
    assert rows[0] == ["metric", "direction", str(a), str(b)]
    table = {r[0]: r[1:] for r in rows[1:]}
    # numbers only (scalars and mapping items), values without deltas
    assert set(table) == {"score", "overflow.loss", "overflow.acc", "after"}
    printed = [float(_text(cell_of(p, "score")["outputs"][0]["text"])) for p in (a, b)]
    assert table["score"][0] == "higher"
    assert [float(v) for v in table["score"][1:]] == printed
    assert table["overflow.loss"] == ["lower", "Infinity", "Infinity"]


@pytest.mark.parametrize(
    ("number", "javascript"),
    # String(n) in JavaScript (checked with node), which the panel's CSV writes
    [
        (5.0, "5"),
        (0.1, "0.1"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (-2.5e-10, "-2.5e-10"),
        (0.8400000000000001, "0.8400000000000001"),
        (2**60, "1152921504606847000"),
    ],
)
def test_csv_wide_spells_numbers_as_the_panel(number, javascript):
    from jupyterlab_nbcompare import report

    assert report.js_number(number) == javascript


def test_table_fits_the_width_it_is_given(example_runs, capsys):
    # Given the seven example runs, far wider than 100 columns side by side
    folder = example_runs["ridge_alpha1"].parent
    code, wide, _ = run([folder], capsys)
    assert max(len(line) for line in wide.splitlines()) > 100
    # When a width is given
    code, out, _ = run([folder, "--width", "100"], capsys)
    assert code == 0
    # Then no line is longer, and every run still has a column header somewhere
    assert max(len(line) for line in out.splitlines()) <= 100
    headers = [line for line in out.splitlines() if line.startswith("name ")]
    assert len(headers) > 1
    for stem in example_runs:
        assert any(stem in header for header in headers)
    # and every block has every row (the values stay where they were)
    assert out.count("\nmse ") == len(headers)


def test_table_fits_the_terminal_columns(example_runs, tmp_path):
    # Given COLUMNS, as a terminal sets it, and the real command
    folder = example_runs["ridge_alpha1"].parent
    env = {**os.environ, "COLUMNS": "90", "PYTHONPATH": str(Path(cli.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "jupyterlab_nbcompare.cli", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 90


def test_table_shows_dict_parameters_as_their_leaves(sweep_runs, capsys):
    runs = [sweep_runs[k] for k in ("depth4", "depth8")]
    code, out, _ = run(runs, capsys)
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("param model_params.max_depth"))
    depths = [injected_parameters(p)["model_params"]["max_depth"] for p in runs]
    assert line.split()[2:] == [str(d) for d in depths]
    # the leaf that is the same everywhere is not a row (only what tells runs apart)
    assert "model_params.n_estimators" not in out
    assert '{"' not in out


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "html"])
def test_equal_infinities_have_no_nan_delta(sweep_runs, capsys, fmt):
    # Given runs whose `overflow` mapping holds loss = inf in each
    runs = [sweep_runs["depth4"], sweep_runs["depth8"]]
    assert "inf" in _text(cell_of(runs[0], "overflow")["outputs"][0]["text"])
    # When compared
    code, out, _ = run([*runs, "-f", fmt, "--names", "overflow"], capsys)
    assert code == 0
    # Then the equal infinities show no delta, and never NaN
    assert "NaN" not in out
    assert "nan" not in out.lower().replace("nbcompare", "")
    if fmt == "csv":
        loss = {r["notebook"]: r for r in csv.DictReader(io.StringIO(out)) if r["key"] == "loss"}
        candidate = loss[str(runs[1])]
        assert (candidate["delta"], candidate["rel_delta"], candidate["better"]) == ("", "", "")


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("coefficients", "'coefficients' is a table"),
        ("residuals_plot", "'residuals_plot' is an image"),
        ("summary", "'summary' is text"),
        ("metrics", "'metrics' is a mapping"),
    ],
)
def test_gate_on_a_non_number_says_so_before_asking_a_direction(example_runs, capsys, name, said):
    runs = [example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]]
    code, _, err = run([*runs, "--fail-if-worse", name], capsys)
    assert code == 2
    assert said in err
    assert "only numbers can be gated" in err
    assert "--direction" not in err
    assert " a image" not in err


def test_a_gate_on_a_key_that_is_an_image_uses_the_right_article(example_runs, tmp_path, capsys):
    # Given a candidate whose `metrics` cell shows a figure instead of the dict
    a = example_runs["ridge_alpha1"]
    figure = cell_of(a, "residuals_plot")["outputs"]
    b = tmp_path / "figure.ipynb"
    nb = json.loads(example_runs["ridge_alpha10"].read_text())
    for cell in nb["cells"]:
        if "metrics" in cell.get("metadata", {}).get("tags", []):
            cell["outputs"] = figure
    b.write_text(json.dumps(nb))
    # When the gate asks for metrics.mse
    code, _, err = run([a, b, "--fail-if-worse", "metrics.mse"], capsys)
    # Then it fails that run, saying what it got in plain English
    assert code == 1
    assert "is an image, not a mapping" in err


def test_a_folder_leaves_out_exported_comparison_notebooks(example_runs, tmp_path, capsys):
    # Given a folder of runs beside the comparison notebook the panel exported
    folder = tmp_path / "runs"
    folder.mkdir()
    for stem in ("ridge_alpha1", "ridge_alpha10"):
        shutil.copy(example_runs[stem], folder / f"{stem}.ipynb")
    generated = Path(__file__).parent / "files" / "generated" / "comparison.ipynb"
    assert json.loads(generated.read_text())["metadata"]["nbcompare"]["generated"] is True
    shutil.copy(generated, folder / "comparison.ipynb")
    (folder / "sub").mkdir()
    shutil.copy(example_runs["ols_seed1"], folder / "sub" / "ols_seed1.ipynb")
    # When the folder is compared
    code, out, _ = run([folder, "-f", "json"], capsys)
    assert code == 0
    paths = [Path(nb["path"]).name for nb in json.loads(out)["notebooks"]]
    # Then the runs are compared, not the exported notebook, nor the subfolder
    assert paths == ["ridge_alpha1.ipynb", "ridge_alpha10.ipynb"]
    # And --recursive adds the subfolder's run; naming the export keeps it
    code, out, _ = run([folder, "-r", "-f", "json"], capsys)
    assert [Path(nb["path"]).name for nb in json.loads(out)["notebooks"]] == [
        "ridge_alpha1.ipynb",
        "ridge_alpha10.ipynb",
        "ols_seed1.ipynb",
    ]
    code, out, _ = run([folder / "ridge_alpha1.ipynb", folder / "comparison.ipynb"], capsys)
    assert code == 0
