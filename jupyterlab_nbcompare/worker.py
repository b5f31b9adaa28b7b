"""Worker processes that read, parse and extract notebooks (``NbCompare.parse_processes``).

Why processes: parsing is CPU-bound Python, so threads of the server share one
core and one garbage collector with every other request. Workers parse on the
other cores and collect their own garbage.

Why not :mod:`multiprocessing`: its workers start by re-importing the program
that started the parent (for a server, ``jupyter-server`` or ``jupyter-lab``:
all of jupyter_server, about 70 MB and a second of CPU per worker, measured).
A worker here is a plain ``python -I`` that imports only :mod:`.loader` (the
core and the standard library), about 21 MB.

The protocol is the smallest that works: the parent writes one request frame
on the worker's stdin and reads one answer frame from its stdout; a frame is
an 8-byte big-endian length and a :mod:`marshal` dump. marshal carries exactly
the plain values a record is made of (dicts, lists, tuples, strings, numbers
including NaN), is faster than pickle for them, and loading it never runs
code, so even a worker that went wrong cannot make the server execute
anything. Both ends run the same interpreter, as marshal requires. Only the
functions named in :func:`main` can be called. The worker writes anything else
(warnings, a stray ``print``) to stderr, never into the protocol.

The parent side (:class:`WorkerPool`) is blocking and thread-safe: the service
reserves one worker per thread, and may send it a second request before
reading the first answer (answers come back in order), so the worker never
waits for the parent between batches. A worker that dies or answers garbage
raises :class:`WorkerError` and is replaced on the next use (the service then
retries the unanswered batches notebook by notebook);
:class:`WorkerStartError` means no worker can run at all.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import IO, Any

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">Q")
#: Largest frame either side accepts (a batch of records is far smaller).
MAX_FRAME = 1 << 31


class WorkerError(RuntimeError):
    """A worker process failed to answer (it died, or its answer was not a frame)."""


class WorkerStartError(WorkerError):
    """No worker process could be started (or the pool is closed)."""


#: A request at most this long may be written while the worker may still be
#: writing an earlier answer: it fits in a pipe's buffer (at least one 4 KiB
#: page, even where Linux shrinks the buffers of a user with many pipes), so
#: the write cannot block on a worker that is itself blocked writing to us.
PIPELINE_BYTES = 4096


def _frame(payload: Any) -> bytes:
    """One frame: the length header and the marshal dump."""
    try:
        data = marshal.dumps(payload)
    except ValueError as error:  # a value marshal cannot carry: say so instead
        data = marshal.dumps(("error", f"unserialisable answer: {error}"))
    return _HEADER.pack(len(data)) + data


def _write_frame(stream: IO[bytes], payload: Any) -> None:
    stream.write(_frame(payload))
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream: IO[bytes]) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes")
    # Our own process wrote it (see the module docstring); loading runs no code.
    return marshal.loads(_read_exactly(stream, size))  # noqa: S302


# --------------------------------------------------------------------------- worker side


def main() -> None:
    """Serve requests on stdin/stdout until stdin closes (the parent went away)."""
    from . import loader

    # The compare request a parent is reading notebooks for: sent once, so that
    # each batch's request stays small enough to be sent ahead (PIPELINE_BYTES).
    against: list = []

    def compare_against(spec: tuple) -> None:
        against[:] = [spec]

    def load_compare_files(os_paths: list, paths: list, limit: int) -> tuple:
        if not against:
            raise LookupError("compare_against was not called")
        return loader.load_compare_files(os_paths, paths, limit, against[0])

    # What a parent may call, by name: nothing else.
    functions = {
        "load_files": loader.load_files,
        "compare_against": compare_against,
        "load_compare_files": load_compare_files,
    }
    # The protocol owns the original stdout; anything printed goes to stderr.
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    loader.warm_up()
    while True:
        try:
            name, args = _read_frame(requests)
        except Exception:  # EOF: the parent went away; anything else: not our parent
            return
        function = functions.get(name)
        try:
            if function is None:
                raise LookupError(f"no worker function {name!r}")
            answer = ("ok", function(*args))
        except Exception as error:  # the parent decides what to do with it
            answer = ("error", f"{type(error).__name__}: {error}")
        _write_frame(answers, answer)


# --------------------------------------------------------------------------- parent side


def request(name: str, *args: Any) -> bytes:
    """The frame asking a worker to run ``name(*args)``."""
    return _frame((name, args))


class _Worker:
    """One worker process and its two pipes (used by one thread at a time)."""

    def __init__(self) -> None:
        # Isolated (-I): neither the working directory (often the Jupyter root,
        # whose files are untrusted) nor PYTHON* variables nor the user's site
        # can put modules on the worker's path; the folder holding this very
        # copy of the package is appended, after the standard library.
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        bootstrap = (
            f"import sys; sys.path.append({package_parent!r}); "
            "from jupyterlab_nbcompare.worker import main; main()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", bootstrap],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
            cwd=package_parent,
        )
        self.pending = 0  # requests sent and not yet answered

    def send(self, frame: bytes) -> None:
        """Write one request frame (see :func:`request`); raises :class:`WorkerError`."""
        self.pending += 1
        try:
            self.process.stdin.write(frame)
            self.process.stdin.flush()
        except (OSError, ValueError) as error:
            raise WorkerError(f"worker process {self.process.pid} failed: {error!r}") from None

    def receive(self) -> Any:
        """Read the answer to the oldest request not yet answered."""
        try:
            status, answer = _read_frame(self.process.stdout)
        except (OSError, EOFError, ValueError, TypeError, struct.error) as error:
            raise WorkerError(f"worker process {self.process.pid} failed: {error!r}") from None
        self.pending -= 1
        if status != "ok":
            raise WorkerError(f"worker process {self.process.pid}: {answer}")
        return answer

    def call(self, name: str, args: tuple) -> Any:
        self.send(request(name, *args))
        return self.receive()

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Kill first, then close the pipes: a thread may be reading the worker's
        stdout, and closing it under that read would wait for the read."""
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - the kernel owes us this
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


class WorkerPool:
    """``size`` worker processes, started at once; :meth:`call` blocks until one answers.

    Thread-safe: each call takes an idle worker (waiting for one if all are
    busy) and gives it back. A worker that failed is stopped and replaced by a
    fresh one before its slot is reused.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, int(size))
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._closed = False
        self._closed_event = threading.Event()
        for _ in range(self.size):
            try:
                self._idle.put(self._start())
            except WorkerError:
                log.warning("nbcompare: cannot start a worker process", exc_info=True)
                self._idle.put(None)  # tried again on first use

    def _start(self) -> _Worker:
        if self._closed:
            raise WorkerStartError("the worker pool is closed")
        try:
            worker = _Worker()
        except OSError as error:
            raise WorkerStartError(f"cannot start a worker process: {error}") from None
        with self._lock:
            self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
        worker.stop()

    @contextlib.contextmanager
    def reserve(self) -> Iterator[_Worker]:
        """One worker for the caller alone (waiting for one if all are busy).

        The caller may :meth:`~_Worker.send` several requests before it
        reads their answers with :meth:`~_Worker.receive`, in order, so the worker
        never waits for the parent between two requests. A worker is retired
        (stopped, and replaced on the next use) when anything is raised inside,
        or when it is given back with answers still unread: its pipe may hold
        an answer meant for this caller, which must never reach the next one.
        """
        worker = self._idle.get()
        try:
            if self._closed:
                raise WorkerStartError("the worker pool is closed")
            if worker is None or not worker.alive():
                if worker is not None:
                    self._retire(worker)
                    worker = None
                worker = self._start()
            yield worker
            if worker.pending:
                raise WorkerError(f"worker process {worker.process.pid} given back mid-call")
        except BaseException:
            if worker is not None:
                self._retire(worker)
                worker = None
            raise
        finally:
            self._idle.put(worker)  # None keeps the slot: a fresh worker next time

    def call(self, name: str, *args: Any) -> Any:
        """Run the worker function ``name`` on ``args``; raises :class:`WorkerError`."""
        with self.reserve() as worker:
            return worker.call(name, args)

    def wait_closed(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for :meth:`close`; whether it happened."""
        return self._closed_event.wait(timeout)

    def pids(self) -> list[int]:
        """The process ids of the live workers (for tests and operators)."""
        with self._lock:
            return [worker.process.pid for worker in self._workers if worker.alive()]

    def close(self) -> None:
        """Stop every worker; calls running now finish or fail, later calls fail."""
        self._closed = True
        self._closed_event.set()
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
