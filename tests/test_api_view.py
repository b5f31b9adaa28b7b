"""``POST nbcompare/view/expand``: a ``.nbcompare`` view opened by the panel, on a real server."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import tagged_notebook, text_output

GENERATED_MARK = {"nbcompare": {"generated": True}}


async def expand(jp_fetch, path: str, view, **kwargs) -> dict:
    """POST the view's text (a dict is dumped first); answer the decoded body."""
    text = view if isinstance(view, str) else json.dumps(view)
    body = json.dumps({"path": path, "view": text})
    response = await jp_fetch("nbcompare", "view", "expand", method="POST", body=body, **kwargs)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


async def refused(jp_fetch, path: str, view, body: str | None = None) -> tuple[int, dict]:
    """The status and error body of a request the server refuses."""
    if body is None:
        text = view if isinstance(view, str) else json.dumps(view)
        body = json.dumps({"path": path, "view": text})
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("nbcompare", "view", "expand", method="POST", body=body)
    return info.value.code, json.loads(info.value.response.body)


def run(mse: str, **metadata) -> dict:
    """A run carrying one tagged value."""
    return tagged_notebook({"mse": [text_output(mse)]}, **metadata)


@pytest.fixture
def sweep(write_notebook):
    """A repository: runs (one generated), production, a hidden folder, and views."""
    write_notebook("runs/b.ipynb", run("2.0"))
    write_notebook("runs/a.ipynb", run("1.0"))
    write_notebook("runs/deep/c.ipynb", run("3.0"))
    write_notebook("runs/export.ipynb", run("9.0", **GENERATED_MARK))
    write_notebook("runs/notes.txt", "not a notebook")
    write_notebook("runs/.hidden/h.ipynb", run("4.0"))
    write_notebook("prod/production.ipynb", run("0.5"))
    write_notebook("views/sweep.nbcompare", "{}")  # the file the panel has open
    write_notebook("root.nbcompare", "{}")


async def test_patterns_expand_sorted_relative_to_the_view(jp_fetch, sweep, read_path):
    # Given a view in views/ naming a pattern, a recursive pattern and a file above it
    view = {
        "nbcompare": 1,
        "notebooks": ["../runs/*.ipynb", "../prod/production.ipynb", "../runs/**/c.ipynb"],
        "baseline": "../prod/production.ipynb",
        "names": ["mse"],
        "future_field": {"kept": True},
    }
    # When the panel opens it
    answer = await expand(jp_fetch, "views/sweep.nbcompare", view)
    # Then each pattern's matches come sorted by path, in entry order, without
    # repeats, the generated notebook and the hidden folder left out
    assert answer == {
        "notebooks": [
            "runs/a.ipynb",
            "runs/b.ipynb",
            "prod/production.ipynb",
            "runs/deep/c.ipynb",
        ],
        "baseline": "prod/production.ipynb",
        "truncated": None,
    }


async def test_new_runs_appear_when_expanded_again(jp_fetch, sweep, write_notebook, read_path):
    # Given a view whose pattern matched two runs
    view = {"nbcompare": 1, "notebooks": ["runs/*.ipynb"]}
    first = await expand(jp_fetch, "root.nbcompare", view)
    assert first["notebooks"] == ["runs/a.ipynb", "runs/b.ipynb"]
    # When a new run is written and the view is expanded again (refresh)
    write_notebook("runs/a2.ipynb", run("1.5"))
    again = await expand(jp_fetch, "root.nbcompare", view)
    # Then the new run is there, in path order
    assert again["notebooks"] == ["runs/a.ipynb", "runs/a2.ipynb", "runs/b.ipynb"]
    assert again["baseline"] is None


async def test_a_generated_notebook_named_explicitly_is_kept(jp_fetch, sweep, read_path):
    # Given a view naming the exported comparison itself, and a pattern that matches it too
    view = {"nbcompare": 1, "notebooks": ["runs/export.ipynb", "runs/*.ipynb"]}
    # When it is expanded
    answer = await expand(jp_fetch, "root.nbcompare", view)
    # Then the explicit entry keeps it (once, where it was named)
    assert answer["notebooks"] == ["runs/export.ipynb", "runs/a.ipynb", "runs/b.ipynb"]


async def test_a_baseline_beside_the_patterns_comes_first(jp_fetch, sweep, read_path):
    # Given a view comparing the runs against a production run not among them
    view = {"nbcompare": 1, "notebooks": ["runs/*.ipynb"], "baseline": "prod/production.ipynb"}
    # When it is expanded
    answer = await expand(jp_fetch, "root.nbcompare", view)
    # Then the baseline is the first column, as on the command line
    assert answer["notebooks"] == ["prod/production.ipynb", "runs/a.ipynb", "runs/b.ipynb"]
    assert answer["baseline"] == "prod/production.ipynb"


async def test_a_missing_explicit_notebook_is_kept_for_compare_to_report(jp_fetch, sweep):
    # Given a view naming a notebook that does not exist and a pattern matching nothing
    view = {"nbcompare": 1, "notebooks": ["gone.ipynb", "nothing/*.ipynb"]}
    # When it is expanded
    answer = await expand(jp_fetch, "root.nbcompare", view)
    # Then the plain entry stays (compare answers not_found for it)
    assert answer["notebooks"] == ["gone.ipynb"]
    # And a view whose patterns match nothing yet is no error (a sweep not run yet)
    empty = await expand(jp_fetch, "root.nbcompare", {"nbcompare": 1, "notebooks": ["x/*.ipynb"]})
    assert empty == {"notebooks": [], "baseline": None, "truncated": None}


@pytest.mark.parametrize(
    ("view", "field", "words"),
    [
        ('{"nbcompare": 1, "notebooks": ', "", "not valid JSON"),
        ("[1, 2]", "", "JSON object"),
        ({"notebooks": ["a.ipynb"]}, "", "'nbcompare'"),
        ({"nbcompare": 1}, "", "'notebooks'"),
        ({"nbcompare": 1, "notebooks": []}, "notebooks", "at least one"),
        ({"nbcompare": 1, "notebooks": ["a.ipynb", 3]}, "notebooks[1]", "expected a string"),
        ({"nbcompare": 2, "notebooks": ["a.ipynb"]}, "nbcompare", "version 2"),
        ({"nbcompare": 1, "notebooks": ["a"], "layout": "grid"}, "layout", '"columns"'),
        ({"nbcompare": 1, "notebooks": ["a"], "chart": {"x": "p"}}, "chart", "'y'"),
        ({"nbcompare": 1, "notebooks": ["a"], "gates": {"mse": "lots"}}, "gates.mse", "tolerance"),
        ({"nbcompare": 1, "notebooks": ["a"], "directions": {"m": "up"}}, "directions.m", "lower"),
        ({"nbcompare": 1, "notebooks": ["../../etc/*.ipynb"]}, "notebooks[0]", "server root"),
        (
            {"nbcompare": 1, "notebooks": ["runs/a.ipynb"], "baseline": "runs/*.ipynb"},
            "baseline",
            "is a pattern: name one notebook",
        ),
        ({"nbcompare": 1, "notebooks": ["a.ipynb"], "baseline": "../../x"}, "baseline", "root"),
    ],
)
async def test_a_malformed_view_names_the_field(jp_fetch, sweep, view, field, words):
    # When a malformed view is opened
    status, body = await refused(jp_fetch, "views/sweep.nbcompare", view)
    # Then it is a 400 whose message and field name what is wrong
    assert status == 400
    assert body["field"] == field
    assert words in body["message"]
    if field:
        assert body["message"].startswith(f"{field}: ")


async def test_the_view_file_itself_follows_jupyters_path_rules(jp_fetch, jp_serverapp, sweep):
    view = {"nbcompare": 1, "notebooks": ["*.ipynb"]}
    # A view that does not exist, outside the root, hidden, or a folder: 404
    for path in ("nothere.nbcompare", "../outside.nbcompare", "runs/.hidden/h.ipynb", "runs"):
        status, body = await refused(jp_fetch, path, view)
        assert status == 404, path
        assert body["message"] == "No view file at this path."
    # A hidden folder's notebooks are matched only when the server shows hidden files
    jp_serverapp.contents_manager.allow_hidden = True
    answer = await expand(jp_fetch, "root.nbcompare", {"nbcompare": 1, "notebooks": ["runs/.*/*"]})
    assert answer["notebooks"] == ["runs/.hidden/h.ipynb"]
    jp_serverapp.contents_manager.allow_hidden = False
    answer = await expand(jp_fetch, "root.nbcompare", {"nbcompare": 1, "notebooks": ["runs/.*/*"]})
    assert answer["notebooks"] == []


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"view": "{}"}),
        json.dumps({"path": "", "view": "{}"}),
        json.dumps({"path": "/", "view": "{}"}),
        json.dumps({"path": 3, "view": "{}"}),
        json.dumps({"path": "root.nbcompare"}),
        json.dumps({"path": "root.nbcompare", "view": {"nbcompare": 1}}),
    ],
)
async def test_a_malformed_request_is_a_400(jp_fetch, sweep, body):
    status, answer = await refused(jp_fetch, "", None, body=body)
    assert status == 400
    assert answer["message"]


async def test_more_notebooks_than_max_notebooks_is_a_413(jp_fetch, jp_serverapp, sweep):
    config = jp_serverapp.web_app.settings["nbcompare"]
    # Given a server that compares at most two notebooks
    config.max_notebooks = 2
    # When a view names two runs and a generated notebook: it is left out, no 413
    flat = await expand(jp_fetch, "root.nbcompare", {"nbcompare": 1, "notebooks": ["runs/*.ipynb"]})
    assert flat["notebooks"] == ["runs/a.ipynb", "runs/b.ipynb"]
    # When a view names three runs
    status, body = await refused(
        jp_fetch, "root.nbcompare", {"nbcompare": 1, "notebooks": ["runs/**/*.ipynb"]}
    )
    # Then the server says so, naming the field and the option
    assert status == 413
    assert body["field"] == "notebooks"
    assert "NbCompare.max_notebooks" in body["message"]
    # And a baseline beside them counts too
    status, body = await refused(
        jp_fetch,
        "root.nbcompare",
        {"nbcompare": 1, "notebooks": ["runs/*.ipynb"], "baseline": "prod/production.ipynb"},
    )
    assert status == 413
    # And no more pattern matches than the scan bound are read at all
    config.index_max_notebooks = 2
    status, body = await refused(
        jp_fetch, "root.nbcompare", {"nbcompare": 1, "notebooks": ["runs/*.ipynb"]}
    )
    assert status == 413
    assert "reads for one view (2)" in body["message"]


async def test_unauthenticated_is_a_403(jp_fetch, sweep):
    body = json.dumps({"path": "root.nbcompare", "view": '{"nbcompare": 1, "notebooks": ["a"]}'})
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "nbcompare", "view", "expand", method="POST", body=body, headers={"Authorization": ""}
        )
    assert info.value.code == 403


async def test_a_real_sweep_view_then_compares(jp_fetch, write_notebook, example_runs, read_path):
    # Given real papermill runs and a view over them in another folder
    for stem in ("ridge_alpha1", "ridge_alpha10", "ols_seed1"):
        write_notebook(f"runs/{stem}.ipynb", example_runs[stem].read_bytes())
    view = {
        "nbcompare": 1,
        "notebooks": ["../runs/ridge_*.ipynb"],
        "baseline": "../runs/ridge_alpha10.ipynb",
    }
    write_notebook("views/ridge.nbcompare", json.dumps(view))
    # When the panel expands the view and compares what it names
    answer = await expand(jp_fetch, "views/ridge.nbcompare", view)
    body = json.dumps({"paths": answer["notebooks"], "baseline": answer["baseline"]})
    compared = json.loads((await jp_fetch("nbcompare", "compare", method="POST", body=body)).body)
    # Then the comparison is of those runs against that baseline
    assert [nb["path"] for nb in compared["notebooks"]] == [
        "runs/ridge_alpha1.ipynb",
        "runs/ridge_alpha10.ipynb",
    ]
    assert compared["baseline"] == "runs/ridge_alpha10.ipynb"
    assert all(nb["status"] == "ok" for nb in compared["notebooks"])
