"""Build the corpus of the browser benchmark: 200 notebooks x 30 named values.

Each notebook is a real papermill run of ``examples/template.ipynb`` (one of the
7 in ``examples/runs``, run ``i`` cloned from run ``i mod 7``; ``make examples``
writes them) with 19 more tagged cells appended, so that it carries 30 values
of the kinds a real experiment has: the template's 11 (scalar, mapping, table,
sequence, image, text, error, scraps) plus 10 scalars, 4 mappings, 3 sequences
and 2 texts whose numbers differ per notebook. The cells are written as
executed output (no kernel is run), which is all the panel reads.

Usage: ``python benchmarks/ui/make_corpus.py [OUT_DIR] [--notebooks 200]``
"""

from __future__ import annotations

import argparse
import copy
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "examples" / "runs"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "ui-corpus"


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


def extra_cells(rng: random.Random) -> list[dict]:
    """The 19 extra values of one notebook."""
    cells = [stream_cell(f"loss_{k}", repr(rng.uniform(1e-6, 2.0))) for k in range(10)]
    for k in range(4):
        scores = {
            "accuracy": rng.uniform(0.5, 1.0),
            "f1": rng.uniform(0.5, 1.0),
            "auc": rng.uniform(0.5, 1.0),
        }
        cells.append(stream_cell(f"scores_{k}", repr(scores)))
    features = ["age", "bmi", "bp", "s1", "s2", "s3", "s4", "s5"]
    for k in range(3):
        cells.append(stream_cell(f"selected_{k}", repr(rng.sample(features, 4))))
    for k in range(2):
        lines = [f"epoch {e}: loss={rng.uniform(0, 1):.4f}" for e in range(5)]
        cells.append(stream_cell(f"log_{k}", "\n".join(lines)))
    return cells


def build(out: Path, count: int) -> list[Path]:
    """Write ``count`` notebooks into ``out`` and return their paths."""
    seeds = sorted(RUNS.glob("*.ipynb"))
    if not seeds:
        raise SystemExit(f"No runs in {RUNS}: run `make examples` first.")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261126)
    written = []
    for i in range(count):
        notebook = json.loads(seeds[i % len(seeds)].read_text(encoding="utf-8"))
        notebook = copy.deepcopy(notebook)
        notebook["cells"].extend(extra_cells(rng))
        target = out / f"run_{i:03d}.ipynb"
        target.write_text(json.dumps(notebook), encoding="utf-8")
        written.append(target)
    return written


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--notebooks", type=int, default=200)
    args = parser.parse_args()
    written = build(args.out, args.notebooks)
    print(f"{len(written)} notebooks in {args.out}")


if __name__ == "__main__":
    main()
