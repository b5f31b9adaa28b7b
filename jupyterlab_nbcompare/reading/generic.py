"""The generic path: notebooks read through ``contents_manager.get``, for any manager.

Databases, S3 and any manager that changes the stock rules are read only
through ``get``, so they refuse, hide and serve exactly what
``/api/contents`` does. A synchronous manager is called in threads of its
own, ``NbCompare.remote_concurrency`` reads at once (each mostly waits on
the storage); a warm cache is checked against one listing per folder
(:meth:`GenericReader._listed`) instead of one request per notebook.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from jupyter_server.utils import ensure_async
from tornado.web import HTTPError

from ..core.files import iso_utc
from ..scans import ScanProgress
from .loaded import Loaded, refused, too_large
from .records import Reader


def storage_identity(cm: Any) -> tuple[str, tuple[str, ...]]:
    """Which storage a manager reads: its class, and where it points.

    Part of every key of the persistent store, which every server of a user
    shares (another root, another bucket must not share entries).
    """
    where = tuple(
        str(getattr(cm, name, "")) for name in ("root_dir", "bucket", "prefix", "endpoint_url")
    )
    return f"{type(cm).__module__}.{type(cm).__qualname__}", where


def _model_bytes(model: dict) -> bytes:
    """The bytes of a file model, in the format the manager says it gave (not the one asked).

    Content that is neither gives no bytes, which then read as no notebook (404).
    """
    content = model.get("content") or ""
    if not isinstance(content, str):
        return b""
    if model.get("format") != "base64":
        return content.encode("utf-8", "replace")
    try:
        return base64.b64decode(content)
    except ValueError:  # binascii.Error is one
        return b""


class GenericReader(Reader):
    """Reads notebooks through any ContentsManager's ``get`` (manager calls in threads)."""

    #: The threads that call a synchronous contents manager (made on first use,
    #: ``NbCompare.remote_concurrency`` of them).
    _remote_threads: ThreadPoolExecutor | None = None
    _remote_size = 0

    def __init__(self, *args: Any) -> None:
        """A :class:`.records.Reader`, with no read in progress yet."""
        super().__init__(*args)
        # Single flight: the reads in progress (event loop only).
        self._inflight: dict[Hashable, asyncio.Future] = {}

    def _remote_pool(self) -> ThreadPoolExecutor:
        """Threads for a synchronous manager's calls, apart from the parsing threads.

        A remote read mostly waits for the storage: it must neither block the
        event loop nor hold one of the few threads that parse.
        """
        wanted = max(1, int(self.config.remote_concurrency))
        if self._remote_threads is None or self._remote_size != wanted:
            if self._remote_threads is not None:
                self._remote_threads.shutdown(wait=False)
            self._remote_threads = ThreadPoolExecutor(wanted, thread_name_prefix="nbcompare-cm")
            self._remote_size = wanted
        return self._remote_threads

    async def model(self, path: str, **kwargs: Any) -> dict | Loaded:
        """``contents_manager.get``, with its refusals turned into per-notebook errors.

        An async manager is awaited; a synchronous one (s3contents, many
        database managers) is called in a thread, since each call waits on
        the network and would otherwise stall every request of the server.
        """
        get = self.contents_manager.get
        try:
            if inspect.iscoroutinefunction(get):
                return await get(path.strip("/"), **kwargs)
            loop = asyncio.get_running_loop()
            call = partial(get, path.strip("/"), **kwargs)
            return await ensure_async(await loop.run_in_executor(self._remote_pool(), call))
        except HTTPError as error:
            return refused(path, "forbidden" if error.status_code == 403 else "not_found")
        except PermissionError:
            return refused(path, "forbidden")
        except (OSError, ValueError):
            return refused(path, "not_found")

    async def notebook_bytes(self, path: str) -> bytes | Loaded:
        """The whole file at ``path`` (for ``output``), or the refusal as a ``Loaded``."""
        limit = int(self.config.max_notebook_bytes)
        model = await self.model(path, content=False)
        if not isinstance(model, Loaded):
            if model.get("type") == "directory":
                model = refused(path, "not_found")
            elif (model.get("size") or 0) > limit:
                model = too_large(path, model["size"], limit, None)
            else:
                model = await self.model(path, content=True, type="file", format="base64")
        return model if isinstance(model, Loaded) else _model_bytes(model)

    async def load(self, paths: list[str], progress: ScanProgress | None = None) -> list[Loaded]:
        """The generic path of :meth:`..service.NotebookService.load`.

        ``progress`` counts each notebook once it is known (cached or read).
        """
        out: list[Loaded | None] = [None] * len(paths)
        # Reads go several at once (each mostly waits on the storage), and a
        # warm cache is checked against one listing per folder.
        gate = asyncio.Semaphore(max(1, int(self.config.remote_concurrency)))
        listed = await self._listed(paths, gate)

        async def one(index: int, path: str) -> None:
            entry = listed[index]
            if entry is not None and entry.get("type") != "directory":
                modified = iso_utc(entry["last_modified"])
                key = ("contents", path.strip("/"), modified, entry.get("size"))
                cached = self.keeper.cache.get(key)
                if cached is not None:
                    out[index] = Loaded(path, cached[2], cached[0], cached[1], key)
                    if progress is not None:
                        progress.add(read=1)
                    return
            async with gate:
                out[index] = await self._load_one(path, entry)
            if progress is not None:
                progress.add(read=1)

        await asyncio.gather(*(one(index, path) for index, path in enumerate(paths)))
        return [loaded for loaded in out if loaded is not None]

    async def _load_one(self, path: str, listed: dict | None = None) -> Loaded:
        """Any ContentsManager: ``get`` without content for the stamp, with it on a miss.

        ``listed``: the notebook's model from its folder's listing, whose
        ``last_modified`` (and ``size``) then stand for the stamp, sparing one
        request per notebook.
        """
        limit = int(self.config.max_notebook_bytes)
        model = listed or await self.model(path, content=False)
        if isinstance(model, Loaded):
            return model
        if model.get("type") == "directory":
            return refused(path, "not_found")
        size = model.get("size")
        modified = iso_utc(model.get("last_modified"))
        if size is not None and size > limit:
            return too_large(path, size, limit, modified)
        key = ("contents", path.strip("/"), modified, size)
        cached = self.keeper.cache.get(key)
        if cached is not None:
            return Loaded(path, cached[2], cached[0], cached[1], key)
        store = self.keeper.record_store()
        if store is not None:
            wanted = [(key, self._store_key(key))]
            found = (await self.pools.in_thread(self.keeper.from_store, store, wanted)).get(key)
            if found is not None:
                return Loaded(path, found[2], found[0], found[1], key)
        pending = self._inflight.get(key)
        if pending is not None:  # another request reads it now: share its answer
            loaded = await asyncio.shield(pending)
            if loaded is not None:
                return loaded._replace(path=path, cells=None)
            return await self._read(path, limit, size, key if listed else None)
        pending = self._inflight[key] = asyncio.get_running_loop().create_future()
        loaded = None
        try:
            loaded = await self._read(path, limit, size, key if listed else None)
            return loaded
        finally:
            del self._inflight[key]
            pending.set_result(loaded)

    def _store_key(self, key: Hashable) -> Hashable:
        """The persistent store's key of a generic-path cache key.

        Adds which storage the path is in (the manager's class and where it
        points), since the store is shared by every server of the user.
        """
        return (key[0], *storage_identity(self.contents_manager), *key[1:])

    async def _read(
        self, path: str, limit: int, size: int | None, listed_key: Hashable | None = None
    ) -> Loaded:
        """Read, parse and remember one notebook through ``contents_manager.get``.

        ``size``: what the model without content said (the key's size when the
        model with content gives none). ``listed_key``: the key made from the
        folder listing's stamp, under which the next load looks the record up.
        """
        model = await self.model(path, content=True, type="file", format="text")
        if isinstance(model, Loaded) and model.error["code"] == "not_found":
            # Not UTF-8 (the manager answers 400): read the bytes, let the core judge.
            model = await self.model(path, content=True, type="file", format="base64")
        if isinstance(model, Loaded):
            return model
        content = model.get("content") or ""
        if model.get("format") == "base64":
            content = base64.b64decode(content)
        modified = iso_utc(model.get("last_modified"))
        length = model.get("size")
        if length is None:
            length = len(content.encode("utf-8") if isinstance(content, str) else content)
        if length > limit:
            return too_large(path, length, limit, modified)
        key = listed_key or ("contents", path.strip("/"), modified, model.get("size", size))
        record, error, nbytes = await self.pools.in_thread(self.keeper.parse_extract, content)
        self.keeper.remember(key, record, error, modified, nbytes, self._store_key(key))
        return Loaded(path, modified, record, error, key)

    async def _listed(self, paths: list[str], gate: asyncio.Semaphore) -> list:
        """Each path's model in its folder's listing (one ``get`` per folder), or ``None``.

        Only a file model with a ``last_modified`` is used: without one, the
        stamp is asked per notebook as before. A folder the manager refuses
        gives ``None`` for its paths, whose own ``get`` then refuses them.
        """
        folders = {path.strip("/").rpartition("/")[0] for path in paths}

        async def listing(folder: str) -> dict[str, dict]:
            async with gate:
                model = await self.model(folder, content=True, type="directory")
            if isinstance(model, Loaded) or model.get("type") != "directory":
                return {}
            return {
                child["name"]: child
                for child in model.get("content") or []
                if child.get("type") != "directory" and child.get("last_modified") is not None
            }

        found = dict(zip(folders, await asyncio.gather(*(listing(f) for f in folders))))
        out = []
        for path in paths:
            folder, _, name = path.strip("/").rpartition("/")
            out.append(found[folder].get(name))
        return out
