"""The extension's worker threads and worker processes, and when they stop.

Reading, parsing and extraction run off the event loop, so the server keeps
answering other requests during a large cold compare: in the extension's own
threads (:meth:`Pools.in_thread`), and in the worker processes of
``NbCompare.parse_processes`` (:mod:`.worker`; one by default where a second
CPU exists). Idle worker processes stop after ``worker_idle_seconds``; the
next compare starts them again.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from .app import NbCompare
from .worker import WorkerPool

log = logging.getLogger(__name__)


def _available_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _stop_when_idle(reference: weakref.ref, pool: WorkerPool) -> None:
    """The idle watcher of one pool (a daemon thread): ends when the pool does.

    Checks a few times per ``worker_idle_seconds``; holds the pools only
    weakly, so a server that goes away takes its watcher with it.
    """
    while True:
        pools = reference()
        if pools is None:
            return
        timeout = float(pools.config.worker_idle_seconds)
        interval = min(60.0, max(0.05, timeout / 4)) if timeout > 0 else 60.0
        if pools.stop_if_idle(pool):
            return
        del pools
        if pool.wait_closed(interval):
            return


def _close_pools(reference: weakref.ref) -> None:
    pools = reference()
    if pools is not None:
        pools.close()


class Pools:
    """The threads and worker processes of one service, sized by its ``NbCompare`` options.

    The options are read at every call, so a changed trait takes effect on
    the next request.
    """

    def __init__(self, config: NbCompare) -> None:
        """Nothing starts here: threads and processes are made on first use."""
        self.config = config
        self._threads: ThreadPoolExecutor | None = None
        self._threads_size = 0
        self._pool: WorkerPool | None = None
        self._pool_lock = threading.Lock()
        self._active = 0  # compares using the worker processes now
        self._last_use = time.monotonic()
        self._exit_hook = False
        self._slots: asyncio.Semaphore | None = None
        self._slots_size = 0

    def worker_count(self) -> int:
        """How many worker processes ``NbCompare.parse_processes`` asks for (-1: automatic)."""
        wanted = int(self.config.parse_processes)
        if wanted >= 0:
            return wanted
        return 1 if _available_cpus() >= 2 else 0

    def threads(self) -> ThreadPoolExecutor:
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

    def slots(self, workers: int) -> asyncio.Semaphore:
        """The semaphore bounding calls to worker processes (resized with the option)."""
        if self._slots is None or self._slots_size != workers:
            self._slots, self._slots_size = asyncio.Semaphore(workers), workers
        return self._slots

    async def in_thread(self, function: Any, *args: Any) -> Any:
        """Run ``function(*args)`` in a worker thread and await its answer.

        Plain ``run_in_executor``: one hand-off costs tens of microseconds,
        several times less than a generic thread helper, which matters for
        the many small calls of a large cold compare.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.threads(), partial(function, *args))

    def pool(self) -> WorkerPool:
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
                atexit.register(_close_pools, weakref.ref(self))
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
    def using_workers(self) -> Iterator[None]:
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

    def stop_if_idle(self, pool: WorkerPool) -> bool:
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

    def close(self) -> None:
        """Stop the worker processes, if any were started (the next use starts new ones)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
