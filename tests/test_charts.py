"""Charts: the spec builder (against the golden fixture jest checks too),
``NotebookCollection.plot`` on real papermill runs, and the CLI's HTML report
with and without vl-convert-python.

Expected numbers come from the notebooks (what their cells printed) or from
the answer's own ``groups``, never from the chart code.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import sys

import pytest

from jupyterlab_nbcompare import NotebookCollection, cli
from jupyterlab_nbcompare.core.charts import (
    MAX_PARALLEL_VERTICES_RUNS,
    VEGALITE_MIME,
    parallel_spec,
    resolve_field,
    scatter_spec,
)
from tests import chart_golden
from tests.sweep_runs import SWEEP, score
from tests.test_cli import printed_metrics, printed_mse

GOLDEN = json.loads(chart_golden.GOLDEN.read_text(encoding="utf-8"))

#: The demo's runs in the order of examples/generate.py; ridge_diverged fails.
ORDER = [
    "ridge_alpha1",
    "ridge_alpha0.1",
    "ridge_alpha10",
    "ridge_alpha100",
    "ols_seed1",
    "ridge_small_n",
    "ridge_diverged",
]


def layer(spec: dict, name: str) -> dict:
    return next(item for item in spec["layer"] if item["name"] == name)


def has_vl_convert() -> bool:
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------- golden


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["name"] for c in GOLDEN["cases"]])
def test_golden_spec(case):
    # Given a stored answer and options, when the Python builder builds the
    # spec, then it is the stored one (src/__tests__/charts.spec.ts checks the
    # TypeScript builder against the same file)
    assert chart_golden.build(GOLDEN["answers"], case) == case["spec"]


def test_golden_cases_are_the_listed_ones():
    # The fixture was written from CASES: a case added to one and not the
    # other would go untested in one language
    assert [(c["name"], c["answer"], c["kind"], c["options"]) for c in GOLDEN["cases"]] == [
        (name, answer, kind, options) for name, answer, kind, options in chart_golden.CASES
    ]


def test_parallel_vertices_up_to_the_threshold_of_runs_not_above():
    # Given the synthetic sweep of one run more than the threshold
    wide = GOLDEN["answers"]["wide"]
    assert len(wide["notebooks"]) == MAX_PARALLEL_VERTICES_RUNS + 1

    def names(answer: dict) -> list[str]:
        return [item["name"] for item in parallel_spec(answer, "loss")["layer"]]

    # Then above the threshold the lines come without their vertices, and
    # keep their tooltip and the notebook a click reaches
    assert "vertices" not in names(wide)
    lines = layer(parallel_spec(wide, "loss"), "lines")
    assert lines["encoding"]["tooltip"] == [{"field": "label", "title": "notebook"}]
    assert lines["encoding"]["description"] == {"field": "notebook"}
    # When one run fewer is plotted (cut, or failed), they are drawn
    at = {**wide, "notebooks": wide["notebooks"][:MAX_PARALLEL_VERTICES_RUNS]}
    assert "vertices" in names(at)
    one_failed = {
        **wide,
        "notebooks": [
            {**nb, "status": "failed"} if i == 1 else nb for i, nb in enumerate(wide["notebooks"])
        ],
    }
    assert "vertices" in names(one_failed)


# --------------------------------------------------------------------------- plot()


@pytest.fixture(scope="module")
def demo(example_runs):
    return NotebookCollection([example_runs[stem] for stem in ORDER])


def test_plot_has_one_point_per_ok_run_with_its_printed_values(demo, example_runs):
    # When mse is plotted against alpha, coloured by model
    chart = demo.plot(x="alpha", y="mse", color="model")
    runs = chart.spec["datasets"]["runs"]
    # Then there is one point per run that did not fail, in column order
    ok = [str(example_runs[stem]) for stem in ORDER if stem != "ridge_diverged"]
    assert [r["notebook"] for r in runs] == ok
    # each at the mse its cell printed, and the alpha papermill gave it
    params = {stem: demo.nbs[str(example_runs[stem])].parameters for stem in ORDER}
    for row, stem in zip(runs, [s for s in ORDER if s != "ridge_diverged"]):
        assert row["y"] == pytest.approx(printed_mse(example_runs[stem]), rel=1e-12)
        assert row["x"] == params[stem]["alpha"]
        assert row["color"] == params[stem]["model"]
        assert row["label"] == f"{stem}.ipynb"
    # The failed run is left out, and counted where people read it
    assert chart.summary["failed"] == [str(example_runs["ridge_diverged"])]
    assert chart.spec["title"]["subtitle"] == ["1 failed run left out"]
    # and the baseline (the first run) is the one marked
    assert [r["notebook"] for r in runs if r["baseline"]] == [str(example_runs["ridge_alpha1"])]
    assert layer(chart.spec, "baseline")["transform"] == [{"filter": "datum.baseline"}]


def test_plot_displays_as_the_vega_lite_spec(demo):
    chart = demo.plot(x="alpha", y="metrics.r2", log_x=True)
    bundle = chart._repr_mimebundle_()
    # The bundle holds JupyterLab's Vega-Lite 5 type, with the very spec
    assert set(bundle) == {VEGALITE_MIME, "text/plain"}
    assert bundle[VEGALITE_MIME] == chart.spec
    assert bundle[VEGALITE_MIME]["$schema"].endswith("/vega-lite/v5.json")
    json.dumps(bundle[VEGALITE_MIME], allow_nan=False)  # strict JSON
    assert layer(chart.spec, "runs")["encoding"]["x"]["scale"] == {"type": "log"}
    assert "metrics.r2 against alpha" in repr(chart)
    # A copy: changing what the bundle gave does not change the chart
    bundle[VEGALITE_MIME]["title"] = "changed"
    assert chart.spec["title"]["text"] == "metrics.r2 against alpha"


def test_plot_is_the_spec_of_the_answer(demo):
    # The API and the panel draw the same chart: the spec is the builder's on
    # the REST answer of the same notebooks
    chart = demo.plot(x="alpha", y="mse", color="model")
    assert chart.spec == scatter_spec(demo.response, "alpha", "mse", "model")


def test_plot_mapping_item_against_a_metric(demo, example_runs):
    chart = demo.plot(x="metric:r2", y="metrics.mae")
    for row in chart.spec["datasets"]["runs"]:
        stem = row["label"].removesuffix(".ipynb")
        assert row["y"] == pytest.approx(float(printed_metrics(example_runs[stem])["mae"]))


def test_plot_parallel_has_one_line_per_ok_run(demo, example_runs):
    chart = demo.plot(y="mse", kind="parallel")
    segments = chart.spec["datasets"]["segments"]
    axes = [a["dimension"] for a in chart.spec["datasets"]["axes"]]
    assert axes[-1] == "mse"
    assert {"alpha", "model", "seed"} <= set(axes)
    ok = [str(example_runs[stem]) for stem in ORDER if stem != "ridge_diverged"]
    assert list(dict.fromkeys(s["notebook"] for s in segments)) == ok
    # every ok run has a value on every axis here, so it is drawn as one
    # segment between each pair of neighbouring axes, left to right
    for path in ok:
        own = [s for s in segments if s["notebook"] == path]
        assert [(s["dimension"], s["dimension2"]) for s in own] == list(zip(axes, axes[1:]))
        # and the segments meet: each starts where the one before ends
        assert all(a["norm2"] == b["norm"] for a, b in zip(own, own[1:]))
    # the points at the axes (few runs): one per run per axis
    assert len(chart.spec["datasets"]["points"]) == len(ok) * len(axes)
    assert chart.summary["failed"] == [str(example_runs["ridge_diverged"])]
    assert chart.spec == parallel_spec(demo.response, "mse")


def test_plot_by_groups_draws_the_groups_means_and_spread(sweep_grid):
    # Given the sweep: three seeds at C = 0.1, two ok runs and a failed one at C = 1
    collection = NotebookCollection([sweep_grid[stem] for stem, _ in SWEEP])
    chart = collection.plot(x="cfg.C", y="score", by="cfg.C")
    groups = chart.spec["datasets"]["groups"]
    assert [g["x"] for g in groups] == [0.1, 1.0]
    # Then each mean is the printed scores' mean over the group's ok runs
    frame = collection.groups("cfg.C")
    for row in groups:
        stems = [s for s, p in SWEEP if p["cfg"]["C"] == row["x"] and not p.get("fail")]
        printed = [score(p) for s, p in SWEEP if s in stems]
        assert row["n"] == len(printed)
        assert row["mean"] == pytest.approx(sum(printed) / len(printed))
        stat = frame[(frame["cfg.C"] == row["x"]) & (frame["name"] == "score")].iloc[0]
        assert row["std"] == pytest.approx(stat["std"])
        assert row["lo"] == pytest.approx(row["mean"] - row["std"])
        assert row["hi"] == pytest.approx(row["mean"] + row["std"])
    assert layer(chart.spec, "spread")["mark"]["type"] == "errorbar"
    # the baseline's group (the first run's) is marked, and the failed run counted
    assert [g["baseline"] for g in groups] == [True, False]
    assert chart.summary["failed"] == [str(sweep_grid["c1_fail"])]
    # Without by, no error bars
    plain = collection.plot(x="cfg.C", y="score")
    assert "groups" not in plain.spec["datasets"]
    assert [item["name"] for item in plain.spec["layer"]] == [
        "runs",
        "baseline",
        "baselineLabel",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": "alpha", "y": "nope"}, r'No parameter or metric named "nope" \(parameters: .*alpha'),
        ({"x": "alpha"}, "needs x and y"),
        ({"y": "mse", "kind": "pie"}, "kind must be"),
    ],
)
def test_plot_refuses_what_it_cannot_draw(demo, kwargs, message):
    with pytest.raises(ValueError, match=message):
        demo.plot(**kwargs)


def test_a_name_that_is_both_resolves_by_axis(demo):
    # 'r2' is a scrap; a parameter of that name would win on x, the metric on y
    answer = {**demo.response, "notebooks": [dict(nb) for nb in demo.response["notebooks"]]}
    for nb in answer["notebooks"]:
        nb["parameters_flat"] = {**nb["parameters_flat"], "r2": {"value": 1, "injected": True}}
    assert resolve_field(answer, "r2", "param")["kind"] == "param"
    assert resolve_field(answer, "r2", "metric")["kind"] == "metric"
    assert resolve_field(answer, "metric:r2", "param")["kind"] == "metric"


# --------------------------------------------------------------------------- the CLI report


def run(argv, capsys) -> tuple[int, str, str]:
    out = io.StringIO()
    code = cli.run([str(a) for a in argv], stdout=out)
    captured = capsys.readouterr()
    return code, out.getvalue(), captured.err


def svgs_of(report: str) -> list[str]:
    return [
        base64.b64decode(data).decode("utf-8")
        for data in re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', report)
    ]


@pytest.mark.skipif(not has_vl_convert(), reason="vl-convert-python is not installed")
def test_html_report_embeds_both_charts_as_svg(demo, example_runs, capsys):
    paths = [example_runs[stem] for stem in ORDER]
    code, out, err = run(
        [*paths, "-f", "html", "--chart", "x=alpha,y=mse,color=model,logx"], capsys
    )
    assert code == 0, err
    assert "vl-convert" not in err
    scatter, parallel = svgs_of(out)
    # One symbol per ok run in the scatter's runs layer
    runs_group = re.search(r'<g class="mark-symbol role-mark runs_marks"[^>]*>(.*?)</g>', scatter)
    assert runs_group is not None
    assert runs_group.group(1).count("<path") == len(ORDER) - 1
    # and in the parallel coordinates, each ok run drawn as one line
    # segment between each pair of neighbouring axes (all of them here)
    axes = len(demo.plot(y="mse", kind="parallel").spec["datasets"]["axes"])
    group = re.search(r'<g class="mark-rule role-mark lines_marks"[^>]*>(.*?)</g>', parallel)
    assert group is not None
    labels = re.findall(r'<line [^>]*aria-label="([^"]*)"', group.group(1))
    ok = [str(example_runs[stem]) for stem in ORDER if stem != "ridge_diverged"]
    assert list(dict.fromkeys(labels)) == ok
    assert len(labels) == len(ok) * (axes - 1)
    # The counts and titles are in the drawing and in its alt text
    assert "1 failed run left out" in scatter
    assert 'alt="mse against alpha: one point per run; 1 failed run left out"' in out
    # No script in the SVG, and the report's policy still forbids scripts
    assert "<script" not in scatter + parallel
    assert "default-src 'none'" in out


def test_html_report_says_how_to_get_the_charts_without_vl_convert(
    example_runs, capsys, monkeypatch
):
    # Given no vl-convert (an import of it fails)
    monkeypatch.setitem(sys.modules, "vl_convert", None)
    paths = [example_runs[stem] for stem in ORDER]
    code, out, err = run([*paths, "-f", "html", "--chart", "x=alpha,y=mse"], capsys)
    # Then the report is still written, says how to get the charts, and so does stderr
    assert code == 0
    assert svgs_of(out) == []
    assert "jupyterlab_nbcompare[charts]" in html.unescape(out)
    assert "vl-convert-python" in err
    # and the comparison itself is all there
    assert "ridge_small_n.ipynb" in out


def test_chart_without_html_or_with_bad_names_is_a_usage_error(example_runs, capsys):
    paths = [example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]]
    cases = [
        (["--chart", "x=alpha,y=mse"], ["-f html"]),
        (["-f", "html", "--chart", "x=alpha"], ["missing y="]),
        (["-f", "html", "--chart", "x=alpha,y=mse,size=3"], ["unknown key 'size'"]),
        (
            ["-f", "html", "--chart", "x=alpha,y=nope"],
            ['No parameter or metric named "nope"', "mse"],
        ),
    ]
    for argv, messages in cases:
        code, _, err = run([*paths, *argv], capsys)
        assert code == 2, argv
        for message in messages:
            assert message in err


def test_a_list_or_dict_parameter_is_drawn_as_categories(demo):
    # Given runs whose parameter 'layers' is a list (papermill keeps it whole)
    answer = {**demo.response, "notebooks": [dict(nb) for nb in demo.response["notebooks"]]}
    for i, nb in enumerate(answer["notebooks"]):
        layers = {"value": [64, 32] if i % 2 else [128], "injected": True}
        nb["parameters_flat"] = {**nb["parameters_flat"], "layers": layers}
    # When mse is drawn against it, and parallel coordinates include it
    scatter = scatter_spec(answer, "layers", "mse")
    parallel = parallel_spec(answer, "mse")
    # Then each run's list is a category, spelled as JSON, on both charts
    points = scatter["datasets"]["runs"]
    assert {point["x"] for point in points} == {"[64,32]", "[128]"}
    assert "[64,32]" in json.dumps(parallel)
