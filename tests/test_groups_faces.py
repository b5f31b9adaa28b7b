"""``--group-by`` on the command line and ``NotebookCollection.groups``: the core's numbers.

Both faces sit on ``core/groups.py`` through the compare answer; these tests
hold them to ``core.files.compare_paths(..., group_by=...)`` (which the REST
tests hold the server to), on a sweep papermill really ran.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from jupyterlab_nbcompare.cli import run
from jupyterlab_nbcompare.collection import NotebookCollection
from jupyterlab_nbcompare.core.files import compare_paths
from jupyterlab_nbcompare.core.groups import TIDY_COLUMNS


def _cli(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = run(argv, stdout=out)
    return code, out.getvalue()


@pytest.fixture
def sweep(sweep_grid) -> list[str]:
    return [str(path) for path in sweep_grid.values()]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return a == b


def test_cli_json_carries_the_cores_groups(sweep):
    code, text = _cli([*sweep, "--group-by", "cfg.C", "--group-by", "seed", "-f", "json"])
    assert code == 0
    answer = json.loads(text)
    core = json.loads(json.dumps(compare_paths(sweep, group_by=["cfg.C", "seed"])))
    assert answer["groups"] == core["groups"]
    assert answer["baseline_group"] == core["baseline_group"] == 0


def test_cli_csv_and_python_api_give_the_same_tidy_rows(sweep):
    # Given the sweep grouped by C, from the command line and from Python
    code, text = _cli([*sweep, "--group-by", "cfg.C", "-f", "csv"])
    assert code == 0
    lines = list(csv.DictReader(io.StringIO(text)))
    frame = NotebookCollection(sweep).groups(by=["cfg.C"])
    # Then both have the documented columns and the core's numbers
    assert list(frame.columns) == ["cfg.C", *TIDY_COLUMNS]
    assert list(lines[0]) == ["cfg.C", *TIDY_COLUMNS]
    core = compare_paths(sweep, group_by=["cfg.C"])["groups"]
    expected = [(g["key"]["cfg.C"], s) for g in core for s in g["stats"]]
    assert len(frame) == len(lines) == len(expected)
    for (c, stat), (_, row), line in zip(expected, frame.iterrows(), lines):
        assert row["cfg.C"] == c
        assert float(line["cfg.C"]) == c
        for column in ("n", "mean", "std", "delta", "min", "max"):
            want = stat[column]
            got = row[column]
            if want is None:
                assert got is None or (isinstance(got, float) and math.isnan(got))
                assert line[column] == ""
            else:
                assert _same(float(got), float(want))
                assert _same(float(line[column]), float(want))
        assert row["significant"] == stat["significant"]
    score = frame[(frame["name"] == "score") & (frame["cfg.C"] == 1.0)].iloc[0]
    assert score["n"] == 2  # the failed run is left out
    assert score["significant"]  # and the difference is real (see test_sweeps_core)


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_text_format_shows_the_groups(sweep, fmt):
    code, text = _cli([*sweep, "--group-by", "cfg.C", "-f", fmt])
    assert code == 0
    assert "Groups (baseline group 0)" in text
    mean = compare_paths(sweep, group_by=["cfg.C"])["groups"][1]["stats"][0]["mean"]
    assert f"{mean:.6g}" in text
    if fmt == "html":
        assert text.rstrip().endswith("</body></html>")


def test_without_group_by_nothing_changes(sweep):
    code, text = _cli([*sweep, "-f", "json"])
    assert code == 0
    assert "groups" not in json.loads(text)


def test_unknown_group_by_is_a_usage_error(sweep, capsys):
    code, _ = _cli([*sweep, "--group-by", "cfg.D"])
    assert code == 2
    assert "cfg.D" in capsys.readouterr().err


def test_python_api_refuses_an_unknown_parameter(sweep):
    with pytest.raises(ValueError, match="nope"):
        NotebookCollection(sweep).groups(by="nope")
