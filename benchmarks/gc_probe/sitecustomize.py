"""Garbage-collection probe for ``bench_compare.py --gc-probe`` (diagnostic only).

The benchmark puts this folder on the server's ``PYTHONPATH``, so Python imports
this module at start-up. When ``NBCOMPARE_BENCH_GC_LOG`` names a file, every
collection of the server process is appended to it as
``<end unix time> <generation> <pause seconds> <objects collected>``, so that the
benchmark can tell how much of a compare was spent in the collector, which holds
the GIL and therefore also stalls the server's event loop. With
``NBCOMPARE_BENCH_GC_FREEZE`` set, SIGUSR2 makes the server run ``gc.collect()``
then ``gc.freeze()`` (the what-if of ``--gc-freeze``: objects that exist after
start-up are no longer traversed by later full collections). Without the
variables it does nothing.
"""

from __future__ import annotations

import gc
import os
import signal
import time

_PATH = os.environ.get("NBCOMPARE_BENCH_GC_LOG")

if _PATH:
    _log = open(_PATH, "a", buffering=1)  # kept open for the process's life
    _started = [0.0]

    def _probe(phase: str, info: dict) -> None:
        """Time each collection (``gc.callbacks`` calls this at its start and stop)."""
        if phase == "start":
            _started[0] = time.perf_counter()
            return
        pause = time.perf_counter() - _started[0]
        _log.write(f"{time.time():.6f} {info['generation']} {pause:.6f} {info['collected']}\n")

    gc.callbacks.append(_probe)


if os.environ.get("NBCOMPARE_BENCH_GC_FREEZE"):

    def _freeze(signum: int, frame: object) -> None:
        """Move every object alive now into the permanent generation."""
        gc.collect()
        gc.freeze()

    signal.signal(signal.SIGUSR2, _freeze)
