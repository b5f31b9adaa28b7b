"""The live server's answers conform to ``jupyterlab_nbcompare/openapi.yaml``.

Every endpoint is exercised for real (papermill runs, the corpus, hand-made
edge cases, images, errors) and each answer is validated with openapi-core.
The last tests prove the description is strict: an answer with a wrong type,
a missing or a stray field is rejected.
"""

from __future__ import annotations

import copy
import json
from importlib.resources import files

import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate as validate_spec
from tornado.httpclient import HTTPClientError

from .conftest import image_output, png_bytes, tagged_notebook, text_output

SPEC = yaml.safe_load(files("jupyterlab_nbcompare").joinpath("openapi.yaml").read_text())


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    """The parsed OpenAPI description."""
    return OpenAPI.from_dict(copy.deepcopy(SPEC))


def conforms(openapi, method: str, endpoint: str, response, params=None, request_body=None):
    """Validate one live answer against the operation it came from (raises if not)."""
    request = MockRequest(
        "http://localhost",
        method.lower(),
        f"/nbcompare/{endpoint}",
        args=params or {},
        data=request_body,
    )
    headers = {key: value for key, value in response.headers.get_all()}
    content_type = response.headers.get("Content-Type", "application/json").split(";")[0]
    openapi.validate_response(
        request, MockResponse(response.body, response.code, headers, content_type)
    )


async def call(jp_fetch, method: str, endpoint: str, params=None, body=None, **kwargs):
    """Fetch, returning the response whether it is a success or an HTTP error."""
    try:
        return await jp_fetch(
            "nbcompare", endpoint, method=method, params=params, body=body, **kwargs
        )
    except HTTPClientError as error:
        return error.response


@pytest.fixture
def edge_cases(write_notebook) -> list[str]:
    """Hand-made notebooks with kinds the runs lack: html, error, parts, svg, bad files."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20"></svg>'
    html = {
        "output_type": "display_data",
        "data": {"text/html": "<b>bold</b>", "text/plain": "bold"},
        "metadata": {},
    }
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": []}
    write_notebook(
        "edge/kinds.ipynb",
        tagged_notebook(
            {
                "html": [html],
                "boom": [{"output_type": "stream", "name": "stdout", "text": "1\n"}, error],
                "svg": [image_output("image/svg+xml", svg)],
                "parts": [image_output("image/png", png_bytes(2, 2)), text_output("{'a': 1}")],
                "nan": [text_output("nan")],
                "seq": [text_output("[1, 'two', 3.5]")],
                "flag": [text_output("True")],
                "empty": [],
            }
        ),
    )
    write_notebook("edge/broken.ipynb", b"{oops")
    write_notebook("edge/list.ipynb", b"[]")
    return ["edge/kinds.ipynb", "edge/broken.ipynb", "edge/list.ipynb", "edge/missing.ipynb"]


def test_the_description_itself_is_valid_openapi():
    # Given the shipped description
    # Then it is a valid OpenAPI 3.1 document, and it describes every endpoint of api.md
    validate_spec(copy.deepcopy(SPEC))
    assert SPEC["openapi"].startswith("3.")
    assert set(SPEC["paths"]) == {
        "/nbcompare/version",
        "/nbcompare/compare",
        "/nbcompare/output",
        "/nbcompare/index",
        "/nbcompare/index/progress",
        "/nbcompare/view/expand",
    }


async def test_compare_answers_conform(
    jp_fetch, openapi, served_runs, served_corpus, edge_cases, read_path
):
    # Given the runs, the corpus and the edge cases (every kind, unreadable files)
    for paths in (served_runs, served_corpus, [*edge_cases, served_runs[0]]):
        body = json.dumps({"paths": paths, "directions": {"mse": "lower"}})
        # When they are compared
        response = await call(jp_fetch, "POST", "compare", body=body)
        # Then the answer conforms
        assert response.code == 200
        conforms(openapi, "POST", "compare", response, request_body=body.encode())


async def test_compare_answer_has_every_kind(jp_fetch, served_runs, edge_cases):
    # Given the runs and the edge cases (so the conformance test above saw every kind)
    body = json.dumps({"paths": [*served_runs, *edge_cases]})
    answer = json.loads((await call(jp_fetch, "POST", "compare", body=body)).body)
    kinds = {row["kind"] for row in answer["values"]}
    # Then each kind of the contract except "unsupported" really occurs in it
    assert {"scalar", "mapping", "sequence", "table", "image", "text", "html", "error"} <= kinds


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{", 400),
        ('{"paths": []}', 400),
        ('{"paths": ["a.ipynb", "a.ipynb"]}', 400),
        ('{"paths": ["a.ipynb"], "baseline": "b.ipynb"}', 400),
    ],
)
async def test_compare_errors_conform(jp_fetch, openapi, body, status):
    # When compare is refused
    response = await call(jp_fetch, "POST", "compare", body=body)
    # Then the error body conforms
    assert response.code == status
    conforms(openapi, "POST", "compare", response)


async def test_413_conforms(jp_fetch, jp_serverapp, openapi):
    # Given a limit of one notebook per request
    jp_serverapp.web_app.settings["nbcompare"].max_notebooks = 1
    # When two are asked for
    response = await call(jp_fetch, "POST", "compare", body='{"paths": ["a", "b"]}')
    # Then the 413 conforms
    assert response.code == 413
    conforms(openapi, "POST", "compare", response)


@pytest.mark.parametrize(
    ("params", "status", "mime"),
    [
        ({"path": "edge/kinds.ipynb", "name": "svg"}, 200, "image/svg+xml"),
        ({"path": "edge/kinds.ipynb", "name": "parts", "part": "0"}, 200, "image/png"),
        ({"path": "edge/kinds.ipynb", "name": "html"}, 404, None),
        ({"path": "edge/nope.ipynb", "name": "svg"}, 404, None),
        ({"path": "edge/kinds.ipynb", "name": "svg", "origin": "x"}, 400, None),
    ],
)
async def test_output_answers_conform(jp_fetch, openapi, edge_cases, params, status, mime):
    # When an output is requested
    response = await call(jp_fetch, "GET", "output", params=params)
    # Then the answer (bytes and headers, or the error) conforms
    assert response.code == status
    if mime:
        assert response.headers["Content-Type"] == mime
    conforms(openapi, "GET", "output", response, params=params)


async def test_run_image_conforms(jp_fetch, openapi, served_runs):
    # Given the URL compare gives for a run's plot
    body = json.dumps({"paths": served_runs[:1], "names": ["residuals_plot"]})
    answer = json.loads((await call(jp_fetch, "POST", "compare", body=body)).body)
    url = answer["values"][0]["cells"][served_runs[0]]["url"]
    params = dict(pair.split("=", 1) for pair in url.partition("?")[2].split("&"))
    params["path"] = params["path"].replace("%2F", "/")
    # When it is fetched, the PNG answer conforms
    response = await call(jp_fetch, "GET", "output", params=params)
    assert response.code == 200
    conforms(openapi, "GET", "output", response, params=params)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 200),
        ({"path": "edge", "recursive": "false"}, 200),
        ({"path": "", "recursive": "true"}, 200),
        ({"path": "corpus", "recursive": "true"}, 200),
        ({"path": "nope"}, 404),
        ({"recursive": "perhaps"}, 400),
    ],
)
async def test_index_answers_conform(
    jp_fetch, openapi, served_runs, served_corpus, edge_cases, params, status
):
    # When a folder is indexed
    response = await call(jp_fetch, "GET", "index", params=params)
    # Then the answer conforms
    assert response.code == status
    conforms(openapi, "GET", "index", response, params=params)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 200),
        ({"path": "corpus", "recursive": "true"}, 200),
        ({"path": "nope"}, 404),
        ({"recursive": "perhaps"}, 400),
    ],
)
async def test_index_progress_answers_conform(
    jp_fetch, openapi, served_runs, served_corpus, params, status
):
    # Given a folder indexed once (so the progress has last totals)
    await call(jp_fetch, "GET", "index", params={"path": "corpus", "recursive": "true"})
    # When its progress is asked (and that of other folders, good and bad)
    response = await call(jp_fetch, "GET", "index/progress", params=params)
    # Then the answer conforms
    assert response.code == status
    conforms(openapi, "GET", "index/progress", response, params=params)
    if params.get("path") == "corpus":
        answer = json.loads(response.body)
        assert answer["running"] is False
        assert answer["read"] == answer["notebooks"] == len(served_corpus)


async def test_a_wrong_progress_answer_is_rejected(openapi):
    # Given a progress answer that conforms
    request = MockRequest("http://localhost", "get", "/nbcompare/index/progress", args={})
    answer = {"running": True, "folders": 1, "notebooks": 3, "read": 2}
    openapi.validate_response(request, MockResponse(json.dumps(answer).encode(), 200))
    # When a counter is missing, negative, or a field is stray
    for wrong in (
        {"running": True, "folders": 1, "notebooks": 3},
        {**answer, "read": -1},
        {**answer, "extra": 1},
        {**answer, "running": "yes"},
    ):
        # Then it is rejected
        with pytest.raises(Exception, match=r"(?i)invalid|fail|error"):
            openapi.validate_response(request, MockResponse(json.dumps(wrong).encode(), 200))


async def test_version_and_403_conform(jp_fetch, openapi):
    # When the version is asked with and without credentials
    good = await call(jp_fetch, "GET", "version")
    refused = await call(jp_fetch, "GET", "version", headers={"Authorization": ""})
    # Then both answers conform
    assert (good.code, refused.code) == (200, 403)
    conforms(openapi, "GET", "version", good)
    conforms(openapi, "GET", "version", refused)


@pytest.mark.parametrize(
    ("view", "path", "status"),
    [
        ({"nbcompare": 1, "notebooks": ["*.ipynb", "edge/*.ipynb"]}, "views.nbcompare", 200),
        ({"nbcompare": 1, "notebooks": ["x.ipynb"], "baseline": "x.ipynb"}, "views.nbcompare", 200),
        ({"nbcompare": 1, "notebooks": [3]}, "views.nbcompare", 400),
        ({"nbcompare": 1, "notebooks": ["*.ipynb"]}, "missing.nbcompare", 404),
    ],
)
async def test_view_expand_answers_conform(
    jp_fetch, openapi, write_notebook, served_runs, edge_cases, view, path, status
):
    # Given a view file beside the runs
    write_notebook("views.nbcompare", json.dumps(view))
    body = json.dumps({"path": path, "view": json.dumps(view)})
    # When the panel opens it
    response = await call(jp_fetch, "POST", "view/expand", body=body)
    # Then the answer (or the field-named error) conforms
    assert response.code == status
    conforms(openapi, "POST", "view/expand", response, request_body=body.encode())


# ------------------------------------------------------------- the description is strict


def _first(rows, kind):
    return next(row for row in rows if row["kind"] == kind)


MUTATIONS = {
    "scalar value as text": lambda a: _set_cell(a, "scalar", "value", "ten"),
    "delta as a boolean": lambda a: _set_cell(a, "scalar", "delta", True),
    "bare NaN spelled wrong": lambda a: _set_cell(a, "scalar", "delta", "nan"),
    "scalar without better": lambda a: _del_cell(a, "scalar", "better"),
    "image width as text": lambda a: _set_cell(a, "image", "width", "228px"),
    "image bytes inline": lambda a: _set_cell(a, "image", "data", "iVBOR"),
    "image url absolute": lambda a: _set_cell(a, "image", "url", "/nbcompare/output?path=x"),
    "table rows not lists": lambda a: _set_cell(a, "table", "rows", [1, 2]),
    "sequence items as text": lambda a: _set_cell(a, "sequence", "items", "a,b"),
    "unknown kind": lambda a: _set_cell(a, "text", "kind", "string"),
    "differs as text": lambda a: a["values"][0].update(differs="yes"),
    "row without cells": lambda a: a["values"][0].pop("cells"),
    "unknown status": lambda a: a["notebooks"][0].update(status="broken"),
    "time without Z": lambda a: a["notebooks"][0].update(last_modified="2026-01-01T00:00:00"),
    "duration as text": lambda a: a["notebooks"][0].update(duration="12s"),
    "parameter without injected": lambda a: next(
        iter(a["notebooks"][0]["parameters"].values())
    ).pop("injected"),
    "error without code": lambda a: a["notebooks"][-1]["error"].pop("code"),
    "stray top-level field": lambda a: a.update(extra=1),
    "baseline missing": lambda a: a.pop("baseline"),
}


def _cell_of(answer, kind):
    row = _first(answer["values"], kind)
    return next(cell for cell in row["cells"].values() if cell is not None)


def _set_cell(answer, kind, field, value):
    _cell_of(answer, kind)[field] = value


def _del_cell(answer, kind, field):
    del _cell_of(answer, kind)[field]


def _accepted(openapi, request, answer) -> bool:
    """Whether the description accepts ``answer`` as the body of a 200."""
    try:
        openapi.validate_response(request, MockResponse(json.dumps(answer).encode(), 200))
    except Exception:
        return False
    return True


async def test_a_wrong_answer_is_rejected(jp_fetch, openapi, served_runs, edge_cases):
    # Given a real answer that conforms (runs, every kind, and an unreadable notebook)
    body = json.dumps({"paths": [*served_runs, "edge/kinds.ipynb", "edge/missing.ipynb"]})
    answer = json.loads((await call(jp_fetch, "POST", "compare", body=body)).body)
    request = MockRequest("http://localhost", "post", "/nbcompare/compare", data=body.encode())
    assert _accepted(openapi, request, answer)
    # When, one at a time, a field is given a wrong type, dropped, or added
    wrongly_accepted = []
    for name, mutate in MUTATIONS.items():
        wrong = copy.deepcopy(answer)
        mutate(wrong)
        if _accepted(openapi, request, wrong):
            wrongly_accepted.append(name)
    # Then the description rejects every one of them
    assert wrongly_accepted == []


async def test_a_wrong_index_answer_is_rejected(jp_fetch, openapi, served_runs):
    # Given a real index answer that conforms
    response = await call(jp_fetch, "GET", "index", params={"path": "runs"})
    answer = json.loads(response.body)
    request = MockRequest("http://localhost", "get", "/nbcompare/index", args={"path": "runs"})
    openapi.validate_response(request, MockResponse(json.dumps(answer).encode(), 200))
    # When truncated is dropped
    del answer["truncated"]
    # Then it is rejected
    with pytest.raises(Exception, match=r"(?i)invalid|fail|error"):
        openapi.validate_response(request, MockResponse(json.dumps(answer).encode(), 200))


async def test_grouped_answers_conform(jp_fetch, openapi, served_runs, edge_cases):
    # Given runs, failed and unreadable notebooks, grouped by a parameter (issue #13)
    body = json.dumps({"paths": [*served_runs, *edge_cases], "group_by": ["model", "alpha"]})
    # When they are compared
    response = await call(jp_fetch, "POST", "compare", body=body)
    # Then the answer, with failure, parameters_flat, missing and groups, conforms
    assert response.code == 200
    answer = json.loads(response.body)
    assert answer["groups"]
    assert any(notebook["failure"] for notebook in answer["notebooks"])
    conforms(openapi, "POST", "compare", response, request_body=body.encode())
