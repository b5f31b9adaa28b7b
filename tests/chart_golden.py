"""The golden fixture of the chart specs, shared by pytest and jest.

``tests/files/charts/golden.json`` holds compare answers (``answers``) and
cases (``cases``: an answer, a chart kind, options, and the expected spec).
``tests/test_charts.py`` builds every case with ``core/charts.py`` and
``src/__tests__/charts.golden.spec.ts`` with ``src/charts.ts``; both must give
the stored spec, so the Python and TypeScript builders cannot drift apart.

The answers are trimmed compare answers of real papermill runs: the demo
grid (``examples/generate.py``), alone and grouped by ``model``, and the
sweep of ``tests/sweep_runs.py`` grouped by ``cfg.C``, plus one made by hand
for the edge cases (missing values, spelled NaN, x <= 0 on a log scale,
booleans, a failed and an unreadable run) and a synthetic one of
``MAX_PARALLEL_VERTICES_RUNS + 1`` plotted runs (``wide``: parallel
coordinates leave out their points at the axes).

Regenerate the expected specs after a deliberate change of both builders::

    python -m tests.chart_golden            # rewrite the cases' specs
    python -m tests.chart_golden --answers DEMO_DIR SWEEP_DIR   # and the answers

(``DEMO_DIR``: the output of ``examples/generate.py``; ``SWEEP_DIR``: runs
of the sweep template.) Review the diff: it is the change of behaviour.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).parent / "files" / "charts" / "golden.json"

#: (case name, answer, kind, options). Options use the TypeScript names
#: (``logX``); :func:`build` maps them to Python's.
CASES: list[tuple[str, str, str, dict]] = [
    ("demo mse/alpha by model", "demo", "scatter", {"x": "alpha", "y": "mse", "color": "model"}),
    ("demo r2/alpha log-x", "demo", "scatter", {"x": "alpha", "y": "metrics.r2", "logX": True}),
    ("demo mse/model nominal x", "demo", "scatter", {"x": "model", "y": "mse"}),
    ("demo metric against metric", "demo", "scatter", {"x": "metric:r2", "y": "metrics.mae"}),
    ("demo grouped by model", "demo_by_model", "scatter", {"x": "model", "y": "mse"}),
    (
        "sweep grouped by C, seed colours",
        "sweep_by_C",
        "scatter",
        {"x": "cfg.C", "y": "score", "color": "seed"},
    ),
    (
        "sweep grouped by C, log-x",
        "sweep_by_C",
        "scatter",
        {"x": "cfg.C", "y": "m.loss", "logX": True},
    ),
    (
        "edge scatter log-x",
        "edge",
        "scatter",
        {"x": "lr", "y": "loss", "color": "flag", "logX": True},
    ),
    ("edge scatter nominal colour", "edge", "scatter", {"x": "lr", "y": "loss", "color": "opt"}),
    ("demo parallel mse", "demo", "parallel", {"y": "mse"}),
    ("demo parallel r2 by model", "demo", "parallel", {"y": "metrics.r2", "color": "model"}),
    ("sweep parallel score", "sweep_by_C", "parallel", {"y": "score"}),
    ("edge parallel", "edge", "parallel", {"y": "loss"}),
    ("wide parallel, no vertices above the threshold", "wide", "parallel", {"y": "loss"}),
    ("gaps parallel: a missing inner axis, a run on one axis", "gaps", "parallel", {"y": "loss"}),
]


def build(answers: dict, case: dict) -> dict:
    """The spec of one case, by ``core/charts.py``."""
    from jupyterlab_nbcompare.core.charts import parallel_spec, scatter_spec

    answer = answers[case["answer"]]
    options = case["options"]
    if case["kind"] == "scatter":
        return scatter_spec(
            answer,
            options["x"],
            options["y"],
            color=options.get("color"),
            log_x=options.get("logX", False),
        )
    return parallel_spec(answer, options["y"], color=options.get("color"))


def _trim_cell(cell: dict | None) -> dict | None:
    if cell is None:
        return None
    if cell["kind"] == "scalar":
        return {"kind": "scalar", "value": cell["value"]}
    if cell["kind"] == "mapping":
        return {
            "kind": "mapping",
            "items": {k: {"value": i["value"]} for k, i in cell["items"].items()},
        }
    return {"kind": cell["kind"]}


def trim(answer: dict, root: Path, prefix: str) -> dict:
    """What the builders read of an answer, with paths under ``prefix/``."""

    def path(p: str) -> str:
        return f"{prefix}/{Path(p).name}"

    out = {
        "baseline": path(answer["baseline"]),
        "notebooks": [
            {
                "path": path(nb["path"]),
                "status": nb["status"],
                "parameters": nb["parameters"],
                "parameters_flat": nb["parameters_flat"],
            }
            for nb in answer["notebooks"]
        ],
        "values": [
            {
                "name": v["name"],
                "origin": v["origin"],
                "kind": v["kind"],
                "cells": {path(p): _trim_cell(c) for p, c in v["cells"].items()},
            }
            for v in answer["values"]
        ],
    }
    if "groups" in answer:
        out["baseline_group"] = answer["baseline_group"]
        out["groups"] = [
            {
                "key": g["key"],
                "paths": [path(p) for p in g["paths"]],
                "failed": [path(p) for p in g["failed"]],
                "stats": [
                    {k: s.get(k) for k in ("name", "origin", "key", "n", "mean", "std")}
                    for s in g["stats"]
                ],
            }
            for g in answer["groups"]
        ]
    return out


def _param(value, injected=True) -> dict:
    return {"value": value, "injected": injected}


def edge_answer() -> dict:
    """By hand: what real runs rarely show at once."""
    nbs = [
        ("e/a.ipynb", "ok", {"lr": 0.1, "flag": True, "opt": "adam"}, 1.5),
        ("e/b.ipynb", "ok", {"lr": 0.0, "flag": False, "opt": "sgd"}, 2.5),
        ("e/c.ipynb", "ok", {"lr": 1, "flag": True, "opt": None}, "NaN"),
        ("e/d.ipynb", "ok", {"lr": 10.0, "flag": False}, 0.25),
        ("e/e.ipynb", "ok", {"flag": True, "opt": "adam"}, 3.0),
        ("e/f.ipynb", "failed", {"lr": 0.5, "flag": True, "opt": "adam"}, 9.0),
        ("e/g.ipynb", "unreadable", {}, None),
        ("e/h.ipynb", "ok", {"lr": 100, "flag": True, "opt": [1, 2]}, "Infinity"),
        ("e/i.ipynb", "ok", {"lr": 1e-7, "flag": False, "opt": "adam"}, True),
    ]
    return {
        "baseline": "e/b.ipynb",
        "notebooks": [
            {
                "path": p,
                "status": status,
                "parameters": {k: _param(v) for k, v in params.items()},
                "parameters_flat": {k: _param(v) for k, v in params.items()},
            }
            for p, status, params, _ in nbs
        ],
        "values": [
            {
                "name": "loss",
                "origin": "tag",
                "kind": "scalar",
                "cells": {
                    p: None if loss is None else {"kind": "scalar", "value": loss}
                    for p, _, _, loss in nbs
                },
            },
            {
                "name": "notes",
                "origin": "tag",
                "kind": "text",
                "cells": {p: {"kind": "text"} for p, _, _, _ in nbs},
            },
        ],
    }


def wide_answer(runs: int = 201) -> dict:
    """Synthetic: ``runs`` ok runs of one parameter ``k`` (3 values) and a metric."""
    paths = [f"w/{i:03}.ipynb" for i in range(runs)]
    return {
        "baseline": paths[0],
        "notebooks": [
            {
                "path": p,
                "status": "ok",
                "parameters": {"k": _param(i % 3)},
                "parameters_flat": {"k": _param(i % 3)},
            }
            for i, p in enumerate(paths)
        ],
        "values": [
            {
                "name": "loss",
                "origin": "tag",
                "kind": "scalar",
                "cells": {p: {"kind": "scalar", "value": i / 8} for i, p in enumerate(paths)},
            }
        ],
    }


def gaps_answer() -> dict:
    """By hand: runs that lack parameters in the middle, at the start, or all of them."""
    nbs = [
        ("g/full.ipynb", {"a": 1, "b": 10, "c": 5}, 0.5),
        ("g/no_b.ipynb", {"a": 2, "c": 6}, 0.75),
        ("g/no_a_c.ipynb", {"b": 30}, 1.0),
        ("g/only_loss.ipynb", {}, 1.25),
        ("g/base.ipynb", {"a": 3, "b": 20, "c": 7}, 0.25),
    ]
    return {
        "baseline": "g/base.ipynb",
        "notebooks": [
            {
                "path": p,
                "status": "ok",
                "parameters": {k: _param(v) for k, v in params.items()},
                "parameters_flat": {k: _param(v) for k, v in params.items()},
            }
            for p, params, _ in nbs
        ],
        "values": [
            {
                "name": "loss",
                "origin": "tag",
                "kind": "scalar",
                "cells": {p: {"kind": "scalar", "value": loss} for p, _, loss in nbs},
            }
        ],
    }


def make_answers(demo: Path, sweep: Path) -> dict:
    """Compare the real runs (read, never executed) and trim the answers."""
    from jupyterlab_nbcompare.core.files import compare_paths

    demo_paths = sorted(str(p) for p in demo.glob("*.ipynb"))
    # The demo's own order (examples/generate.py's GRID): ridge_alpha1 first.
    first = next(p for p in demo_paths if Path(p).stem == "ridge_alpha1")
    demo_paths = [first] + [p for p in demo_paths if p != first]
    sweep_paths = sorted(str(p) for p in sweep.glob("*.ipynb"))
    return {
        "demo": trim(compare_paths(demo_paths, baseline=first), demo, "runs"),
        "demo_by_model": trim(
            compare_paths(demo_paths, baseline=first, group_by=["model"]), demo, "runs"
        ),
        "sweep_by_C": trim(
            compare_paths(sweep_paths, baseline=sweep_paths[0], group_by=["cfg.C"]),
            sweep,
            "sweep",
        ),
        "edge": edge_answer(),
        "wide": wide_answer(),
        "gaps": gaps_answer(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", nargs=2, metavar=("DEMO_DIR", "SWEEP_DIR"))
    args = parser.parse_args(argv)
    if args.answers:
        answers = make_answers(Path(args.answers[0]), Path(args.answers[1]))
    else:
        answers = json.loads(GOLDEN.read_text(encoding="utf-8"))["answers"]
        answers.setdefault("wide", wide_answer())
        answers.setdefault("gaps", gaps_answer())
    cases = []
    for name, answer, kind, options in CASES:
        case = {"name": name, "answer": answer, "kind": kind, "options": options}
        case["spec"] = build(answers, case)
        cases.append(case)
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"answers": answers, "cases": cases}, indent=1, ensure_ascii=False)
    GOLDEN.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
