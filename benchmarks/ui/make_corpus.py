"""Build the corpus of the browser benchmark: 200 notebooks x 30 named values.

Each notebook is a real papermill run of ``examples/template.ipynb`` (one of the
7 in ``examples/runs``, run ``i`` cloned from run ``i mod 7``; ``make examples``
writes them) with 19 more tagged cells appended, so that it carries 30 values
of the kinds a real experiment has: the template's 11 (scalar, mapping, table,
sequence, image, text, error, scraps) plus 10 scalars, 4 mappings, 3 sequences
and 2 texts whose numbers differ per notebook. The cells are written as
executed output (no kernel is run), which is all the panel reads.

With ``--sweep`` the notebooks form a parameter sweep (1,000 by default, into
``benchmarks/results/ui-sweep``): the papermill parameters of run ``i`` are the
``i``-th point of the grid ``model`` (4 values) x ``model_params.C`` (5) x
``seed``, written to ``metadata.papermill.parameters`` and to the
``injected-parameters`` cell as papermill writes them, so that grouping by
``model`` gives 4 groups of 250 runs and by ``model`` and ``model_params.C``
20 groups of 50. The extra losses and scores depend on the model and ``C``
(plus per-run noise), so the groups differ and every run's numbers differ.

Usage: ``python benchmarks/ui/make_corpus.py [OUT_DIR] [--notebooks N] [--sweep]``
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import random
from pathlib import Path

from papermill.translators import translate_parameters

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "examples" / "runs"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "ui-corpus"
SWEEP_OUT = ROOT / "benchmarks" / "results" / "ui-sweep"

#: The sweep's grid: model x model_params.C x seed (seeds fill the rest).
SWEEP_MODELS = {"ridge": 1.0, "lasso": 1.15, "svm": 0.85, "forest": 0.7}
SWEEP_C = (0.01, 0.1, 1.0, 10.0, 100.0)


def stream_cell(tag: str, text: str) -> dict:
    """An executed code cell tagged ``tag`` that printed ``text``."""
    return {
        "cell_type": "code",
        "execution_count": 1,
        "id": f"bench-{tag}",
        "metadata": {"tags": [tag]},
        "source": f"print({tag})",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": [text + "\n"]}],
    }


def extra_cells(rng: random.Random, scale: float = 1.0) -> list[dict]:
    """The 19 extra values of one notebook; ``scale`` multiplies the losses
    and (as a power) the scores, the way a sweep's parameters move them."""
    cells = [stream_cell(f"loss_{k}", repr(scale * rng.uniform(1e-6, 2.0))) for k in range(10)]
    for k in range(4):
        scores = {
            "accuracy": rng.uniform(0.5, 1.0) ** scale,
            "f1": rng.uniform(0.5, 1.0) ** scale,
            "auc": rng.uniform(0.5, 1.0) ** scale,
        }
        cells.append(stream_cell(f"scores_{k}", repr(scores)))
    features = ["age", "bmi", "bp", "s1", "s2", "s3", "s4", "s5"]
    for k in range(3):
        cells.append(stream_cell(f"selected_{k}", repr(rng.sample(features, 4))))
    for k in range(2):
        lines = [f"epoch {e}: loss={rng.uniform(0, 1):.4f}" for e in range(5)]
        cells.append(stream_cell(f"log_{k}", "\n".join(lines)))
    return cells


def sweep_point(i: int) -> dict:
    """The papermill parameters of run ``i`` of the sweep (row-major grid)."""
    cells = len(SWEEP_MODELS) * len(SWEEP_C)
    model, c = list(itertools.product(SWEEP_MODELS, SWEEP_C))[i % cells]
    return {"model": model, "model_params": {"C": c}, "seed": i // cells}


def sweep_scale(params: dict) -> float:
    """How a sweep point moves the extra numbers: by model, and by C (U-shaped)."""
    log_c = SWEEP_C.index(params["model_params"]["C"]) - 2
    return SWEEP_MODELS[params["model"]] * (1.0 + 0.1 * log_c * log_c)


def set_parameters(notebook: dict, params: dict) -> None:
    """Make ``params`` the run's papermill parameters (metadata and cell)."""
    notebook["metadata"].setdefault("papermill", {})["parameters"] = params
    for cell in notebook["cells"]:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = translate_parameters("python3", "python", params, "Parameters")


def build(out: Path, count: int, sweep: bool = False) -> list[Path]:
    """Write ``count`` notebooks into ``out`` and return their paths; with
    ``sweep``, their parameters are the points of the sweep's grid."""
    seeds = sorted(RUNS.glob("*.ipynb"))
    if not seeds:
        raise SystemExit(f"No runs in {RUNS}: run `make examples` first.")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261126)
    written = []
    for i in range(count):
        notebook = json.loads(seeds[i % len(seeds)].read_text(encoding="utf-8"))
        notebook = copy.deepcopy(notebook)
        scale = 1.0
        if sweep:
            params = sweep_point(i)
            set_parameters(notebook, params)
            scale = sweep_scale(params)
        notebook["cells"].extend(extra_cells(rng, scale))
        target = out / f"run_{i:0{max(3, len(str(count - 1)))}d}.ipynb"
        target.write_text(json.dumps(notebook), encoding="utf-8")
        written.append(target)
    return written


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=None)
    parser.add_argument("--notebooks", type=int, default=None, help="200, or 1000 with --sweep")
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="parameters on a grid (model x model_params.C x seed) for grouping",
    )
    args = parser.parse_args()
    out = args.out or (SWEEP_OUT if args.sweep else DEFAULT_OUT)
    count = args.notebooks or (1000 if args.sweep else 200)
    written = build(out, count, sweep=args.sweep)
    print(f"{len(written)} notebooks in {out}")


if __name__ == "__main__":
    main()
