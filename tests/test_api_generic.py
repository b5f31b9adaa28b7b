"""The generic read path works with any ContentsManager, not only files on disk.

Jupyter deployments store notebooks in databases or object stores through their
own ContentsManager. The service must then read only through ``get``: here a
manager that keeps notebooks in memory (no filesystem at all) serves compare,
index and output, and a file manager whose rules we cannot mirror is never
bypassed.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import orjson
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.web import HTTPError

from jupyterlab_nbcompare.app import NbCompare
from jupyterlab_nbcompare.service import NotebookService

from .conftest import image_output, png_bytes, tagged_notebook, text_output

MOMENT = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)


class MemoryContents:
    """A minimal ContentsManager over a dict: path -> bytes (folders implied)."""

    allow_hidden = False

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.calls: list[tuple[str, bool]] = []

    async def get(self, path, content=True, type=None, format=None):
        self.calls.append((path, content))
        path = path.strip("/")
        if path in self.files:
            if type == "directory":
                raise HTTPError(400, "not a directory")
            data = self.files[path]
            model = {"name": path.rsplit("/", 1)[-1], "path": path, "type": "file"}
            model.update(last_modified=MOMENT, size=len(data), content=None, format=None)
            if content:
                model["format"] = format or "text"
                model["content"] = data.decode() if format != "base64" else _b64(data)
            return model
        children = sorted({p[len(path) :].lstrip("/").split("/")[0] for p in self._below(path)})
        if not children:
            raise HTTPError(404, "no such file or directory")
        listing = [
            {
                "name": name,
                "path": f"{path}/{name}".strip("/"),
                "type": "file" if f"{path}/{name}".strip("/") in self.files else "directory",
            }
            for name in children
        ]
        return {"name": path, "path": path, "type": "directory", "content": listing}

    def _below(self, path):
        prefix = f"{path}/" if path else ""
        return [p for p in self.files if p.startswith(prefix)]


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def memory_service(**files: bytes) -> tuple[NotebookService, MemoryContents]:
    """A service over an in-memory manager holding ``files``."""
    manager = MemoryContents({name.replace("__", "/"): data for name, data in files.items()})
    return NotebookService(manager, NbCompare()), manager


def nb(value: str) -> bytes:
    """A notebook whose tag ``mse`` prints ``value`` and whose tag ``plot`` is a PNG."""
    plot = [image_output("image/png", png_bytes(2, 3))]
    return json.dumps(tagged_notebook({"mse": [text_output(value)], "plot": plot})).encode()


async def test_compare_reads_through_a_manager_without_files():
    # Given notebooks that exist only in a non-filesystem contents manager
    service, manager = memory_service(**{"runs__a.ipynb": nb("1.0"), "runs__b.ipynb": nb("4.0")})
    # Then the service does not try the fast path on it
    assert service.uses_fast_path is False
    # When they are compared with a missing one
    answer = orjson.loads(await service.compare(["runs/a.ipynb", "runs/b.ipynb", "runs/c.ipynb"]))
    # Then the values come from the manager's content, with its modification time
    (mse,) = [v for v in answer["values"] if v["name"] == "mse"]
    assert mse["cells"]["runs/b.ipynb"]["delta"] == 3.0
    assert answer["notebooks"][0]["last_modified"] == "2026-01-02T03:04:05.678901Z"
    assert answer["notebooks"][2]["error"]["code"] == "not_found"
    # And a second compare asks the manager for the stamp only, never the content
    manager.calls.clear()
    await service.compare(["runs/a.ipynb", "runs/b.ipynb"], names=["mse"])
    # (its folder listing has no modification times, so each stamp is asked)
    notebook_calls = [call for call in manager.calls if call[0].endswith(".ipynb")]
    assert notebook_calls
    assert all(content is False for _, content in notebook_calls)


async def test_index_and_output_through_a_manager_without_files():
    # Given the same kind of manager with a nested folder
    service, manager = memory_service(
        **{"runs__a.ipynb": nb("1.0"), "runs__deep__b.ipynb": nb("2.0"), "runs__x.txt": b"x"}
    )
    # When the folder is indexed recursively and an image is asked for
    answer = json.loads(await service.index("runs", True))
    mime, data = await service.image("runs/deep/b.ipynb", "plot")
    # Then the manager's listing and content were enough
    assert [n["path"] for n in answer["notebooks"]] == ["runs/a.ipynb", "runs/deep/b.ipynb"]
    assert answer["truncated"] is False
    assert (mime, data) == ("image/png", png_bytes(2, 3))
    # And, its listing giving no modification times, a second index is not
    # answered from the first: the notebooks are asked again
    asked = len(manager.calls)
    assert json.loads(await service.index("runs", True)) == answer
    assert any(call[0] == "runs/a.ipynb" for call in manager.calls[asked:])


def test_a_manager_whose_rules_we_cannot_mirror_is_never_bypassed(tmp_path):
    # Given a file manager that keeps Jupyter's rules, and one that changes is_hidden
    class StricterHidden(AsyncLargeFileManager):
        async def is_hidden(self, path):
            return True

    stock = NotebookService(AsyncLargeFileManager(root_dir=str(tmp_path)), NbCompare())
    custom = NotebookService(StricterHidden(root_dir=str(tmp_path)), NbCompare())
    # Then only the stock one reads files directly; the other always asks the manager
    assert stock.uses_fast_path is True
    assert custom.uses_fast_path is False
    # And the option turns the fast path off for the stock one too
    stock.config.fast_path = False
    assert stock.uses_fast_path is False


async def test_an_index_naming_a_refused_notebook_is_not_kept(tmp_path, monkeypatch):
    # Given a manager that lists a notebook but refuses to read it (an access
    # rule of its own, which may change while the file does not)
    class ReadRefused(AsyncLargeFileManager):
        async def get(self, path, content=True, type=None, format=None):
            if content and path.strip("/") == "secret.ipynb":
                raise HTTPError(403, "not yours")
            return await super().get(path, content=content, type=type, format=format)

    (tmp_path / "a.ipynb").write_bytes(nb("1.0"))
    (tmp_path / "secret.ipynb").write_bytes(nb("2.0"))
    service = NotebookService(ReadRefused(root_dir=str(tmp_path)), NbCompare(parse_processes=0))
    loads = []
    original = service.load

    async def load(paths, *args, **kwargs):
        loads.append(list(paths))
        return await original(paths, *args, **kwargs)

    monkeypatch.setattr(service, "load", load)
    # When the folder is indexed twice
    first = json.loads(await service.index("", False))
    second = json.loads(await service.index("", False))
    # Then the refusal is listed both times, and the second index asked again
    secret = next(n for n in first["notebooks"] if n["path"] == "secret.ipynb")
    assert (secret["status"], secret["error"]["code"]) == ("unreadable", "forbidden")
    assert second == first
    assert len(loads) == 2
    # While a folder whose notebooks are all readable is answered from its listing
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "b.ipynb").write_bytes(nb("3.0"))
    assert json.loads(await service.index("open", False)) == json.loads(
        await service.index("open", False)
    )
    assert len(loads) == 3
    service.close()
