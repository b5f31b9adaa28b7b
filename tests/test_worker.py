"""The worker processes of NbCompare.parse_processes (jupyterlab_nbcompare.worker).

Real processes throughout: each test starts ``python -m jupyterlab_nbcompare.worker``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from jupyterlab_nbcompare import loader
from jupyterlab_nbcompare.worker import WorkerError, WorkerPool

LIMIT = 50 * 1024 * 1024


@pytest.fixture
def pool():
    workers = WorkerPool(1)
    yield workers
    workers.close()


def test_a_worker_answers_what_the_server_process_computes(
    pool, example_runs, corpus_notebooks, tmp_path
):
    # Given real papermill runs, the shared corpus and a file that is no notebook
    broken = tmp_path / "broken.ipynb"
    broken.write_bytes(b"{not json")
    paths = [str(p) for p in [*example_runs.values(), *corpus_notebooks, broken]]
    # When a worker process reads, parses and extracts them
    answer = pool.call("load_files", paths, LIMIT)
    # Then it is exactly what this process computes (records, errors, stamps,
    # sizes); repr, because NaN values never compare equal
    assert repr(answer) == repr(loader.load_files(paths, LIMIT))
    assert {item[0] for item in answer} == {"record", "error"}


def test_a_killed_worker_fails_one_call_and_is_replaced(pool, example_runs):
    paths = [str(p) for p in example_runs.values()]
    # Given a pool whose worker was killed
    (pid,) = pool.pids()
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if not pool.pids():
            break
        time.sleep(0.02)
    # When it is called, Then the call is answered by a fresh worker
    answer = pool.call("load_files", paths, LIMIT)
    assert len(answer) == len(paths)
    (new_pid,) = pool.pids()
    assert new_pid != pid


def test_a_worker_dying_during_a_call_raises_worker_error(pool, tmp_path):
    # Given a worker busy with a call, killed while it works
    fifo = tmp_path / "never-written.ipynb"
    os.mkfifo(fifo)  # opening it for reading blocks the worker until killed
    (pid,) = pool.pids()
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))
    killer.start()
    # When the call waits for its answer, Then it fails with WorkerError (not a hang)
    with pytest.raises(WorkerError):
        pool.call("load_files", [str(fifo)], LIMIT)
    killer.join()
    # And the next call gets a new worker
    assert pool.call("load_files", [], LIMIT) == []
    assert pool.pids()
    assert pool.pids()[0] != pid


def test_unknown_functions_are_refused(pool):
    # Given the pool, When a name outside the worker's whitelist is called
    with pytest.raises(WorkerError, match="no worker function"):
        pool.call("system", "echo hi")
    # Then later calls still work
    assert pool.call("load_files", [], LIMIT) == []


def test_a_closed_pool_stops_its_workers_and_refuses_calls():
    # Given a pool of two workers
    workers = WorkerPool(2)
    pids = workers.pids()
    assert len(pids) == 2
    # When it is closed
    workers.close()
    # Then its processes are gone and calls fail clearly
    assert workers.pids() == []
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(WorkerError, match="closed"):
        workers.call("load_files", [], LIMIT)


def test_a_worker_exits_when_its_parent_goes_away():
    # Given a worker started by hand, as the pool starts it
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab_nbcompare.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    # When its request pipe closes (what happens when the server dies)
    process.stdin.close()
    # Then it exits by itself, cleanly
    assert process.wait(timeout=30) == 0
    process.stdout.close()
