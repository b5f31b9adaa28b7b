"""An explicit least-recently-used cache with a byte budget.

The server keeps the values it extracted from each notebook, keyed by path and
modification time, so that an unchanged notebook is parsed once however often it
is compared. Notebooks differ in size by orders of magnitude, so the cache is
bounded by an estimate of the bytes it holds rather than by a count, and it is an
object of its own (not ``functools.lru_cache``) so that its budget is
configurable, its state observable, and nothing it holds keeps a handler alive.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import orjson


def estimate_bytes(value: Any, json_length: int | None = None) -> int:
    """Estimate the memory a JSON-like value holds by the size of its JSON text.

    Computed once per entry when it is stored; orjson serialises a typical
    record in microseconds. ``json_length``: that size, when the caller has
    written the value already. A value orjson cannot serialise counts as 1 KiB,
    so that a surprising record can never make the cache fail.
    """
    if json_length is not None:
        return json_length + 64
    try:
        return len(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)) + 64
    except TypeError:  # orjson.JSONEncodeError is one
        return 1024


def key_bytes(key: Hashable) -> int:
    """The memory a key holds: its own object, and everything in it (tuples, frozensets).

    Why: a key is held as long as its value, and a request can make it large
    (a compare naming 200,000 names); a budget that counted only values let
    such keys grow the server without bound. Shared objects are counted each
    time they appear, so the estimate errs on the large side; a small tuple
    costs a few microseconds.
    """
    total = 0
    pending = [key]
    while pending:
        item = pending.pop()
        total += sys.getsizeof(item)
        if isinstance(item, (tuple, frozenset)):
            pending.extend(item)
    return total


class ByteBudgetCache:
    """Thread-safe LRU mapping whose entries together stay within ``budget`` bytes.

    An entry costs its value's size plus its key's (:func:`key_bytes`).
    Worker threads read and fill it while the event loop does the same, hence
    the lock. An entry larger than the whole budget is not stored at all (it
    would only evict everything else and then itself). ``hits``, ``misses`` and
    ``evictions`` count what happened, so tests and operators can see that an
    unchanged notebook is not parsed again.
    """

    def __init__(self, budget: int) -> None:
        """Create an empty cache that holds at most ``budget`` estimated bytes."""
        self.budget = max(0, int(budget))
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Answer the value stored under ``key`` (and mark it recently used)."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return default
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value: Any, nbytes: int | None = None) -> bool:
        """Store ``value`` under ``key``; evict the least recently used beyond the budget.

        ``nbytes`` is the caller's size estimate of the value (for bytes
        values, their length); without it :func:`estimate_bytes` is used. The
        key's size is added to it. Answers whether the value was stored.
        """
        if nbytes is None:
            nbytes = len(value) if isinstance(value, (bytes, bytearray)) else estimate_bytes(value)
        nbytes += key_bytes(key)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if nbytes > self.budget:
                return False
            self._entries[key] = (value, nbytes)
            self.bytes += nbytes
            while self.bytes > self.budget:
                _, (_, size) = self._entries.popitem(last=False)
                self.bytes -= size
                self.evictions += 1
            return True

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` if it is stored."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]

    def clear(self) -> None:
        """Forget everything (the counters are kept)."""
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __contains__(self, key: Hashable) -> bool:
        """Whether ``key`` is stored, without counting a hit or a miss."""
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        """How many entries are stored."""
        with self._lock:
            return len(self._entries)

    def stats(self) -> dict[str, int]:
        """A snapshot of the counters and the current size, for tests and logs."""
        with self._lock:
            return {
                "entries": len(self._entries),
                "bytes": self.bytes,
                "budget": self.budget,
                "hits": self.hits,
                "misses": self.misses,
                "evictions": self.evictions,
            }
