"""Benchmark ``POST nbcompare/compare`` against its floor and two alternatives.

One run measures, on a corpus of executed papermill runs (200 by default):

- a **cold** compare of every notebook through a real ``jupyter server`` (freshly
  started for each repetition, so the extension's cache is empty) while a second
  connection pings ``/api/status`` to show whether the event loop stays free;
- a **warm** compare (the same request again on the same server);
- the **floor**: reading the same bytes and parsing them with orjson, in-process;
- sklearn-evaluation's ``NotebookCollection`` loading and rendering the same tags;
- scrapbook's ``read_notebooks`` reading every scrap;
- peak memory of the server and of this process;
- optionally a py-spy profile of the server during one extra cold compare.

It prints a table and the ratios the project targets, marks each target met or
missed, and writes everything to ``benchmarks/results/``. It is a measurement,
not a test: it asserts nothing and exits 0 even when a target is missed.

Usage: ``python benchmarks/bench_compare.py [--runs 200] [--cold-reps 5] ...``
(see ``--help`` and ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import http.client
import importlib.util
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import orjson

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "benchmarks"
RESULTS = BENCH_DIR / "results"
TEMPLATE = REPO / "examples" / "template.ipynb"
GENERATE = REPO / "examples" / "generate.py"

#: Bumped whenever the way clones are derived changes, so that the cache key changes.
CORPUS_VERSION = 2

#: papermill's own tags, which name no value.
PAPERMILL_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag"}

#: Targets of issue 3, as (label, key in ``ratios``, comparison, threshold).
TARGETS = [
    ("sklearn-evaluation / cold (>= 10x)", "sklearn_over_cold", ">=", 10.0),
    ("cold / floor (<= 5x; moonshot 3x)", "cold_over_floor", "<=", 5.0),
    ("warm / floor (< 1)", "warm_over_floor", "<", 1.0),
    ("/api/status p99 during cold (< 50 ms)", "status_p99_ms", "<", 50.0),
]


# --------------------------------------------------------------------------- corpus


def _corpus_key(runs: int) -> str:
    """Hash of everything the corpus is derived from, so a stale cache is never reused."""
    digest = hashlib.sha256()
    digest.update(TEMPLATE.read_bytes())
    digest.update(GENERATE.read_bytes())
    digest.update(f"v{CORPUS_VERSION}-n{runs}".encode())
    return digest.hexdigest()[:12]


def _load_generate_module():
    """Import ``examples/generate.py`` by path (``examples`` is not a package)."""
    spec = importlib.util.spec_from_file_location("nbcompare_examples_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


_FLOAT = re.compile(r"(?<![\w.])(-?\d+\.(\d+)(?:[eE][-+]?\d+)?)(?![\w.])")


def _scale_number(value: float, factor: float) -> float:
    """``value * factor``, except that a fraction in (0, 1) stays one (an r2, a rate)."""
    if 0 < value < 1:
        return value**factor
    return value * factor


_ALPHA = re.compile(r"alpha=[-+.\deE]+")


def _scale_text(text: str, factor: float) -> str:
    """Multiply every decimal number printed in ``text`` by ``factor``, keeping its format."""

    def repl(match: re.Match) -> str:
        literal, decimals = match.group(1), match.group(2)
        value = _scale_number(float(literal), factor)
        if "e" in literal.lower():
            return repr(value)
        return f"{value:.{len(decimals)}f}"

    return _FLOAT.sub(repl, text)


def _scale_source(source: str | list[str], factor: float, alpha: Any) -> str | list[str]:
    """``_scale_text`` for a notebook multiline string (a string or a list of lines).

    An ``alpha=...`` printed by the template is then set to the run's own alpha.
    """
    if isinstance(source, list):
        return [_ALPHA.sub(f"alpha={alpha}", _scale_text(line, factor)) for line in source]
    return _ALPHA.sub(f"alpha={alpha}", _scale_text(source, factor))


def _scale_data(data: Any, factor: float, alpha: Any = None) -> Any:
    """Scale every float inside JSON data (scrap payloads); ints and bools stay.

    Text keeps its words; an ``alpha=...`` in it is rewritten to the run's alpha.
    """
    if isinstance(data, float):
        return _scale_number(data, factor)
    if isinstance(data, str) and alpha is not None:
        return _ALPHA.sub(f"alpha={alpha}", data)
    if isinstance(data, dict):
        return {key: _scale_data(value, factor, alpha) for key, value in data.items()}
    if isinstance(data, list):
        return [_scale_data(value, factor, alpha) for value in data]
    return data


def _python_literal(value: Any) -> str:
    """Render a parameter the way papermill's Python translator writes it."""
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _clone(seed: dict, index: int, rng: random.Random) -> dict:
    """Derive run ``index`` from an executed seed notebook.

    The parameters get new values (``alpha``, ``seed``), and every decimal number
    in the outputs of tagged cells and in the scraps is multiplied by a factor
    drawn for this run, so that each run differs from the others the way real
    runs do (same tags, same shapes, different values). Images stay as they are.
    """
    nb = copy.deepcopy(seed)
    factor = rng.uniform(0.8, 1.25)
    papermill = nb["metadata"].setdefault("papermill", {})
    params = dict(papermill.get("parameters") or {})
    if not params.get("fail"):
        params["alpha"] = round(10 ** rng.uniform(-2, 3), 4)
    params["seed"] = index
    papermill["parameters"] = params
    if papermill.get("duration") is not None:
        papermill["duration"] = round(papermill["duration"] * rng.uniform(0.5, 2.0), 6)
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        tags = cell.get("metadata", {}).get("tags") or []
        if "injected-parameters" in tags:
            cell["source"] = "# Parameters\n" + "".join(
                f"{key} = {_python_literal(value)}\n" for key, value in params.items()
            )
            continue
        named = [tag for tag in tags if tag not in PAPERMILL_TAGS]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and named:
                output["text"] = _scale_source(output["text"], factor, params.get("alpha"))
            for mime, payload in (output.get("data") or {}).items():
                if mime.startswith("application/scrapbook.scrap."):
                    if isinstance(payload, dict) and "data" in payload:
                        payload["data"] = _scale_data(payload["data"], factor, params.get("alpha"))
                        if payload.get("name") == "config" and isinstance(payload["data"], dict):
                            payload["data"]["alpha"] = params.get("alpha")
                elif mime in ("text/plain", "text/html") and (
                    named or (output.get("metadata") or {}).get("scrapbook")
                ):
                    output["data"][mime] = _scale_source(payload, factor, params.get("alpha"))
    return nb


def build_corpus(runs: int, jobs: int, rebuild: bool) -> tuple[Path, list[str]]:
    """Return ``(root, paths)``: ``runs`` executed notebooks under ``root/runs/``.

    Seeds are real papermill executions of ``examples/template.ipynb`` over the
    grid of ``examples/generate.py`` (one run fails on purpose); the rest are
    clones of the seeds with varied parameters and output values. The result is
    cached under ``results/corpus/<hash>`` keyed by the template, the generator
    and this script's ``CORPUS_VERSION``.
    """
    key = _corpus_key(runs)
    base = RESULTS / "corpus" / key
    root = base / "root"
    runs_dir = root / "runs"
    manifest = base / "manifest.json"
    if manifest.exists() and not rebuild:
        paths = json.loads(manifest.read_text())["paths"]
        if len(paths) == runs and all((root / path).exists() for path in paths):
            print(f"corpus: reusing {runs} runs in {root} (key {key})")
            return root, paths
    if base.exists():
        shutil.rmtree(base)
    for stale in (RESULTS / "corpus").glob("*"):
        if stale.is_dir() and stale.name != key:  # an older template or corpus version
            shutil.rmtree(stale)
    seeds_dir = base / "seeds"
    print(f"corpus: executing the template with papermill into {seeds_dir} ...")
    started = time.perf_counter()
    generate = _load_generate_module()
    seed_paths = [path for path in generate.generate(seeds_dir, jobs=jobs) if path.exists()]
    print(f"corpus: {len(seed_paths)} seeds in {time.perf_counter() - started:.1f} s")
    seeds = [(path.stem, json.loads(path.read_text())) for path in seed_paths]
    runs_dir.mkdir(parents=True)
    rng = random.Random(20261126)
    paths = []
    for index in range(runs):
        stem, seed = seeds[index % len(seeds)]
        nb = _clone(seed, index, rng)
        rel = f"runs/run{index:03d}_{stem}.ipynb"
        text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        (root / rel).write_text(text, encoding="utf-8")
        paths.append(rel)
    manifest.write_text(
        json.dumps({"paths": paths, "seeds": [p.name for p in seed_paths], "key": key}, indent=1)
    )
    print(f"corpus: {runs} runs written to {runs_dir}")
    return root, paths


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _proc_status_kb(pid: int, field: str) -> int | None:
    """A ``VmXXX`` field of ``/proc/<pid>/status`` in KiB (None when unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (not grandchildren: the server's workers)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(child) for child in task.read_text().split())
        except (OSError, ValueError):
            continue
    return found


def _process_cpu_ns(pid: int) -> int:
    """CPU time of a whole process (all threads, ended ones too), in nanoseconds.

    Reads the process's CPU-time clock through ``clock_getcpuclockid``; falls
    back to ``/proc/<pid>/stat`` (clock ticks, 10 ms) if that is unavailable.
    """
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        clock = ctypes.c_int()
        if libc.clock_getcpuclockid(pid, ctypes.byref(clock)) == 0:
            return time.clock_gettime_ns(clock.value)
    except (OSError, AttributeError):
        pass
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


class Server:
    """A real ``jupyter server`` subprocess on a free loopback port, with a token.

    Configuration and runtime directories are private temporary folders so that
    nothing of the user's setup (or of other servers on the machine) leaks in;
    server extensions come from the environment, which is where
    ``jupyterlab_nbcompare`` is enabled.
    """

    def __init__(
        self,
        root: Path,
        log_path: Path,
        extra_args: list[str],
        gc_log: Path | None = None,
        gc_freeze: bool = False,
        settle_min: float = 0.0,
    ):
        self.root = root
        self.settle_min = settle_min
        self.gc_log = gc_log
        self.gc_freeze = gc_freeze
        self.log_path = log_path
        self.extra_args = extra_args
        self.token = hashlib.sha256(os.urandom(16)).hexdigest()[:32]
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="nbcompare-bench-")
        self.start_seconds = 0.0

    @property
    def pid(self) -> int:
        """Process id of the server (``jupyter`` execs into the server: same pid)."""
        assert self.proc is not None
        return self.proc.pid

    #: Seconds ``start`` waits for ``/api/status`` (raise it on a busy machine).
    start_timeout = 60.0

    def start(self, timeout: float | None = None) -> None:
        """Start the server and wait until ``/api/status`` answers."""
        timeout = self.start_timeout if timeout is None else timeout
        self.port = _free_port()
        exe = Path(sys.executable).with_name("jupyter-server")
        cmd = [
            str(exe) if exe.exists() else "jupyter-server",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",
            f"--IdentityProvider.token={self.token}",
            *self.extra_args,
        ]
        env = dict(os.environ)
        env["JUPYTER_CONFIG_DIR"] = str(Path(self._tmp.name) / "config")
        env["JUPYTER_RUNTIME_DIR"] = str(Path(self._tmp.name) / "runtime")
        env.pop("JUPYTER_PLATFORM_DIRS", None)
        if self.gc_log is not None:  # --gc-probe: log the server's collections
            probe = str(BENCH_DIR / "gc_probe")
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [probe, env.get("PYTHONPATH")]))
            env["NBCOMPARE_BENCH_GC_LOG"] = str(self.gc_log)
            if self.gc_freeze:
                env["NBCOMPARE_BENCH_GC_FREEZE"] = "1"
        log = self.log_path.open("ab")
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter server exited early; see {self.log_path}")
            try:
                status, _, _ = self.request("GET", "api/status", timeout=2)
                if status == 200:
                    self.start_seconds = time.perf_counter() - started
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"jupyter server did not answer in {timeout} s; see {self.log_path}")

    def forget_records(self) -> None:
        """Delete the extension's persistent record store (in the private runtime folder).

        A restarted server would otherwise find every record on disk: a cold
        compare is then the first one ever on these notebooks.
        """
        store = Path(self._tmp.name) / "runtime" / "nbcompare-records.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)

    def connection(self, timeout: float = 300.0) -> http.client.HTTPConnection:
        """A new keep-alive connection to the server."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        conn: http.client.HTTPConnection | None = None,
        timeout: float = 300.0,
    ) -> tuple[int, bytes, float]:
        """One authenticated request; returns ``(status, body, seconds)``.

        The time runs from sending the request to having read the whole body.
        """
        own = conn is None
        conn = conn or self.connection(timeout)
        headers = {"Authorization": f"token {self.token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            started = time.perf_counter()
            conn.request(method, "/" + path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, data, time.perf_counter() - started
        finally:
            if own:
                conn.close()

    def cpu_ns(self) -> tuple[int, int]:
        """(on-CPU, waiting-for-a-CPU) nanoseconds of the server process and its children.

        The first is the process's CPU-time clock (``clock_getcpuclockid``):
        nanosecond precision, every thread included, also those that ended
        (worker threads may come and go within one compare). It is what the
        server itself consumed, which concurrent work on the machine inflates
        much less than wall-clock time. The second sums
        ``/proc/<pid>/task/*/schedstat`` over the live threads: time spent ready
        to run but waiting for a CPU.
        """
        waiting = 0
        cpu = 0
        # The server and its child processes (NbCompare.parse_processes workers):
        # work moved to a worker is still work the server did.
        for pid in [self.pid, *_children(self.pid)]:
            for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
                try:
                    waiting += int(stat.read_text().split()[1])
                except (OSError, IndexError, ValueError):
                    continue
            try:
                cpu += _process_cpu_ns(pid)
            except OSError:
                continue
        return cpu, waiting

    def gc_between(self, start: float, end: float) -> dict[str, Any] | None:
        """Collections that ended between two ``time.time()`` instants (``--gc-probe`` only)."""
        if self.gc_log is None or not self.gc_log.exists():
            return None
        pauses: list[tuple[int, float]] = []
        for line in self.gc_log.read_text().splitlines():
            fields = line.split()
            if len(fields) == 4 and start <= float(fields[0]) <= end:
                pauses.append((int(fields[1]), float(fields[2])))
        full = [pause for generation, pause in pauses if generation == 2]
        return {
            "collections": len(pauses),
            "seconds": sum(pause for _, pause in pauses),
            "gen2_collections": len(full),
            "gen2_seconds": sum(full),
            "max_pause": max((pause for _, pause in pauses), default=0.0),
        }

    def memory_kb(self) -> dict[str, int | None]:
        """Peak (VmHWM) and current (VmRSS) resident memory of the server, in KiB.

        ``workers_hwm_kb`` sums the peaks of its child processes (the workers of
        ``NbCompare.parse_processes``; 0 without them).
        """
        workers = 0
        for child in _children(self.pid):
            workers += _proc_status_kb(child, "VmHWM") or 0
        return {
            "hwm_kb": _proc_status_kb(self.pid, "VmHWM"),
            "rss_kb": _proc_status_kb(self.pid, "VmRSS"),
            "workers_hwm_kb": workers,
        }

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s) and reap it."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # jupyter server shuts down cleanly on SIGTERM
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def close(self) -> None:
        """Stop the server and remove its private directories."""
        self.stop()
        self._tmp.cleanup()


class StatusPinger(threading.Thread):
    """Ping ``/api/status`` in a loop on its own connection, recording latencies.

    Bounded by ``max_pings`` and stopped by ``stop()``; loopback only. Each sample
    is ``(start, seconds)`` on the ``perf_counter`` clock, so the pings that
    overlap a compare can be selected afterwards.
    """

    def __init__(self, server: Server, interval: float = 0.005, max_pings: int = 20000):
        super().__init__(daemon=True)
        self.server = server
        self.interval = interval
        self.max_pings = max_pings
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Ping until stopped or until ``max_pings`` samples were taken."""
        conn = self.server.connection(timeout=60)
        try:
            while not self._stop_event.is_set() and len(self.samples) < self.max_pings:
                started = time.perf_counter()
                try:
                    status, _, seconds = self.server.request("GET", "api/status", conn=conn)
                except (OSError, http.client.HTTPException):
                    self.errors += 1
                    conn.close()
                    conn = self.server.connection(timeout=60)
                    continue
                if status == 200:
                    self.samples.append((started, seconds))
                else:
                    self.errors += 1
                self._stop_event.wait(self.interval)
        finally:
            conn.close()

    def stop(self) -> None:
        """Ask the loop to end and wait for it."""
        self._stop_event.set()
        self.join(30)

    def between(self, start: float, end: float) -> list[float]:
        """Latencies (seconds) of the pings sent while ``[start, end]`` was running."""
        return [seconds for begun, seconds in self.samples if start <= begun <= end]


# --------------------------------------------------------------------------- helpers


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (no interpolation: with few samples it is a real sample)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def _repeat(fn: Callable[[], Any], reps: int, budget: float) -> list[float]:
    """Run ``fn`` up to ``reps`` times, stopping early once ``budget`` seconds are spent."""
    times: list[float] = []
    spent = 0.0
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        spent += elapsed
        if spent >= budget:
            break
    return times


def _maxrss_kb() -> int:
    """Peak resident memory of this process so far, in KiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip() or None
    except OSError:
        return None


def _package_dirty() -> list[str]:
    """Uncommitted changes under ``jupyterlab_nbcompare/`` (the server runs the work tree)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--", "jupyterlab_nbcompare"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        return [line for line in out.stdout.splitlines() if line.strip()]
    except OSError:
        return []


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


# --------------------------------------------------------------------------- measurements


def floor_function(root: Path, paths: list[str]) -> Callable[[], tuple[float, float]]:
    """The floor: read each file's bytes and parse them with orjson, in-process.

    Returns a function that does it once and answers ``(wall, cpu)`` seconds.
    """
    files = [root / path for path in paths]

    def once() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.thread_time()
        for file in files:
            orjson.loads(file.read_bytes())
        return time.perf_counter() - started, time.thread_time() - cpu

    return once


def measure_floor(once: Callable[[], tuple[float, float]], reps: int) -> dict:
    """Time the floor ``reps`` times (after one untimed run that warms this process)."""
    once()  # the page cache is warm for the server too; this only warms this process
    samples = [once() for _ in range(reps)]
    return {"seconds": [wall for wall, _ in samples], "cpu": [cpu for _, cpu in samples]}


def _compare_summary(body: bytes) -> dict:
    """What a compare answered: notebook statuses and value names/kinds (a sanity check)."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {"error": "response is not JSON"}
    statuses = Counter(nb.get("status") for nb in doc.get("notebooks", []))
    values = doc.get("values", [])
    return {
        "notebooks": len(doc.get("notebooks", [])),
        "statuses": dict(statuses),
        "values": len(values),
        "names": [f"{v.get('origin')}:{v.get('name')}:{v.get('kind')}" for v in values],
    }


def _settle(server: Server, quiet: float = 0.5, timeout: float = 15.0) -> float:
    """Wait until the freshly started server stops using CPU; returns the seconds waited.

    Right after start, other server extensions still initialise in the background
    (jupyter_lsp scans for language servers, jupyterlab builds its settings); a
    compare sent then would be measured against that work, which a person who
    opens JupyterLab and later compares never sees.
    """
    started = time.monotonic()

    def cpu() -> float:  # the server and its worker processes, in seconds
        return server.cpu_ns()[0] / 1e9

    last, since = cpu(), time.monotonic()  # cpu_ns() skips a process that ended
    while time.monotonic() - started < timeout:
        time.sleep(0.1)
        now = cpu()
        if now - last > 0.01:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return time.monotonic() - started


def _touch(root: Path, paths: list[str]) -> None:
    """Give every run a new modification time, so the extension's cache no longer holds it.

    Only the benchmark's own corpus is touched (contents unchanged). The new time
    is at least one second later, in case a cache keys on whole seconds.
    """
    now = time.time_ns()
    for path in paths:
        file = root / path
        old = file.stat().st_mtime_ns
        os.utime(file, ns=(now, max(now, old + 1_000_000_000)))


def _start_ready(server: Server) -> tuple[int, bytes]:
    """Start the server, check the extension answers, wait until the server is idle.

    With ``--gc-freeze`` the settled server is then told (SIGUSR2, see
    ``gc_probe``) to collect and freeze its objects: a what-if, not the default.
    """
    server.start()
    started = time.monotonic()
    status, data, _ = server.request("GET", "nbcompare/version")
    _settle(server)
    if server.settle_min and time.monotonic() - started < server.settle_min:
        # past NbCompare.gc_collect_after (or gc_freeze_after), so that one-off
        # collection is not measured
        time.sleep(server.settle_min - (time.monotonic() - started))
        _settle(server)
    if server.gc_freeze:
        server.proc.send_signal(signal.SIGUSR2)
        _settle(server)
    return status, data


def _ping_cpu(server: Server, pings: int = 100) -> float:
    """Server CPU nanoseconds one ``/api/status`` ping costs, measured on an idle server."""
    conn = server.connection(timeout=60)
    try:
        before, _ = server.cpu_ns()
        for _ in range(pings):
            server.request("GET", "api/status", conn=conn)
        after, _ = server.cpu_ns()
    finally:
        conn.close()
    return (after - before) / pings


def _pinged_compare(server: Server, body: bytes, per_ping: float) -> dict[str, Any]:
    """One compare while ``/api/status`` is pinged.

    Answers ``status``, ``data``, ``seconds`` (wall), ``pings`` and ``idle_pings``
    (latencies in ms during the compare and in the idle 0.3 s before it), and the
    server's ``cpu`` seconds for the compare, less what the pings sent meanwhile
    cost (``per_ping`` ns each, see ``_ping_cpu``), and ``runq_wait``: the
    thread-seconds the server's threads spent ready to run but waiting for a CPU.
    """
    pinger = StatusPinger(server)
    pinger.start()
    time.sleep(0.3)  # idle pings first: /api/status latency with nothing running
    conn = server.connection()
    try:
        cpu1, wait1 = server.cpu_ns()
        wall_start = time.time()
        start = time.perf_counter()
        status, data, seconds = server.request("POST", "nbcompare/compare", body, conn=conn)
        wall_end = time.time()
        cpu2, wait2 = server.cpu_ns()
    finally:
        conn.close()
    time.sleep(0.05)
    pinger.stop()
    idle = pinger.between(0, start)
    during = pinger.between(start, start + seconds)
    return {
        "status": status,
        "data": data,
        "seconds": seconds,
        "pings": [1000 * s for s in during],
        "idle_pings": [1000 * s for s in idle],
        "errors": pinger.errors,
        "cpu": max(0.0, (cpu2 - cpu1 - per_ping * len(during)) / 1e9),
        "cpu_raw": (cpu2 - cpu1) / 1e9,
        "gc": server.gc_between(wall_start, wall_end + 0.01),
        "runq_wait": (wait2 - wait1) / 1e9,
    }


def measure_server(
    root: Path,
    paths: list[str],
    cold_reps: int,
    warm_reps: int,
    extra_args: list[str],
    profile: bool,
    floor_once: Callable[[], tuple[float, float]],
    all_threads: bool = False,
    gc_probe: bool = False,
    gc_freeze: bool = False,
    settle_min: float = 0.0,
) -> dict:
    """Cold and warm compares through a real server, the status pinger, server memory.

    For each repetition the server is started afresh and left to settle (see
    ``_settle``); then, with ``/api/status`` pinged throughout:

    - ``cold``: the first compare of the new server process. Its cache is empty
      and the extension has done no work yet (what the first compare after
      opening JupyterLab costs). The OS page cache is warm, as for the floor.
    - ``warm``: the same request again, ``warm_reps`` times.
    - ``cold_touched``: every file's modification time is changed and the same
      request is sent again: a cold cache in a process that is already warm
      (imports done, threads started), which isolates the per-notebook cost.

    The targets use ``cold`` (the stricter of the two); both are reported.
    ``floor_once`` is run three times per repetition, right before the cold
    compare, so that the floor is sampled under the same machine load.
    """
    body = orjson.dumps({"paths": paths, "baseline": paths[0]})
    log_path = RESULTS / "server.log"
    log_path.write_bytes(b"")
    gc_log = RESULTS / "server_gc.log" if gc_probe or gc_freeze else None
    if gc_log is not None:
        gc_log.write_bytes(b"")
    server = Server(root, log_path, extra_args, gc_log, gc_freeze, settle_min)
    result: dict[str, Any] = {
        "cold": [],
        "warm": [],
        "cold_touched": [],
        "cold_cpu": [],
        "cold_runq_wait": [],
        "warm_cpu": [],
        "cold_touched_cpu": [],
        "floor_paired_cpu": [],
        "ping_cpu_ms": [],
        "status_during_cold_ms": [],
        "status_during_cold_touched_ms": [],
        "status_idle_ms": [],
        "status_errors": 0,
        "server_start_seconds": [],
        "server_memory": [],
        "floor_paired": [],
        "response_bytes": None,
        "available": True,
    }
    try:
        for rep in range(cold_reps):
            server.forget_records()
            status, data = _start_ready(server)
            result["server_start_seconds"].append(server.start_seconds)
            if status != 200:
                result["available"] = False
                result["reason"] = f"GET nbcompare/version answered {status}: {data[:200]!r}"
                return result
            memory_idle = server.memory_kb()
            per_ping = _ping_cpu(server)
            result["ping_cpu_ms"].append(per_ping / 1e6)
            for _ in range(3):
                wall, cpu = floor_once()
                result["floor_paired"].append(wall)
                result["floor_paired_cpu"].append(cpu)
            cold = _pinged_compare(server, body, per_ping)
            if cold["status"] != 200:
                result["available"] = False
                result["reason"] = (
                    f"POST nbcompare/compare answered {cold['status']}: {cold['data'][:300]!r}"
                )
                return result
            result["cold"].append(cold["seconds"])
            result["cold_cpu"].append(cold["cpu"])
            result["cold_runq_wait"].append(cold["runq_wait"])
            if cold["gc"] is not None:
                result.setdefault("cold_gc", []).append(cold["gc"])
            result["status_during_cold_ms"] += cold["pings"]
            result["status_idle_ms"] += cold["idle_pings"]
            result["status_errors"] += cold["errors"]
            if rep == 0:
                result["response_bytes"] = len(cold["data"])
                result["summary"] = _compare_summary(cold["data"])
            conn = server.connection()
            for _ in range(warm_reps):
                cpu0, _ = server.cpu_ns()
                status, data, seconds = server.request("POST", "nbcompare/compare", body, conn=conn)
                cpu1, _ = server.cpu_ns()
                if status == 200:
                    result["warm"].append(seconds)
                    result["warm_cpu"].append((cpu1 - cpu0) / 1e9)
            conn.close()
            _touch(root, paths)
            touched = _pinged_compare(server, body, per_ping)
            seconds = touched["seconds"]
            if touched["status"] == 200:
                result["cold_touched"].append(seconds)
                result["cold_touched_cpu"].append(touched["cpu"])
                if touched["gc"] is not None:
                    result.setdefault("cold_touched_gc", []).append(touched["gc"])
                result["status_during_cold_touched_ms"] += touched["pings"]
            memory = server.memory_kb()
            result["server_memory"].append({"idle": memory_idle, "after": memory})
            server.stop()
            print(
                f"  server rep {rep + 1}/{cold_reps}: cold {seconds_fmt(result['cold'][-1])}, "
                f"warm {seconds_fmt(_median(result['warm'][-warm_reps:]))}, "
                f"cold after touch {seconds_fmt(seconds)}, "
                f"VmHWM {memory['hwm_kb'] or 0:,} KiB"
            )
        if profile:
            result["profile"] = profile_cold(server, root, paths, body, all_threads)
    except (RuntimeError, OSError, http.client.HTTPException) as error:
        # A measurement, not a test: report what failed and keep the other numbers.
        result["available"] = bool(result["cold"])
        result["reason"] = f"{type(error).__name__}: {error}"
        print(f"  server measurement stopped: {result['reason']}")
    finally:
        server.close()
    return result


def seconds_fmt(value: float | None) -> str:
    """Seconds as a short human string (ms below one second)."""
    if value is None:
        return "-"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _spy(
    server: Server,
    body: bytes,
    raw_path: Path,
    all_threads: bool,
    before_each: Callable[[], None] | None = None,
    repeats: int = 1,
) -> tuple[int, float, str]:
    """Record ``repeats`` compares with py-spy attached to the server (500 Hz).

    ``before_each`` runs (unrecorded work of the benchmark, e.g. a touch) before
    each compare; more compares give more samples. Answers the last status, the
    median seconds of the compares and py-spy's stderr tail.

    By default only the thread holding the GIL is sampled (``--gil``): the
    compare is CPU-bound Python, and a thread waiting for the GIL would otherwise
    be counted in whatever line it was switched out at. ``all_threads`` samples
    every non-idle thread instead, labelled by thread.
    """
    mode = ("--threads",) if all_threads else ("--gil",)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    spy = subprocess.Popen(
        [
            *(py_spy, "record", "--pid", str(server.pid), "--rate", "500", *mode),
            *("--format", "raw", "--output", str(raw_path)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.0)  # let py-spy attach
    times = []
    for _ in range(repeats):
        if before_each is not None:
            before_each()
        status, _, seconds = server.request("POST", "nbcompare/compare", body)
        times.append(seconds)
    time.sleep(0.1)
    spy.send_signal(signal.SIGINT)
    try:
        _, err = spy.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        spy.kill()
        _, err = spy.communicate()
    return status, _median(times) or 0.0, err.decode(errors="replace")[-500:]


def profile_cold(
    server: Server, root: Path, paths: list[str], body: bytes, all_threads: bool = False
) -> dict:
    """Profile, with py-spy, a cold compare on a fresh server and three after a touch.

    Writes ``results/profile_cold.txt`` and ``results/profile_cold_touched.txt``
    (collapsed stacks: load them in speedscope or flamegraph.pl) and a
    ``*_summary.txt`` beside each (top functions, share of each thread). Not
    counted in the timings: sampling slows the server a little.
    """
    py_spy = shutil.which("py-spy") or Path(sys.executable).with_name("py-spy")
    if not Path(py_spy).exists():
        return {"available": False, "reason": "py-spy is not installed"}
    server.forget_records()
    _start_ready(server)
    profiles: dict[str, Any] = {
        "available": True,
        "sampled": "all threads" if all_threads else "GIL holder",
    }
    for label in ("cold", "cold_touched"):
        raw_path = RESULTS / f"profile_{label}.txt"
        raw_path.unlink(missing_ok=True)
        if label == "cold":  # one per server start, by definition
            status, seconds, err = _spy(server, body, raw_path, all_threads)
        else:  # three touched colds in one recording, for more samples
            touch = lambda: _touch(root, paths)  # noqa: E731
            status, seconds, err = _spy(server, body, raw_path, all_threads, touch, repeats=3)
        if not raw_path.exists():
            profiles[label] = {"available": False, "reason": err}
            continue
        summary = summarise_profile(raw_path.read_text())
        summary_path = RESULTS / f"profile_{label}_summary.txt"
        summary_path.write_text(summary["text"])
        profiles[label] = {
            "available": True,
            "status": status,
            "seconds_under_profiler": seconds,
            "raw": str(raw_path.relative_to(REPO)),
            "summary": str(summary_path.relative_to(REPO)),
            "samples": summary["samples"],
            "importing_samples": summary["importing_samples"],
            "top_self": summary["top_self"][:15],
            "top_inclusive": summary["top_inclusive"][:25],
            "threads": summary["threads"],
        }
    server.stop()
    return profiles


_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def _short_frame(frame: str) -> str:
    """``func (file:line)`` -> ``func (package/module.py)``, to aggregate over lines."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    file = match.group("file")
    for marker in ("site-packages/", "lib/python3.", "/work/main/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{match.group('func')} ({file})"


def summarise_profile(raw: str) -> dict:
    """Top self and inclusive functions, and the share of each thread, from collapsed stacks."""
    total = 0
    self_counts: Counter = Counter()
    incl_counts: Counter = Counter()
    threads: Counter = Counter()
    importing = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        thread = next((f for f in frames if f.startswith(("thread ", "process "))), "?")
        frames = [f for f in frames if not f.startswith(("thread ", "process "))]
        threads[thread.split(" ", 1)[-1] if thread.startswith("thread") else thread] += count
        total += count
        if not frames:
            continue
        if any("importlib._bootstrap" in f for f in frames):
            importing += count
        short = [_short_frame(f) for f in frames]
        self_counts[short[-1]] += count
        for name in set(short):
            incl_counts[name] += count

    def table(counter: Counter, limit: int) -> list[dict]:
        return [
            {"function": name, "samples": n, "percent": round(100 * n / max(total, 1), 1)}
            for name, n in counter.most_common(limit)
        ]

    top_self, top_incl = table(self_counts, 30), table(incl_counts, 60)
    lines = [
        f"py-spy samples: {total}",
        f"importing modules: {importing} samples ({100 * importing / max(total, 1):.1f}%)",
        "",
        "threads:",
    ]
    lines += [f"  {n:6d} {100 * n / max(total, 1):5.1f}%  {name}" for name, n in threads.items()]
    lines += ["", "top self time:"]
    lines += [f"  {r['percent']:5.1f}%  {r['function']}" for r in top_self]
    lines += ["", "top inclusive time:"]
    lines += [f"  {r['percent']:5.1f}%  {r['function']}" for r in top_incl]
    return {
        "text": "\n".join(lines) + "\n",
        "top_self": top_self,
        "top_inclusive": top_incl,
        "threads": {name: n for name, n in threads.items()},
        "samples": total,
        "importing_samples": importing,
    }


def measure_core(root: Path, paths: list[str], reps: int) -> dict:
    """The extension's core in-process, single-threaded, stage by stage, plus a cProfile.

    This is the compare without the server (no HTTP, no contents manager, no
    threads): ``reader.parse_notebook``, ``extract.extract`` per notebook, then
    ``compare.compare`` and serialising the answer. The gap between it and the
    server's cold compare is the server's own overhead; the cProfile
    (``results/profile_core.txt``) is deterministic, unlike the sampled profiles.
    """
    import cProfile
    import pstats

    try:
        from jupyterlab_nbcompare.core import compare as core_compare
        from jupyterlab_nbcompare.core import extract, reader
    except ImportError as error:
        return {"available": False, "reason": str(error)}
    raws = [(root / path).read_bytes() for path in paths]
    stages: dict[str, list[float]] = {"parse": [], "extract": [], "compare": [], "dumps": []}
    cpu_times: list[float] = []

    def once() -> None:
        cpu = time.thread_time()
        started = time.perf_counter()
        nbs = [reader.parse_notebook(raw) for raw in raws]
        parsed = time.perf_counter()
        records = [extract.extract(nb) for nb in nbs]
        extracted = time.perf_counter()
        entries = [
            {"path": path, "last_modified": None, "record": record, "error": None}
            for path, record in zip(paths, records)
        ]
        answer = core_compare.compare(entries, baseline=paths[0])
        compared = time.perf_counter()
        orjson.dumps(answer)
        dumped = time.perf_counter()
        stages["parse"].append(parsed - started)
        stages["extract"].append(extracted - parsed)
        stages["compare"].append(compared - extracted)
        stages["dumps"].append(dumped - compared)
        cpu_times.append(time.thread_time() - cpu)

    try:
        once()  # warm: imports, regex compilation
        for stage in stages.values():
            stage.clear()
        cpu_times.clear()
        for _ in range(reps):
            once()
        timed = {name: list(times) for name, times in stages.items()}, list(cpu_times)
        profiler = cProfile.Profile()
        profiler.enable()
        once()
        profiler.disable()
    except Exception as error:  # the core's API may be mid-change: report, never crash
        return {"available": False, "reason": f"{type(error).__name__}: {error}"}
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write("cProfile of one in-process parse + extract + compare of the corpus\n")
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    (RESULTS / "profile_core.txt").write_text(out.getvalue())
    stages, cpu_times = timed  # without the profiled pass
    medians = {name: _median(times) for name, times in stages.items()}
    return {
        "available": True,
        "stages": stages,
        "medians": medians,
        "median": sum(value for value in medians.values() if value is not None),
        "cpu": cpu_times,
        "cpu_median": _median(cpu_times),
        "profile": str((RESULTS / "profile_core.txt").relative_to(REPO)),
    }


def _patch_read_html(module) -> None:
    """pandas 3 no longer reads literal HTML strings: wrap them in ``StringIO``.

    sklearn-evaluation's ``to_df`` calls ``pd.read_html(obj.data)`` with a string;
    its module's ``pd`` is replaced by a proxy whose ``read_html`` wraps strings.
    """
    import pandas as pd

    class _Pandas:
        def __getattr__(self, name):
            return getattr(pd, name)

        @staticmethod
        def read_html(source, *args, **kwargs):
            if isinstance(source, str):
                source = io.StringIO(source)
            return pd.read_html(source, *args, **kwargs)

    module.pd = _Pandas()


def measure_sklearn_evaluation(root: Path, paths: list[str], reps: int) -> dict:
    """sklearn-evaluation's ``NotebookCollection``: load every run, render every tag.

    Rendering is ``collection[tag]._repr_html_()`` for each tag it knows (the first
    tag of each tagged cell of the first notebook: its own rule), which is what a
    notebook shows when the collection is displayed tag by tag.
    """
    os.environ.setdefault("PLOOMBER_STATS_ENABLED", "false")  # no telemetry
    os.environ.setdefault("PLOOMBER_VERSION_CHECK_DISABLED", "true")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import sklearn_evaluation.nb.NotebookCollection as collection_module
            from sklearn_evaluation import NotebookCollection
    except ImportError as error:
        return {
            "available": False,
            "reason": f"{error} (pip install -r benchmarks/requirements.txt; see README)",
        }
    _patch_read_html(collection_module)
    files = [str(root / path) for path in paths]
    load_times: list[float] = []
    render_times: list[float] = []
    cpu_times: list[float] = []
    render_errors: dict[str, str] = {}
    tags: list[str] = []

    def once() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cpu = time.process_time()
            started = time.perf_counter()
            collection = NotebookCollection(files, ids="filenames")
            loaded = time.perf_counter()
            tags[:] = list(collection)
            for tag in tags:
                try:
                    collection[tag]._repr_html_()
                except Exception as error:
                    render_errors[tag] = f"{type(error).__name__}: {error}"[:200]
            rendered = time.perf_counter()
        cpu_times.append(time.process_time() - cpu)
        load_times.append(loaded - started)
        render_times.append(rendered - loaded)

    times = _repeat(once, reps, budget=45)
    return {
        "available": True,
        "version": _version("sklearn-evaluation"),
        "seconds": times,
        "median": _median(times),
        "cpu": cpu_times,
        "cpu_median": _median(cpu_times),
        "load_median": _median(load_times),
        "render_median": _median(render_times),
        "tags": tags,
        "render_errors": render_errors,
    }


def measure_scrapbook(root: Path, paths: list[str], reps: int) -> dict:
    """scrapbook's ``read_notebooks`` on the runs folder, then every scrap's data."""
    try:
        import scrapbook as sb
    except ImportError as error:
        return {"available": False, "reason": str(error)}
    folder = str(root / "runs")
    found: dict[str, int] = {}
    cpu_times: list[float] = []

    def once() -> None:
        cpu = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = sb.read_notebooks(folder)
            data = {name: nb.scraps.data_dict for name, nb in book.items()}
        cpu_times.append(time.process_time() - cpu)
        found["notebooks"] = len(data)
        found["scraps"] = sum(len(scraps) for scraps in data.values())

    times = _repeat(once, reps, budget=30)
    return {
        "available": True,
        "version": _version("scrapbook"),
        "seconds": times,
        "median": _median(times),
        "cpu": cpu_times,
        "cpu_median": _median(cpu_times),
        **found,
    }


# --------------------------------------------------------------------------- report


def _paired_ratio(server: dict) -> float | None:
    """Median over repetitions of cold / the floor sampled just before it (load-robust)."""
    cold, floor = server.get("cold", []), server.get("floor_paired", [])
    if not server.get("available") or len(floor) < 3 * len(cold) or not cold:
        return None
    return _median([c / _median(floor[3 * i : 3 * i + 3]) for i, c in enumerate(cold)])


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def compute_ratios(results: dict) -> dict:
    """The ratios the targets are stated in (wall clock), and the same in CPU time.

    None when a side is missing. The CPU ratios compare what each side consumed
    (the server's threads for a compare; this process for the others), which a
    busy machine skews much less than wall-clock time.
    """
    server, floor = results["server"], results["floor"]
    up = bool(server.get("available"))

    def med(key: str) -> float | None:
        return _median(server.get(key, [])) if up else None

    sk, sbk = results["sklearn_evaluation"], results["scrapbook"]
    core = results.get("core") or {}
    pings = server.get("status_during_cold_ms", [])
    return {
        "sklearn_over_cold": _div(sk.get("median"), med("cold")),
        "scrapbook_over_cold": _div(sbk.get("median"), med("cold")),
        "cold_over_floor": _div(med("cold"), floor["median"]),
        "warm_over_floor": _div(med("warm"), floor["median"]),
        "cold_touched_over_floor": _div(med("cold_touched"), floor["median"]),
        "cold_over_floor_paired": _paired_ratio(server),
        "core_over_floor": _div(core.get("median"), floor["median"]),
        "status_p99_ms": _percentile(pings, 0.99),
        "status_max_ms": max(pings) if pings else None,
        "cpu": {
            "sklearn_over_cold": _div(sk.get("cpu_median"), med("cold_cpu")),
            "scrapbook_over_cold": _div(sbk.get("cpu_median"), med("cold_cpu")),
            "cold_over_floor": _div(med("cold_cpu"), floor["cpu_median"]),
            "warm_over_floor": _div(med("warm_cpu"), floor["cpu_median"]),
            "cold_touched_over_floor": _div(med("cold_touched_cpu"), floor["cpu_median"]),
            "core_over_floor": _div(core.get("cpu_median"), floor["cpu_median"]),
        },
    }


def _target_state(ratio: float | None, op: str, threshold: float) -> str:
    if ratio is None:
        return "n/a"
    met = {">=": ratio >= threshold, "<=": ratio <= threshold, "<": ratio < threshold}[op]
    return "MET" if met else "MISSED"


def _timing_rows(results: dict) -> list[tuple[str, str, str, Any]]:
    """(label, wall median, CPU median, samples) for every timed measurement."""
    server, floor = results["server"], results["floor"]
    sk, sbk = results["sklearn_evaluation"], results["scrapbook"]
    core = results.get("core") or {}
    rows: list[tuple[str, str, str, Any]] = []

    def add(label: str, wall: list[float], cpu: list[float] | None = None) -> None:
        rows.append((label, seconds_fmt(_median(wall)), seconds_fmt(_median(cpu or [])), len(wall)))

    add("floor: read + orjson.loads", floor["seconds"], floor["cpu"])
    if server.get("available"):
        add("compare, cold (fresh server)", server["cold"], server["cold_cpu"])
        add("compare, warm (same request)", server["warm"], server["warm_cpu"])
        add(
            "compare, cold cache (files touched)",
            server["cold_touched"],
            server["cold_touched_cpu"],
        )
        rows.append(
            (
                "  cold: server threads waiting for a CPU",
                "",
                seconds_fmt(_median(server["cold_runq_wait"])),
                "",
            )
        )
    else:
        rows.append(("compare (server)", "unavailable", "", 0))
    if core.get("available"):
        rows.append(
            (
                "core in-process, 1 thread",
                seconds_fmt(core["median"]),
                seconds_fmt(core["cpu_median"]),
                "",
            )
        )
        for name, value in core["medians"].items():
            rows.append((f"  of which {name}", seconds_fmt(value), "", len(core["stages"][name])))
    for label, entry in (
        ("sklearn-evaluation NotebookCollection", sk),
        ("scrapbook read_notebooks + scraps", sbk),
    ):
        if entry.get("available"):
            add(label, entry["seconds"], entry.get("cpu"))
        else:
            rows.append((label, "unavailable", "", 0))
        if entry is sk and sk.get("available"):
            rows.append(("  of which loading", seconds_fmt(sk["load_median"]), "", ""))
            rows.append(("  of which rendering", seconds_fmt(sk["render_median"]), "", ""))
    return rows


def print_report(results: dict) -> None:
    """The table of timings, then the ratios with each target marked met or missed."""
    server = results["server"]
    ratios = results["ratios"]
    corpus = results["corpus"]
    print()
    print(
        f"Corpus: {corpus['notebooks']} notebooks, {corpus['bytes'] / 1e6:.1f} MB "
        f"({corpus['root']})"
    )
    if server.get("summary"):
        summary = server["summary"]
        print(
            f"Compare answer: {summary.get('notebooks')} notebooks {summary.get('statuses')}, "
            f"{summary.get('values')} values, {server.get('response_bytes', 0) / 1e6:.2f} MB"
        )
    load = results.get("loadavg_start"), results.get("loadavg_end")
    print(
        f"Machine: {results['machine']['cpus']} CPUs, load average {load[0][0]:.2f} at start, "
        f"{load[1][0]:.2f} at end (other work on the machine skews every number)"
    )
    print()
    rows = [("measurement", "wall", "CPU", "samples"), *_timing_rows(results)]
    for label, key in (("cold", "cold_gc"), ("cold touched", "cold_touched_gc")):
        probes = server.get(key) or []
        if probes:
            total = _median([probe["seconds"] for probe in probes])
            full = _median([probe["gen2_collections"] for probe in probes])
            longest = max(probe["max_pause"] for probe in probes)
            text = f"{seconds_fmt(total)} ({full:g} full), longest {seconds_fmt(longest)}"
            rows.append((f"  {label}: garbage collection", text, "", len(probes)))
    pings = server.get("status_during_cold_ms", [])
    touched = server.get("status_during_cold_touched_ms", [])
    idle = server.get("status_idle_ms", [])
    for label, values in (
        ("/api/status during cold", pings),
        ("/api/status during cold touched", touched),
        ("/api/status idle", idle),
    ):
        if values:
            p50, p99 = _percentile(values, 0.5), _percentile(values, 0.99)
            text = f"p50 {p50:.1f} / p99 {p99:.1f} / max {max(values):.1f} ms"
            rows.append((label, text, "", len(values)))
    mem = results["memory"]
    if mem.get("server_hwm_kb"):
        rows.append(("server peak RSS (VmHWM)", f"{mem['server_hwm_kb'] / 1024:.0f} MiB", "", ""))
        if mem.get("workers_hwm_kb"):
            workers = f"{mem['workers_hwm_kb'] / 1024:.0f} MiB"
            rows.append(("worker processes' peak RSS, summed", workers, "", ""))
        rows.append(
            ("server RSS before compare", f"{mem['server_idle_rss_kb'] / 1024:.0f} MiB", "", "")
        )
    rows.append(
        ("benchmark peak RSS (ru_maxrss)", f"{mem['bench_maxrss_kb'] / 1024:.0f} MiB", "", "")
    )
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    for label, wall, cpu, n in rows:
        print(f"  {label:<{width}}  {wall:>{value_width}}  {cpu:>10}  {n}")
    print()
    print("Targets (wall-clock ratios from this run; CPU-time ratio for reference):")
    cpu_ratios = ratios.get("cpu", {})
    for label, key, op, threshold in TARGETS:
        value = ratios.get(key)
        is_ms = key.endswith("_ms")
        shown = "-" if value is None else (f"{value:.1f} ms" if is_ms else f"{value:.2f}x")
        state = _target_state(value, op, threshold)
        extra = ""
        if key == "cold_over_floor" and value is not None:
            extra = " (moonshot 3x " + ("met)" if value <= 3 else "missed)")
        cpu_value = cpu_ratios.get(key)
        if cpu_value is not None:
            extra += f"   CPU: {cpu_value:.2f}x {_target_state(cpu_value, op, threshold)}"
        print(f"  {label:<40} {shown:>10}  {state}{extra}")
    for label, key in (
        ("cold / floor, paired per restart", "cold_over_floor_paired"),
        ("cold cache (touched) / floor", "cold_touched_over_floor"),
        ("core in-process / floor", "core_over_floor"),
        ("scrapbook / cold", "scrapbook_over_cold"),
    ):
        value = ratios.get(key)
        if value is not None:
            cpu_value = cpu_ratios.get(key)
            cpu_text = f"   CPU: {cpu_value:.2f}x" if cpu_value is not None else ""
            print(f"  {label + ' (info)':<40} {value:>9.2f}x{cpu_text}")
    if not server.get("available"):
        print(f"\nServer compare unavailable: {server.get('reason')}")
    profiles = server.get("profile") or {}
    for label in ("cold", "cold_touched"):
        prof = profiles.get(label) or {}
        if prof.get("available"):
            print(f"\nProfile of a {label} compare (py-spy, top self time): {prof['summary']}")
            for row in prof["top_self"][:10]:
                print(f"  {row['percent']:5.1f}%  {row['function']}")


def _wait_for_quiet(limit: float) -> None:
    """Wait (at most ``limit`` seconds) until the machine is not busier than its CPUs."""
    cpus = os.cpu_count() or 1
    deadline = time.monotonic() + limit
    while os.getloadavg()[0] >= cpus and time.monotonic() < deadline:
        print(f"waiting for a quieter machine: load average {os.getloadavg()[0]:.1f}")
        time.sleep(10)


def main(argv: list[str] | None = None) -> int:
    """Run every measurement, print the report, write the JSON; always exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="notebooks in the corpus")
    parser.add_argument("--cold-reps", type=int, default=5, help="server restarts (cold)")
    parser.add_argument("--warm-reps", type=int, default=3, help="warm compares per restart")
    parser.add_argument("--floor-reps", type=int, default=9)
    parser.add_argument("--core-reps", type=int, default=3)
    parser.add_argument("--sklearn-reps", type=int, default=3)
    parser.add_argument("--scrapbook-reps", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=4, help="papermill runs in parallel")
    parser.add_argument("--rebuild-corpus", action="store_true")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument(
        "--profile-all-threads",
        action="store_true",
        help="profile every non-idle thread instead of the GIL holder only",
    )
    parser.add_argument(
        "--wait-for-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="first wait up to SECONDS for the 1-minute load average to drop below the CPU count",
    )
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        metavar="N",
        help="lower this process's nice value by N (root only; the server inherits it) so "
        "that concurrent work on a busy machine skews the numbers less",
    )
    parser.add_argument(
        "--gc-probe",
        action="store_true",
        help="log the server's garbage collections (benchmarks/gc_probe) and report their "
        "pauses during the cold compares",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="what-if (implies --gc-probe): the settled server runs gc.collect() and "
        "gc.freeze() before each cold compare; not a measurement of the product as shipped",
    )
    parser.add_argument(
        "--settle-min",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="at least this long between a server's start and its cold compare: past the "
        "one-off collection of NbCompare.gc_collect_after (1 s), since a person who opens "
        "JupyterLab takes longer than that to ask for a comparison (0 to measure a compare "
        "sent at once; raise it past --server-arg=--NbCompare.gc_freeze_after=N)",
    )
    parser.add_argument("--skip-sklearn", action="store_true")
    parser.add_argument("--skip-scrapbook", action="store_true")
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        help="extra jupyter server argument, e.g. --server-arg=--NbCompare.cache_bytes=0",
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    _wait_for_quiet(args.wait_for_quiet)
    if args.priority:
        try:
            os.nice(-args.priority)
        except OSError as error:
            print(f"--priority ignored: {error}")
    begun = time.perf_counter()

    root, paths = build_corpus(args.runs, args.jobs, args.rebuild_corpus)
    corpus_bytes = sum((root / path).stat().st_size for path in paths)
    results: dict[str, Any] = {
        "when": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "commit": _git_commit(),
        "package_dirty": _package_dirty(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "nice": os.nice(0),
        },
        "versions": {
            name: _version(name)
            for name in ("jupyterlab-nbcompare", "jupyter_server", "orjson", "pandas", "nbformat")
        },
        "args": vars(args),
        "corpus": {
            "notebooks": len(paths),
            "bytes": corpus_bytes,
            "root": str(root.relative_to(REPO)),
        },
        "memory": {},
        "loadavg_start": os.getloadavg(),
    }

    print("floor: reading + orjson.loads ...")
    floor_once = floor_function(root, paths)
    results["floor"] = measure_floor(floor_once, args.floor_reps)
    print(f"  median {seconds_fmt(_median(results['floor']['seconds']))}")

    print("core: parse + extract + compare in-process ...")
    results["core"] = measure_core(root, paths, args.core_reps)

    print(f"server: {args.cold_reps} cold starts, {args.warm_reps} warm compares each ...")
    results["server"] = measure_server(
        root,
        paths,
        args.cold_reps,
        args.warm_reps,
        args.server_arg,
        not args.no_profile,
        floor_once,
        args.profile_all_threads,
        args.gc_probe,
        args.gc_freeze,
        args.settle_min,
    )
    # The floor samples taken between server runs count too (same load as the compares).
    results["floor"]["seconds"] += results["server"].get("floor_paired", [])
    results["floor"]["cpu"] += results["server"].get("floor_paired_cpu", [])
    results["floor"]["median"] = _median(results["floor"]["seconds"])
    results["floor"]["cpu_median"] = _median(results["floor"]["cpu"])
    memories = results["server"].get("server_memory", [])
    if memories:
        results["memory"]["server_hwm_kb"] = max(m["after"]["hwm_kb"] or 0 for m in memories)
        results["memory"]["workers_hwm_kb"] = max(
            m["after"].get("workers_hwm_kb") or 0 for m in memories
        )
        results["memory"]["server_idle_rss_kb"] = max(m["idle"]["rss_kb"] or 0 for m in memories)
    results["memory"]["bench_maxrss_kb_before_alternatives"] = _maxrss_kb()

    if args.skip_scrapbook:
        results["scrapbook"] = {"available": False, "reason": "skipped"}
    else:
        print("scrapbook: read_notebooks ...")
        results["scrapbook"] = measure_scrapbook(root, paths, args.scrapbook_reps)
    if args.skip_sklearn:
        results["sklearn_evaluation"] = {"available": False, "reason": "skipped"}
    else:
        print("sklearn-evaluation: NotebookCollection ...")
        results["sklearn_evaluation"] = measure_sklearn_evaluation(root, paths, args.sklearn_reps)
    results["memory"]["bench_maxrss_kb"] = _maxrss_kb()
    results["ratios"] = compute_ratios(results)
    results["targets"] = {
        key: _target_state(results["ratios"].get(key), op, threshold)
        for _, key, op, threshold in TARGETS
    }
    results["total_seconds"] = time.perf_counter() - begun
    results["loadavg_end"] = os.getloadavg()

    print_report(results)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(results, indent=1, default=str)
    (RESULTS / "bench_compare.json").write_text(text)
    (RESULTS / f"bench_compare-{stamp}.json").write_text(text)
    print(f"\nResults: {RESULTS / 'bench_compare.json'} ({results['total_seconds']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
