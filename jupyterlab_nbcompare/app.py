"""Server-side configuration of the extension (``c.NbCompare.<name>``)."""

from __future__ import annotations

from traitlets import Bool, Float, Int, Unicode
from traitlets.config import Configurable


class NbCompare(Configurable):
    """Limits that protect the server from oversized requests and files.

    Each limit exists so that a single request can neither exhaust memory nor
    stall the event loop; every one can be raised by an administrator who knows
    their notebooks are larger.
    """

    max_notebooks = Int(
        1000,
        help="Most notebooks one compare request may name; more answer 413.",
    ).tag(config=True)

    max_notebook_bytes = Int(
        50 * 1024 * 1024,
        help=(
            "Largest notebook file (bytes) that is read; a larger one gets the "
            "per-notebook error 'too_large' instead of being parsed."
        ),
    ).tag(config=True)

    cache_bytes = Int(
        256 * 1024 * 1024,
        help=(
            "Byte budget of the cache of extracted values, keyed by path and "
            "modification time, so that an unchanged notebook is parsed once."
        ),
    ).tag(config=True)

    response_cache_bytes = Int(
        32 * 1024 * 1024,
        help=(
            "Byte budget of the cache of whole compare answers, keyed by the "
            "request and the modification time of every notebook it names, so "
            "that repeating an unchanged comparison costs a stat per notebook. "
            "0 turns it off."
        ),
    ).tag(config=True)

    record_store_bytes = Int(
        256 * 1024 * 1024,
        help=(
            "Byte budget of the persistent record store: the values extracted "
            "from each notebook, kept on disk (SQLite) across server restarts and "
            "shared by every server of the user, keyed by the file's path and stat "
            "(modification time, size, inode) or, for contents managers that are "
            "not file-backed, by what their models give (last_modified, size). "
            "The least recently used records are evicted beyond it. 0 turns the "
            "store off (records are then kept in memory only, see cache_bytes)."
        ),
    ).tag(config=True)

    record_store_path = Unicode(
        "",
        help=(
            "File of the persistent record store; empty: nbcompare-records.sqlite3 "
            "in Jupyter's runtime directory. It must be on a local file system "
            "(SQLite's WAL mode needs shared memory): for a home directory on NFS, "
            "point it at local disk. A damaged file, or one that is not a record "
            "store, is moved aside and replaced, with a warning in the log."
        ),
    ).tag(config=True)

    index_max_notebooks = Int(
        5000,
        help="Most notebooks one index scan reads; beyond it the answer is truncated.",
    ).tag(config=True)

    index_max_depth = Int(
        8,
        help="Deepest folder level a recursive index scan descends into.",
    ).tag(config=True)

    index_max_folders = Int(
        10000,
        help=(
            "Most folders one recursive index scan lists (each folder once, however "
            "many links lead to it); beyond it the answer is truncated."
        ),
    ).tag(config=True)

    index_max_seconds = Float(
        30.0,
        help=(
            "Seconds after which a recursive index scan lists no further folder "
            "(the answer is then truncated), so that a slow or huge tree cannot "
            "keep the server busy; 0 lists the requested folder only."
        ),
    ).tag(config=True)

    fast_path = Bool(
        True,
        help=(
            "Read notebooks of a file-backed contents manager directly from disk "
            "once the manager has resolved and checked the path (root containment, "
            "hidden files). The manager's generic read is several times slower "
            "than parsing itself; turn this off to force the generic path, which "
            "any contents manager supports and which is always used for managers "
            "that are not file-backed."
        ),
    ).tag(config=True)

    read_batch = Int(
        32,
        help=(
            "Notebooks read, parsed and extracted per call to a worker thread or "
            "worker process; in threads, one compare runs its calls one after the "
            "other. Smaller batches let a concurrent request get a thread sooner "
            "and share work more evenly between worker processes; larger ones cut "
            "the cost of handing work over."
        ),
    ).tag(config=True)

    remote_concurrency = Int(
        8,
        help=(
            "Most contents-manager calls one request has in flight at once on the "
            "generic path (contents managers that are not file-backed: S3, databases "
            "...). There a read mostly waits for the storage, so several at once "
            "cut a cold compare's time; a synchronous manager is called in threads "
            "(this many), so the server keeps answering meanwhile."
        ),
    ).tag(config=True)

    read_threads = Int(
        2,
        help=(
            "Worker threads that read and parse notebooks and build answers, so "
            "that a large compare cannot starve other requests (with "
            "parse_processes, one more thread per worker process waits on it)."
        ),
    ).tag(config=True)

    parse_processes = Int(
        -1,
        help=(
            "Worker processes that read, parse and extract notebooks on the fast "
            "path, beside the server's own thread (see parse_in_server): -1 (the "
            "default) starts one where the server may use two CPUs or more, and "
            "none on a single CPU; 0 does all that work in threads of the server "
            "process. A worker is a small Python process that imports only the "
            "extension's core (about 20 MB). It starts with the server, stops once "
            "unused for worker_idle_seconds, and starts again for the next compare "
            "that needs it. The workers and the server's thread take batches from "
            "one queue, so on two cores one worker already parses on the second "
            "core (benchmarks/bench_compare.py gives the gain). A worker that "
            "fails is replaced and its notebooks are retried one by one in fresh "
            "workers; one that stops its worker again is reported unreadable. When "
            "no worker can start at all, notebooks are parsed in threads."
        ),
    ).tag(config=True)

    worker_idle_seconds = Float(
        600.0,
        help=(
            "Seconds after which worker processes that no compare used are "
            "stopped, so that a server nobody compares with holds no worker's "
            "memory; the next compare that needs them starts them again (the "
            "server's thread parses meanwhile). 0 keeps them until the server "
            "stops."
        ),
    ).tag(config=True)

    parse_in_server = Bool(
        True,
        help=(
            "With worker processes (parse_processes), whether a thread of the "
            "server process takes batches too, beside the workers (it would "
            "otherwise only wait for them), and takes a request's batches alone "
            "while the workers are busy with another request. False leaves the "
            "reading of notebooks for compare and index to the workers, for "
            "administrators who want any trouble a file could cause contained in a "
            "worker; a cold compare is then slower, and waits for busy workers. "
            "The server still parses when no worker can start at all, for the "
            "output endpoint (one notebook's image), and for contents managers "
            "that are not file-backed."
        ),
    ).tag(config=True)

    gc_collect_after = Float(
        1.0,
        help=(
            "Seconds after the extension loads at which the server process runs "
            "one full garbage collection (a moment when a server that just started "
            "is normally idle; a request arriving then waits as it would have "
            "waited for the first compare's collection). Right after start-up, "
            "CPython is close to starting a full collection of everything Jupyter "
            "built; without this, the first large compare is what triggers it "
            "(about 100 ms with the GIL held, during which no request is answered). "
            "Collecting early changes nothing else: it is the same collection, "
            "done before anyone waits. 0 turns it off."
        ),
    ).tag(config=True)

    gc_freeze_after = Float(
        0.0,
        help=(
            "Seconds after the extension loads at which the server process runs "
            "one full garbage collection and then gc.freeze(), so that the objects "
            "of Jupyter's start-up are no longer traversed by later full "
            "collections. Without it, the first large compare after start-up "
            "triggers a full collection of all of them (about 100 ms with the GIL "
            "held, during which no request is answered). 0 (the default) leaves "
            "the garbage collector alone: it is the whole Jupyter process's, so "
            "this is the administrator's choice. Frozen objects are never freed, "
            "so choose a delay after which start-up is over."
        ),
    ).tag(config=True)
