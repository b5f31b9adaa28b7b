"""The layer between the REST handlers and the pure core.

It answers "what does each of these notebooks hold?" for the handlers:

* every path is resolved and checked by the server's ContentsManager (root
  containment, the hidden-file rule, missing files), so the extension refuses
  exactly what Jupyter refuses;
* a **generic path** reads through ``contents_manager.get`` and works with any
  manager (databases, S3 ...);
* a **fast path**, for file-backed managers, lets the manager resolve and check
  the path, then stats and reads the bytes directly: the generic read costs
  several times the JSON parse itself;
* the values extracted from each notebook are kept in a :class:`ByteBudgetCache`
  keyed by (path, modification time, size), so an unchanged notebook is parsed
  once; whole compare answers are cached the same way, so that repeating an
  unchanged comparison costs one ``stat`` per notebook;
* records also go to a persistent store (:mod:`.store`, SQLite), so a
  restarted server finds them without parsing; and concurrent requests that
  need the same notebook share one parse (and the same answer, one assembly);
* reading, parsing and extraction (:mod:`.loader`) run off the event loop, a
  batch of notebooks per call, so it keeps answering other requests during a
  large cold compare: in a server thread, and in the worker processes of
  ``NbCompare.parse_processes`` (one by default where a second CPU exists),
  which take batches from the same queue; for a compare, each notebook's
  response cells are made there too, against the baseline read first.

No tornado handler lives here; the handlers call :class:`NotebookService`.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import gc
import hashlib
import inspect
import logging
import os
import stat as stat_module
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, NamedTuple

import orjson
from jupyter_core.paths import is_file_hidden as jupyter_is_file_hidden
from jupyter_core.paths import is_hidden as jupyter_is_hidden
from jupyter_server.services.contents.filemanager import (
    AsyncFileContentsManager,
    FileContentsManager,
)
from jupyter_server.utils import ensure_async
from tornado.web import HTTPError

from . import loader
from .app import NbCompare
from .cache import ByteBudgetCache
from .core import extract, reader
from .core import index as core_index
from .core.files import iso_utc
from .store import RecordStore, default_path
from .worker import PIPELINE_BYTES, WorkerError, WorkerPool, WorkerStartError, request

log = logging.getLogger(__name__)

#: The stock file managers whose rules the fast path mirrors, most derived first.
_STOCK_MANAGERS = (AsyncFileContentsManager, FileContentsManager)
#: Every method the stock ``get`` relies on to decide whether a path may be
#: read, and what it holds (jupyter_server's ``filemanager``/``fileio``). A
#: manager that overrides any of them may refuse, hide or add files in ways the
#: fast path cannot know, so it is only ever read through its ``get``.
ACCESS_METHODS = (
    "get",
    "_get_os_path",
    "is_hidden",
    "exists",
    "file_exists",
    "dir_exists",
    "should_list",
    "_base_model",
    "_dir_model",
    "_notebook_model",
    "_file_model",
    "_read_notebook",
    "_read_file",
    "open",
    "validate_notebook_model",
    "mark_trusted_cells",
)
#: Whether this platform has BSD file flags (``UF_HIDDEN``); there the fast
#: hidden check defers to jupyter_core's, which reads them.
_HAS_FILE_FLAGS = hasattr(os.stat_result, "st_flags")


class Loaded(NamedTuple):
    """One requested notebook as the service read it.

    ``token`` identifies the state the answer was computed from (the cache
    key, or the refusal), so that a whole compare answer can be cached too.
    ``cells``: the record's response cells when they were made with it for
    the compare being answered (see ``load``'s ``compare_with``), else ``None``.
    """

    path: str
    last_modified: str | None
    record: dict | None
    error: dict | None
    token: Hashable
    cells: list | None = None

    def entry(self) -> dict[str, Any]:
        """The entry shape the core's ``compare`` and ``index_summary`` take."""
        return {
            "path": self.path,
            "last_modified": self.last_modified,
            "record": self.record,
            "error": self.error,
            "cells": self.cells,
        }


#: The one message for a path Jupyter refuses: it neither confirms nor denies
#: that a hidden or outside file exists.
NOT_FOUND_MESSAGE = "No readable notebook at this path."
FORBIDDEN_MESSAGE = "The server may not read this notebook (permission denied)."
WORKER_STOPPED_MESSAGE = "Reading this notebook stopped the worker process that parsed it."


class _Waiting:
    """A notebook another request is reading now: wait for its ``Loaded`` (single flight).

    ``future`` answers that request's ``Loaded`` for the file, or ``None``
    when it gave up (then this request reads the file itself).
    """

    __slots__ = ("future", "os_path", "path")

    def __init__(self, path: str, os_path: str, future: Future) -> None:
        self.path, self.os_path, self.future = path, os_path, future


def _refused(path: str, code: str, last_modified: str | None = None, **extra: Any) -> Loaded:
    """A notebook that was not read, with a per-notebook error of api.md."""
    message = {"not_found": NOT_FOUND_MESSAGE, "forbidden": FORBIDDEN_MESSAGE}.get(code, "")
    message = extra.pop("message", message)
    token = ("refused", code, last_modified, tuple(sorted(extra.items())))
    return Loaded(path, last_modified, None, {"code": code, "message": message}, token)


def _too_large(path: str, size: int, limit: int, last_modified: str | None) -> Loaded:
    """The per-notebook ``too_large`` error, decided from the size alone."""
    message = (
        f"The notebook is {size} bytes, more than this server reads "
        f"({limit} bytes, NbCompare.max_notebook_bytes)."
    )
    return _refused(path, "too_large", last_modified, size=size, message=message)


def _hidden_by_name(os_path: str, root: str) -> bool:
    """jupyter_core's ``is_hidden`` rule for a file below ``root``, without its syscalls.

    On platforms without BSD file flags (Linux), ``is_hidden`` hides a file
    when a path component below the root starts with a dot, or when a
    *directory* cannot be listed. The fast path only reads regular files and
    gets ``os_path`` from the manager already normalised and inside the root,
    so the rule reduces to the component names; this matters because the full
    check costs about as much as parsing a small notebook. Where file flags
    exist, the full check is used.
    """
    if _HAS_FILE_FLAGS:
        return jupyter_is_hidden(os_path, root)
    if os_path == root:
        return False
    relative = os_path[len(root) :].lstrip(os.sep)
    return any(part.startswith(".") for part in relative.split(os.sep))


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


def _keeps_stock_rules(manager: Any) -> bool:
    """Whether ``manager`` decides access and content exactly as a stock file manager.

    True only for a (subclass of a) stock file manager in which every method of
    :data:`ACCESS_METHODS` is the stock one, on the class and on the instance:
    a subclass that refuses ``private/`` in its ``get`` (403 on
    ``/api/contents``) must refuse it here too, and one that serves more than
    the disk holds must be asked for it.
    """
    stock = next((base for base in type(manager).__mro__ if base in _STOCK_MANAGERS), None)
    if stock is None:
        return False
    own = getattr(manager, "__dict__", {})
    return all(
        name not in own and getattr(type(manager), name, None) is getattr(stock, name)
        for name in ACCESS_METHODS
    )


def _available_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _stop_when_idle(reference: weakref.ref, pool: WorkerPool) -> None:
    """The idle watcher of one pool (a daemon thread): ends when the pool does.

    Checks a few times per ``worker_idle_seconds``; holds the service only
    weakly, so a server that goes away takes its watcher with it.
    """
    while True:
        service = reference()
        if service is None:
            return
        timeout = float(service.config.worker_idle_seconds)
        interval = min(60.0, max(0.05, timeout / 4)) if timeout > 0 else 60.0
        if service._stop_if_idle(pool):
            return
        del service
        if pool.wait_closed(interval):
            return


def _take(batches: deque) -> Any:
    """The next batch of a queue that several threads take from, or ``None``."""
    try:
        return batches.popleft()
    except IndexError:
        return None


def collect_startup_garbage() -> None:
    """One full collection at an idle moment after start-up (``NbCompare.gc_collect_after``).

    CPython starts a full collection when the objects that survived younger
    collections since the last full one exceed a quarter of all long-lived
    objects. Jupyter's start-up leaves that count near the threshold, so the
    first large compare would pay for traversing all of them; collecting
    here resets the count while nobody waits.
    """
    gc.collect()


def freeze_startup_objects() -> None:
    """Collect once, then move every surviving object to the permanent generation.

    Why (opt-in, ``NbCompare.gc_freeze_after``): CPython starts a full
    collection when enough objects have survived since the last one; right
    after start-up that threshold is nearly reached, so the first compare's
    allocations trigger a full traversal of everything Jupyter built, holding
    the GIL for about 100 ms. Done once at an idle moment, later full
    collections skip the start-up objects.
    """
    gc.collect()
    gc.freeze()
    log.info(
        "nbcompare: froze %d start-up objects (NbCompare.gc_freeze_after)", gc.get_freeze_count()
    )


def _close_service(reference: weakref.ref) -> None:
    service = reference()
    if service is not None:
        service.close()


class NotebookService:
    """Reads notebooks through a ContentsManager, extracts them, caches, compares.

    One instance per server (``web_app.settings["nbcompare_service"]``). The
    configuration object is read at every call, so a changed trait takes
    effect on the next request.

    Public API (what the handlers use):

    * ``await load(paths) -> list[Loaded]``: one per path, same order, never raises
      for a path (a refused or unreadable notebook carries an ``error``);
    * ``await compare(paths, baseline, names, directions) -> bytes``: the JSON
      body of ``POST nbcompare/compare``;
    * ``await read_notebook(path) -> dict``: one parsed notebook, not cached, for
      ``GET nbcompare/output``; raises ``HTTPError(404)``;
    * ``await image(path, name, origin, part) -> (mime, bytes)``: raises 404;
    * ``await index(path, recursive) -> dict``: the body of ``GET nbcompare/index``;
    * ``records`` / ``responses``: the two caches; ``stats()`` their counters.
    """

    def __init__(self, contents_manager: Any, config: NbCompare) -> None:
        """Bind the service to the server's contents manager and ``NbCompare`` options."""
        self.contents_manager = contents_manager
        self.config = config
        self.records = ByteBudgetCache(config.cache_bytes)
        self.responses = ByteBudgetCache(config.response_cache_bytes)
        self.parsed = 0
        self._parsed_lock = threading.Lock()
        self._threads: ThreadPoolExecutor | None = None
        self._threads_size = 0
        self._pool: WorkerPool | None = None
        self._pool_lock = threading.Lock()
        self._active = 0  # compares using the worker processes now
        self._last_use = time.monotonic()
        self._exit_hook = False
        self._slots: asyncio.Semaphore | None = None
        self._slots_size = 0
        self._store: RecordStore | None = None
        self._store_configured: tuple[str, str] | None = None
        # Single flight: the reads in progress (key -> Future of its Loaded),
        # and the compare answers being assembled (event loop only).
        self._inflight: dict[Hashable, Future] = {}
        self._inflight_lock = threading.Lock()
        self._generic_inflight: dict[Hashable, asyncio.Future] = {}
        self._answers: dict[Hashable, asyncio.Future] = {}
        config.observe(self._budget_changed, names=["cache_bytes", "response_cache_bytes"])

    def _budget_changed(self, change: dict) -> None:
        """Apply a new byte budget at once (the next ``put`` evicts down to it)."""
        cache = self.records if change["name"] == "cache_bytes" else self.responses
        cache.budget = max(0, int(change["new"]))

    def stats(self) -> dict[str, Any]:
        """Counters of both caches and of notebooks parsed, for tests and logging."""
        store = self.record_store()
        return {
            "parsed": self.parsed,
            "records": self.records.stats(),
            "responses": self.responses.stats(),
            "store": None if store is None else store.stats(),
        }

    def record_store(self) -> RecordStore | None:
        """The persistent record store as configured now (``None`` when turned off).

        Opened on first use, in the worker thread that first looks a record
        up; a changed ``record_store_path`` opens the new file at the next call.
        """
        budget = int(self.config.record_store_bytes)
        if budget <= 0:
            return None
        configured = self.config.record_store_path
        if self._store_configured is None or self._store_configured[0] != configured:
            # Called per notebook: the default path is looked up once.
            self._store_configured = (configured, configured or default_path())
        path = self._store_configured[1]
        store = self._store
        if store is None or store.path != path:
            with self._pool_lock:
                if self._store is None or self._store.path != path:
                    old, self._store = self._store, RecordStore(path, budget)
                    if old is not None:
                        old.close()
                store = self._store
        store.budget = budget
        return store

    # -- which path ----------------------------------------------------------

    @property
    def uses_fast_path(self) -> bool:
        """Whether reads bypass ``contents_manager.get``.

        Only for managers that store plain files and whose rules we can follow
        exactly: a stock file manager, or a subclass that keeps every method
        deciding access or content (:data:`ACCESS_METHODS`). Any other manager
        gets the generic path.
        """
        return bool(self.config.fast_path) and _keeps_stock_rules(self.contents_manager)

    def _thread_pool(self) -> ThreadPoolExecutor:
        """The extension's own worker threads (``NbCompare.read_threads`` of them).

        A pool of its own, not the event loop's default executor, so that a
        large compare never queues behind (or in front of) other extensions'
        blocking work, and its size follows the option.
        """
        # A thread waits on each busy worker process, so those come on top.
        wanted = max(1, int(self.config.read_threads)) + self.worker_count()
        if self._threads is None or self._threads_size != wanted:
            if self._threads is not None:
                self._threads.shutdown(wait=False)
            self._threads = ThreadPoolExecutor(wanted, thread_name_prefix="nbcompare")
            self._threads_size = wanted
        return self._threads

    def _process_slots(self, workers: int) -> asyncio.Semaphore:
        """The semaphore bounding calls to worker processes (resized with the option)."""
        if self._slots is None or self._slots_size != workers:
            self._slots, self._slots_size = asyncio.Semaphore(workers), workers
        return self._slots

    async def _in_thread(self, function: Any, *args: Any) -> Any:
        """Run ``function(*args)`` in a worker thread and await its answer.

        Plain ``run_in_executor``: one hand-off costs tens of microseconds,
        several times less than a generic thread helper, which matters for
        the many small calls of a large cold compare.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread_pool(), partial(function, *args))

    # -- parsing (any thread) ------------------------------------------------

    def _parse_extract(self, raw: bytes | str) -> tuple[dict | None, dict | None, int]:
        """Bytes of one notebook -> ``loader.parse_extract``'s triple; never raises."""
        self._count_parsed(1)
        return loader.parse_extract(raw)

    def _count_parsed(self, count: int) -> None:
        """Count notebooks parsed (the tests' proof that the cache spares work)."""
        with self._parsed_lock:
            self.parsed += count

    def _remember(
        self,
        key: Hashable,
        record: dict | None,
        error: dict | None,
        modified: str | None,
        size: int,
        store_key: Hashable | None = None,
    ) -> None:
        """Cache what one notebook gave (and its formatted time), sized by ``loader``.

        With ``store_key``, it is also queued for the persistent store (the
        writer thread commits it; nothing here waits for the disk).
        """
        self.records.put(key, (record, error, modified), size)
        store = self.record_store() if store_key is not None else None
        if store is not None:
            store.put(store_key, (record, error, modified))

    def _from_store(
        self, store: RecordStore | None, wanted: Sequence[tuple[Hashable, Hashable]]
    ) -> dict[Hashable, tuple]:
        """``{key: (record, error, modified)}`` found in the store for ``(key, store_key)`` pairs.

        Blocking (worker threads only). What is found goes to the in-memory
        cache too, so the next request does not read the disk.
        """
        if store is None or not wanted:
            return {}
        stored = store.get_many([store_key for _, store_key in wanted])
        found = {}
        for key, store_key in wanted:
            value, nbytes = stored.get(store_key, (None, 0))
            if isinstance(value, tuple) and len(value) == 3:
                self.records.put(key, value, nbytes + 64)
                found[key] = value
        return found

    def _claim(self, key: Hashable, path: str, os_path: str) -> Future | _Waiting | Loaded:
        """Become the one reader of ``key`` (a new Future), or wait for the current one.

        Answers a ``Loaded`` when the notebook reached the cache since the
        probe (its reader finished in between), so no read is repeated.
        """
        with self._inflight_lock:
            future = self._inflight.get(key)
            if future is not None:
                return _Waiting(path, os_path, future)
            cached = self.records.get(key) if key in self.records else None
            if cached is not None:
                return Loaded(path, cached[2], cached[0], cached[1], key)
            future = self._inflight[key] = Future()
            return future

    def _release(self, key: Hashable, future: Future, loaded: Loaded | None) -> None:
        """End a claim: waiters get ``loaded`` (``None``: read it yourselves)."""
        with self._inflight_lock:
            if self._inflight.get(key) is future:
                del self._inflight[key]
        if not future.done():
            future.set_result(loaded)

    async def _settled(self, waiting: _Waiting) -> Loaded:
        """The ``Loaded`` another request read for this one, under this request's path.

        Its cells were made for the other request's baseline, so they are
        left out (this answer makes its own). If that request gave up, the
        file is read here.
        """
        loaded = await asyncio.wrap_future(waiting.future)
        if loaded is None:
            (loaded,) = await self._in_thread(
                self._fast_read_batch, [(waiting.path, waiting.os_path)]
            )
            return loaded
        return loaded._replace(path=waiting.path, cells=None)

    # -- fast path (worker threads) -----------------------------------------

    def _fast_resolve(self, path: str) -> tuple[str, os.stat_result] | Loaded:
        """Let the manager resolve and check ``path``; stat it. A ``Loaded`` means refused."""
        cm = self.contents_manager
        try:
            os_path = cm._get_os_path(path.strip("/"))
        except HTTPError:
            return _refused(path, "not_found")
        root = os.path.abspath(cm.root_dir)
        if not cm.allow_hidden and _hidden_by_name(os_path, root):
            return _refused(path, "not_found")
        try:
            info = os.stat(os_path)
        except PermissionError:
            return _refused(path, "forbidden")
        except (OSError, ValueError):
            return _refused(path, "not_found")
        if not stat_module.S_ISREG(info.st_mode):
            return _refused(path, "not_found")
        return os_path, info

    def _fast_read(self, path: str, os_path: str, limit: int) -> bytes | Loaded:
        """The bytes of a checked file, or the refusal as a ``Loaded``."""
        kind, payload, stamp = loader.read_bytes(os_path, limit)
        if kind == "bytes":
            return payload
        if kind == "too_large":
            return _too_large(path, payload, limit, iso_utc(stamp[2]))
        return _refused(path, kind)

    def _fast_probe(
        self, paths: Sequence[str], claims: dict[int, tuple[Hashable, Future]]
    ) -> list[Loaded | tuple[str, str] | _Waiting]:
        """First pass, one worker-thread call for every path: check, stat, cache lookup.

        Answers a ``Loaded`` for each refused, too large or cached notebook
        (in memory, else in the persistent store: one query for all), a
        ``_Waiting`` for one that another request is reading now, and
        ``(path, os_path)`` for each one this request must read, its claim
        then in ``claims`` (by position). A warm compare is then this single
        call: no read, no parse, no formatting.
        """
        limit = int(self.config.max_notebook_bytes)
        out: list[Any] = []
        missing: list[tuple[int, str, str, Hashable, Hashable]] = []
        for path in paths:
            resolved = self._fast_resolve(path)
            if isinstance(resolved, Loaded):
                out.append(resolved)
                continue
            os_path, info = resolved
            if info.st_size > limit:
                out.append(_too_large(path, info.st_size, limit, iso_utc(info.st_mtime)))
                continue
            key = ("file", os_path, info.st_mtime_ns, info.st_size)
            cached = self.records.get(key)
            if cached is None:
                store_key = (*key, info.st_ino, info.st_dev)
                missing.append((len(out), path, os_path, key, store_key))
                out.append(None)
            else:
                out.append(Loaded(path, cached[2], cached[0], cached[1], key))
        stored = self._from_store(self.record_store(), [(m[3], m[4]) for m in missing])
        for index, path, os_path, key, _ in missing:
            found = stored.get(key)
            if found is not None:
                out[index] = Loaded(path, found[2], found[0], found[1], key)
                continue
            claim = self._claim(key, path, os_path)
            if isinstance(claim, Future):
                claims[index] = (key, claim)
                claim = (path, os_path)
            out[index] = claim
        return out

    def _accept(self, path: str, os_path: str, outcome: tuple) -> Loaded:
        """Turn what :mod:`.loader` answered for a miss into a ``Loaded``, and cache it."""
        kind, payload, stamp, size = outcome
        limit = int(self.config.max_notebook_bytes)
        if kind == "too_large":
            return _too_large(path, payload, limit, iso_utc(stamp[2]))
        if kind not in ("record", "error"):
            return _refused(path, kind)
        # Keyed by the stat of the file actually read, taken before reading:
        # a later change always shows as a new key.
        key = ("file", os_path, stamp[0], stamp[1])
        record, error = (payload, None) if kind == "record" else (None, payload)
        store_key = self._file_store_key(key, os_path, stamp, error)
        modified = iso_utc(stamp[2])
        self._remember(key, record, error, modified, size, store_key)
        return Loaded(path, modified, record, error, key)

    @staticmethod
    def _file_store_key(
        key: tuple, os_path: str, stamp: tuple, error: dict | None
    ) -> Hashable | None:
        """The persistent store's key of what was read: ``key`` and the file's inode and device.

        A stamp without them comes from a worker process of another version
        of this package (an upgrade while the server runs); the file is then
        stat'ed again here, and stored only if it is still the file read.
        ``None`` (not stored) also for a notebook that stopped its worker: a
        new server, perhaps with more memory, tries it again.
        """
        if error is not None and error.get("message") == WORKER_STOPPED_MESSAGE:
            return None
        if len(stamp) >= 5:
            return (*key, stamp[3], stamp[4])
        try:
            info = os.stat(os_path)
        except (OSError, ValueError):
            return None
        if (info.st_mtime_ns, info.st_size) != tuple(stamp[:2]):
            return None
        return (*key, info.st_ino, info.st_dev)

    def _fast_read_batch(
        self, misses: Sequence[tuple[str, str]], against: tuple | None = None
    ) -> list[Loaded]:
        """A few misses in one worker-thread call: read, parse, extract, remember.

        With ``against`` (see :func:`.loader.load_compare_files`), each
        record's response cells are made too.
        """
        limit = int(self.config.max_notebook_bytes)
        os_paths = [o for _, o in misses]
        if against is None:
            return self._accept_all(misses, loader.load_files(os_paths, limit))
        paths = [p for p, _ in misses]
        return self._accept_all(misses, *loader.load_compare_files(os_paths, paths, limit, against))

    def _accept_all(
        self, misses: Sequence[tuple[str, str]], outcomes: list, cells: list | None = None
    ) -> list[Loaded]:
        """Count what was parsed, then :meth:`_accept` each miss's outcome (and its cells)."""
        self._count_parsed(sum(1 for outcome in outcomes if outcome[0] in ("record", "error")))
        loaded = [self._accept(p, o, out) for (p, o), out in zip(misses, outcomes)]
        if cells is not None:
            loaded = [
                item if made is None or item.record is None else item._replace(cells=made)
                for item, made in zip(loaded, cells)
            ]
        return loaded

    def _drain_in_process(self, batches: deque, place: Any, against: tuple | None) -> None:
        """Feed one worker process from the shared queue of batches until it is empty.

        Runs in one thread for the whole queue, not one thread call per batch:
        between two batches the worker would otherwise wait for this thread,
        then the event loop, then a thread again to get the GIL. While the
        queue is long, two requests are in flight, so the worker parses the next
        batch while this thread reads and caches the last answer; ``place(batch, loaded)``
        records each. A worker that fails must not fail the request, nor bring
        its trouble into the server: its unanswered batches are retried one
        notebook at a time in fresh workers, and one that fails again gets a
        per-notebook error. Only when no worker can start are they parsed here.
        """
        with self._using_workers():
            self._drain(batches, place, against)

    def _drain(self, batches: deque, place: Any, against: tuple | None) -> None:
        """The body of :meth:`_drain_in_process`."""
        limit = int(self.config.max_notebook_bytes)
        inflight: deque = deque()

        def items(batch: list) -> list[tuple[str, str]]:
            return [item for _, item in batch]

        while True:
            try:
                with self._process_pool().reserve() as process:
                    told = against is None  # whether this worker has the baseline
                    while True:
                        # A second request in flight only while the queue is long:
                        # near its end, a batch held here would wait for this
                        # worker while the server's thread sits idle.
                        while not inflight or (len(inflight) < 2 and len(batches) > 2):
                            batch = _take(batches)
                            if batch is None:
                                break
                            misses = items(batch)
                            os_paths = [o for _, o in misses]
                            if against is None:
                                frame = request("load_files", os_paths, limit)
                            else:
                                paths = [p for p, _ in misses]
                                frame = request("load_compare_files", os_paths, paths, limit)
                            if inflight and len(frame) > PIPELINE_BYTES:
                                batches.appendleft(batch)  # sent once the worker is idle
                                break
                            inflight.append(batch)  # before sending: a failed send retries it
                            if not told:
                                # Once per worker, with a batch in hand (so that a
                                # worker failing here still uses a batch up): the
                                # batches' requests then stay small.
                                process.call("compare_against", (against,))
                                told = True
                            process.send(frame)
                        if not inflight:
                            return
                        answer = process.receive()
                        batch = inflight.popleft()
                        outcomes, cells = (answer, None) if against is None else answer
                        place(batch, self._accept_all(items(batch), outcomes, cells))
            except WorkerStartError:
                log.warning("nbcompare: no worker process can run; parsing here", exc_info=True)
                # This thread takes over the work in hand, and the queue (no other
                # consumer may be left: see NbCompare.parse_in_server).
                while inflight or batches:
                    batch = inflight.popleft() if inflight else _take(batches)
                    if batch is not None:
                        place(batch, self._fast_read_batch(items(batch), against))
                return
            except WorkerError:
                log.warning("nbcompare: a worker process failed; retrying each", exc_info=True)
                while inflight:
                    batch = inflight.popleft()
                    outcomes = [self._one_in_worker(o, limit) for _, o in items(batch)]
                    place(batch, self._accept_all(items(batch), outcomes))
                # and the rest of the queue goes to a fresh worker

    def _one_in_worker(self, os_path: str, limit: int) -> tuple:
        """One notebook in a worker; the notebook that stops its worker gets an error."""
        try:
            return self._process_pool().call("load_files", [os_path], limit)[0]
        except WorkerStartError:
            return loader.load_file(os_path, limit)
        except WorkerError:
            log.warning("nbcompare: reading %s stopped its worker process", os_path)
        try:
            info = os.stat(os_path)
        except OSError:
            return "not_found", None, None, 0
        error = {"code": "invalid_notebook", "message": WORKER_STOPPED_MESSAGE}
        # Cached in memory under the file's stamp like any answer: an unchanged
        # file is not retried (never persisted, see _file_store_key).
        return "error", error, (info.st_mtime_ns, info.st_size, info.st_mtime), 0

    def worker_count(self) -> int:
        """How many worker processes ``NbCompare.parse_processes`` asks for (-1: automatic)."""
        wanted = int(self.config.parse_processes)
        if wanted >= 0:
            return wanted
        return 1 if _available_cpus() >= 2 else 0

    def _process_pool(self) -> WorkerPool:
        """The worker processes (:mod:`.worker`), started now if not yet, resized to the option."""
        wanted = max(1, self.worker_count())
        old = new = None
        with self._pool_lock:
            if self._pool is None or self._pool.size != wanted:
                old, self._pool = self._pool, WorkerPool(wanted)
                new = self._pool
                self._last_use = time.monotonic()
            pool = self._pool
        if old is not None:
            old.close()  # outside the lock: it waits for its workers to die
        if new is not None:
            if not self._exit_hook:
                # Stop workers when the server's process exits (a weak reference:
                # servers that come and go, as in tests, are not kept alive).
                atexit.register(_close_service, weakref.ref(self))
                self._exit_hook = True
            watcher = threading.Thread(
                target=_stop_when_idle,
                args=(weakref.ref(self), new),
                name="nbcompare-idle-workers",
                daemon=True,
            )
            watcher.start()
        return pool

    @contextlib.contextmanager
    def _using_workers(self) -> Iterator[None]:
        """Mark the worker processes busy (the idle watcher leaves them running)."""
        with self._pool_lock:
            self._active += 1
            self._last_use = time.monotonic()
        try:
            yield
        finally:
            with self._pool_lock:
                self._active -= 1
                self._last_use = time.monotonic()

    def _stop_if_idle(self, pool: WorkerPool) -> bool:
        """Stop ``pool`` when no compare used it for ``worker_idle_seconds``; True when gone."""
        timeout = float(self.config.worker_idle_seconds)
        with self._pool_lock:
            if self._pool is not pool:
                return True  # closed or replaced: nothing left to watch
            if timeout <= 0 or self._active or time.monotonic() - self._last_use < timeout:
                return False
            self._pool = None
        log.info("nbcompare: stopping worker processes unused for %.0f s", timeout)
        pool.close()
        return True

    def start_workers(self) -> None:
        """Start-up work (when configured), so that the first compare is not slow.

        Each worker process imports the core once when it starts; doing it at
        server start keeps that second out of the first request. With
        ``NbCompare.gc_freeze_after``, the start-up objects are frozen later
        (:func:`freeze_startup_objects`).
        """
        for delay, task in (
            (float(self.config.gc_collect_after), collect_startup_garbage),
            (float(self.config.gc_freeze_after), freeze_startup_objects),
        ):
            if delay > 0:
                timer = threading.Timer(delay, task)
                timer.name = f"nbcompare-{task.__name__}"
                timer.daemon = True
                timer.start()
        if self.worker_count() > 0:
            self._process_pool()  # each worker imports the core and warms up now
        self._thread_pool().submit(loader.warm_up)

    def close(self) -> None:
        """Stop the worker processes, if any were started (the next use starts new ones)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    # -- generic path (manager calls in threads, several at once) ------------

    #: The threads that call a synchronous contents manager (made on first use,
    #: ``NbCompare.remote_concurrency`` of them).
    _remote_threads: ThreadPoolExecutor | None = None
    _remote_size = 0

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

    async def _generic_model(self, path: str, **kwargs: Any) -> dict | Loaded:
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
            return _refused(path, "forbidden" if error.status_code == 403 else "not_found")
        except PermissionError:
            return _refused(path, "forbidden")
        except (OSError, ValueError):
            return _refused(path, "not_found")

    async def _generic_load_one(self, path: str, listed: dict | None = None) -> Loaded:
        """Any ContentsManager: ``get`` without content for the stamp, with it on a miss.

        ``listed``: the notebook's model from its folder's listing, whose
        ``last_modified`` (and ``size``) then stand for the stamp, sparing one
        request per notebook.
        """
        limit = int(self.config.max_notebook_bytes)
        model = listed or await self._generic_model(path, content=False)
        if isinstance(model, Loaded):
            return model
        if model.get("type") == "directory":
            return _refused(path, "not_found")
        size = model.get("size")
        modified = iso_utc(model.get("last_modified"))
        if size is not None and size > limit:
            return _too_large(path, size, limit, modified)
        key = ("contents", path.strip("/"), modified, size)
        cached = self.records.get(key)
        if cached is not None:
            return Loaded(path, cached[2], cached[0], cached[1], key)
        store = self.record_store()
        if store is not None:
            wanted = [(key, self._store_key(key))]
            found = (await self._in_thread(self._from_store, store, wanted)).get(key)
            if found is not None:
                return Loaded(path, found[2], found[0], found[1], key)
        pending = self._generic_inflight.get(key)
        if pending is not None:  # another request reads it now: share its answer
            loaded = await asyncio.shield(pending)
            if loaded is not None:
                return loaded._replace(path=path, cells=None)
            return await self._generic_read(path, limit, size, key if listed else None)
        pending = self._generic_inflight[key] = asyncio.get_running_loop().create_future()
        loaded = None
        try:
            loaded = await self._generic_read(path, limit, size, key if listed else None)
            return loaded
        finally:
            del self._generic_inflight[key]
            pending.set_result(loaded)

    def _store_key(self, key: Hashable) -> Hashable:
        """The persistent store's key of a generic-path cache key.

        Adds which storage the path is in (the manager's class and where it
        points), since the store is shared by every server of the user.
        """
        cm = self.contents_manager
        where = tuple(
            str(getattr(cm, name, "")) for name in ("root_dir", "bucket", "prefix", "endpoint_url")
        )
        return (key[0], f"{type(cm).__module__}.{type(cm).__qualname__}", where, *key[1:])

    async def _generic_read(
        self, path: str, limit: int, size: int | None, listed_key: Hashable | None = None
    ) -> Loaded:
        """Read, parse and remember one notebook through ``contents_manager.get``.

        ``size``: what the model without content said (the key's size when the
        model with content gives none). ``listed_key``: the key made from the
        folder listing's stamp, under which the next load looks the record up.
        """
        model = await self._generic_model(path, content=True, type="file", format="text")
        if isinstance(model, Loaded) and model.error["code"] == "not_found":
            # Not UTF-8 (the manager answers 400): read the bytes, let the core judge.
            model = await self._generic_model(path, content=True, type="file", format="base64")
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
            return _too_large(path, length, limit, modified)
        key = listed_key or ("contents", path.strip("/"), modified, model.get("size", size))
        record, error, nbytes = await self._in_thread(self._parse_extract, content)
        self._remember(key, record, error, modified, nbytes, self._store_key(key))
        return Loaded(path, modified, record, error, key)

    async def _generic_listed(self, paths: list[str], gate: asyncio.Semaphore) -> list:
        """Each path's model in its folder's listing (one ``get`` per folder), or ``None``.

        Only a file model with a ``last_modified`` is used: without one, the
        stamp is asked per notebook as before. A folder the manager refuses
        gives ``None`` for its paths, whose own ``get`` then refuses them.
        """
        folders = {path.strip("/").rpartition("/")[0] for path in paths}

        async def listing(folder: str) -> dict[str, dict]:
            async with gate:
                model = await self._generic_model(folder, content=True, type="directory")
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

    # -- public API ----------------------------------------------------------

    async def load(self, paths: Sequence[str], compare_with: tuple | None = None) -> list[Loaded]:
        """Read every path (cache first); one ``Loaded`` per path, in order.

        ``compare_with`` (``(baseline path, names, directions)`` of a compare
        request, the baseline one of ``paths``): the baseline is read first,
        then every notebook read after it gets its response cells made beside
        its record (``Loaded.cells``), so that work is spread over the worker
        processes and threads too. Cached notebooks get theirs when the
        answer is assembled.
        """
        paths = list(paths)
        if self.uses_fast_path:
            claims: dict[int, tuple[Hashable, Future]] = {}
            try:
                return await self._fast_load(paths, compare_with, claims)
            finally:
                # Whatever happened here, no other request waits forever for
                # a notebook this one had claimed: it reads it itself.
                for key, future in list(claims.values()):
                    self._release(key, future, None)

        out: list[Loaded | None] = [None] * len(paths)
        # Reads go several at once (each mostly waits on the storage), and a
        # warm cache is checked against one listing per folder.
        gate = asyncio.Semaphore(max(1, int(self.config.remote_concurrency)))
        listed = await self._generic_listed(paths, gate)

        async def one(index: int, path: str) -> None:
            entry = listed[index]
            if entry is not None and entry.get("type") != "directory":
                modified = iso_utc(entry["last_modified"])
                key = ("contents", path.strip("/"), modified, entry.get("size"))
                cached = self.records.get(key)
                if cached is not None:
                    out[index] = Loaded(path, cached[2], cached[0], cached[1], key)
                    return
            async with gate:
                out[index] = await self._generic_load_one(path, entry)

        await asyncio.gather(*(one(index, path) for index, path in enumerate(paths)))
        return [loaded for loaded in out if loaded is not None]

    async def _fast_load(
        self,
        paths: list[str],
        compare_with: tuple | None,
        claims: dict[int, tuple[Hashable, Future]],
    ) -> list[Loaded]:
        """The fast path of :meth:`load`; ``claims`` holds the reads this request owns."""
        probed = await self._in_thread(self._fast_probe, paths, claims)
        misses = [
            (i, item)
            for i, item in enumerate(probed)
            if isinstance(item, tuple) and not isinstance(item, Loaded)  # (path, os_path)
        ]
        workers = self.worker_count()

        def place(batch: list[tuple[int, tuple[str, str]]], loaded: list[Loaded]) -> None:
            # Called in the thread that accepted the batch, after the cache has
            # it: the requests waiting for these notebooks go on at once.
            for (index, _), item in zip(batch, loaded):
                probed[index] = item
                claim = claims.pop(index, None)
                if claim is not None:
                    self._release(*claim, item)

        async def in_threads(batches: deque, against: tuple | None) -> None:
            # One batch after the other: threads share one GIL, so parsing
            # in two at once is no faster and makes them wait for each
            # other; the other worker threads stay free for other requests.
            while (batch := _take(batches)) is not None:
                items = [item for _, item in batch]
                place(batch, await self._in_thread(self._fast_read_batch, items, against))

        async def in_a_process(
            slots: asyncio.Semaphore, batches: deque, against: tuple | None
        ) -> None:
            if slots.locked() and self.config.parse_in_server:
                # The workers are busy with another request's queue: this
                # one goes to the server's thread rather than wait for them.
                return
            # No more threads waiting on workers than there are workers:
            # the other threads stay free for other requests.
            async with slots:
                if batches:
                    await self._in_thread(self._drain_in_process, batches, place, against)

        async def consume(batches: deque, against: tuple | None) -> None:
            if not workers:
                await in_threads(batches, against)
                return
            # Every worker process (and one server thread, unless told
            # otherwise) takes batches from one queue until it is empty: on
            # two cores, one worker and the server's thread parse on both.
            slots = self._process_slots(workers)
            consumers = [in_a_process(slots, batches, against) for _ in range(workers)]
            if self.config.parse_in_server:
                consumers.append(in_threads(batches, against))
            await asyncio.gather(*consumers)

        against = None
        if compare_with is not None and compare_with[0] in paths:
            baseline, names, directions = compare_with
            at = paths.index(baseline)
            if isinstance(probed[at], _Waiting):
                # Another path of this request may name the same file and hold
                # its claim: that one is read first, alone, then waited for.
                future = probed[at].future
                owner = next((i for i, (_, f) in claims.items() if f is future), at)
                if owner != at:
                    misses = [(i, item) for i, item in misses if i != owner]
                    await consume(deque([[(owner, probed[owner])]]), None)
                probed[at] = await self._settled(probed[at])
            elif not isinstance(probed[at], Loaded):  # the baseline first, alone
                misses = [(i, item) for i, item in misses if i != at]
                await consume(deque([[(at, probed[at])]]), None)
            against = (probed[at].record, baseline, names, directions)  # type: ignore[union-attr]
        size = max(1, int(self.config.read_batch))
        await consume(deque(misses[i : i + size] for i in range(0, len(misses), size)), against)
        # Then the notebooks other requests were reading (ours are done, so
        # a path of this request waiting for another of its paths goes on).
        for index, item in enumerate(probed):
            if isinstance(item, _Waiting):
                probed[index] = await self._settled(item)
        # Every miss was replaced by its Loaded.
        return probed  # type: ignore[return-value]

    async def compare(
        self,
        paths: Sequence[str],
        baseline: str | None = None,
        names: Sequence[str] | None = None,
        directions: dict[str, str] | None = None,
        group_by: Sequence[str] | None = None,
    ) -> bytes:
        """The JSON body of ``POST nbcompare/compare`` (validated request assumed).

        A repeated request over unchanged notebooks is answered from the
        response cache. Raises ``ValueError`` when the core rejects the
        request (a bad baseline).
        """
        names = None if names is None else list(names)
        directions = None if directions is None else dict(directions)
        loaded = await self.load(paths, (baseline or paths[0], names, directions))
        directions_key = None if directions is None else sorted(directions.items())
        group_key = None if group_by is None else list(group_by)  # groups change the answer
        material = (
            [(item.path, item.token) for item in loaded],
            baseline,
            names,
            directions_key,
            group_key,
        )
        # A digest, not the request itself: a request naming 200,000 names would
        # otherwise keep them all in memory as long as its answer is cached.
        digest = hashlib.sha256(orjson.dumps(material, default=repr)).digest()
        key = ("compare", digest)
        body = self.responses.get(key) if self.responses.budget else None
        if body is not None:
            return body
        pending = self._answers.get(key)
        if pending is not None:
            # The same answer is being assembled for another request: share it.
            body = await asyncio.shield(pending)
            if body is not None:
                return body
        pending = self._answers[key] = asyncio.get_running_loop().create_future()
        try:
            entries = [item.entry() for item in loaded]
            arguments = (entries, baseline, names, directions, group_by)
            # Only the rows are assembled here (in a thread): the cells of every
            # notebook read just now were made where it was parsed.
            body = await self._in_thread(loader.compare_json, *arguments)
        except Exception as error:
            pending.set_exception(error)
            pending.exception()  # retrieved: nobody may be waiting
            raise
        else:
            pending.set_result(body)
        finally:
            if self._answers.get(key) is pending:
                del self._answers[key]
            if not pending.done():  # cancelled: the others assemble their own
                pending.set_result(None)
        if self.responses.budget:
            self.responses.put(key, body)
        return body

    async def read_notebook(self, path: str) -> dict:
        """One parsed notebook (never cached: only ``output`` needs the whole file).

        Raises ``HTTPError(404)`` when Jupyter refuses the path or the file is
        not a readable notebook, since ``output`` then has no image to give.
        """
        limit = int(self.config.max_notebook_bytes)
        if self.uses_fast_path:

            def read() -> bytes | Loaded:
                resolved = self._fast_resolve(path)
                if isinstance(resolved, Loaded):
                    return resolved
                return self._fast_read(path, resolved[0], limit)

            raw = await self._in_thread(read)
        else:
            model = await self._generic_model(path, content=False)
            if not isinstance(model, Loaded):
                if model.get("type") == "directory":
                    model = _refused(path, "not_found")
                elif (model.get("size") or 0) > limit:
                    model = _too_large(path, model["size"], limit, None)
                else:
                    model = await self._generic_model(
                        path, content=True, type="file", format="base64"
                    )
            raw = model if isinstance(model, Loaded) else _model_bytes(model)
        if isinstance(raw, Loaded):
            raise HTTPError(404, raw.error["message"] or NOT_FOUND_MESSAGE)

        def parse() -> dict | None:
            try:
                return reader.parse_notebook(raw)
            except Exception:
                return None

        notebook = await self._in_thread(parse)
        if notebook is None:
            raise HTTPError(404, "The notebook cannot be read, so it has no image.")
        return notebook

    async def image(
        self, path: str, name: str, origin: str = "tag", part: int | None = None
    ) -> tuple[str, bytes]:
        """The image a (path, name, origin, part) designates; ``HTTPError(404)`` if none."""
        notebook = await self.read_notebook(path)

        def find() -> tuple[str, bytes] | None:
            try:
                return extract.image_of(notebook, name, origin, part)
            except Exception:
                log.warning("nbcompare: looking up an image failed", exc_info=True)
                return None

        found = await self._in_thread(find)
        if found is None:
            raise HTTPError(404, "No image under this name, origin and part.")
        return found

    def _fast_listing(self, directory: str) -> list[dict] | None:
        """The manager's listing rules, without its per-entry model (worker thread).

        Mirrors ``FileContentsManager._dir_model``: the folder must be one
        Jupyter shows (inside the root, not hidden unless allowed); entries
        that are not files, folders or links, names matching ``hide_globs``
        and hidden entries are left out (a broken link is listed, as Jupyter
        lists it; reading it then answers ``not_found``). Answers children as
        ``{"name", "path", "type"}`` (the fields the scan uses), or ``None``.
        """
        cm = self.contents_manager
        api = directory.strip("/")
        try:
            os_dir = cm._get_os_path(api)
        except HTTPError:
            return None
        if not os.path.isdir(os_dir):
            return None
        if not cm.allow_hidden and jupyter_is_hidden(os_dir, os.path.abspath(cm.root_dir)):
            return None
        try:
            names = os.listdir(os_dir)
        except OSError:
            return None
        children = []
        for name in names:
            os_path = os.path.join(os_dir, name)
            try:
                info = os.lstat(os_path)
                if not (
                    stat_module.S_ISLNK(info.st_mode)
                    or stat_module.S_ISREG(info.st_mode)
                    or stat_module.S_ISDIR(info.st_mode)
                ):
                    continue
                if not cm.should_list(name):
                    continue
                if not cm.allow_hidden and jupyter_is_file_hidden(os_path, stat_res=info):
                    continue
                is_dir = os.path.isdir(os_path)  # follows links, as the manager does
            except (OSError, ValueError):
                continue
            kind = "directory" if is_dir else "file"
            children.append({"name": name, "path": f"{api}/{name}" if api else name, "type": kind})
        return sorted(children, key=lambda child: child["name"])

    def _folder_identity(self, directory: str) -> Hashable:
        """What makes two API paths the same folder (worker thread): device and inode.

        A folder reached through links (``loop -> .``) has one identity
        however many paths lead to it. A manager without files on disk has
        no links: there the API path is the identity.
        """
        api = directory.strip("/")
        try:
            info = os.stat(self.contents_manager._get_os_path(api))
        except (AttributeError, HTTPError, OSError, ValueError, TypeError):
            return ("api", api)
        return (info.st_dev, info.st_ino)

    async def list_notebooks(
        self, path: str, recursive: bool, cancelled: Callable[[], bool] | None = None
    ) -> tuple[list[str], str | None]:
        """Notebook paths below a directory, by the manager's listing rules.

        Hidden entries (unless allowed) and the manager's ``hide_globs`` are
        left out. The generic path asks the manager for each folder; the fast
        path applies the same rules in a worker thread, one call per folder.
        Every folder is entered once, however many links lead to it (the first
        path in scan order names its notebooks): a folder of links to itself
        cannot keep the scan busy. The scan is bounded by ``index_max_notebooks``,
        ``index_max_depth``, ``index_max_folders`` and ``index_max_seconds``, and
        stops between two folders once ``cancelled()`` (the client went away).
        Answers (paths sorted, the option that cut the scan or ``None``).
        Raises ``HTTPError(404)`` when ``path`` is not a directory Jupyter shows.
        """
        config = self.config
        limit = max(0, int(config.index_max_notebooks))
        max_depth = max(0, int(config.index_max_depth))
        max_folders = max(1, int(config.index_max_folders))
        deadline = time.monotonic() + float(config.index_max_seconds)
        root = path.strip("/")
        fast = self.uses_fast_path
        seen: set[Hashable] = set()

        def fast_listing(directory: str) -> tuple[Hashable, list[dict] | None]:
            return self._folder_identity(directory), self._fast_listing(directory)

        async def listing(directory: str) -> list[dict] | None:
            """The folder's children, or ``None`` when refused or already seen."""
            if fast:
                identity, children = await self._in_thread(fast_listing, directory)
            else:
                model = await self._generic_model(directory, content=True, type="directory")
                if isinstance(model, Loaded) or model.get("type") != "directory":
                    return None
                children = sorted(model.get("content") or [], key=lambda child: child["name"])
                identity = await self._in_thread(self._folder_identity, directory)
            if children is None or identity in seen:
                return None
            seen.add(identity)
            return children

        def stop_reason() -> str | None:
            if cancelled is not None and cancelled():
                return "disconnected"
            if len(seen) >= max_folders:
                return "index_max_folders"
            if time.monotonic() >= deadline:
                return "index_max_seconds"
            return None

        top = await listing(root)
        if top is None:
            raise HTTPError(404, "No such directory.")
        found: list[str] = []
        reason: str | None = None
        stopped = False
        stack: list[tuple[list[dict], int]] = [(top, 0)]
        while stack and not stopped:
            children, depth = stack.pop()
            subdirectories = []
            for child in children:
                if child.get("type") == "directory":
                    subdirectories.append(child["path"])
                elif child["name"].endswith(".ipynb"):
                    if len(found) >= limit:
                        reason, stopped = "index_max_notebooks", True
                        break
                    found.append(child["path"])
            if not recursive or stopped or not subdirectories:
                continue
            if depth + 1 > max_depth:
                # Only this branch is cut: its siblings are still listed.
                reason = "index_max_depth"
                continue
            below = []
            for directory in subdirectories:  # in path order: the first path wins
                cut = stop_reason()
                if cut is not None:
                    reason, stopped = cut, True
                    break
                children_below = await listing(directory)
                if children_below is not None:
                    below.append((children_below, depth + 1))
            stack.extend(reversed(below))
        return sorted(found), reason

    async def index(
        self, path: str, recursive: bool, cancelled: Callable[[], bool] | None = None
    ) -> dict[str, Any]:
        """The body of ``GET nbcompare/index`` (the core summarises, we add scan facts).

        ``truncated_reason`` names the option that cut the scan (``None`` when
        nothing was cut); ``cancelled`` tells when the client went away.
        """
        notebooks, reason = await self.list_notebooks(path, recursive, cancelled)
        if reason == "disconnected":
            notebooks = []  # nobody is left to read the answer
        loaded = await self.load(notebooks)
        entries = [item.entry() for item in loaded]
        answer = await self._in_thread(
            partial(core_index.index_summary, entries, path=path.strip("/"), truncated=bool(reason))
        )
        answer["truncated_reason"] = reason
        return answer
