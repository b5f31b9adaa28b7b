"""Run ``template.ipynb`` through papermill over a small parameter grid.

The runs are the demo (``make demo`` opens JupyterLab on them) and the fixtures
of the integration tests. One run fails on purpose, so that failed runs are
always part of what the product is shown with. Beside the runs goes the saved
view ``sweep.nbcompare`` (``examples/sweep.nbcompare``, its paths made
relative to the runs' folder): open it in JupyterLab, or gate on it with
``jupyter nbcompare OUTPUT_DIR/sweep.nbcompare``.

Beside them too, ``sweep_template.ipynb`` runs as a real sweep into ``sweep/``:
three models, each with three seeds and a dict-valued ``model_params``, so
that grouping by ``model`` shows means, spreads and a difference beyond the
noise on the first run. One of its runs fails in an untagged cell, leaving its
tagged cells unrun, as a crashed sweep point does.

Usage: ``python examples/generate.py [OUTPUT_DIR] [--jobs N]``
"""

from __future__ import annotations

import argparse
import posixpath
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import papermill as pm

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "template.ipynb"
SWEEP_TEMPLATE = HERE / "sweep_template.ipynb"
#: The folder of the sweep, inside the output folder.
SWEEP_FOLDER = "sweep"
#: The saved view of the sweep; its paths are relative to ``examples/`` (``runs/...``).
VIEW = HERE / "sweep.nbcompare"

#: The grid: (file stem, parameters). The last run fails on purpose.
GRID: list[tuple[str, dict]] = [
    ("ridge_alpha0.1", {"alpha": 0.1, "model": "ridge", "seed": 0}),
    ("ridge_alpha1", {"alpha": 1.0, "model": "ridge", "seed": 0}),
    ("ridge_alpha10", {"alpha": 10.0, "model": "ridge", "seed": 0}),
    ("ridge_alpha100", {"alpha": 100.0, "model": "ridge", "seed": 0}),
    ("ols_seed1", {"model": "ols", "seed": 1, "noise": 1.0}),
    ("ridge_small_n", {"alpha": 1.0, "model": "ridge", "n_samples": 40, "seed": 2}),
    ("ridge_diverged", {"alpha": 1000.0, "model": "ridge", "fail": True}),
]

#: Each model with its own ``model_params`` (what the sweep varies).
SWEEP_MODELS: list[tuple[str, dict]] = [
    ("ridge", {"alpha": 1.0}),
    ("lasso", {"alpha": 0.05}),
    ("svm", {"C": 0.02}),
]
SWEEP_SEEDS = (0, 1, 2)
#: The sweep point that fails on purpose (in an untagged cell).
SWEEP_FAILING = ("lasso", 2)

#: The sweep: (file stem, parameters), every model with every seed.
SWEEP: list[tuple[str, dict]] = [
    (
        f"{model}_s{seed}",
        {"model": model, "model_params": params, "seed": seed}
        | ({"fail": True} if (model, seed) == SWEEP_FAILING else {}),
    )
    for model, params in SWEEP_MODELS
    for seed in SWEEP_SEEDS
]


def run_one(
    out_dir: Path, stem: str, params: dict, template: Path = TEMPLATE
) -> tuple[str, str | None]:
    """Execute one run; a failure is kept as the (failed) output notebook."""
    target = out_dir / f"{stem}.ipynb"
    try:
        pm.execute_notebook(
            str(template),
            str(target),
            parameters=params,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
        )
    except pm.PapermillExecutionError as error:
        return stem, f"{error.ename}: {error.evalue}"
    return stem, None


def write_view(out_dir: Path) -> Path:
    """``examples/sweep.nbcompare`` written into ``out_dir``, its paths relative to it.

    The view's ``runs/...`` paths name the generated runs; beside them the same
    paths lose their ``runs/``, wherever the runs were generated.
    """
    from jupyterlab_nbcompare.core.views import dump_view, parse_view

    view = parse_view(VIEW.read_bytes())
    moved = {"notebooks": [posixpath.relpath(entry, "runs") for entry in view["notebooks"]]}
    if view.get("baseline"):
        moved["baseline"] = posixpath.relpath(view["baseline"], "runs")
    target = out_dir / VIEW.name
    target.write_text(dump_view(moved, view), encoding="utf-8")
    return target


def generate(out_dir: Path, jobs: int = 2) -> list[Path]:
    """Run the whole grid into ``out_dir``, write the view; return the notebooks written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda item: run_one(out_dir, *item), GRID))
    for stem, failure in results:
        state = f"failed on purpose ({failure})" if failure else "ok"
        print(f"  {stem}.ipynb: {state}")
    print(f"  {write_view(out_dir).name}: the saved view of the sweep")
    return [out_dir / f"{stem}.ipynb" for stem, _ in GRID]


def generate_sweep(out_dir: Path, jobs: int = 2) -> list[Path]:
    """Run the sweep into ``out_dir`` (the demo's ``sweep/``) and return its notebooks."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(
            pool.map(lambda item: run_one(out_dir, *item, template=SWEEP_TEMPLATE), SWEEP)
        )
    for stem, failure in results:
        state = f"failed on purpose ({failure})" if failure else "ok"
        print(f"  {SWEEP_FOLDER}/{stem}.ipynb: {state}")
    return [out_dir / f"{stem}.ipynb" for stem, _ in SWEEP]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=str(HERE / "runs"))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"Running {len(GRID)} experiments with papermill into {args.output} ...")
    generate(Path(args.output), args.jobs)
    print(f"Running a sweep of {len(SWEEP)} runs into {SWEEP_FOLDER}/ ...")
    generate_sweep(Path(args.output) / SWEEP_FOLDER, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
