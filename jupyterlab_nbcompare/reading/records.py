"""Where a notebook's record is found before anyone parses it.

* the values extracted from each notebook are kept in a :class:`ByteBudgetCache`
  keyed by (path, modification time, size), so an unchanged notebook is parsed
  once;
* records also go to a persistent store (:mod:`..store`, SQLite), so a
  restarted server finds them without parsing;
* concurrent requests that need the same file share one read (single flight:
  :meth:`RecordKeeper.claim` and :meth:`RecordKeeper.release`).

Both read paths use one :class:`RecordKeeper` (each is a :class:`Reader`);
only their keys differ.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from concurrent.futures import Future
from typing import Any

from .. import loader
from ..app import NbCompare
from ..cache import ByteBudgetCache
from ..pools import Pools
from ..store import RecordStore, default_path
from .loaded import Loaded, Waiting


class RecordKeeper:
    """The record cache, the persistent store, the reads in progress and the parse count.

    Thread-safe: the read paths call it from worker threads.
    """

    def __init__(self, config: NbCompare) -> None:
        """An empty cache of ``NbCompare.cache_bytes``; the store opens on first use."""
        self.config = config
        self.cache = ByteBudgetCache(config.cache_bytes)
        self.parsed = 0
        self._parsed_lock = threading.Lock()
        self._store: RecordStore | None = None
        self._store_configured: tuple[str, str] | None = None
        self._store_lock = threading.Lock()
        # Single flight: the reads in progress (key -> Future of its Loaded).
        self._inflight: dict[Hashable, Future] = {}
        self._inflight_lock = threading.Lock()

    def record_store(self) -> RecordStore | None:
        """The persistent record store as configured now (``None`` when turned off).

        Opened at server start-up (:meth:`.service.NotebookService.start_workers`,
        in a worker thread), else by the first look-up; a changed
        ``record_store_path`` opens the new file at the next call.
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
            with self._store_lock:
                if self._store is None or self._store.path != path:
                    old, self._store = self._store, RecordStore(path, budget)
                    if old is not None:
                        old.close()
                store = self._store
        store.budget = budget
        return store

    # -- parsing (any thread) ------------------------------------------------

    def parse_extract(self, raw: bytes | str) -> tuple[dict | None, dict | None, int]:
        """Bytes of one notebook -> ``loader.parse_extract``'s triple; never raises."""
        self.count_parsed(1)
        return loader.parse_extract(raw)

    def count_parsed(self, count: int) -> None:
        """Count notebooks parsed (the tests' proof that the cache spares work)."""
        with self._parsed_lock:
            self.parsed += count

    # -- lookups -------------------------------------------------------------

    def remember(
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
        self.cache.put(key, (record, error, modified), size)
        store = self.record_store() if store_key is not None else None
        if store is not None:
            store.put(store_key, (record, error, modified))

    def from_store(
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
                self.cache.put(key, value, nbytes + 64)
                found[key] = value
        return found

    # -- single flight -------------------------------------------------------

    def claim(self, key: Hashable, path: str, os_path: str) -> Future | Waiting | Loaded:
        """Become the one reader of ``key`` (a new Future), or wait for the current one.

        Answers a ``Loaded`` when the notebook reached the cache since the
        probe (its reader finished in between), so no read is repeated.
        """
        with self._inflight_lock:
            future = self._inflight.get(key)
            if future is not None:
                return Waiting(path, os_path, future)
            cached = self.cache.get(key) if key in self.cache else None
            if cached is not None:
                return Loaded(path, cached[2], cached[0], cached[1], key)
            future = self._inflight[key] = Future()
            return future

    def release(self, key: Hashable, future: Future, loaded: Loaded | None) -> None:
        """End a claim: waiters get ``loaded`` (``None``: read it yourselves)."""
        with self._inflight_lock:
            if self._inflight.get(key) is future:
                del self._inflight[key]
        if not future.done():
            future.set_result(loaded)


class Reader:
    """What each read path holds: the manager, the options, the records and the pools."""

    def __init__(
        self, contents_manager: Any, config: NbCompare, keeper: RecordKeeper, pools: Pools
    ) -> None:
        """Read through ``contents_manager``, remember in ``keeper``, work in ``pools``."""
        self.contents_manager = contents_manager
        self.config = config
        self.keeper = keeper
        self.pools = pools
