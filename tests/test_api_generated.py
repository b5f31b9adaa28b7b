"""The Python API leaves the notebooks this extension generated out of folders and patterns.

An exported comparison notebook sits beside the runs; counted as a run it
would add a column, and a copy of a run's values. The generated notebook
here is a real run marked as the panel's export marks it (so it carries
values) and the export itself; named explicitly, either is still compared.
"""

from __future__ import annotations

import shutil

from jupyterlab_nbcompare import NotebookCollection

from .conftest import marked_generated, write_view
from .test_export_notebook import GENERATED


def _folder(example_runs, root):
    """Two runs, a marked copy of a third, the export, and a run in a subfolder."""
    root.mkdir()
    for stem in ("ridge_alpha1", "ridge_alpha10"):
        shutil.copyfile(example_runs[stem], root / f"{stem}.ipynb")
    (root / "ridge_export.ipynb").write_bytes(
        marked_generated(example_runs["ridge_alpha100"].read_bytes())
    )
    (root / "sub").mkdir()
    shutil.copyfile(GENERATED, root / "sub" / "comparison.ipynb")
    shutil.copyfile(example_runs["ols_seed1"], root / "sub" / "ols_seed1.ipynb")
    return root


def test_a_views_patterns_and_folders_leave_generated_notebooks_out(example_runs, tmp_path):
    root = _folder(example_runs, tmp_path / "runs")
    # Given views over the folder: a pattern, a recursive pattern, the folder itself,
    # and one that names the marked copy
    pattern = write_view(tmp_path / "p.nbcompare", notebooks=["runs/ridge_*.ipynb"])
    deep = write_view(tmp_path / "d.nbcompare", notebooks=["runs/**"])
    folder = write_view(tmp_path / "f.nbcompare", notebooks=["runs"])
    named = write_view(
        tmp_path / "n.nbcompare", notebooks=["runs/ridge_*.ipynb", "runs/ridge_export.ipynb"]
    )
    # When each is opened
    views = {
        v.stem: NotebookCollection.from_view(v, ids="filenames")
        for v in (pattern, deep, folder, named)
    }
    # Then patterns and folders skip both generated notebooks: no column, no values
    assert views["p"].ids == ["ridge_alpha1", "ridge_alpha10"]
    assert views["d"].ids == ["ridge_alpha1", "ridge_alpha10", "ols_seed1"]
    assert views["f"].ids == ["ridge_alpha1", "ridge_alpha10"]
    assert list(views["p"].to_frame().columns) == ["ridge_alpha1", "ridge_alpha10"]
    # And naming the marked copy compares it, with the values it carries
    assert views["n"].ids == ["ridge_alpha1", "ridge_alpha10", "ridge_export"]
    expected = NotebookCollection(example_runs["ridge_alpha100"])["mse"]
    assert views["n"]["mse"]["ridge_export"] == next(iter(expected.values()))
    assert (root / "ridge_export.ipynb").exists()
