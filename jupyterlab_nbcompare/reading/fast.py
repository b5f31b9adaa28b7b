"""The fast path: notebooks of a stock file manager, read from the disk directly.

For file-backed managers that keep the stock rules
(:func:`..paths.keeps_stock_rules`), the manager resolves and checks each
path, then the file is stat'ed and its bytes read directly: the generic read
costs several times the JSON parse itself. A load goes:

1. :meth:`FastReader._probe`, one worker-thread call for every path: check,
   stat, look the record up (memory, then the persistent store), and claim
   each miss (single flight); a warm compare is this one call;
2. the misses, in batches of ``NbCompare.read_batch``, are read, parsed and
   extracted (:mod:`..loader`) in the server's thread and in the worker
   processes, which take batches from one queue (:meth:`FastReader._drain`);
   for a compare, each notebook's response cells are made there too, against
   the baseline read first;
3. the notebooks other requests were reading are waited for.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat as stat_module
from collections import deque
from collections.abc import Hashable, Sequence
from concurrent.futures import Future
from typing import Any

from tornado.web import HTTPError

from .. import loader
from ..core.files import iso_utc
from ..paths import hidden_by_name
from ..scans import ScanProgress
from ..worker import PIPELINE_BYTES, WorkerError, WorkerStartError, request
from .loaded import WORKER_STOPPED_MESSAGE, Loaded, Waiting, refused, too_large
from .records import Reader

log = logging.getLogger(__name__)


def _take(batches: deque) -> Any:
    """The next batch of a queue that several threads take from, or ``None``."""
    try:
        return batches.popleft()
    except IndexError:
        return None


class FastReader(Reader):
    """Reads the notebooks of a file manager that keeps the stock rules (worker threads)."""

    # -- one file (worker threads) -------------------------------------------

    def resolve(self, path: str) -> tuple[str, os.stat_result] | Loaded:
        """Let the manager resolve and check ``path``; stat it. A ``Loaded`` means refused."""
        cm = self.contents_manager
        try:
            os_path = cm._get_os_path(path.strip("/"))
        except HTTPError:
            return refused(path, "not_found")
        root = os.path.abspath(cm.root_dir)
        if not cm.allow_hidden and hidden_by_name(os_path, root):
            return refused(path, "not_found")
        try:
            info = os.stat(os_path)
        except PermissionError:
            return refused(path, "forbidden")
        except (OSError, ValueError):
            return refused(path, "not_found")
        if not stat_module.S_ISREG(info.st_mode):
            return refused(path, "not_found")
        return os_path, info

    def _read(self, path: str, os_path: str, limit: int) -> bytes | Loaded:
        """The bytes of a checked file, or the refusal as a ``Loaded``."""
        kind, payload, stamp = loader.read_bytes(os_path, limit)
        if kind == "bytes":
            return payload
        if kind == "too_large":
            return too_large(path, payload, limit, iso_utc(stamp[2]))
        return refused(path, kind)

    async def notebook_bytes(self, path: str) -> bytes | Loaded:
        """The whole file at ``path`` (for ``output``), or the refusal as a ``Loaded``."""
        limit = int(self.config.max_notebook_bytes)

        def read() -> bytes | Loaded:
            resolved = self.resolve(path)
            if isinstance(resolved, Loaded):
                return resolved
            return self._read(path, resolved[0], limit)

        return await self.pools.in_thread(read)

    # -- many notebooks ------------------------------------------------------

    def _probe(
        self, paths: Sequence[str], claims: dict[int, tuple[Hashable, Future]]
    ) -> list[Loaded | tuple[str, str] | Waiting]:
        """First pass, one worker-thread call for every path: check, stat, cache lookup.

        Answers a ``Loaded`` for each refused, too large or cached notebook
        (in memory, else in the persistent store: one query for all), a
        ``Waiting`` for one that another request is reading now, and
        ``(path, os_path)`` for each one this request must read, its claim
        then in ``claims`` (by position). A warm compare is then this single
        call: no read, no parse, no formatting.
        """
        limit = int(self.config.max_notebook_bytes)
        out: list[Any] = []
        missing: list[tuple[int, str, str, Hashable, Hashable]] = []
        for path in paths:
            resolved = self.resolve(path)
            if isinstance(resolved, Loaded):
                out.append(resolved)
                continue
            os_path, info = resolved
            if info.st_size > limit:
                out.append(too_large(path, info.st_size, limit, iso_utc(info.st_mtime)))
                continue
            key = ("file", os_path, info.st_mtime_ns, info.st_size)
            cached = self.keeper.cache.get(key)
            if cached is None:
                store_key = (*key, info.st_ino, info.st_dev)
                missing.append((len(out), path, os_path, key, store_key))
                out.append(None)
            else:
                out.append(Loaded(path, cached[2], cached[0], cached[1], key))
        stored = self.keeper.from_store(self.keeper.record_store(), [(m[3], m[4]) for m in missing])
        for index, path, os_path, key, _ in missing:
            found = stored.get(key)
            if found is not None:
                out[index] = Loaded(path, found[2], found[0], found[1], key)
                continue
            claim = self.keeper.claim(key, path, os_path)
            if isinstance(claim, Future):
                claims[index] = (key, claim)
                claim = (path, os_path)
            out[index] = claim
        return out

    def _accept(self, path: str, os_path: str, outcome: tuple) -> Loaded:
        """Turn what :mod:`..loader` answered for a miss into a ``Loaded``, and cache it."""
        kind, payload, stamp, size = outcome
        limit = int(self.config.max_notebook_bytes)
        if kind == "too_large":
            return too_large(path, payload, limit, iso_utc(stamp[2]))
        if kind not in ("record", "error"):
            return refused(path, kind)
        # Keyed by the stat of the file actually read, taken before reading:
        # a later change always shows as a new key.
        key = ("file", os_path, stamp[0], stamp[1])
        record, error = (payload, None) if kind == "record" else (None, payload)
        store_key = self._file_store_key(key, os_path, stamp, error)
        modified = iso_utc(stamp[2])
        self.keeper.remember(key, record, error, modified, size, store_key)
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

    def _read_batch(
        self, misses: Sequence[tuple[str, str]], against: tuple | None = None
    ) -> list[Loaded]:
        """A few misses in one worker-thread call: read, parse, extract, remember.

        With ``against`` (see :func:`..loader.load_compare_files`), each
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
        self.keeper.count_parsed(
            sum(1 for outcome in outcomes if outcome[0] in ("record", "error"))
        )
        loaded = [self._accept(p, o, out) for (p, o), out in zip(misses, outcomes)]
        if cells is not None:
            loaded = [
                item if made is None or item.record is None else item._replace(cells=made)
                for item, made in zip(loaded, cells)
            ]
        return loaded

    # -- in the worker processes ---------------------------------------------

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
        with self.pools.using_workers():
            self._drain(batches, place, against)

    def _drain(self, batches: deque, place: Any, against: tuple | None) -> None:
        """The body of :meth:`_drain_in_process`."""
        limit = int(self.config.max_notebook_bytes)
        inflight: deque = deque()

        def items(batch: list) -> list[tuple[str, str]]:
            return [item for _, item in batch]

        while True:
            try:
                with self.pools.pool().reserve() as process:
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
                        place(batch, self._read_batch(items(batch), against))
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
            return self.pools.pool().call("load_files", [os_path], limit)[0]
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

    # -- one load (event loop) -----------------------------------------------

    async def _settled(self, waiting: Waiting) -> Loaded:
        """The ``Loaded`` another request read for this one, under this request's path.

        Its cells were made for the other request's baseline, so they are
        left out (this answer makes its own). If that request gave up, the
        file is read here.
        """
        loaded = await asyncio.wrap_future(waiting.future)
        if loaded is None:
            (loaded,) = await self.pools.in_thread(
                self._read_batch, [(waiting.path, waiting.os_path)]
            )
            return loaded
        return loaded._replace(path=waiting.path, cells=None)

    async def load(
        self, paths: list[str], compare_with: tuple | None, progress: ScanProgress | None = None
    ) -> list[Loaded]:
        """The fast path of :meth:`..service.NotebookService.load`."""
        claims: dict[int, tuple[Hashable, Future]] = {}
        try:
            return await self._load(paths, compare_with, claims, progress)
        finally:
            # Whatever happened here, no other request waits forever for
            # a notebook this one had claimed: it reads it itself.
            for key, future in list(claims.values()):
                self.keeper.release(key, future, None)

    async def _load(
        self,
        paths: list[str],
        compare_with: tuple | None,
        claims: dict[int, tuple[Hashable, Future]],
        progress: ScanProgress | None = None,
    ) -> list[Loaded]:
        """The body of :meth:`load`; ``claims`` holds the reads this request owns.

        ``progress`` counts each notebook as it is known: at once for those
        cached or refused, then batch by batch as they are read.
        """
        probed = await self.pools.in_thread(self._probe, paths, claims)
        if progress is not None:
            progress.add(read=sum(1 for item in probed if isinstance(item, Loaded)))
        misses = [
            (i, item)
            for i, item in enumerate(probed)
            if isinstance(item, tuple) and not isinstance(item, Loaded)  # (path, os_path)
        ]
        workers = self.pools.worker_count()

        def place(batch: list[tuple[int, tuple[str, str]]], loaded: list[Loaded]) -> None:
            # Called in the thread that accepted the batch, after the cache has
            # it: the requests waiting for these notebooks go on at once.
            for (index, _), item in zip(batch, loaded):
                probed[index] = item
                claim = claims.pop(index, None)
                if claim is not None:
                    self.keeper.release(*claim, item)
            if progress is not None:
                progress.add(read=len(batch))

        async def in_threads(batches: deque, against: tuple | None) -> None:
            # One batch after the other: threads share one GIL, so parsing
            # in two at once is no faster and makes them wait for each
            # other; the other worker threads stay free for other requests.
            while (batch := _take(batches)) is not None:
                items = [item for _, item in batch]
                place(batch, await self.pools.in_thread(self._read_batch, items, against))

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
                    await self.pools.in_thread(self._drain_in_process, batches, place, against)

        async def consume(batches: deque, against: tuple | None) -> None:
            if not workers:
                await in_threads(batches, against)
                return
            # Every worker process (and one server thread, unless told
            # otherwise) takes batches from one queue until it is empty: on
            # two cores, one worker and the server's thread parse on both.
            slots = self.pools.slots(workers)
            consumers = [in_a_process(slots, batches, against) for _ in range(workers)]
            if self.config.parse_in_server:
                consumers.append(in_threads(batches, against))
            await asyncio.gather(*consumers)

        against = None
        if compare_with is not None and compare_with[0] in paths:
            baseline, names, directions = compare_with
            at = paths.index(baseline)
            if isinstance(probed[at], Waiting):
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
            if isinstance(item, Waiting):
                probed[index] = await self._settled(item)
                if progress is not None:
                    progress.add(read=1)
        # Every miss was replaced by its Loaded.
        return probed  # type: ignore[return-value]
