"""Every endpoint refuses what Jupyter refuses, on both read paths, and leaks nothing.

A secret value sits in notebooks the server must not read (outside the root,
hidden files, hidden folders). Every attempt to reach them answers 404 (or a
per-notebook ``not_found`` in ``compare``) and the secret never appears in any
answer.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import image_output, png_bytes, tagged_notebook, text_output

SECRET = "TOP-SECRET-4242"
SECRET_NOTEBOOK = tagged_notebook(
    {"secret": [text_output(repr(SECRET))], "plot": [image_output("image/png", png_bytes(3, 2))]}
)

#: Every verb of every route, with a request that would succeed with credentials.
ENDPOINTS = [
    ("GET", "version", None, None),
    ("POST", "compare", {"paths": ["visible.ipynb"]}, None),
    ("GET", "output", None, {"path": "visible.ipynb", "name": "plot"}),
    ("GET", "index", None, {"path": ""}),
]


@pytest.fixture
def secrets(jp_root_dir, write_notebook):
    """Place the secret where it must stay unreachable, and a visible copy."""
    write_notebook("visible.ipynb", SECRET_NOTEBOOK)
    write_notebook(".hidden.ipynb", SECRET_NOTEBOOK)
    write_notebook(".hidden_dir/inside.ipynb", SECRET_NOTEBOOK)
    write_notebook("sub/.deeper/inside.ipynb", SECRET_NOTEBOOK)
    outside = jp_root_dir.parent / "outside.ipynb"
    outside.write_text(json.dumps(SECRET_NOTEBOOK))
    return {"root": str(jp_root_dir), "outside": str(outside)}


def escaping_paths(secrets) -> list[str]:
    """API paths that try to leave the root or reach hidden files."""
    return [
        "../outside.ipynb",
        "sub/../../outside.ipynb",
        "./../outside.ipynb",
        "..//outside.ipynb",
        secrets["outside"],  # an absolute OS path
        "/../outside.ipynb",
        "%2e%2e%2foutside.ipynb",  # encoded: a literal name here, never decoded twice
        "..%2foutside.ipynb",
        ".hidden.ipynb",
        ".hidden_dir/inside.ipynb",
        "sub/.deeper/inside.ipynb",
        "sub/../.hidden.ipynb",
        "visible.ipynb\x00.png",
    ]


def assert_no_leak(body: bytes, secrets) -> None:
    """Neither the secret nor the server's own directories appear in an answer."""
    text = body.decode("utf-8", "replace")
    assert SECRET not in text
    assert secrets["root"] not in text
    assert secrets["outside"] not in text


@pytest.mark.parametrize(("method", "endpoint", "body", "params"), ENDPOINTS)
async def test_every_endpoint_is_403_without_credentials(
    jp_fetch, secrets, method, endpoint, body, params
):
    # Given a request that works with the token (the visible notebook)
    # When it is sent without token or cookie
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch(
            "nbcompare",
            endpoint,
            method=method,
            body=None if body is None else json.dumps(body),
            params=params,
            headers={"Authorization": ""},
        )
    # Then it is refused, and nothing of the notebook is in the answer
    assert error.value.code == 403
    assert_no_leak(error.value.response.body or b"", secrets)


@pytest.mark.parametrize(("method", "endpoint", "body", "params"), ENDPOINTS)
async def test_with_credentials_the_same_requests_succeed(
    jp_fetch, secrets, method, endpoint, body, params
):
    # Given the same requests as above, with the token (so the 403s mean something)
    # When they are sent
    response = await jp_fetch(
        "nbcompare",
        endpoint,
        method=method,
        body=None if body is None else json.dumps(body),
        params=params,
    )
    # Then they succeed
    assert response.code == 200


async def test_post_with_cookie_but_without_xsrf_is_refused(jp_fetch, jp_auth_header, secrets):
    # Given a browser session: a login cookie obtained with the token once
    token = jp_auth_header["Authorization"].split()[-1]
    login = await jp_fetch(
        "nbcompare", "version", params={"token": token}, headers={"Authorization": ""}
    )
    cookie = "; ".join(c.split(";")[0] for c in login.headers.get_list("Set-Cookie"))
    assert cookie.startswith("username-")
    # And the XSRF cookie the server hands out to pages
    page = await jp_fetch("login", headers={"Authorization": ""}, raise_error=False)
    xsrf = next(
        c.split(";")[0].split("=", 1)[1]
        for c in page.headers.get_list("Set-Cookie")
        if c.startswith("_xsrf=")
    )
    body = json.dumps({"paths": ["visible.ipynb"]})
    # When the cookie alone is sent with a POST (what a cross-site form would do)
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch(
            "nbcompare",
            "compare",
            method="POST",
            body=body,
            headers={"Authorization": "", "Cookie": f"{cookie}; _xsrf={xsrf}"},
        )
    # Then it is refused
    assert error.value.code == 403
    assert_no_leak(error.value.response.body or b"", secrets)
    # And with the XSRF header, as ServerConnection sends it, it is accepted
    response = await jp_fetch(
        "nbcompare",
        "compare",
        method="POST",
        body=body,
        headers={"Authorization": "", "Cookie": f"{cookie}; _xsrf={xsrf}", "X-XSRFToken": xsrf},
    )
    assert response.code == 200


async def test_compare_refuses_escaping_and_hidden_paths(jp_fetch, secrets, read_path):
    # Given paths outside the root and hidden ones, beside a visible notebook
    paths = ["visible.ipynb", *escaping_paths(secrets)]
    # When they are compared
    response = await jp_fetch(
        "nbcompare", "compare", method="POST", body=json.dumps({"paths": paths})
    )
    answer = json.loads(response.body)
    # Then each refused one is a per-notebook not_found, never a 404 of the request
    status = {nb["path"]: nb for nb in answer["notebooks"]}
    for path in paths[1:]:
        assert status[path]["status"] == "unreadable", path
        assert status[path]["error"]["code"] == "not_found", path
        assert status[path]["last_modified"] is None, path
    # And the visible notebook is read, so the secret is there only under its path
    (row,) = [v for v in answer["values"] if v["name"] == "secret"]
    assert row["cells"]["visible.ipynb"]["text"] == SECRET
    assert all(row["cells"][path] is None for path in paths[1:])
    # And nothing of a refused file leaks: the secret only under the visible path,
    # and no error message names a server directory
    others = dict(answer, values=[dict(row, cells={p: row["cells"][p] for p in paths[1:]})])
    assert SECRET not in json.dumps(others)
    assert_no_leak(json.dumps([nb["error"] for nb in answer["notebooks"]]).encode(), secrets)


async def test_refusals_do_not_tell_missing_from_hidden(jp_fetch, secrets, read_path):
    # Given a hidden notebook that exists and one that does not
    paths = [".hidden.ipynb", ".does-not-exist.ipynb", "../outside.ipynb", "../nope.ipynb"]
    # When they are compared
    response = await jp_fetch(
        "nbcompare", "compare", method="POST", body=json.dumps({"paths": paths})
    )
    errors = [nb["error"] for nb in json.loads(response.body)["notebooks"]]
    # Then the answers are indistinguishable: existence is not disclosed
    assert all(error == errors[0] for error in errors)


async def test_hidden_files_are_read_when_the_server_allows_them(
    jp_fetch, jp_serverapp, secrets, read_path
):
    # Given a server configured with ContentsManager.allow_hidden = True
    jp_serverapp.contents_manager.allow_hidden = True
    paths = [".hidden.ipynb", ".hidden_dir/inside.ipynb", "../outside.ipynb"]
    # When hidden notebooks are compared
    response = await jp_fetch(
        "nbcompare", "compare", method="POST", body=json.dumps({"paths": paths})
    )
    status = {nb["path"]: nb for nb in json.loads(response.body)["notebooks"]}
    # Then they are read (the rule is the manager's), but outside the root still is not
    assert status[".hidden.ipynb"]["status"] == "ok"
    assert status[".hidden_dir/inside.ipynb"]["status"] == "ok"
    assert status["../outside.ipynb"]["error"]["code"] == "not_found"


async def test_output_refuses_escaping_and_hidden_paths(jp_fetch, secrets, read_path):
    # Given the same paths, asked of the output endpoint (the visible copy serves its plot)
    visible = await jp_fetch(
        "nbcompare", "output", params={"path": "visible.ipynb", "name": "plot"}
    )
    assert visible.body == png_bytes(3, 2)
    for path in escaping_paths(secrets):
        # When an output of that notebook is requested
        with pytest.raises(HTTPClientError) as error:
            await jp_fetch("nbcompare", "output", params={"path": path, "name": "plot"})
        # Then the answer is 404, leaking nothing
        assert error.value.code == 404, path
        assert_no_leak(error.value.response.body, secrets)
        assert json.loads(error.value.response.body)["message"]


@pytest.mark.parametrize(
    "raw_query",
    [
        "path=%2e%2e%2foutside.ipynb&name=plot",
        "path=%2E%2E/outside.ipynb&name=plot",
        "path=%252e%252e%252foutside.ipynb&name=plot",
        "path=..%5coutside.ipynb&name=plot",
        "path=.hidden.ipynb&name=plot",
    ],
)
async def test_output_refuses_encoded_traversal_in_the_url(
    http_server_client, jp_base_url, jp_auth_header, secrets, raw_query, read_path
):
    # Given a URL whose query is percent-encoded by hand (no client re-encoding)
    url = f"{jp_base_url.rstrip('/')}/nbcompare/output?{raw_query}"
    # When it is fetched with credentials
    response = await http_server_client.fetch(url, headers=jp_auth_header, raise_error=False)
    # Then it is 404, with nothing of the secret
    assert response.code == 404
    assert_no_leak(response.body, secrets)


@pytest.mark.parametrize(
    "path",
    ["..", "../", "sub/../..", ".hidden_dir", "sub/.deeper", "visible.ipynb", "nope", "%2e%2e"],
)
async def test_index_refuses_escaping_hidden_and_non_folders(jp_fetch, secrets, path, read_path):
    # When a folder outside the root, a hidden one, a file or a missing one is indexed
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("nbcompare", "index", params={"path": path})
    # Then the answer is 404, leaking nothing
    assert error.value.code == 404
    assert_no_leak(error.value.response.body, secrets)


async def test_index_never_lists_hidden_notebooks(jp_fetch, secrets, read_path):
    # When the root is indexed recursively
    response = await jp_fetch("nbcompare", "index", params={"path": "", "recursive": "true"})
    answer = json.loads(response.body)
    # Then only the visible notebook is listed
    assert [nb["path"] for nb in answer["notebooks"]] == ["visible.ipynb"]


async def test_requests_never_write(jp_fetch, jp_root_dir, secrets, read_path):
    # Given every file under the root (and the one outside), with its bytes and times
    files = [p for p in jp_root_dir.parent.rglob("*") if p.is_file() and "runtime" not in p.parts]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    # When every endpoint is used on them
    paths = ["visible.ipynb", *escaping_paths(secrets)]
    await jp_fetch("nbcompare", "compare", method="POST", body=json.dumps({"paths": paths}))
    await jp_fetch("nbcompare", "index", params={"recursive": "true"})
    for path in ("visible.ipynb", quote("../outside.ipynb")):
        await jp_fetch(
            "nbcompare", "output", params={"path": path, "name": "plot"}, raise_error=False
        )
    # Then no file changed, not even its modification time
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
