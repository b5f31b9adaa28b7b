"""A small sweep executed for real by papermill: repeated seeds, a dict parameter, a failure.

``examples/generate.py`` runs one point per parameter set and fails in its last
cell, so it shows neither groups of repeated runs nor cells left unrun after a
failure. This template does both: ``cfg`` is a dict parameter (its leaves are
``cfg.C`` and ``cfg.kernel.gamma``), each ``C`` runs with several seeds, and
``fail=True`` raises in an untagged cell, so papermill leaves the tagged cell
``late`` pending.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: (file stem, injected parameters), in the order the tests compare them.
SWEEP: list[tuple[str, dict]] = [
    ("c01_s0", {"cfg": {"C": 0.1, "kernel": {"gamma": 2}}, "seed": 0}),
    ("c1_s0", {"cfg": {"C": 1.0, "kernel": {"gamma": 2}}, "seed": 0}),
    ("c01_s1", {"cfg": {"C": 0.1, "kernel": {"gamma": 2}}, "seed": 1}),
    ("c1_s1", {"cfg": {"C": 1.0, "kernel": {"gamma": 2}}, "seed": 1}),
    ("c01_s2", {"cfg": {"C": 0.1, "kernel": {"gamma": 2}}, "seed": 2}),
    ("c1_fail", {"cfg": {"C": 1.0, "kernel": {"gamma": 2}}, "seed": 2, "fail": True}),
]

#: What the template computes, so the tests can say what each run printed.
SOURCE_SCORE = "print(cfg['C'] * 10 + seed ** 2)"


def score(params: dict) -> float:
    """The value the ``score`` cell prints for these parameters."""
    return params["cfg"]["C"] * 10 + params["seed"] ** 2


def _template(path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [
        new_markdown_cell("# A sweep with seeds"),
        new_code_cell(
            "cfg = {'C': 0.1, 'kernel': {'gamma': 2}}\nseed = 0\nfail = False",
            metadata={"tags": ["parameters"]},
        ),
        new_code_cell(SOURCE_SCORE, metadata={"tags": ["score"]}),
        new_code_cell("print({'loss': 1.0 / (1 + seed), 'label': 'x'})", metadata={"tags": ["m"]}),
        new_code_cell("if fail:\n    raise ValueError(f\"bad C: {cfg['C']}\")"),
        new_code_cell("print(seed)", metadata={"tags": ["late"]}),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))


@pytest.fixture(scope="session")
def sweep_grid(tmp_path_factory) -> dict[str, Path]:
    """The :data:`SWEEP` runs (papermill, for real), keyed by stem, in sweep order."""
    from concurrent.futures import ThreadPoolExecutor

    import papermill as pm

    out = tmp_path_factory.mktemp("sweep_grid")
    template = out / "template.ipynb"
    _template(template)

    def run(item: tuple[str, dict]) -> None:
        stem, params = item
        try:
            pm.execute_notebook(
                str(template),
                str(out / f"{stem}.ipynb"),
                parameters=params,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
            )
        except pm.PapermillExecutionError:
            pass  # the failing run is kept, as papermill wrote it

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, SWEEP))
    template.unlink()
    return {stem: out / f"{stem}.ipynb" for stem, _ in SWEEP}
