"""A persistent store of extracted records: a restarted server does not parse again.

The in-memory cache (:class:`.cache.ByteBudgetCache`) dies with the server, so
the first compare or index after every restart parsed every notebook again.
This store keeps each notebook's record (or its per-notebook error) on disk,
keyed by what identifies the bytes it was made from, and by
:data:`.core.extract.RECORD_VERSION`.

Why SQLite, from the standard library, rather than something else:

* several servers may share one home directory (JupyterHub, a user with two
  JupyterLabs): SQLite's transactions keep the file valid under concurrent
  writers from several processes, and WAL mode lets readers go on while one
  writes. A directory of one file per record would need its own locking and
  could not evict atomically; ``dbm``/``shelve`` have no safe concurrent
  writers (``dbm.dumb`` corrupts, ``gdbm`` locks the whole file);
  ``diskcache`` is itself SQLite, and LMDB is a compiled dependency with a
  fixed map size;
* it is always there, is one file, and reports a damaged or foreign file as
  an error, which this module turns into "start afresh" with a log line.

Values are :mod:`marshal` dumps: exact for what a record holds (NaN and
infinities, which JSON cannot carry), several times faster than JSON both
ways, and loading never runs code. marshal's format belongs to the
interpreter, so its version and Python's are part of every key. The file is
private to its user (mode 0600, in Jupyter's runtime directory, itself 0700).

What the store costs the server:

* a look-up is one indexed ``SELECT`` per few hundred notebooks, made in the
  worker thread that checks the files, never on the event loop;
* writing never delays an answer: :meth:`RecordStore.put` only queues, and
  one writer thread commits the queue in batches (one transaction each), then
  evicts the least recently used rows beyond the byte budget;
* a record read back is marked used at most once a minute (batched too), so
  that an unchanged corpus does not turn every compare into writes.

Limits, said plainly: WAL needs memory shared between the processes that
open the file, so the file must be on a local file system. For a home
directory on NFS, point ``NbCompare.record_store_path`` at local disk. Rows of
another record version are never read; they age out by the same byte budget
(not deleted at start, since a server of another version may share the file).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import marshal
import os
import queue
import random
import sqlite3
import sys
import threading
import time
import weakref
from collections.abc import Hashable, Sequence
from typing import Any

from .core import extract

log = logging.getLogger(__name__)

#: ``PRAGMA application_id`` of a store ("nbcm"): any other SQLite file is foreign.
APPLICATION_ID = 0x6E62636D
#: ``PRAGMA user_version``: the layout of the table below.
SCHEMA_VERSION = 1
#: What else decides whether stored bytes can be loaded here.
_FORMAT = f"marshal{marshal.version}/py{sys.version_info[0]}.{sys.version_info[1]}"
#: How long a connection waits for another process's write lock before giving up.
BUSY_TIMEOUT_SECONDS = 5.0
#: A row read back is marked used again only when its mark is older than this.
TOUCH_SECONDS = 60
#: How long the writer keeps collecting after the first value of a batch, in
#: seconds: the records of a compare arrive one by one while it parses, and
#: one transaction for all of them, after the parsing, costs less than one
#: per few records in its midst. A flush or close ends the wait at once.
LINGER_SECONDS = 0.05
#: Most keys in one ``SELECT`` (SQLite's variable limit is at least 999).
_CHUNK = 500
#: After exceeding its budget, the store evicts down to this fraction of it,
#: so that it does not evict again at every following write.
_LOW_WATER = 0.9

_SCHEMA = (
    "CREATE TABLE records ("
    " id INTEGER PRIMARY KEY,"
    " key BLOB NOT NULL UNIQUE,"
    " version INTEGER NOT NULL,"
    " used INTEGER NOT NULL,"
    " nbytes INTEGER NOT NULL,"
    " value BLOB NOT NULL)",
    # Covers the budget's sum and the eviction order without reading the values.
    "CREATE INDEX records_used ON records (used, nbytes)",
)


class _Discard(Exception):
    """The file at the store's path is not a store of ours (or is damaged)."""


def default_path() -> str:
    """Where the store lives unless ``NbCompare.record_store_path`` says otherwise."""
    from jupyter_core.paths import jupyter_runtime_dir

    return os.path.join(jupyter_runtime_dir(), "nbcompare-records.sqlite3")


def _busy(error: sqlite3.Error) -> bool:
    """Whether an SQLite error is another connection's lock, which passes.

    SQLite answers some lock conflicts at once, without waiting out the busy
    timeout: switching a new file to WAL, or two connections each wanting to
    upgrade a read lock. Two servers opening one new store at the same moment
    meet exactly that.
    """
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)


def _damaged(error: sqlite3.Error) -> bool:
    """Whether an SQLite error means the file is damaged or not a database at all."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return isinstance(error, sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.OperationalError
    )


class RecordStore:
    """Records on disk, shared by every server of a user; thread-safe.

    ``get_many`` answers what is stored for a few keys, ``put`` queues a
    value for the writer thread, ``flush`` waits until the queue is
    committed. Never raises for the file: a store that cannot be opened is
    empty and ignores writes (logged once); one that another process keeps
    locked beyond the busy timeout misses that once and is tried again at
    the next use; a damaged or foreign file is
    moved aside to ``<path>.discarded`` and a new store started.
    ``hits``/``misses``/``writes``/``evictions``/``discarded`` count what
    happened, and ``batches`` the transactions written, for tests and logs.
    """

    def __init__(self, path: str, budget: int) -> None:
        """A store at ``path`` holding at most ``budget`` bytes of values (opened on first use)."""
        self.path = path
        self.budget = max(0, int(budget))
        self.hits = self.misses = self.writes = self.evictions = self.discarded = 0
        self.batches = 0
        self._read_lock = threading.Lock()
        self._reader: sqlite3.Connection | None = None
        self._open_lock = threading.Lock()
        self._unusable = False
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()
        self._closed = False
        atexit.register(_flush_at_exit, weakref.ref(self))

    # -- keys and values -----------------------------------------------------

    @staticmethod
    def key_id(key: Hashable, version: int | None = None) -> bytes:
        """The stored key: a digest of the service's key, the record version and format.

        A key is a tuple of strings and integers, whose ``repr`` is stable;
        hashing keeps the table's index small whatever the paths' lengths.
        """
        if version is None:
            version = extract.RECORD_VERSION
        text = repr((_FORMAT, version, key))
        return hashlib.blake2b(text.encode("utf-8", "backslashreplace"), digest_size=16).digest()

    # -- connections ---------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """A connection in autocommit mode, WAL, waiting for other processes' locks."""
        connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL").fetchone()
            # WAL + NORMAL: a commit is atomic, and only a power cut can lose
            # the last ones, which a cache can afford. No fsync per commit.
            connection.execute("PRAGMA synchronous=NORMAL")
            self._check_schema(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _check_schema(self, connection: sqlite3.Connection) -> None:
        """Create the table in a new file; raise :class:`_Discard` for a file not ours."""
        connection.execute("BEGIN IMMEDIATE")  # one process creates, the others wait
        try:
            application = connection.execute("PRAGMA application_id").fetchone()[0]
            schema = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables == 0 and application == 0:
                for statement in _SCHEMA:
                    connection.execute(statement)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif application != APPLICATION_ID or schema != SCHEMA_VERSION:
                raise _Discard(f"application_id {application:#x}, user_version {schema}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        try:
            os.chmod(self.path, 0o600)
        except OSError:
            pass

    def _open(self) -> sqlite3.Connection | None:
        """A new connection, discarding a damaged or foreign file once; ``None`` if unusable."""
        if self._unusable or self._closed:
            return None
        with self._open_lock:
            deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
            attempt = 0
            while attempt < 2:
                attempt += 1
                try:
                    os.makedirs(os.path.dirname(self.path) or ".", mode=0o700, exist_ok=True)
                    return self._connect()
                except _Discard as error:
                    reason = f"not a record store ({error})"
                except sqlite3.Error as error:
                    if _busy(error):
                        if time.monotonic() < deadline:
                            attempt -= 1  # another process is opening it: wait, try again
                            time.sleep(0.01 + 0.04 * random.random())  # noqa: S311 (jitter)
                            continue
                        # Still locked: nothing stored or found this time, and the
                        # next use tries again.
                        log.info("nbcompare: record store busy, not used this time: %s", error)
                        return None
                    if not _damaged(error) or attempt == 2:
                        log.warning(
                            "nbcompare: the record store %s cannot be used (%s); "
                            "records are kept in memory only",
                            self.path,
                            error,
                        )
                        self._unusable = True
                        return None
                    reason = f"damaged: {error}"
                except OSError as error:
                    log.warning("nbcompare: no record store at %s (%s)", self.path, error)
                    self._unusable = True
                    return None
                self._discard(reason)
        return None

    def _discard(self, reason: str) -> None:
        """Move a bad file aside (kept once, for inspection) and drop its journal files.

        A stale ``-wal`` beside a new file would be replayed into it, so it
        goes too.
        """
        log.warning(
            "nbcompare: discarding the record store %s (%s); moved to %s.discarded",
            self.path,
            reason,
            self.path,
        )
        self.discarded += 1
        try:
            os.replace(self.path, self.path + ".discarded")
        except OSError:
            pass
        for suffix in ("-wal", "-shm", "-journal"):
            try:
                os.unlink(self.path + suffix)
            except OSError:
                pass

    def _broken(self, error: sqlite3.Error) -> None:
        """A damaged file found while in use: close, discard, and start afresh."""
        with self._read_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            self._discard(f"damaged: {error}")

    # -- reading (any thread) ------------------------------------------------

    def open_early(self) -> None:
        """Open both connections now (blocking: a worker thread), not at the first use.

        A server does it at start-up, while nobody waits: the first index or
        compare after a restart then costs its query alone, and its first
        records find the writer thread started and connected. Never raises.
        """
        if self.budget <= 0:
            return
        with self._read_lock:
            if self._reader is None:
                self._reader = self._open()
        self._enqueue(("open",))

    def get_many(self, keys: Sequence[Hashable]) -> dict[Hashable, tuple[Any, int]]:
        """``{key: (value, nbytes)}`` for the keys stored (by this record version).

        Blocking (SQLite): call it from a worker thread. A row that cannot be
        loaded counts as absent.
        """
        if not keys or self.budget <= 0:
            return {}
        ids = {self.key_id(key): key for key in keys}
        rows: list[tuple[bytes, int, bytes]] = []
        version = extract.RECORD_VERSION
        try:
            with self._read_lock:
                if self._reader is None:
                    self._reader = self._open()
                if self._reader is None:
                    self.misses += len(ids)
                    return {}
                wanted = list(ids)
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start : start + _CHUNK]
                    # Only placeholders are formatted in; every value is bound.
                    marks = ",".join("?" * len(chunk))
                    query = f"SELECT key, used, value FROM records WHERE version = ? AND key IN ({marks})"  # noqa: S608, E501
                    rows += self._reader.execute(query, (version, *chunk)).fetchall()
        except sqlite3.Error as error:
            if _damaged(error):
                self._broken(error)
            else:  # locked beyond the timeout, say: this time, a miss
                log.info("nbcompare: record store look-up failed: %s", error)
            rows = []
        found: dict[Hashable, tuple[Any, int]] = {}
        stale = int(time.time()) - TOUCH_SECONDS
        touch = []
        for key_id, used, blob in rows:
            try:
                # Our own file (0600): loading marshal data creates values, never runs code.
                value = marshal.loads(blob)  # noqa: S302
            except (EOFError, ValueError, TypeError):
                continue
            found[ids[key_id]] = (value, len(blob))
            if used < stale:
                touch.append(key_id)
        self.hits += len(found)
        self.misses += len(ids) - len(found)
        if touch:
            self._enqueue(("touch", touch))
        return found

    # -- writing (the writer thread) -----------------------------------------

    def put(self, key: Hashable, value: Any) -> None:
        """Queue ``value`` (plain data that marshal writes) to be stored under ``key``.

        Never blocks: the writer thread serialises and commits it, under
        the record version of now (a record is made by the extractor of the
        moment it was queued, not of the moment it is committed).
        """
        if self.budget > 0 and not self._unusable and not self._closed:
            self._enqueue(("put", key, value, extract.RECORD_VERSION))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far is committed (or given up); True if done."""
        if self._writer is None:
            return True
        done = threading.Event()
        self._enqueue(("flush", done))
        return done.wait(timeout)

    def close(self) -> None:
        """Commit what is queued, stop the writer thread and close the connections."""
        self.flush(10)
        self._closed = True
        self._queue.put(None)
        with self._read_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def _enqueue(self, item: tuple) -> None:
        if self._writer is None:
            # Not the open lock: opening may wait for another process's lock,
            # and put() is called on the event loop.
            with self._writer_lock:
                if self._writer is None:
                    self._writer = threading.Thread(
                        target=self._write_loop, name="nbcompare-record-store", daemon=True
                    )
                    self._writer.start()
        self._queue.put(item)

    def _write_loop(self) -> None:
        """Commit the queue in batches until :meth:`close`; never raises."""
        connection: sqlite3.Connection | None = None
        while True:
            items = [self._queue.get()]
            deadline = time.monotonic() + LINGER_SECONDS
            while len(items) < 1000 and items[-1] is not None and items[-1][0] != "flush":
                try:
                    items.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            stop = None in items
            items = [item for item in items if item is not None]
            rows, touched, waiting = [], [], []
            now = int(time.time())
            opening = False
            for item in items:
                if item[0] == "open":
                    opening = True
                elif item[0] == "put":
                    try:
                        blob = marshal.dumps(item[2])
                    except ValueError:  # not plain data: not stored
                        continue
                    version = item[3]
                    rows.append((self.key_id(item[1], version), version, now, len(blob), blob))
                elif item[0] == "touch":
                    touched += item[1]
                else:
                    waiting.append(item[1])
            if (rows or touched or opening) and not self._closed:
                if connection is None:
                    connection = self._open()
                if connection is not None and (rows or touched):
                    connection = self._commit(connection, rows, touched, now)
            for event in waiting:
                event.set()
            if stop:
                if connection is not None:
                    connection.close()
                return

    def _commit(
        self, connection: sqlite3.Connection, rows: list, touched: list, now: int
    ) -> sqlite3.Connection | None:
        """One transaction for a batch, then the budget; answers the connection to go on with."""
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.executemany(
                    "INSERT OR REPLACE INTO records (key, version, used, nbytes, value) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
                if touched:
                    connection.executemany(
                        "UPDATE records SET used = ? WHERE key = ?", [(now, k) for k in touched]
                    )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            self.writes += len(rows)
            self.batches += 1
            if rows:
                self._evict(connection)
        except sqlite3.Error as error:
            if _damaged(error):
                connection.close()
                self._broken(error)
                return None  # reopened (afresh) by the next batch
            log.info("nbcompare: record store write skipped: %s", error)
        return connection

    def _evict(self, connection: sqlite3.Connection) -> None:
        """Delete the least recently used rows while the values exceed the budget."""
        total = connection.execute("SELECT total(nbytes) FROM records").fetchone()[0]
        if total <= self.budget:
            return
        excess = total - self.budget * _LOW_WATER
        victims = []
        for row_id, nbytes in connection.execute(
            "SELECT id, nbytes FROM records ORDER BY used, id"
        ):
            victims.append((row_id,))
            excess -= nbytes
            if excess <= 0:
                break
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.executemany("DELETE FROM records WHERE id = ?", victims)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        self.evictions += len(victims)

    def stats(self) -> dict[str, Any]:
        """Counters, for tests and logs."""
        return {
            "path": self.path,
            "budget": self.budget,
            "hits": self.hits,
            "misses": self.misses,
            "writes": self.writes,
            "evictions": self.evictions,
            "discarded": self.discarded,
        }


def _flush_at_exit(reference: weakref.ref) -> None:
    """Commit queued records when the server's process exits (a weak reference)."""
    store = reference()
    if store is not None and not store._closed:
        store.flush(2.0)
