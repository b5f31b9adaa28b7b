"""The byte-budgeted caches: unit rules, and what they save (and must not hide) in the server."""

from __future__ import annotations

import contextvars
import os
import threading
from datetime import datetime, timezone

import pytest
from jupyter_core.utils import ensure_async

from jupyterlab_nbcompare.cache import ByteBudgetCache, estimate_bytes, key_bytes

from .conftest import compare, tagged_notebook, text_output

# ----------------------------------------------------------------------------- unit


def test_least_recently_used_entry_is_evicted_first():
    # Given a cache with room for two entries of 10 bytes (and their keys)
    cache = ByteBudgetCache(20 + 2 * key_bytes("a"))
    cache.put("a", 1, 10)
    cache.put("b", 2, 10)
    # When "a" is used, then a third entry arrives
    assert cache.get("a") == 1
    cache.put("c", 3, 10)
    # Then "b", the least recently used, made room
    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    assert cache.stats()["evictions"] == 1
    assert cache.bytes == 20 + key_bytes("a") + key_bytes("c")


def test_an_entry_larger_than_the_budget_is_not_stored_and_evicts_nothing():
    # Given a cache holding one small entry
    cache = ByteBudgetCache(100 + key_bytes("huge"))
    cache.put("small", "x", 10)
    # When an entry larger than the whole budget is offered
    stored = cache.put("huge", "y", 101)
    # Then it is refused and the small one stays
    assert stored is False
    assert "huge" not in cache
    assert cache.get("small") == "x"


def test_replacing_a_key_accounts_its_new_size():
    # Given a key stored with 30 bytes
    cache = ByteBudgetCache(100)
    cache.put("k", "old", 30)
    # When it is stored again with 50
    cache.put("k", "new", 50)
    # Then it is counted once, with the new size
    assert len(cache) == 1
    assert cache.bytes == 50 + key_bytes("k")
    assert cache.get("k") == "new"


def test_counters_and_clear():
    # Given one hit and one miss
    cache = ByteBudgetCache(100)
    cache.put("k", "v", 1)
    cache.get("k")
    cache.get("missing")
    # Then they are counted, and clear empties without resetting them
    assert (cache.hits, cache.misses) == (1, 1)
    cache.clear()
    assert len(cache) == 0
    assert cache.bytes == 0
    assert cache.stats()["hits"] == 1


def test_bytes_values_are_sized_by_length_and_records_by_json():
    # Given a bytes value and two records of different sizes
    cache = ByteBudgetCache(10_000)
    cache.put("body", b"x" * 123)
    small, large = {"v": [1]}, {"v": list(range(500))}
    # Then bytes cost their length (and their key), and a bigger record is estimated bigger
    assert cache.bytes == 123 + key_bytes("body")
    assert estimate_bytes(large) > estimate_bytes(small) > 0
    # And something JSON cannot hold still gets a size instead of an error
    assert estimate_bytes({"f": object()}) > 0


def test_concurrent_use_keeps_the_accounting_exact():
    # Given a small cache used by eight threads at once
    cache = ByteBudgetCache(500)
    entry = 7 + key_bytes((0, 0))

    def work(offset: int) -> None:
        for i in range(2000):
            cache.put((offset, i % 50), i, 7)
            cache.get((offset, (i * 7) % 50))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then the byte count is exactly that of the entries left, within budget
    assert cache.bytes == entry * len(cache)
    assert cache.bytes <= 500


def test_the_key_counts_in_the_budget():
    # Given a key that holds far more than its value (a request of 200,000 names)
    names = tuple(f"name_{i}" for i in range(200_000))
    key = ("compare", names)
    cache = ByteBudgetCache(64 * 1024 * 1024)
    # When it is stored with a one-byte value
    cache.put(key, b"x")
    # Then what the cache accounts includes the key, at least its strings' memory
    assert cache.bytes == 1 + key_bytes(key)
    assert key_bytes(key) >= sum(len(name) for name in names) + 8 * len(names)
    # And a small key costs little
    assert key_bytes(("file", "/a/b.ipynb", 1, 2)) < 1024


def test_entries_with_large_keys_are_evicted_under_the_budget():
    # Given a budget of a few megabytes
    cache = ByteBudgetCache(4 * 1024 * 1024)
    # When ten small values arrive, each keyed by 50,000 distinct names (several MB)
    for request in range(10):
        cache.put(("compare", tuple(f"{request}-{i}" for i in range(50_000))), b"{}")
    # Then the oldest were evicted and what stays fits the budget
    assert cache.bytes <= cache.budget
    assert 1 <= len(cache) < 10
    assert cache.evictions == 10 - len(cache)


# ----------------------------------------------------------------------------- server


def notebook(value: str) -> dict:
    """A notebook whose tagged value ``mse`` prints ``value``."""
    return tagged_notebook({"mse": [text_output(value)]})


def mse_values(answer: dict) -> dict[str, float]:
    """The mse value of every notebook of an answer that has one."""
    (row,) = [v for v in answer["values"] if v["name"] == "mse"]
    return {path: cell["value"] for path, cell in row["cells"].items() if cell is not None}


@pytest.fixture
def service(jp_serverapp):
    """The server's NotebookService (its counters show what was parsed)."""
    return jp_serverapp.web_app.settings["nbcompare_service"]


async def test_unchanged_notebooks_are_parsed_once(jp_fetch, served_runs, service, read_path):
    # Given a first compare of the runs (cold)
    first = await compare(jp_fetch, served_runs)
    parsed = service.parsed
    assert parsed == len(served_runs)
    # When the same notebooks are compared again, also with another baseline and names
    again = await compare(jp_fetch, served_runs)
    other = await compare(jp_fetch, list(reversed(served_runs)), names=["mse", "metrics"])
    # Then nothing was parsed again, and the answers are the same as before
    assert service.parsed == parsed
    assert again == first
    assert mse_values(other) == mse_values(first)
    assert service.records.hits >= len(served_runs)


async def test_a_repeated_request_is_answered_from_the_response_cache(
    jp_fetch, served_runs, service, read_path
):
    # Given a compare that was answered once
    await compare(jp_fetch, served_runs)
    hits = service.responses.hits
    # When exactly the same request comes again
    await compare(jp_fetch, served_runs)
    # Then the whole answer came from the cache; a different request did not
    assert service.responses.hits == hits + 1
    await compare(jp_fetch, served_runs, baseline=served_runs[1])
    assert service.responses.hits == hits + 1


async def test_a_modified_notebook_is_read_again(jp_fetch, write_notebook, service, read_path):
    # Given two notebooks compared once
    target = write_notebook("a.ipynb", notebook("1.0"))
    write_notebook("b.ipynb", notebook("2.0"))
    assert mse_values(await compare(jp_fetch, ["a.ipynb", "b.ipynb"])) == {
        "a.ipynb": 1.0,
        "b.ipynb": 2.0,
    }
    parsed = service.parsed
    # When one is rewritten (same size, a later modification time)
    write_notebook("a.ipynb", notebook("3.0"))
    stamp = target.stat().st_mtime_ns + 2_000_000_000
    os.utime(target, ns=(stamp, stamp))
    answer = await compare(jp_fetch, ["a.ipynb", "b.ipynb"])
    # Then only that one was parsed again, and the answer shows its new value
    assert service.parsed == parsed + 1
    assert mse_values(answer) == {"a.ipynb": 3.0, "b.ipynb": 2.0}
    (nb,) = [n for n in answer["notebooks"] if n["path"] == "a.ipynb"]
    moment = datetime.fromtimestamp(target.stat().st_mtime, timezone.utc)
    assert nb["last_modified"] == moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def test_a_notebook_that_breaks_or_disappears_between_requests(
    jp_fetch, jp_root_dir, write_notebook, read_path
):
    # Given a notebook compared once
    write_notebook("a.ipynb", notebook("1.0"))
    write_notebook("b.ipynb", notebook("2.0"))
    await compare(jp_fetch, ["a.ipynb", "b.ipynb"])
    # When it is overwritten with broken JSON
    write_notebook("a.ipynb", b"{ broken ")
    answer = await compare(jp_fetch, ["a.ipynb", "b.ipynb"])
    # Then it is unreadable now, not answered from the cache
    status = {nb["path"]: nb for nb in answer["notebooks"]}
    assert status["a.ipynb"]["error"]["code"] == "invalid_json"
    # And once deleted, it is not found (the cache never answers for a missing file)
    (jp_root_dir / "a.ipynb").unlink()
    answer = await compare(jp_fetch, ["a.ipynb", "b.ipynb"])
    status = {nb["path"]: nb for nb in answer["notebooks"]}
    assert status["a.ipynb"]["error"]["code"] == "not_found"
    assert mse_values(answer) == {"b.ipynb": 2.0}


async def test_a_warm_compare_never_uses_the_managers_content_read(
    jp_fetch, jp_serverapp, served_runs, service, read_path, monkeypatch
):
    # Given runs compared once, and a contents manager that counts its reads
    # (on the stock class itself: a subclass or an instance overriding get
    # would rightly never be bypassed, see test_custom_managers.py)
    await compare(jp_fetch, served_runs)
    stock = next(c for c in type(jp_serverapp.contents_manager).__mro__ if "get" in vars(c))
    calls: list[dict] = []
    original = stock.get
    nested = contextvars.ContextVar("nested", default=False)

    async def counting_get(self, path, content=True, **kwargs):
        # only the calls the extension makes, not the manager's own calls
        # for each child of a folder it lists
        if not nested.get():
            calls.append({"path": path, "content": content, "type": kwargs.get("type")})
        token = nested.set(True)
        try:
            return await ensure_async(original(self, path, content=content, **kwargs))
        finally:
            nested.reset(token)

    monkeypatch.setattr(stock, "get", counting_get)
    assert service.uses_fast_path is (read_path == "fast")
    # When the same runs are compared again (with other names, so not the answer cache)
    await compare(jp_fetch, served_runs, names=["mse"])
    monkeypatch.undo()
    # Then no notebook's content was read through the manager; the fast path does
    # not even ask it, the generic one lists each folder once (the listing gives
    # every notebook's stamp) and asks nothing per notebook
    assert [c for c in calls if c["content"] and c["type"] != "directory"] == []
    if read_path == "fast":
        assert calls == []
    else:
        folders = {run.rpartition("/")[0] for run in served_runs}
        assert sorted(c["path"] for c in calls) == sorted(folders)
        assert all(c["type"] == "directory" for c in calls)


async def test_a_tiny_budget_keeps_answers_right(jp_fetch, jp_serverapp, served_runs, service):
    # Given caches too small to hold anything
    config = jp_serverapp.web_app.settings["nbcompare"]
    config.cache_bytes = 1
    config.response_cache_bytes = 0
    assert service.records.budget == 1
    # When the runs are compared twice
    first = await compare(jp_fetch, served_runs)
    second = await compare(jp_fetch, served_runs)
    # Then every notebook was parsed each time, and the answers are the same
    assert service.parsed == 2 * len(served_runs)
    assert len(service.records) == 0
    assert first == second


async def test_the_budget_bounds_what_the_cache_holds(jp_fetch, jp_serverapp, served_runs, service):
    # Given a budget that holds about two records of the runs
    await compare(jp_fetch, served_runs[:1])
    one_record = service.records.bytes
    jp_serverapp.web_app.settings["nbcompare"].cache_bytes = int(one_record * 2.5)
    service.records.clear()
    # When all runs are compared
    await compare(jp_fetch, served_runs)
    # Then the cache stayed within its budget by evicting the least recently used
    assert service.records.bytes <= service.records.budget
    assert 1 <= len(service.records) <= 3
    assert service.records.evictions >= len(served_runs) - 3


async def test_a_request_naming_many_names_is_cached_by_a_digest(jp_fetch, write_notebook, service):
    # Given two notebooks, and a compare restricted to 200,000 names
    write_notebook("a.ipynb", notebook("1.0"))
    write_notebook("b.ipynb", notebook("2.0"))
    names = ["mse", *(f"name_{i}" for i in range(200_000))]
    # When it is asked twice
    first = await compare(jp_fetch, ["a.ipynb", "b.ipynb"], names=names)
    second = await compare(jp_fetch, ["a.ipynb", "b.ipynb"], names=names)
    # Then the second answer came from the response cache, and the same
    assert first == second
    assert mse_values(first) == {"a.ipynb": 1.0, "b.ipynb": 2.0}
    assert service.responses.hits == 1
    # And the cache holds the small answer, not the names (megabytes of them)
    assert len(service.responses) == 1
    assert service.responses.bytes < 64 * 1024
    # And another restriction is another entry
    await compare(jp_fetch, ["a.ipynb", "b.ipynb"], names=names[:-1])
    assert len(service.responses) == 2
