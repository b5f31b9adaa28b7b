"""Benchmark compare on S3 (s3contents on moto, 25 ms per request) against Jupyter's own reads.

Loopback moto answers in well under a millisecond of waiting, so a proxy in
front of it sleeps ``--delay`` seconds per request, as real object storage
waits. Measured on a real ``jupyter server`` whose contents manager is
s3contents' ``S3ContentsManager``:

- **jupyter**: Jupyter's own ``GET /api/contents/<path>`` of every notebook,
  one after the other (what a client reading them itself would do);
- **cold**: the first ``POST nbcompare/compare`` of all of them to a freshly
  started server (empty cache);
- **warm**: the same request again;
- the largest ``/api/status`` latency while cold and warm compares run, and
  the S3 requests each made (and the most in flight at once).

Targets (issue 16): cold <= 0.3x jupyter, warm <= 0.1x jupyter, status < 200 ms.
A measurement, not a test: it exits 0 even when a target is missed.

Usage: ``python benchmarks/bench_s3.py [--runs 50] [--delay 0.025] [--reps 3] [--seeds DIR]``.
The server runs the code it finds on ``PYTHONPATH`` (the checkout when run
from it with ``PYTHONPATH=$PWD``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR), str(BENCH_DIR.parent)]

from bench_compare import RESULTS, Server, StatusPinger, _clone, build_corpus  # noqa: E402

from tests.deployments import (  # noqa: E402
    MotoServer,
    S3Proxy,
    s3contents_config,
    upload_tree,
)

BUCKET = "nbbucket"
TARGETS = [
    ("cold / jupyter (<= 0.3)", "cold_over_jupyter", 0.3),
    ("warm / jupyter (<= 0.1)", "warm_over_jupyter", 0.1),
    ("max /api/status during compares (< 0.2 s)", "status_max_s", 0.2),
]


def corpus_from_seeds(seeds: Path, runs: int, out: Path) -> tuple[Path, list[str]]:
    """``runs`` clones (as ``bench_compare`` makes them) of executed runs already at hand.

    Spares the papermill executions of ``build_corpus`` (minutes on a busy
    machine) when a folder of executed example runs exists, such as a test
    session's ``example_runs``.
    """
    rng = random.Random(20261126)
    seeded = [(p.stem, json.loads(p.read_text())) for p in sorted(seeds.glob("*.ipynb"))]
    (out / "runs").mkdir(parents=True)
    paths = []
    for index in range(runs):
        stem, seed = seeded[index % len(seeded)]
        path = f"runs/run{index:03d}_{stem}.ipynb"
        (out / path).write_text(json.dumps(_clone(seed, index, rng), indent=1, sort_keys=True))
        paths.append(path)
    return out, paths


def start_server(root: Path, endpoint: str, log: Path) -> Server:
    """A real jupyter server on s3contents reading the bucket through ``endpoint``."""
    args = ["--ServerApp.contents_manager_class=s3contents.S3ContentsManager"]
    for name, value in s3contents_config(endpoint, BUCKET).items():
        args.append(f"--S3ContentsManager.{name}={value}")
    server = Server(root, log, args)
    server.start(timeout=120)
    return server


def timed(server: Server, method: str, path: str, body: bytes | None = None) -> float:
    """Seconds one request took; raises unless it answered 200 with what was asked.

    A compare must have read every notebook (none ``unreadable``), and a
    contents read must hold cells: a fast answer without content measures nothing.
    """
    status, data, seconds = server.request(method, path, body)
    if status != 200:
        raise RuntimeError(f"{method} {path} answered {status}: {data[:200]!r}")
    answer = json.loads(data)
    if "notebooks" in answer:
        unread = [n["path"] for n in answer["notebooks"] if n["status"] == "unreadable"]
        if unread:
            raise RuntimeError(f"the compare could not read {unread[:3]} ...")
    elif not (answer.get("content") or {}).get("cells"):
        raise RuntimeError(f"{path}: the contents answer holds no cells")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.025, help="seconds per S3 request")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seeds", type=Path, help="executed runs to clone (skips papermill)")
    args = parser.parse_args(argv)

    logs = Path(tempfile.mkdtemp(prefix="nbcompare-bench-s3-"))
    if args.seeds:
        root, paths = corpus_from_seeds(args.seeds, args.runs, logs / "corpus")
    else:
        root, paths = build_corpus(args.runs, jobs=2, rebuild=False)
    RESULTS.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"paths": paths}).encode()
    jupyter, cold, warm, status, requests = [], [], [], [], {"cold": [], "warm": []}
    with MotoServer(logs / "moto.log") as moto:
        upload_tree(moto.client(), BUCKET, root)
        proxy = S3Proxy(moto.port, delay=args.delay)
        try:
            for rep in range(args.reps):
                server = start_server(root, proxy.endpoint, logs / f"server{rep}.log")
                try:
                    time.sleep(2)  # let the server finish its start-up work
                    pinger = StatusPinger(server)
                    pinger.start()
                    for label, bucket in (("cold", cold), ("warm", warm)):
                        proxy.reset()
                        started = time.perf_counter()
                        bucket.append(timed(server, "POST", "nbcompare/compare", body))
                        pings = pinger.between(started, time.perf_counter())
                        status.append(max(pings, default=0.0))
                        requests[label].append((proxy.requests, proxy.max_in_flight))
                    pinger.stop()
                    jupyter.append(
                        sum(timed(server, "GET", f"api/contents/{quote(p)}") for p in paths)
                    )
                finally:
                    server.close()
        finally:
            proxy.stop()

    results = {
        "runs": len(paths),
        "delay_s": args.delay,
        "jupyter_s": statistics.median(jupyter),
        "cold_s": statistics.median(cold),
        "warm_s": statistics.median(warm),
        "status_max_s": max(status),
        "s3_requests": requests,
    }
    results["cold_over_jupyter"] = results["cold_s"] / results["jupyter_s"]
    results["warm_over_jupyter"] = results["warm_s"] / results["jupyter_s"]
    (RESULTS / "bench_s3.json").write_text(json.dumps(results, indent=1))

    print(f"\n{len(paths)} notebooks on S3 (s3contents, moto + {args.delay * 1000:.0f} ms/request)")
    print(f"  jupyter's {len(paths)} sequential /api/contents reads: {results['jupyter_s']:.2f} s")
    print(f"  cold compare: {results['cold_s']:.2f} s   warm compare: {results['warm_s']:.3f} s")
    for label in ("cold", "warm"):
        counts = ", ".join(f"{n} requests (max {m} in flight)" for n, m in requests[label])
        print(f"  S3 requests per {label} compare: {counts}")
    print("targets:")
    for label, key, limit in TARGETS:
        value = results[key]
        print(f"  {label}: {value:.3f} {'met' if value <= limit else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
