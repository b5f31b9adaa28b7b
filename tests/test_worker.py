"""The worker processes of NbCompare.parse_processes (jupyterlab_nbcompare.worker).

Real processes throughout: each test starts workers as the pool does
(``python -I -c ...``, running :func:`jupyterlab_nbcompare.worker.main`).
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from jupyterlab_nbcompare import loader
from jupyterlab_nbcompare.worker import PIPELINE_BYTES, WorkerError, WorkerPool, request

LIMIT = 50 * 1024 * 1024


@pytest.fixture
def pool():
    workers = WorkerPool(1)
    yield workers
    workers.close()


def test_a_worker_answers_what_the_server_process_computes(
    pool, example_runs, corpus_notebooks, tmp_path
):
    # Given real papermill runs, the real-notebook corpus and a file that is no notebook
    broken = tmp_path / "broken.ipynb"
    broken.write_bytes(b"{not json")
    paths = [str(p) for p in [*example_runs.values(), *corpus_notebooks, broken]]
    # When a worker process reads, parses and extracts them
    answer = pool.call("load_files", paths, LIMIT)
    # Then it is exactly what this process computes (records, errors, stamps,
    # sizes); repr, because NaN values never compare equal
    assert repr(answer) == repr(loader.load_files(paths, LIMIT))
    assert {item[0] for item in answer} == {"record", "error"}


def test_a_worker_killed_while_idle_is_replaced_before_the_next_call(pool, example_runs):
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


def test_a_worker_dying_during_a_call_raises_worker_error(pool, example_runs):
    # Given a worker busy with a long call (one run read 5,000 times, about a
    # second of work), killed a moment after the call started
    run = str(next(iter(example_runs.values())))
    (pid,) = pool.pids()
    killer = threading.Timer(0.2, os.kill, (pid, signal.SIGKILL))
    killer.start()
    # When the call waits for its answer, Then it fails with WorkerError (not a hang)
    with pytest.raises(WorkerError):
        pool.call("load_files", [run] * 5000, LIMIT)
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
    # Given a worker started as the pool starts it
    from jupyterlab_nbcompare.worker import _Worker

    started = _Worker()
    # When its request pipe closes (what happens when the server dies)
    started.process.stdin.close()
    # Then it exits by itself, cleanly
    assert started.process.wait(timeout=30) == 0
    started.process.stdout.close()


def test_a_worker_imports_nothing_from_the_working_directory_or_pythonpath(
    tmp_path, monkeypatch, example_runs
):
    # Given a folder (think: the Jupyter root) holding modules that shadow ones
    # the worker imports, as the working directory and on PYTHONPATH
    marker = tmp_path / "imported"
    for name in ("struct", "queue", "json", "orjson", "jupyterlab_nbcompare"):
        (tmp_path / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write({name!r})\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    # When a pool starts and works
    workers = WorkerPool(1)
    try:
        run = str(next(iter(example_runs.values())))
        assert workers.call("load_files", [run], LIMIT)[0][0] == "record"
    finally:
        workers.close()
    # Then none of those files ran
    assert not marker.exists()


def test_closing_a_pool_does_not_wait_for_a_call_in_flight(pool, example_runs):
    # Given a worker busy with a long call in another thread
    run = str(next(iter(example_runs.values())))
    errors: list[Exception] = []

    def busy() -> None:
        try:
            pool.call("load_files", [run] * 20000, LIMIT)
        except WorkerError as error:
            errors.append(error)

    caller = threading.Thread(target=busy)
    caller.start()
    time.sleep(0.3)
    # When the pool is closed, Then close returns at once and the call fails
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 5
    caller.join(timeout=10)
    assert not caller.is_alive()
    assert len(errors) == 1


def test_requests_sent_ahead_are_answered_in_order(pool, example_runs):
    # Given several different batches of runs
    runs = [str(p) for p in example_runs.values()]
    batches = [runs[:1], runs[1:3], [], runs]
    frames = [request("load_files", batch, LIMIT) for batch in batches]
    assert all(len(frame) <= PIPELINE_BYTES for frame in frames)
    # When one worker is sent all of them before any answer is read
    with pool.reserve() as worker:
        for frame in frames:
            worker.send(frame)
        answers = [worker.receive() for _ in frames]
    # Then each answer is its own request's, in order
    assert [repr(answer) for answer in answers] == [
        repr(loader.load_files(batch, LIMIT)) for batch in batches
    ]
    # And the worker goes back to the pool for the next caller
    assert pool.call("load_files", runs[:1], LIMIT)[0][0] == "record"


def test_a_worker_that_fails_inside_a_reservation_is_replaced(pool):
    # Given a worker reserved, whose process dies before it answers
    (pid,) = pool.pids()

    def use_a_dead_worker():
        with pool.reserve() as worker:
            worker.process.kill()
            worker.process.wait()
            worker.send(request("load_files", [], LIMIT))
            worker.receive()

    with pytest.raises(WorkerError):
        use_a_dead_worker()
    # Then it was retired, and the next call starts a fresh one
    assert pool.call("load_files", [], LIMIT) == []
    assert pool.pids()
    assert pool.pids()[0] != pid


def test_a_worker_given_back_with_an_answer_unread_never_serves_it_to_the_next_caller(
    pool, example_runs
):
    # Given two different runs
    first, second = [str(p) for p in list(example_runs.values())[:2]]
    (pid,) = pool.pids()

    # When a caller sends two requests, reads one answer, and fails
    def fail_mid_pipeline():
        with pool.reserve() as worker:
            worker.send(request("load_files", [first], LIMIT))
            worker.send(request("load_files", [first], LIMIT))
            worker.receive()
            raise RuntimeError("the caller failed")

    with pytest.raises(RuntimeError):
        fail_mid_pipeline()
    # Then the next caller gets its own answer from a fresh worker, never the
    # answer left in the old worker's pipe
    assert repr(pool.call("load_files", [second], LIMIT)) == repr(
        loader.load_files([second], LIMIT)
    )
    assert pool.pids()[0] != pid

    # And a caller that simply leaves an answer unread is refused the same way
    def leave_an_answer_unread():
        with pool.reserve() as worker:
            worker.send(request("load_files", [first], LIMIT))

    with pytest.raises(WorkerError, match="mid-call"):
        leave_an_answer_unread()
    assert repr(pool.call("load_files", [second], LIMIT)) == repr(
        loader.load_files([second], LIMIT)
    )
