"""Index scans in flight: one per (folder, recursive), shared, with their progress.

A first (cold) recursive index of thousands of notebooks takes seconds. Two
things follow:

* concurrent identical ``GET nbcompare/index`` requests (two tabs, a poll
  and a refresh) share one scan (single flight), which stops early only
  when every client waiting for it went away;
* the scan publishes what it has done so far (:class:`ScanProgress`:
  folders entered, notebooks found, notebooks read), which
  ``GET nbcompare/index/progress`` answers while the index request waits.

Memory stays bounded: one record per scan in flight, and once a scan ends
only its last totals, for the :data:`KEPT_TOTALS` keys ended last.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

#: How many ended scans keep their last totals (the oldest are forgotten first).
KEPT_TOTALS = 16

#: The fields of a progress answer, besides ``running``.
COUNTERS = ("folders", "notebooks", "read")


class ScanProgress:
    """Counters of one scan: folders entered, notebooks found, notebooks read.

    The listing counts on the event loop; the fast read path counts in
    worker threads as each batch is accepted, hence the lock (``+=`` on an
    attribute is not atomic).
    """

    __slots__ = ("_lock", "folders", "notebooks", "read")

    def __init__(self) -> None:
        """All counters at zero."""
        self._lock = threading.Lock()
        self.folders = 0
        self.notebooks = 0
        self.read = 0

    def add(self, folders: int = 0, notebooks: int = 0, read: int = 0) -> None:
        """Count more work done (any thread)."""
        with self._lock:
            self.folders += folders
            self.notebooks += notebooks
            self.read += read

    def totals(self) -> dict[str, int]:
        """The counters now, as the progress answer's fields."""
        with self._lock:
            return {"folders": self.folders, "notebooks": self.notebooks, "read": self.read}


class _Flight:
    """One scan in flight: its answer to come, its progress, and who waits for it."""

    __slots__ = ("abandoned", "future", "progress", "waiters")

    def __init__(self, future: asyncio.Future, cancelled: Callable[[], bool] | None) -> None:
        self.future = future
        self.progress = ScanProgress()
        self.waiters: list[Callable[[], bool] | None] = [cancelled]
        #: Whether the scan was told to stop because nobody was left to answer.
        self.abandoned = False

    def cancelled(self) -> bool:
        """Whether every request waiting for this scan went away (a Python caller never does)."""
        if any(waiter is None or not waiter() for waiter in self.waiters):
            return False
        self.abandoned = True
        return True


#: The work of one scan: given its progress record and its ``cancelled``, the answer.
Work = Callable[[ScanProgress, Callable[[], bool]], Awaitable[bytes]]


class ScanFlights:
    """The index scans in flight in this server, by ``(folder, recursive)`` (event loop only)."""

    def __init__(self, kept: int = KEPT_TOTALS) -> None:
        """No scan in flight; the last totals of ``kept`` ended scans are remembered."""
        self._flights: dict[Hashable, _Flight] = {}
        self._ended: OrderedDict[Hashable, dict[str, int]] = OrderedDict()
        self._kept = max(0, int(kept))

    def __len__(self) -> int:
        """How many scans are in flight."""
        return len(self._flights)

    def progress(self, key: Hashable) -> dict[str, Any]:
        """``{"running", "folders", "notebooks", "read"}`` of the scan of ``key``.

        ``running`` is false when no scan of ``key`` is in flight; the counters
        are then the last totals of its scan that ended last, or zeros.
        """
        flight = self._flights.get(key)
        if flight is not None:
            return {"running": True, **flight.progress.totals()}
        totals = self._ended.get(key) or dict.fromkeys(COUNTERS, 0)
        return {"running": False, **totals}

    async def run(self, key: Hashable, cancelled: Callable[[], bool] | None, work: Work) -> bytes:
        """The answer of the scan of ``key``: the one in flight if any, else ``work``'s.

        ``cancelled`` tells when this caller's client went away (``None``: never).
        The shared scan stops early only when every caller's client went away;
        a caller that joined a scan stopped that way (it came in late) runs a
        scan of its own. An error of the scan (a 404) reaches every caller.
        """
        while True:
            flight = self._flights.get(key)
            if flight is None:
                return await self._own(key, cancelled, work)
            if not flight.abandoned:
                flight.waiters.append(cancelled)
            body = await asyncio.shield(flight.future)
            if body is not None and not flight.abandoned:
                return body
            # The scan stopped for want of clients (or its owner was cancelled):
            # its answer is empty. Wait until it is gone, then scan again.
            while self._flights.get(key) is flight:
                await asyncio.sleep(0)

    async def _own(self, key: Hashable, cancelled: Callable[[], bool] | None, work: Work) -> bytes:
        """Run the scan of ``key`` for this caller and whoever joins it meanwhile."""
        flight = self._flights[key] = _Flight(asyncio.get_running_loop().create_future(), cancelled)
        try:
            body = await work(flight.progress, flight.cancelled)
        except Exception as error:
            flight.future.set_exception(error)
            flight.future.exception()  # retrieved: nobody may be waiting
            raise
        else:
            flight.future.set_result(body)
            return body
        finally:
            if self._flights.get(key) is flight:
                del self._flights[key]
            if not flight.future.done():  # cancelled: the others scan for themselves
                flight.future.set_result(None)
            self._remember(key, flight.progress.totals())

    def _remember(self, key: Hashable, totals: dict[str, int]) -> None:
        """Keep an ended scan's last totals, forgetting the oldest beyond ``kept``."""
        if self._kept == 0:
            return
        self._ended[key] = totals
        self._ended.move_to_end(key)
        while len(self._ended) > self._kept:
            self._ended.popitem(last=False)
