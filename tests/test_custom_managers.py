"""File managers that change Jupyter's rules are read through their own ``get``.

A deployment may subclass the stock file manager to refuse some files (a
``private/`` folder answering 403 on ``/api/contents``) or to serve more than
the disk holds. The fast path reads files directly, so it may only be taken
when every method that decides access or content is the stock one; these
tests run a real server whose ``contents_manager_class`` is such a subclass.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from jupyter_server.services.contents.filemanager import (
    AsyncFileContentsManager,
    FileContentsManager,
)
from jupyter_server.services.contents.largefilemanager import (
    AsyncLargeFileManager,
    LargeFileManager,
)
from tornado.httpclient import HTTPClientError
from tornado.web import HTTPError

from jupyterlab_nbcompare.app import NbCompare
from jupyterlab_nbcompare.paths import ACCESS_METHODS
from jupyterlab_nbcompare.service import NotebookService

from .conftest import image_output, png_bytes, tagged_notebook, text_output

SECRET = "PRIVATE-VALUE-9137"
PRIVATE_NOTEBOOK = tagged_notebook(
    {"secret": [text_output(repr(SECRET))], "plot": [image_output("image/png", png_bytes(3, 2))]}
)


def _is_private(path: str) -> bool:
    return path.strip("/").startswith("private/")


class AsyncRefusingManager(AsyncLargeFileManager):
    """The server's default manager, refusing everything inside ``private/`` (403)."""

    async def get(self, path, content=True, type=None, format=None, require_hash=False):
        if _is_private(path):
            raise HTTPError(403, "private")
        return await super().get(path, content, type, format, require_hash)


class SyncRefusingManager(FileContentsManager):
    """The same refusal on the synchronous stock manager."""

    def get(self, path, content=True, type=None, format=None, require_hash=False):
        if _is_private(path):
            raise HTTPError(403, "private")
        return super().get(path, content, type, format, require_hash)


#: A notebook that exists only in the manager below, not on disk.
VIRTUAL_PATH = "virtual/extra.ipynb"
VIRTUAL_BYTES = json.dumps(
    tagged_notebook(
        {"mse": [text_output("7.5")], "plot": [image_output("image/png", png_bytes(4, 1))]}
    )
).encode()


class AddingManager(AsyncLargeFileManager):
    """The stock manager plus one notebook it makes up (a database row, say), always as text."""

    async def get(self, path, content=True, type=None, format=None, require_hash=False):
        if path.strip("/") != VIRTUAL_PATH:
            return await super().get(path, content, type, format, require_hash)
        model = {
            "name": "extra.ipynb",
            "path": VIRTUAL_PATH,
            "type": "file",
            "last_modified": datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc),
            "size": len(VIRTUAL_BYTES),
            "content": None,
            "format": None,
        }
        if content:
            # Always text, whatever format was asked: the model says which it is.
            model.update(content=VIRTUAL_BYTES.decode(), format="text")
        return model


def server_config(base: dict, manager: type) -> dict:
    """``jp_server_config`` with ``manager`` as the server's contents manager."""
    config = dict(base)
    config["ServerApp"] = {**base["ServerApp"], "contents_manager_class": manager}
    return config


@pytest.fixture(params=[AsyncRefusingManager, SyncRefusingManager])
def manager_class(request) -> type:
    """The server's manager: one refusing ``private/`` (async, the default kind, and sync)."""
    return request.param


@pytest.fixture
def jp_server_config(jp_server_config, manager_class):
    """The test server, with ``manager_class`` as its contents manager."""
    return server_config(jp_server_config, manager_class)


@pytest.fixture
def private_tree(jp_serverapp, write_notebook) -> None:
    """A visible notebook and two in ``private/`` (one in a subfolder), all on disk."""
    assert isinstance(jp_serverapp.contents_manager, (AsyncRefusingManager, SyncRefusingManager))
    write_notebook("public.ipynb", tagged_notebook({"mse": [text_output("1.0")]}))
    write_notebook("private/run.ipynb", PRIVATE_NOTEBOOK)
    write_notebook("private/deep/run.ipynb", PRIVATE_NOTEBOOK)


async def test_the_manager_itself_refuses_private_files(jp_fetch, private_tree):
    # When the private notebook is asked of Jupyter's own contents API
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("api", "contents", "private", "run.ipynb")
    # Then the manager refuses it: this is the rule the extension must follow
    assert error.value.code == 403


async def test_compare_gives_a_refused_notebook_an_error_not_its_values(jp_fetch, private_tree):
    # When the public and the private notebooks are compared
    body = json.dumps({"paths": ["public.ipynb", "private/run.ipynb"]})
    response = await jp_fetch("nbcompare", "compare", method="POST", body=body)
    answer = json.loads(response.body)
    # Then the private one gets a per-notebook error and none of its values
    public, private = answer["notebooks"]
    assert public["status"] == "ok"
    assert private["status"] == "unreadable"
    assert private["error"]["code"] == "forbidden"
    assert SECRET not in response.body.decode()
    assert {value["name"] for value in answer["values"]} == {"mse"}


async def test_output_does_not_serve_a_refused_notebooks_image(jp_fetch, private_tree):
    # When the image of the private notebook is asked for
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("nbcompare", "output", params={"path": "private/run.ipynb", "name": "plot"})
    # Then there is none to serve
    assert error.value.code == 404


@pytest.mark.parametrize("folder", ["private", "private/deep"])
async def test_index_of_a_refused_folder_is_404(jp_fetch, private_tree, folder):
    # When a folder the manager refuses to list is indexed
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("nbcompare", "index", params={"path": folder, "recursive": "true"})
    # Then it is 404, as for any folder Jupyter does not show
    assert error.value.code == 404


async def test_recursive_index_never_lists_refused_notebooks(jp_fetch, private_tree):
    # When the root is indexed recursively
    response = await jp_fetch("nbcompare", "index", params={"recursive": "true"})
    answer = json.loads(response.body)
    # Then only the public notebook is there, and nothing of the private ones
    assert [notebook["path"] for notebook in answer["notebooks"]] == ["public.ipynb"]
    assert SECRET not in response.body.decode()


class TestAManagerThatAddsFiles:
    """A subclass whose ``get`` serves a notebook that is not on disk."""

    @pytest.fixture
    def manager_class(self) -> type:
        return AddingManager

    @pytest.fixture
    def tree(self, jp_serverapp, write_notebook) -> None:
        assert isinstance(jp_serverapp.contents_manager, AddingManager)
        write_notebook("real.ipynb", tagged_notebook({"mse": [text_output("2.5")]}))

    async def test_compare_reads_the_added_notebook(self, jp_fetch, tree):
        # When the made-up notebook is compared with one on disk
        body = json.dumps({"paths": [VIRTUAL_PATH, "real.ipynb"]})
        answer = json.loads((await jp_fetch("nbcompare", "compare", method="POST", body=body)).body)
        # Then both are read, each through what the manager gives
        assert [nb["status"] for nb in answer["notebooks"]] == ["ok", "ok"]
        (mse,) = [value for value in answer["values"] if value["name"] == "mse"]
        assert mse["cells"][VIRTUAL_PATH]["value"] == 7.5
        assert mse["cells"]["real.ipynb"]["delta"] == -5.0

    async def test_output_serves_the_added_notebooks_image(self, jp_fetch, tree):
        # When the made-up notebook's image is asked for
        params = {"path": VIRTUAL_PATH, "name": "plot"}
        response = await jp_fetch("nbcompare", "output", params=params)
        # Then its bytes are served
        assert response.body == png_bytes(4, 1)


@pytest.mark.parametrize(
    "stock",
    [FileContentsManager, AsyncFileContentsManager, LargeFileManager, AsyncLargeFileManager],
)
def test_the_stock_file_managers_take_the_fast_path(tmp_path, stock):
    # Given a stock file manager, or a subclass that changes nothing Jupyter decides with
    class Harmless(stock):
        def info_string(self):
            return "harmless"

    # Then both read files directly
    assert NotebookService(stock(root_dir=str(tmp_path)), NbCompare()).uses_fast_path is True
    assert NotebookService(Harmless(root_dir=str(tmp_path)), NbCompare()).uses_fast_path is True


@pytest.mark.parametrize("stock", [FileContentsManager, AsyncLargeFileManager])
@pytest.mark.parametrize("method", ACCESS_METHODS)
def test_any_override_of_an_access_method_takes_the_generic_path(tmp_path, stock, method):
    # Given a subclass that overrides one method deciding access or content
    # (here with a wrapper that changes nothing, which the service cannot know)
    original = getattr(stock, method)

    def wrapper(self, *args, **kwargs):
        return original(self, *args, **kwargs)

    custom = type("Custom", (stock,), {method: wrapper})
    # Then the service never reads around it
    assert NotebookService(custom(root_dir=str(tmp_path)), NbCompare()).uses_fast_path is False


def test_a_method_replaced_on_the_instance_takes_the_generic_path(tmp_path):
    # Given a stock manager whose get was replaced on the instance itself
    manager = AsyncLargeFileManager(root_dir=str(tmp_path))
    manager.get = lambda *args, **kwargs: None
    # Then the service does not bypass it either
    assert NotebookService(manager, NbCompare()).uses_fast_path is False
