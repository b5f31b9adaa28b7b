"""The Python API on real papermill runs: NotebookIntrospector and NotebookCollection."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from IPython.display import Image

from jupyterlab_nbcompare import NotebookCollection, NotebookIntrospector, cli
from jupyterlab_nbcompare.collection import CellError

from .conftest import tagged_notebook, text_output

#: From examples/template.ipynb: the features and the true coefficients.
FEATURES = ["age", "bmi", "bp", "s1", "s2"]
TRUE_COEF = [1.5, -2.0, 0.0, 0.7, 3.0]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def printed(path: Path, tag: str) -> str:
    """What the tagged cell printed, as stored in the notebook."""
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", []))
    return "".join(_text(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")


def untagged_copy(source: Path, target: Path, tag: str) -> Path:
    """A real run with one tag removed (a notebook that lacks a name)."""
    nb = json.loads(source.read_text())
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if tag in tags:
            tags.remove(tag)
    target.write_text(json.dumps(nb))
    return target


# --------------------------------------------------------------------------- introspector


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("mse", float),
        ("metrics", dict),
        ("coefficients", pd.DataFrame),
        ("top_features", list),
        ("residuals_plot", Image),
        ("summary", str),
        ("sanity_check", str),
        ("r2", float),  # scrap (json encoder)
        ("config", dict),  # scrap holding a dict
        ("note", str),  # scrap (text encoder)
        ("test_mse", float),  # scrap glued with display=True: the data wins
    ],
)
def test_introspector_returns_python_objects(example_runs, name, kind):
    nb = NotebookIntrospector(example_runs["ridge_alpha1"])
    assert isinstance(nb[name], kind)


def test_introspector_values_are_what_the_notebook_printed(example_runs):
    path = example_runs["ridge_alpha10"]
    nb = NotebookIntrospector(path)
    # Given what the cells printed: a float, a dict of np.float64, a list
    assert nb["mse"] == float(printed(path, "mse"))
    metrics = eval(printed(path, "metrics"), {"np": __import__("numpy")})
    assert nb["metrics"] == {k: float(v) for k, v in metrics.items()}
    assert nb["top_features"] == eval(printed(path, "top_features"))
    assert nb["summary"] == printed(path, "summary").rstrip("\n")
    # The table is the DataFrame the template built: features x (coef, true, abs_error)
    frame = nb["coefficients"]
    assert list(frame.index) == FEATURES
    assert list(frame.columns) == ["coef", "true", "abs_error"]
    assert list(frame["true"]) == TRUE_COEF
    # abs_error is |coef - true|, rounded to 4 places in the template
    for coef, true, err in frame.itertuples(index=False):
        assert err == pytest.approx(abs(coef - true), abs=1e-4)
    # The scraps hold what sb.glue got
    assert nb["config"] == {"alpha": 10.0, "model": "ridge", "n_samples": 200}
    assert nb["note"] == "ridge / alpha=10.0"
    assert nb["r2"] == pytest.approx(nb["metrics"]["r2"])


def test_introspector_image_is_the_png_of_the_output(example_runs):
    nb = NotebookIntrospector(example_runs["ridge_alpha1"])
    image = nb["residuals_plot"]
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n")
    # the very bytes whose hash the comparison reports
    assert hashlib.sha256(image.data).hexdigest() == nb.cell("residuals_plot")["sha256"]


def test_an_error_is_a_value_not_an_exception(example_runs):
    nb = NotebookIntrospector(example_runs["ridge_diverged"])
    value = nb["sanity_check"]
    assert isinstance(value, CellError)
    assert value.ename == "RuntimeError"
    assert "diverged" in value.evalue
    assert nb.status == "failed"


def test_introspector_sklearn_evaluation_surface(example_runs):
    path = example_runs["ridge_small_n"]
    nb = NotebookIntrospector(path)
    # a Mapping: list(), dict(), len(), in, .get
    assert "mse" in list(nb)
    assert len(dict(nb)) == len(nb)
    assert nb.get("no_such_tag") is None
    with pytest.raises(KeyError):
        nb["no_such_tag"]
    # the injected parameters are papermill's (examples/generate.py's grid)
    assert nb.get_injected_parameters() == {
        "alpha": 1.0,
        "model": "ridge",
        "n_samples": 40,
        "seed": 2,
    }
    # defaults and injected values together
    assert nb.parameters["noise"] == 0.5
    assert nb.parameters["n_samples"] == 40
    # the notebook node, with attribute access
    assert nb.nb.cells[0].cell_type == "markdown"
    # a JSON-safe export
    exported = json.loads(json.dumps(nb.to_json_serializable(), allow_nan=False))
    assert exported["coefficients"]["index"] == FEATURES
    assert exported["residuals_plot"]["mime"] == "image/png"
    # literal_eval=False gives the printed text, to_df=True dicts as one-row frames
    raw = NotebookIntrospector(path, literal_eval=False)
    assert raw["metrics"] == printed(path, "metrics").rstrip("\n")
    framed = NotebookIntrospector(path, to_df=True)
    assert list(framed["metrics"].columns) == ["mse", "mae", "r2"]
    assert len(framed["metrics"]) == 1


#: Printed dicts whose keys hold dots or are not strings (what a user prints).
DOTTED = {
    "thr": "{0.5: 0.81, 0.9: 0.62}",
    "prec": "{'precision@0.5': 0.7, 'recall@0.5': 0.6}",
    "ver": "{'v1.2': 3, 'v1.10': 4}",
    "intkeys": "{1: 'a', 2: 'b'}",
    "mixed": "{'a.b': 1, 'a': {'c': 2}}",
    "nested": "{'model': {'lr@0.5': 0.1, 'depth': 3}, 'v1.0': {'ok': True}}",
}


def scrap_output(name: str, data) -> dict:
    """A scrapbook data scrap as ``sb.glue(name, data)`` stores it (json encoder)."""
    payload = {"name": name, "data": data, "encoder": "json", "version": 1}
    return {
        "output_type": "display_data",
        "data": {"application/scrapbook.scrap.json+json": payload},
        "metadata": {"scrapbook": {"name": name, "data": True, "display": False}},
    }


@pytest.fixture
def dotted_notebook(tmp_path) -> Path:
    """Tagged cells printing the DOTTED dicts, one printed with numpy scalars, one scrap."""
    values = {tag: [text_output(text)] for tag, text in DOTTED.items()}
    values["streamed"] = [
        {
            "output_type": "stream",
            "name": "stdout",
            "text": ["{'recall@0.5': np.float64(0.25),\n", " 'n.rows': np.int64(7)}\n"],
        }
    ]
    nb = tagged_notebook(values)
    nb["cells"].append(
        {
            "cell_type": "code",
            "execution_count": 2,
            "id": "glue",
            "metadata": {},
            "outputs": [scrap_output("glued", {"0.5": 0.8, "a.b": {"c.d": 1}})],
            "source": "sb.glue('glued', ...)",
        }
    )
    path = tmp_path / "dotted.ipynb"
    path.write_text(json.dumps(nb))
    return path


def stored_values(path: Path) -> dict:
    """What each tag printed and each scrap holds, read back from the file itself."""
    import ast

    nb = json.loads(path.read_text())
    out = {}
    for cell in nb["cells"]:
        for output in cell["outputs"]:
            if output["output_type"] == "stream":
                text = _text(output["text"])
                out[cell["metadata"]["tags"][0]] = eval(text, {"np": __import__("numpy")})
            elif "text/plain" in output["data"]:
                out[cell["metadata"]["tags"][0]] = ast.literal_eval(output["data"]["text/plain"])
            else:
                payload = output["data"]["application/scrapbook.scrap.json+json"]
                out[payload["name"]] = payload["data"]
    return out


def test_dict_keys_with_dots_or_numbers_come_back_as_printed(dotted_notebook):
    # Given a notebook printing dicts keyed by floats, ints and dotted strings
    expected = stored_values(dotted_notebook)
    # When the API reads them
    nb = NotebookIntrospector(dotted_notebook)
    # Then each value is the dict the notebook holds: same keys, same nesting
    for name, value in expected.items():
        assert nb[name] == value, name
        assert list(nb[name]) == list(value), name
    # And numpy scalars printed by the notebook are plain Python numbers
    assert [type(v) for v in nb["streamed"].values()] == [float, int]


def test_json_export_keeps_the_nesting_with_string_keys(dotted_notebook):
    # Given the same notebook
    expected = stored_values(dotted_notebook)
    # When it is exported as JSON
    exported = NotebookIntrospector(dotted_notebook).to_json_serializable()
    # Then each dict is what json makes of it (keys as strings), nesting kept
    for name, value in expected.items():
        as_json = json.loads(json.dumps(value, default=lambda number: number.item()))
        assert exported[name] == as_json, name
    assert json.loads(json.dumps(exported, allow_nan=False)) == exported


def test_a_dict_from_the_api_is_a_copy(dotted_notebook):
    # Given a dict value read through the API (a scrap: JSON in the notebook)
    nb = NotebookIntrospector(dotted_notebook)
    glued = nb["glued"]
    # When the caller changes it
    glued["a.b"]["c.d"] = 999
    # Then the notebook and the next read are untouched
    assert nb["glued"]["a.b"]["c.d"] == 1
    assert stored_values(dotted_notebook)["glued"]["a.b"]["c.d"] == 1


def test_the_notebook_is_scanned_once_for_all_its_names(dotted_notebook, monkeypatch):
    # Given an introspector of a notebook with several dict values
    from jupyterlab_nbcompare.core import extract

    nb = NotebookIntrospector(dotted_notebook)
    scans = []
    real_scan = extract._scan
    monkeypatch.setattr(extract, "_scan", lambda notebook: scans.append(1) or real_scan(notebook))
    # When every value is read, twice, and exported as JSON
    for _ in range(2):
        values = {name: nb[name] for name in nb}
    nb.to_json_serializable()
    # Then the notebook's cells were scanned once, not once per name
    assert values == stored_values(dotted_notebook)
    assert len(scans) == 1


def test_a_deeply_nested_dict_keeps_its_keys(tmp_path):
    # Given a JSON output nested 500 levels deep (deeper than Python's recursion
    # allows copy.deepcopy), with a dotted key at the bottom
    deep: dict = {"x.y": 1}
    for _ in range(500):
        deep = {"k": deep}
    output = {
        "output_type": "display_data",
        "data": {"application/json": deep, "text/plain": "<deep>"},
        "metadata": {},
    }
    path = tmp_path / "deep.ipynb"
    path.write_text(json.dumps(tagged_notebook({"deep": [output]})))
    # When the API reads it and exports it
    nb = NotebookIntrospector(path)
    value, exported = nb["deep"], nb.to_json_serializable()["deep"]
    # Then it answers, never a RecursionError, with the dict as written
    for found in (value, exported):
        for _ in range(500):
            found = found["k"]
        assert found == {"x.y": 1}


def test_importing_the_package_stays_cheap():
    # The server imports the package; pandas and the API load on first use only.
    code = (
        "import sys, jupyterlab_nbcompare as p;"
        "print('pandas' in sys.modules, 'jupyterlab_nbcompare.collection' in sys.modules);"
        "p.NotebookCollection;"
        "print('jupyterlab_nbcompare.collection' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False", "True"]


# --------------------------------------------------------------------------- collection


@pytest.fixture(scope="module")
def collection(example_runs) -> NotebookCollection:
    paths = [example_runs[k] for k in ("ridge_alpha1", "ridge_alpha10", "ridge_diverged")]
    return NotebookCollection(paths, ids="filenames", baseline="ridge_alpha10")


def test_collection_names_ids_and_baseline(collection, example_runs):
    assert collection.ids == ["ridge_alpha1", "ridge_alpha10", "ridge_diverged"]
    assert collection.baseline == str(example_runs["ridge_alpha10"])
    for name in ("mse", "metrics", "coefficients", "residuals_plot", "r2", "note"):
        assert name in collection.names
    assert list(collection) == collection.names


def test_to_frame_has_names_as_rows_and_ids_as_columns(collection, example_runs):
    frame = collection.to_frame()
    assert list(frame.columns) == collection.ids
    # scalars and the items of mappings, nothing else
    assert {"mse", "metrics.mse", "metrics.mae", "metrics.r2", "r2"} <= set(frame.index)
    assert "coefficients" not in frame.index
    assert "residuals_plot" not in frame.index
    # the numbers are the printed ones
    for id_ in collection.ids:
        assert frame.loc["mse", id_] == float(printed(example_runs[id_], "mse"))
    # names= picks values or single items
    assert list(collection.to_frame(["mse", "metrics.r2"]).index) == ["mse", "metrics.r2"]


def test_comparison_maps_ids_to_values(collection):
    comparison = collection["metrics"]
    assert list(comparison) == collection.ids
    assert comparison["ridge_alpha1"] == collection.nbs["ridge_alpha1"]["metrics"]
    # deltas against the baseline (alpha=10) come with the cells
    cells = comparison.cells
    assert cells["ridge_alpha10"]["items"]["mse"]["delta"] == 0
    expected = comparison["ridge_alpha1"]["mse"] - comparison["ridge_alpha10"]["mse"]
    assert cells["ridge_alpha1"]["items"]["mse"]["delta"] == pytest.approx(expected)
    # the diverged run's error is a value
    assert isinstance(collection["sanity_check"]["ridge_diverged"], CellError)


class Cells(HTMLParser):
    """Counts of what a _repr_html_ contains."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.rows: list[int] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "tr":
            self.rows.append(0)
        if tag in ("td", "th") and self.rows:
            self.rows[-1] += 1


@pytest.mark.parametrize("name", ["mse", "metrics", "coefficients", "residuals_plot", "summary"])
def test_repr_html_is_side_by_side_without_javascript(collection, name):
    # When a comparison renders (as in a notebook, or nbconvert)
    html = collection[name]._repr_html_()
    page = Cells()
    page.feed(html)
    # Then there is no script, no handler, no tab widget
    assert "script" not in page.tags
    assert not any(attr.startswith("on") for attr, _ in page.attrs)
    assert "input" not in page.tags  # CSS-only tabs need radio inputs
    assert not any(attr in ("role", "id") for attr, _ in page.attrs)
    # And one column per notebook, labelled by id, the baseline marked
    assert page.rows[0] == 1 + len(collection.ids)
    for id_ in collection.ids:
        assert id_ in html
    assert "(baseline)" in html


def test_repr_html_shows_deltas_and_images(collection):
    html = collection["mse"]._repr_html_()
    # the diverged run is worse on mse than the baseline: red, "worse"
    assert "worse" in html
    assert "better" in html  # alpha=1 beats alpha=10 on mse
    plot = collection["residuals_plot"]._repr_html_()
    assert plot.count('src="data:image/png;base64,') == 3


def test_a_name_some_notebooks_lack_gives_none(example_runs, tmp_path):
    # Given a run without the `summary` tag
    lacking = untagged_copy(example_runs["ridge_alpha100"], tmp_path / "lacking.ipynb", "summary")
    collection = NotebookCollection([example_runs["ridge_alpha1"], lacking], ids=["a", "b"])
    # Then its column is None, nothing raises, and the view says it is missing
    assert collection["summary"]["b"] is None
    assert collection["summary"]["a"].startswith("Model ridge")
    assert "—" in collection["summary"]._repr_html_()
    # And a name no notebook has is not an error either
    assert "nope" not in collection
    assert collection.get("nope") is None
    assert "No compared notebook" in collection["nope"]._repr_html_()


def test_scores_makes_names_higher_is_better(example_runs):
    # sklearn-evaluation's scores= marks names as scores (higher is better)
    paths = [example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]]
    default = NotebookCollection(paths)["mse"].cells[str(paths[1])]
    flipped = NotebookCollection(paths, scores=["mse"])["mse"].cells[str(paths[1])]
    assert default["delta"] > 0  # alpha=10 has the larger mse
    assert default["better"] is False
    assert flipped["better"] is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ids": ["only-one"]}, "1 ids for 2 paths"),
        ({"ids": ["same", "same"]}, "unique"),
        ({"baseline": "elsewhere.ipynb"}, "neither one of the paths"),
        ({"ids": "stems"}, "ids must be"),
    ],
)
def test_collection_argument_errors(example_runs, kwargs, message):
    paths = [example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]]
    with pytest.raises(ValueError, match=message):
        NotebookCollection(paths, **kwargs)


def test_collection_keeps_an_unreadable_notebook_as_a_column(example_runs, tmp_path):
    # Given a real run and a file that exists but is not JSON
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{")
    # When they are compared, it warns, naming the file and why
    with pytest.warns(UserWarning, match=r"broken\.ipynb.*not valid JSON"):
        collection = NotebookCollection([example_runs["ridge_alpha1"], broken], ids="filenames")
    # Then the bad notebook is a column without values, the other one is intact
    assert collection["mse"]["broken"] is None
    frame = collection.to_frame(["mse"])
    assert math.isnan(frame.loc["mse", "broken"])
    statuses = [nb["status"] for nb in collection.response["notebooks"]]
    assert statuses == ["ok", "unreadable"]


def test_an_unreadable_first_notebook_is_not_the_default_baseline(example_runs, tmp_path):
    # Given a broken file first, then two real runs, and no baseline given
    broken = tmp_path / "broken.ipynb"
    broken.write_text("not a notebook")
    alpha1, alpha10 = example_runs["ridge_alpha1"], example_runs["ridge_alpha10"]
    with pytest.warns(UserWarning, match="broken"):
        collection = NotebookCollection([broken, alpha1, alpha10], ids="filenames")
    # Then the first readable run is the baseline, so the deltas mean something
    assert collection.baseline == str(alpha1)
    delta = collection["mse"].cells["ridge_alpha10"]["delta"]
    assert delta == pytest.approx(float(printed(alpha10, "mse")) - float(printed(alpha1, "mse")))


def test_missing_paths_raise_naming_every_one(example_runs, tmp_path):
    # Given two paths that do not exist beside a real run (a typo first)
    typo, gone = tmp_path / "typo.ipynb", tmp_path / "gone" / "run.ipynb"
    # When a collection is made of them
    with pytest.raises(FileNotFoundError) as raised:
        NotebookCollection([typo, example_runs["ridge_alpha1"], gone], ids="filenames")
    # Then the error names both missing paths, and not the real run
    assert str(typo) in str(raised.value)
    assert str(gone) in str(raised.value)
    assert "ridge_alpha1" not in str(raised.value)


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (["a/run.ipynb", "b/run.ipynb"], ["a/run", "b/run"]),
        (["x/a/run.ipynb", "y/a/run.ipynb", "b/run.ipynb"], ["x/a/run", "y/a/run", "b/run"]),
        (["a/run.ipynb", "b/run.ipynb", "a/other.ipynb"], ["a/run", "b/run", "other"]),
    ],
)
def test_filenames_tell_same_named_notebooks_apart(example_runs, tmp_path, relative, expected):
    # Given copies of real runs with the same file name in different folders
    sources = [example_runs[k] for k in ("ridge_alpha1", "ridge_alpha10", "ridge_alpha100")]
    paths = []
    for name, source in zip(relative, sources):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        paths.append(target)
    # When they are compared with ids="filenames"
    collection = NotebookCollection(paths, ids="filenames")
    # Then each id is the shortest end of its path that is unique
    assert collection.ids == expected
    # And each id reaches its own notebook's values
    for id_, source in zip(expected, sources):
        assert collection["mse"][id_] == float(printed(source, "mse"))


def test_filenames_fall_back_to_paths_for_two_spellings_of_one_file(example_runs, tmp_path):
    # Given one copy named twice, once with a "./" in front
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "run.ipynb").write_bytes(example_runs["ridge_alpha1"].read_bytes())
    spellings = [f"{tmp_path}/runs/run.ipynb", f"{tmp_path}/./runs/run.ipynb"]
    # When ids="filenames" cannot shorten them apart, the paths as given are the ids
    assert NotebookCollection(spellings, ids="filenames").ids == spellings


def test_without_pandas_tables_are_plain_dicts(example_runs):
    # Given an environment where pandas cannot be imported
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "from jupyterlab_nbcompare import NotebookIntrospector\n"
        "nb = NotebookIntrospector(sys.argv[1])\n"
        "table = nb['coefficients']\n"
        "print(type(table).__name__, table['index'], type(nb['mse']).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(example_runs["ridge_alpha1"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Then the API still works: the table is {columns, index, rows}
    assert out.split(" ", 1)[0] == "dict"
    assert str(FEATURES) in out
    assert out.strip().endswith("float")


def test_sklearn_evaluation_user_code_keeps_working(example_runs):
    # Given code written for sklearn_evaluation (its user guide's calls), import swapped
    paths = [str(example_runs[k]) for k in ("ridge_alpha1", "ridge_alpha10", "ridge_alpha100")]
    nbs = NotebookCollection(paths=paths, ids="filenames", scores=["r2"])
    # When it lists the tags, looks at outputs and reaches the introspectors
    tags = list(nbs)
    completions = nbs._ipython_key_completions_()
    metrics = nbs["metrics"]
    html = metrics._repr_html_()
    per_run = dict(nbs["mse"])
    one = nbs.nbs["ridge_alpha10"]["mse"]
    # Then everything answers, with every run side by side
    assert "metrics" in tags
    assert completions == tags
    assert set(per_run) == {"ridge_alpha1", "ridge_alpha10", "ridge_alpha100"}
    assert one == per_run["ridge_alpha10"]
    assert all(run in html for run in per_run)
    # r2 is "higher is better" (by its name, and as scores= says): better follows the delta
    r2 = nbs["r2"].cells
    assert r2["ridge_alpha100"]["better"] is (r2["ridge_alpha100"]["delta"] > 0)


# --------------------------------------------------------------------------- issue #12


def _texts(document: str) -> list[str]:
    """The text of an HTML fragment, as a reader sees it."""
    texts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = texts.append
    parser.feed(document)
    return texts


@pytest.mark.parametrize("spelling", [str, Path])
def test_a_single_path_is_one_notebook(example_runs, spelling):
    # Given one notebook, named by a string or a Path (not in a list)
    path = example_runs["ridge_alpha1"]
    # When a collection is made of it
    collection = NotebookCollection(spelling(path))
    # Then it is one notebook, not one per character
    assert collection.paths == [str(path)]
    assert collection.ids == [str(path)]
    assert collection["mse"][str(path)] == float(printed(path, "mse"))


def test_a_folder_is_its_notebooks_as_on_the_command_line(example_runs, tmp_path):
    # Given a folder of runs and the comparison notebook the panel exported there
    folder = tmp_path / "runs"
    folder.mkdir()
    for stem in ("ridge_alpha1", "ridge_alpha10", "ridge_diverged"):
        (folder / f"{stem}.ipynb").write_bytes(example_runs[stem].read_bytes())
    generated = Path(__file__).parent / "files" / "generated" / "comparison.ipynb"
    (folder / "comparison.ipynb").write_bytes(generated.read_bytes())
    # When a collection is made of the folder, in a list or alone
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "not a file" would be a warning
        listed = NotebookCollection([folder], ids="filenames")
        alone = NotebookCollection(str(folder), ids="filenames")
    # Then it holds the runs, sorted, as the CLI expands the folder
    assert listed.ids == alone.ids == ["ridge_alpha1", "ridge_alpha10", "ridge_diverged"]
    assert listed.paths == cli.expand_paths([folder])
    assert listed["mse"]["ridge_alpha10"] == float(printed(example_runs["ridge_alpha10"], "mse"))


def test_a_folder_without_notebooks_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no notebooks"):
        NotebookCollection([tmp_path])


def test_comparison_html_has_status_duration_and_parameters(example_runs):
    # Given a good run and a failed one
    ok, failed = example_runs["ridge_alpha1"], example_runs["ridge_diverged"]
    collection = NotebookCollection([ok, failed], ids="filenames")
    # When one value is shown in a notebook
    page = collection["mse"]._repr_html_()
    shown = " ".join(_texts(page))
    # Then it says which run failed, how long each took and how they differ
    assert "failed" in shown
    assert "duration (s)" in shown
    for path in (ok, failed):
        meta = json.loads(path.read_text())["metadata"]["papermill"]
        assert f"{meta['duration']:.1f}" in shown
        assert "param alpha" in shown
        assert json.dumps(meta["parameters"]["alpha"]) in shown
    # as the text repr does
    assert "failed" in repr(collection["mse"])


def test_a_failed_runs_missing_value_does_not_look_like_a_missing_tag(sweep_runs):
    collection = NotebookCollection(
        [sweep_runs["depth4"], sweep_runs["deep_failed"]], ids="filenames"
    )
    assert collection["after"]["deep_failed"] is None
    assert "(run failed)" in collection["after"]._repr_html_()
    assert "(run failed)" in collection._repr_html_()


def _injected_cell_order(path: Path) -> list[str]:
    """Names in papermill's injected-parameters cell, top to bottom, from the file."""
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    source = _text(cell["source"])
    return [line.split("=")[0].strip() for line in source.splitlines() if "=" in line]


@pytest.mark.parametrize("which", ["ols_seed1", "depth4"])
def test_injected_parameters_keep_papermills_order(example_runs, sweep_runs, which):
    path = {**example_runs, **sweep_runs}[which]
    order = _injected_cell_order(path)
    # the runs inject in an order that is neither sorted nor the defaults'
    assert order != sorted(order)
    injected = NotebookIntrospector(path).get_injected_parameters()
    assert list(injected) == order
    meta = json.loads(path.read_text())["metadata"]["papermill"]["parameters"]
    assert injected == meta


def test_equal_infinities_show_no_nan_in_the_api(sweep_runs):
    collection = NotebookCollection([sweep_runs["depth4"], sweep_runs["depth8"]])
    comparison = collection["overflow"]
    assert comparison[str(sweep_runs["depth8"])]["loss"] == math.inf
    assert "NaN" not in repr(comparison)
    assert "NaN" not in comparison._repr_html_()
