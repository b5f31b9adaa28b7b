"""Benchmark the persistent record store and shared parsing (issue 14).

Three ratios, through a real ``jupyter server`` (the helpers of
``bench_compare.py``: its corpus of executed papermill runs, its ``Server``):

- **warm index against the stat-walk floor**: a repeated recursive
  ``GET nbcompare/index`` of the corpus tree, nothing changed, against walking
  the same tree in-process (``os.walk`` and an ``os.stat`` of every notebook:
  what checking the files costs). Target: at most 5x.
- **index after a restart against a warm index**: ``GET nbcompare/index`` of
  the corpus folder on a server that has just been restarted (its memory
  empty, the records in the store on disk) against the same request repeated
  on a warm server. Target: at most 2x. The first index ever (nothing stored)
  is reported beside it.
  The tree holds ``--runs`` copies of the compare corpus's runs (under
  new names) in ``--folders`` folders, so that no papermill run is needed
  beyond ``bench_compare``'s.
- **ten concurrent cold compares against one**: ten identical ``POST
  nbcompare/compare`` of the first ``--compare-runs`` notebooks sent at once
  to a fresh server with an empty store, against one such compare alone.
  Target: at most 3x (each request used to parse everything itself).

Every repetition starts a new server; "empty store" means the store file in
the server's private runtime directory is deleted before it starts. A
measurement, not a test: it asserts nothing and exits 0.

Usage: ``python benchmarks/bench_store.py [--runs 2000] [--compare-runs 200] [--reps 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_compare import (
    RESULTS,
    Server,
    _median,
    _start_ready,
    build_corpus,
    seconds_fmt,
)


def widen(root: Path, paths: list[str], runs: int, folders: int) -> Path:
    """A tree of ``runs`` notebooks in ``folders`` folders: copies of the compare corpus's runs.

    Cloning new runs (``build_corpus`` with another count) executes the seeds
    with papermill again, which takes minutes on a busy machine; copies under
    new names cost a file write each and are parsed like any other file.
    """
    wide = RESULTS / "store_corpus" / f"{len(paths)}x{runs}in{folders}"
    top = wide / "runs"
    if top.is_dir() and len(list(top.glob("*/*.ipynb"))) == runs:
        return wide
    shutil.rmtree(wide, ignore_errors=True)
    for index in range(runs):
        source = root / paths[index % len(paths)]
        folder = top / f"sweep{index % folders:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"copy{index // len(paths):02d}_{source.name}").write_bytes(source.read_bytes())
    return wide


def stat_floor(top: Path, reps: int = 9) -> float:
    """Median seconds to walk ``top`` and stat every notebook in it (what checking costs)."""

    def walk() -> int:
        count = 0
        for folder, _dirs, names in os.walk(top):
            for name in names:
                if name.endswith(".ipynb"):
                    os.stat(os.path.join(folder, name))
                    count += 1
        return count

    times = []
    for _ in range(reps):
        started = time.perf_counter()
        walk()
        times.append(time.perf_counter() - started)
    return _median(times)


def _store_file(server: Server) -> Path:
    """The default store of a benchmark server (in its private runtime directory)."""
    return Path(server._tmp.name) / "runtime" / "nbcompare-records.sqlite3"


def _timed(server: Server, method: str, path: str, body: bytes | None = None, conn=None) -> float:
    """Seconds one request took (raises unless it answered 200)."""
    status, data, seconds = server.request(method, path, body, conn=conn)
    if status != 200:
        raise RuntimeError(f"{method} {path} answered {status}: {data[:200]!r}")
    return seconds


def _wait_for_store(server: Server, timeout: float = 30.0) -> None:
    """Wait until the store's writes are on disk (its size stops changing)."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        files = [Path(str(_store_file(server)) + s) for s in ("", "-wal")]
        size = sum(f.stat().st_size for f in files if f.exists())
        if size == last and size > 0:
            return
        last = size
        time.sleep(0.5)


def measure_index(
    server: Server, folder: str, reps: int, warm_reps: int, touched: Path | None = None
) -> dict:
    """First index ever, index after each restart, and warm indexes, in seconds.

    With ``touched`` (a notebook of the tree), also the index right after that
    one notebook changed (its mtime moved), at the end of each restart: what a
    new papermill run landing in a big sweep costs the tag browser.
    """
    result: dict = {"first": [], "restart": [], "warm": [], "one_changed": []}
    path = f"nbcompare/index?path={folder}&recursive=true"
    server.forget_records()
    _start_ready(server)
    result["first"].append(_timed(server, "GET", path))
    result["warm"] += [_timed(server, "GET", path) for _ in range(warm_reps)]
    _wait_for_store(server)
    server.stop()
    for rep in range(reps):
        _start_ready(server)
        result["restart"].append(_timed(server, "GET", path))
        result["warm"] += [_timed(server, "GET", path) for _ in range(warm_reps)]
        if touched is not None:
            for _ in range(warm_reps):
                stamp = time.time_ns()
                os.utime(touched, ns=(stamp, stamp))
                result["one_changed"].append(_timed(server, "GET", path))
        server.stop()
        print(
            f"  index rep {rep + 1}/{reps}: after restart {seconds_fmt(result['restart'][-1])}, "
            f"warm {seconds_fmt(_median(result['warm'][-warm_reps:]))}"
        )
    return result


def _at_once(server: Server, body: bytes, clients: int) -> tuple[float, list[float], list[str]]:
    """``clients`` identical compares released together; wall time until the last answer."""
    each: list[float] = [0.0] * clients
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def send(index: int) -> None:
        connection = server.connection()
        try:
            barrier.wait()
            each[index] = _timed(server, "POST", "nbcompare/compare", body, connection)
        except Exception as error:  # reported, never raised from a thread
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, each, errors


def measure_concurrent(server: Server, paths: list[str], reps: int, clients: int) -> dict:
    """One cold compare alone, then ``clients`` at once, each on a fresh server."""
    body = orjson.dumps({"paths": paths, "baseline": paths[0]})
    result: dict = {"one": [], "many": [], "many_each": []}
    for rep in range(reps):
        server.forget_records()
        _start_ready(server)
        result["one"].append(_timed(server, "POST", "nbcompare/compare", body))
        server.stop()
        server.forget_records()
        _start_ready(server)
        wall, each, errors = _at_once(server, body, clients)
        result["many"].append(wall)
        result["many_each"].append(each)
        if errors:
            result.setdefault("errors", []).extend(errors)
        server.stop()
        print(
            f"  compare rep {rep + 1}/{reps}: one cold {seconds_fmt(result['one'][-1])}, "
            f"{clients} at once {seconds_fmt(result['many'][-1])}"
        )
    return result


def main(argv: list[str] | None = None) -> int:
    """Run both scenarios, print the ratios, write ``results/bench_store.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="notebooks in the indexed tree")
    parser.add_argument("--folders", type=int, default=10, help="folders they are spread over")
    parser.add_argument("--compare-runs", type=int, default=200, help="notebooks per compare")
    parser.add_argument("--reps", type=int, default=3, help="server restarts per scenario")
    parser.add_argument("--warm-reps", type=int, default=3, help="warm indexes per restart")
    parser.add_argument("--clients", type=int, default=10, help="concurrent compares")
    parser.add_argument("--jobs", type=int, default=4, help="papermill runs in parallel")
    parser.add_argument(
        "--server-arg", action="append", default=[], help="extra jupyter server argument"
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    root, paths = build_corpus(args.compare_runs, args.jobs, rebuild=False)
    index_root = widen(root, paths, args.runs, args.folders)
    extra = [
        "--NbCompare.index_max_notebooks=100000",
        "--NbCompare.index_max_seconds=600",  # a busy machine must not cut the first scan
        *args.server_arg,
    ]
    load = os.getloadavg()[0]
    Server.start_timeout = 300.0  # a busy machine starts jupyter server slowly
    server = Server(index_root, RESULTS / "server_store.log", extra, settle_min=2.0)
    try:
        touched = next((index_root / "runs").rglob("*.ipynb"))
        index = measure_index(server, "runs", args.reps, args.warm_reps, touched)
    finally:
        server.close()
    floor = stat_floor(index_root / "runs")
    server = Server(root, RESULTS / "server_store.log", extra, settle_min=2.0)
    try:
        concurrent = measure_concurrent(server, paths, args.reps, args.clients)
    finally:
        server.close()
    restart, warm = _median(index["restart"]), _median(index["warm"])
    one, many = _median(concurrent["one"]), _median(concurrent["many"])
    ratios = {
        "index_warm_over_floor": warm / floor,
        "index_restart_over_warm": restart / warm,
        "concurrent_over_one": many / one,
    }
    print(f"\nindex of {args.runs} notebooks in {args.folders} folders, recursive (medians):")
    print(f"  stat-walk floor              {seconds_fmt(floor)}")
    print(f"  first ever (nothing stored)  {seconds_fmt(_median(index['first']))}")
    print(f"  after a restart              {seconds_fmt(restart)}")
    print(f"  warm                         {seconds_fmt(warm)}")
    changed = _median(index["one_changed"])
    print(f"  one notebook changed         {seconds_fmt(changed)}  ({changed / warm:.2f}x warm)")
    print(f"compare of {args.compare_runs} notebooks, cold (medians):")
    print(f"  one alone                    {seconds_fmt(one)}")
    print(f"  {args.clients} at once (all answered)    {seconds_fmt(many)}")
    targets = (
        ("index_warm_over_floor", 5.0),
        ("index_restart_over_warm", 2.0),
        ("concurrent_over_one", 3.0),
    )
    for name, target in targets:
        state = "MET" if ratios[name] <= target else "MISSED"
        print(f"  {name:30s} {ratios[name]:6.2f}  (target <= {target:g}: {state})")
    print(f"load average at start {load:.2f}, at end {os.getloadavg()[0]:.2f}")
    out = {
        "args": vars(args),
        "floor": floor,
        "index": index,
        "concurrent": concurrent,
        "ratios": ratios,
    }
    (RESULTS / "bench_store.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
