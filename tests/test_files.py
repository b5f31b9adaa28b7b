"""read_sized: how every face reads a notebook file's bytes (core/files.py)."""

from __future__ import annotations

import pytest

from jupyterlab_nbcompare.core.files import read_sized


@pytest.fixture
def file_of(tmp_path):
    def make(data: bytes):
        path = tmp_path / "nb.ipynb"
        path.write_bytes(data)
        return path

    return make


@pytest.mark.parametrize("size", [0, 1, 1000, 200_000])
def test_a_file_is_read_whole(file_of, size):
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    with file_of(data).open("rb", buffering=0) as handle:
        assert read_sized(handle, len(data), limit=10**9) == data


def test_a_file_that_grew_after_its_stat_is_still_read_whole(file_of):
    # Given a file whose stat said 10 bytes, and which now holds 300 kB
    data = b"{" + b"a" * 300_000 + b"}"
    with file_of(data).open("rb", buffering=0) as handle:
        # When it is read with the old size, Then every byte is there
        assert read_sized(handle, 10, limit=10**9) == data


def test_a_file_past_the_limit_reads_one_byte_more_than_the_limit(file_of):
    # Given a file that grew beyond the limit after its stat
    data = b"b" * 500_000
    with file_of(data).open("rb", buffering=0) as handle:
        # When it is read, Then the reading stops just past the limit, which
        # is how callers tell "too large" without holding the whole file
        assert len(read_sized(handle, 100, limit=200_000)) == 200_001


def test_a_file_much_longer_than_its_stat_is_read_in_linear_time(file_of):
    # Given a 20 MB file whose stat said it was empty (papermill truncates and
    # rewrites a notebook after every cell, so this happens during a run)
    data = b"c" * (20 * 1024 * 1024)

    class CountingReads:
        def __init__(self, handle):
            self.handle, self.reads = handle, 0

        def read(self, size):
            self.reads += 1
            return self.handle.read(size)

    with file_of(data).open("rb", buffering=0) as handle:
        counting = CountingReads(handle)
        # When it is read, Then all of it comes back in few reads (each one at
        # least as large as all before it), not 64 kB at a time
        assert read_sized(counting, 0, limit=10**9) == data
        assert counting.reads < 20


def test_fifos_and_folders_are_refused_without_blocking(tmp_path):
    import os

    from jupyterlab_nbcompare.core.files import open_regular

    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    # Given a FIFO nobody writes to, and a folder: opening either for reading
    # must answer at once (a blocked read would hang a server thread forever)
    for path in (fifo, tmp_path):
        with pytest.raises(IsADirectoryError):
            open_regular(path)
