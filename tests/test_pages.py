"""The Notebook 7 comparison page, ``GET nbcompare/view``.

Notebook 7 shows one document per page; a comparison's page must be a real
Notebook page (its application, its page config) behind the server's login,
and must not exist on a server without Notebook 7.
"""

from __future__ import annotations

import json
import re

import pytest
from tornado.httpclient import HTTPClientError

PAGE = "nbcompare/view"
QUERY = {"path": "runs/a.ipynb", "baseline": "runs/a.ipynb"}


@pytest.fixture
def jp_server_config(jp_server_config, request):
    """The project's server config, with Notebook 7 loaded unless a test says not."""
    with_notebook = "without_notebook" not in request.keywords
    config = dict(jp_server_config)
    config["ServerApp"] = {
        **jp_server_config["ServerApp"],
        "jpserver_extensions": {"notebook": with_notebook, "jupyterlab_nbcompare": True},
    }
    return config


def _page_config(html: str) -> dict:
    """The JSON page config a Notebook page embeds for its application."""
    match = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "no page config in the page"
    return json.loads(match.group(1))


async def test_page_is_a_notebook_page(jp_fetch, jp_base_url):
    # Given a server running Notebook 7
    # When the comparison page is asked for
    response = await jp_fetch(PAGE, params=QUERY)

    # Then it is Notebook's application page, under this server's base URL
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    config = _page_config(response.body.decode())
    assert config["appName"] == "Jupyter Notebook"
    assert config["baseUrl"] == jp_base_url
    assert "notebookPage" in config


async def test_page_takes_a_trailing_slash(jp_fetch):
    response = await jp_fetch(PAGE + "/", params=QUERY)
    assert response.code == 200


async def test_page_needs_login(jp_fetch):
    # Given a request without the token, When the page is asked for
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch(PAGE, params=QUERY, headers={"Authorization": ""}, follow_redirects=False)
    # Then the server sends it to the login page (or refuses it), never the page
    assert error.value.code in (302, 403)


@pytest.mark.without_notebook
async def test_no_page_without_notebook(jp_fetch):
    # Given a server without Notebook 7 (JupyterLab only)
    # When the page is asked for, Then there is no such page
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch(PAGE, params=QUERY)
    assert error.value.code == 404
