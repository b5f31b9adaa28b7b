"""One comparison, three faces: the REST response, ``jupyter nbcompare --format json``
and the Python API agree exactly for the same inputs.

The runs are copied into the server's root, the server is asked over HTTP
(``jp_fetch``), and the CLI and the API are run from the root folder with the
same relative paths, so the three answers must be equal key for key.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil

import pytest

from jupyterlab_nbcompare import NotebookCollection, NotebookIntrospector, cli

from .conftest import compare

RUNS = ["ridge_alpha1", "ridge_alpha10", "ridge_diverged", "ols_seed1", "ridge_small_n"]


@pytest.fixture
def runs_in_root(jp_root_dir, example_runs, monkeypatch) -> list[str]:
    """Copies of real runs under ``<root>/runs/``; the working directory is the root.

    One copy gets a modification time on a whole second, the case where a
    careless time format drops the fraction on one face and not the other.
    """
    folder = jp_root_dir / "runs"
    folder.mkdir()
    paths = []
    for stem in RUNS:
        target = folder / f"{stem}.ipynb"
        shutil.copyfile(example_runs[stem], target)
        paths.append(f"runs/{target.name}")
    whole_second = 1_790_000_000
    os.utime(folder / "ridge_alpha10.ipynb", (whole_second, whole_second))
    monkeypatch.chdir(jp_root_dir)
    return paths


def cli_json(paths, baseline=None, names=None, directions=None) -> dict:
    argv = [*paths, "--format", "json"]
    if baseline:
        argv += ["--baseline", baseline]
    if names:
        argv += ["--names", ",".join(names)]
    for name, direction in (directions or {}).items():
        argv += ["--direction", f"{name}={direction}"]
    out = io.StringIO()
    assert cli.run(argv, stdout=out) == 0
    return json.loads(out.getvalue())


def same_number(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


REQUESTS = [
    pytest.param({}, id="defaults"),
    pytest.param({"baseline": 2}, id="baseline-is-the-failed-run"),
    pytest.param({"names": ["mse", "metrics", "coefficients", "residuals_plot"]}, id="names"),
    pytest.param({"directions": {"summary": "higher", "mae": "higher"}}, id="directions"),
]


@pytest.mark.parametrize("request_args", REQUESTS)
async def test_cli_rest_and_api_agree(jp_fetch, runs_in_root, read_path, request_args):
    # Given the same paths and options for every face
    paths = runs_in_root
    baseline = paths[request_args["baseline"]] if "baseline" in request_args else None
    names = request_args.get("names")
    directions = request_args.get("directions")
    body = {"paths": paths}
    if baseline:
        body["baseline"] = baseline
    if names:
        body["names"] = names
    if directions:
        body["directions"] = directions

    # When the server, the command line and the Python API compare them
    rest = await compare(jp_fetch, **body)
    from_cli = cli_json(paths, baseline, names, directions)
    collection = NotebookCollection(paths, baseline=baseline, directions=directions)

    # Then the CLI's JSON is the REST response, key for key
    assert from_cli == rest
    # And the API's response is the same comparison (over all names)
    api = collection.response
    if names:
        api = {**api, "values": [v for v in api["values"] if v["name"] in names]}
    assert api == rest

    # And the API's Python values are the REST values
    frame = collection.to_frame()
    for value in rest["values"]:
        for path, cell in value["cells"].items():
            if cell is None:
                continue
            python = collection[value["name"]][path]
            if value["origin"] != collection[value["name"]].origin:
                python = NotebookIntrospector(path).get_value(value["name"], value["origin"])
            if cell["kind"] == "scalar":
                expected = cell["value"]
                expected = float(expected) if isinstance(expected, str) else expected
                assert same_number(python, expected), (value["name"], path)
                if value["origin"] == "tag":
                    assert same_number(frame.loc[value["name"], path], expected)
            elif cell["kind"] == "mapping":
                for key, item in cell["items"].items():
                    node = python
                    for part in key.split("."):
                        node = node[part]
                    assert node == item["value"], (value["name"], key, path)
                    if value["origin"] == "tag":
                        assert frame.loc[f"{value['name']}.{key}", path] == item["value"]
            elif cell["kind"] == "sequence":
                assert python == cell["items"]
            elif cell["kind"] == "text":
                assert python == cell["text"]
            elif cell["kind"] == "table":
                assert [str(c) for c in python.columns] == cell["columns"]
                assert [str(i) for i in python.index] == cell["index"]
                assert python.to_numpy().tolist() == cell["rows"]
            elif cell["kind"] == "error":
                assert (python.ename, python.evalue) == (cell["ename"], cell["evalue"])
            elif cell["kind"] == "image":
                import hashlib

                assert hashlib.sha256(python.data).hexdigest() == cell["sha256"]


async def test_image_bytes_agree_with_the_output_endpoint(jp_fetch, runs_in_root, read_path):
    # Given the residuals plot of one run
    path = runs_in_root[0]
    # When the server serves it and the API reads it
    served = await jp_fetch(
        "nbcompare", "output", params={"path": path, "name": "residuals_plot", "origin": "tag"}
    )
    image = NotebookIntrospector(path)["residuals_plot"]
    # Then they are the same bytes, and the HTML report embeds those bytes
    assert served.body == image.data
    assert cli.image_source_for_files()(path, "residuals_plot", "tag", None) == (
        "image/png",
        image.data,
    )
