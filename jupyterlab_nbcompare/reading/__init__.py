"""The read path: from a notebook's API path to its record, the cheapest way there is.

Every path is resolved and checked by the server's ContentsManager (root
containment, the hidden-file rule, missing files: :mod:`..paths`), then read
one of two ways, chosen per request by
:attr:`..service.NotebookService.uses_fast_path`:

* :mod:`.fast`: for file-backed managers that keep the stock rules, the
  manager resolves and checks the path, then the file is stat'ed and its
  bytes read directly (the generic read costs several times the JSON parse
  itself); misses are parsed in batches, in a server thread and in the worker
  processes (:mod:`..pools`);
* :mod:`.generic`: ``contents_manager.get``, which works with any manager
  (databases, S3 ...), several reads at once.

Both look records up first in :mod:`.records` (the in-memory cache, then the
persistent store), share one read between concurrent requests that need the
same notebook, and answer a :class:`~.loaded.Loaded` per path
(:mod:`.loaded`), a refused or unreadable notebook carrying an ``error``.
"""

from .fast import FastReader
from .generic import GenericReader
from .loaded import (
    FORBIDDEN_MESSAGE,
    NOT_FOUND_MESSAGE,
    WORKER_STOPPED_MESSAGE,
    Loaded,
    refused,
    too_large,
)
from .records import RecordKeeper

__all__ = [
    "FORBIDDEN_MESSAGE",
    "NOT_FOUND_MESSAGE",
    "WORKER_STOPPED_MESSAGE",
    "FastReader",
    "GenericReader",
    "Loaded",
    "RecordKeeper",
    "refused",
    "too_large",
]
