"""The layer between the REST handlers and the pure core.

It answers "what does each of these notebooks hold?" for the handlers, and
shapes what they send back. Each concern lives in a module of its own:

* :mod:`.paths`: which paths may be read, and whether a manager allows the
  fast path (the ContentsManager checks every path: root containment, the
  hidden-file rule, missing files, so the extension refuses exactly what
  Jupyter refuses);
* :mod:`.reading`: the read path, a **fast path** for file-backed managers
  (:mod:`.reading.fast`) and a **generic path** through
  ``contents_manager.get`` for any other (:mod:`.reading.generic`), over one
  record cache and persistent store (:mod:`.reading.records`);
* :mod:`.pools`: the threads and worker processes that read, parse and
  extract off the event loop;
* :mod:`.listing`: the folder scan behind ``index``;
* :mod:`.scans`: index scans in flight, shared, and their progress.

Whole compare answers are cached here, in a :class:`ByteBudgetCache` like
the records, so that repeating an unchanged comparison costs one ``stat`` per
notebook; concurrent requests for the same answer share one assembly.

No tornado handler lives here; the handlers call :class:`NotebookService`.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import orjson
from tornado.web import HTTPError

from . import loader
from .app import NbCompare
from .cache import ByteBudgetCache
from .core import extract, reader
from .core import index as core_index
from .listing import NotebookLister
from .paths import keeps_stock_rules
from .pools import Pools
from .reading import NOT_FOUND_MESSAGE, FastReader, GenericReader, Loaded, RecordKeeper
from .reading.generic import storage_identity
from .scans import ScanFlights, ScanProgress
from .store import RecordStore

log = logging.getLogger(__name__)

#: Error codes of a path the manager refused (not of a file's contents).
REFUSALS = ("forbidden", "not_found")
#: The version of the index answer's shape, in its persistent key: a change to
#: :func:`.core.index.index_summary` that keeps the records must bump it.
INDEX_FORMAT = 1


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


class NotebookService:
    """Reads notebooks through a ContentsManager, extracts them, caches, compares.

    One instance per server (``web_app.settings["nbcompare_service"]``). The
    configuration object is read at every call, so a changed trait takes
    effect on the next request. It holds one of each part: ``keeper`` (the
    records, :mod:`.reading.records`), ``pools`` (:mod:`.pools`), the two read
    paths ``fast`` and ``generic`` (:mod:`.reading`), and ``lister``
    (:mod:`.listing`).

    Public API (what the handlers use):

    * ``await load(paths) -> list[Loaded]``: one per path, same order, never raises
      for a path (a refused or unreadable notebook carries an ``error``);
    * ``await compare(paths, baseline, names, directions) -> bytes``: the JSON
      body of ``POST nbcompare/compare``;
    * ``await read_notebook(path) -> dict``: one parsed notebook, not cached, for
      ``GET nbcompare/output``; raises ``HTTPError(404)``;
    * ``await image(path, name, origin, part) -> (mime, bytes)``: raises 404;
    * ``await index(path, recursive) -> bytes``: the JSON body of ``GET nbcompare/index``;
    * ``await index_progress(path, recursive) -> dict``: the progress of that scan;
    * ``records`` / ``responses``: the two caches; ``stats()`` their counters.
    """

    def __init__(self, contents_manager: Any, config: NbCompare) -> None:
        """Bind the service to the server's contents manager and ``NbCompare`` options."""
        self.contents_manager = contents_manager
        self.config = config
        self.keeper = RecordKeeper(config)
        self.records = self.keeper.cache
        self.responses = ByteBudgetCache(config.response_cache_bytes)
        self.pools = Pools(config)
        self.fast = FastReader(contents_manager, config, self.keeper, self.pools)
        self.generic = GenericReader(contents_manager, config, self.keeper, self.pools)
        self.lister = NotebookLister(contents_manager, config, self.pools, self.generic)
        # Single flight: the compare answers being assembled (event loop only).
        self._answers: dict[Hashable, asyncio.Future] = {}
        # Single flight of index scans, with their progress (event loop only).
        self.scans = ScanFlights()
        config.observe(self._budget_changed, names=["cache_bytes", "response_cache_bytes"])

    def _budget_changed(self, change: dict) -> None:
        """Apply a new byte budget at once (the next ``put`` evicts down to it)."""
        cache = self.records if change["name"] == "cache_bytes" else self.responses
        cache.budget = max(0, int(change["new"]))

    @property
    def parsed(self) -> int:
        """How many notebooks were parsed (the tests' proof that the cache spares work)."""
        return self.keeper.parsed

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
        """The persistent record store as configured now (``None`` when turned off)."""
        return self.keeper.record_store()

    def worker_count(self) -> int:
        """How many worker processes ``NbCompare.parse_processes`` asks for (-1: automatic)."""
        return self.pools.worker_count()

    # -- which path ----------------------------------------------------------

    @property
    def uses_fast_path(self) -> bool:
        """Whether reads bypass ``contents_manager.get``.

        Only for managers that store plain files and whose rules we can follow
        exactly: a stock file manager, or a subclass that keeps every method
        deciding access or content (:data:`.paths.ACCESS_METHODS`). Any other
        manager gets the generic path.
        """
        return bool(self.config.fast_path) and keeps_stock_rules(self.contents_manager)

    # -- start and stop ------------------------------------------------------

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
            self.pools.pool()  # each worker imports the core and warms up now
        self.pools.threads().submit(loader.warm_up)
        store = self.record_store()
        if store is not None:
            self.pools.threads().submit(store.open_early)

    def close(self) -> None:
        """Stop the worker processes, if any were started (the next use starts new ones)."""
        self.pools.close()

    # -- public API ----------------------------------------------------------

    async def load(
        self,
        paths: Sequence[str],
        compare_with: tuple | None = None,
        progress: ScanProgress | None = None,
    ) -> list[Loaded]:
        """Read every path (cache first); one ``Loaded`` per path, in order.

        ``compare_with`` (``(baseline path, names, directions)`` of a compare
        request, the baseline one of ``paths``): the baseline is read first,
        then every notebook read after it gets its response cells made beside
        its record (``Loaded.cells``), so that work is spread over the worker
        processes and threads too. Cached notebooks get theirs when the
        answer is assembled. ``progress`` (an index scan's) counts each
        notebook once it is known.
        """
        paths = list(paths)
        if self.uses_fast_path:
            return await self.fast.load(paths, compare_with, progress)
        return await self.generic.load(paths, progress)

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
            body = await self.pools.in_thread(loader.compare_json, *arguments)
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
        if self.uses_fast_path:
            raw = await self.fast.notebook_bytes(path)
        else:
            raw = await self.generic.notebook_bytes(path)
        if isinstance(raw, Loaded):
            raise HTTPError(404, raw.error["message"] or NOT_FOUND_MESSAGE)

        def parse() -> dict | None:
            try:
                return reader.parse_notebook(raw)
            except Exception:
                return None

        notebook = await self.pools.in_thread(parse)
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

        found = await self.pools.in_thread(find)
        if found is None:
            raise HTTPError(404, "No image under this name, origin and part.")
        return found

    async def list_notebooks(
        self, path: str, recursive: bool, cancelled: Callable[[], bool] | None = None
    ) -> tuple[list[str], str | None]:
        """Notebook paths below a directory, by the manager's listing rules.

        See :meth:`.listing.NotebookLister.list_notebooks`. Answers (paths
        sorted, the option that cut the scan or ``None``); raises
        ``HTTPError(404)`` when ``path`` is not a directory Jupyter shows.
        """
        return await self.lister.list_notebooks(path, recursive, self.uses_fast_path, cancelled)

    async def index(
        self, path: str, recursive: bool, cancelled: Callable[[], bool] | None = None
    ) -> bytes:
        """The JSON body of ``GET nbcompare/index`` (the core summarises, we add scan facts).

        ``truncated_reason`` names the option that cut the scan (``None`` when
        nothing was cut); ``cancelled`` tells when the client went away.
        Concurrent identical requests share one scan (:mod:`.scans`), whose
        progress :meth:`index_progress` answers meanwhile; it stops early only
        when every one of their clients went away.
        """
        key = (path.strip("/"), bool(recursive))

        async def work(progress: ScanProgress, gone: Callable[[], bool]) -> bytes:
            return await self._index(path, recursive, gone, progress)

        return await self.scans.run(key, cancelled, work)

    async def index_progress(self, path: str, recursive: bool) -> dict[str, Any]:
        """The body of ``GET nbcompare/index/progress``: the index scan of ``path`` so far.

        ``path`` is refused exactly as :meth:`index` refuses it (404), through
        the same listing rules. Answers ``running`` and the counters of the
        scan in flight (folders entered, notebooks found, notebooks read), or
        the last totals when none is in flight (zeros when none ran lately).
        """
        await self.lister.check_folder(path, self.uses_fast_path)
        return self.scans.progress((path.strip("/"), bool(recursive)))

    async def _index(
        self,
        path: str,
        recursive: bool,
        cancelled: Callable[[], bool] | None,
        progress: ScanProgress,
    ) -> bytes:
        """The body of :meth:`index` for one scan (shared by the requests that wait for it).

        A repeated index of an unchanged tree is answered from the response
        cache, keyed by what the folder listings said of every notebook (its
        stamp: inode, size, modification and change times; a remote
        manager's ``last_modified`` and ``size``). It then costs the listings
        and nothing per notebook beyond them: no record look-up, no summary,
        no serialisation. The answer is also kept in the persistent record
        store (under the storage's identity, since the store is shared by
        every server of the user), so that the first index after a restart
        costs the same. An answer naming a notebook without a stamp, or one
        that was refused (an access rule may change without the file
        changing), is not kept.
        """
        found = await self.lister.scan(path, recursive, self.uses_fast_path, cancelled, progress)
        notebooks, reason = found.paths, found.reason
        if reason == "disconnected":
            notebooks = []  # nobody is left to read the answer
        key = None
        if self.responses.budget and all(found.stamps.get(p) is not None for p in notebooks):
            material = (
                path.strip("/"),
                recursive,
                reason,
                [(p, found.stamps[p]) for p in notebooks],
            )
            key = ("index", hashlib.sha256(orjson.dumps(material, default=str)).digest())
            body = self.responses.get(key)
            if body is None:
                body = await self.pools.in_thread(self._stored_index, key)
            if body is not None:
                progress.add(read=len(notebooks))
                return body
        parts, refused = await self._index_parts(notebooks, found.stamps, progress)

        def summarise() -> bytes:
            answer = core_index.index_merge(parts, path=path.strip("/"), truncated=bool(reason))
            answer["truncated_reason"] = reason
            return orjson.dumps(answer)

        body = await self.pools.in_thread(summarise)
        if key is not None and reason != "disconnected" and not refused:
            self.responses.put(key, body)
            store = self.record_store()
            if store is not None:
                store.put(self._index_store_key(key), body)
        return body

    async def _index_parts(
        self, notebooks: Sequence[str], stamps: dict[str, Hashable | None], progress: ScanProgress
    ) -> tuple[list[dict], bool]:
        """The index summaries of the folders of ``notebooks`` (:func:`.core.index.index_part`).

        Each folder's part is kept in the response cache under what its
        listing said of its notebooks (their paths and stamps), so after one
        notebook changed only its folder is read and summarised again; the
        others cost a look-up. A folder with a notebook without a stamp, or
        with one that was refused (an access rule may change without the
        file changing), is summarised each time. Answers the parts, in
        folder order, and whether any notebook was refused.
        """
        folders: dict[str, list[str]] = {}
        for notebook in notebooks:
            folders.setdefault(notebook.rpartition("/")[0], []).append(notebook)
        parts: dict[str, dict] = {}
        keys: dict[str, Hashable | None] = {}
        for folder, paths in folders.items():
            key = None
            if self.responses.budget and all(stamps.get(p) is not None for p in paths):
                material = [(p, stamps[p]) for p in paths]
                digest = hashlib.sha256(orjson.dumps(material, default=str)).digest()
                key = ("index-part", INDEX_FORMAT, digest)
                part = self.responses.get(key)
                if part is not None:
                    parts[folder] = part
                    progress.add(read=len(paths))
                    continue
            keys[folder] = key
        wanted = [p for folder in keys for p in folders[folder]]
        loaded = iter(await self.load(wanted, progress=progress))  # one per path, in order
        by_folder = {folder: [next(loaded) for _ in folders[folder]] for folder in keys}

        def summarise() -> dict[str, dict]:
            return {
                folder: core_index.index_part([item.entry() for item in by_folder[folder]])
                for folder in keys
            }

        refused = False
        for folder, part in (await self.pools.in_thread(summarise)).items():
            parts[folder] = part
            if any(item.error and item.error.get("code") in REFUSALS for item in by_folder[folder]):
                refused = True
            elif keys[folder] is not None:
                self.responses.put(keys[folder], part)
        return [parts[folder] for folder in folders], refused

    def _index_store_key(self, key: Hashable) -> Hashable:
        """An index answer's key in the persistent store: with the storage's identity.

        The same folder paths and stamps on another server of the user (another
        root, another bucket) must not share an answer.
        """
        return (*key, INDEX_FORMAT, *storage_identity(self.contents_manager))

    def _stored_index(self, key: Hashable) -> bytes | None:
        """An index answer from the persistent store (worker thread), into memory too."""
        store = self.record_store()
        if store is None:
            return None
        found = store.get_many([self._index_store_key(key)])
        value = next(iter(found.values()), (None, 0))[0]
        if not isinstance(value, bytes):
            return None
        self.responses.put(key, value)
        return value
