"""scripts/fetch-corpus.py on hand-made archives: what it extracts, refuses and skips.

pip is the boundary: the archives are put where a download would leave them, and a
download that happens anyway fails the test.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import tarfile

import pytest

from .conftest import REPO


@pytest.fixture
def fetch(tmp_path, monkeypatch):
    """The script as a module, its lock and cache moved under tmp_path, pip forbidden."""
    spec = importlib.util.spec_from_file_location("fetch_corpus", REPO / "scripts/fetch-corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cache = tmp_path / "cache"
    monkeypatch.setattr(module, "LOCK", tmp_path / "lock.json")
    monkeypatch.setattr(module, "CACHE", cache)
    monkeypatch.setattr(module, "REAL", cache / "real")
    monkeypatch.setattr(module, "SDISTS", cache / "sdists")
    monkeypatch.setattr(module, "STAMP", cache / "real" / ".complete.json")

    def no_network(*args, **kwargs):
        raise AssertionError("pip was run although the archive was there")

    monkeypatch.setattr(module.subprocess, "run", no_network)
    return module


def make_sdist(fetch, members: dict[str, bytes], symlink: str | None = None) -> str:
    """A ``demo-1.0.tar.gz`` in the cache's sdists folder; returns its sha256."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
    fetch.SDISTS.mkdir(parents=True)
    (fetch.SDISTS / "demo-1.0.tar.gz").write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def write_lock(fetch, sha: str, members: list[str]) -> None:
    project = {
        "name": "demo",
        "version": "1.0",
        "sdist": "demo-1.0.tar.gz",
        "sha256": sha,
        "license": "BSD-3-Clause",
        "license_file": "LICENSE",
        "members": members,
    }
    fetch.LOCK.write_text(json.dumps({"projects": [project]}))


def test_extracts_only_the_listed_members_then_skips(fetch, capsys):
    # Given an archive with notebooks, a licence, other files, a path escaping its
    # folder and a symlink that matches the pattern
    sha = make_sdist(
        fetch,
        {
            "demo-1.0/LICENSE": b"licence",
            "demo-1.0/tests/a.ipynb": b"{}",
            "demo-1.0/tests/deep/b.ipynb": b"[]",
            "demo-1.0/setup.py": b"",
            "demo-1.0/../escape.ipynb": b"{}",
        },
        symlink="demo-1.0/tests/link.ipynb",
    )
    write_lock(fetch, sha, ["LICENSE", "tests/*.ipynb"])
    # When the script runs
    assert fetch.main([]) == 0
    # Then only the listed regular files are there, under the project's folder
    found = sorted(p.relative_to(fetch.REAL).as_posix() for p in fetch.REAL.rglob("*"))
    assert found == [
        ".complete.json",
        "SOURCES.md",
        "demo",
        "demo/LICENSE",
        "demo/tests",
        "demo/tests/a.ipynb",
        "demo/tests/deep",
        "demo/tests/deep/b.ipynb",
    ]
    assert not (fetch.CACHE / "escape.ipynb").exists()
    # And the record names the release, its sha256 and licence
    sources = (fetch.REAL / "SOURCES.md").read_text()
    assert f"| demo/ | demo 1.0 | demo-1.0.tar.gz | {sha} | BSD-3-Clause (demo/LICENSE) | 3 |" in (
        sources
    )
    # And a second run changes nothing and says so
    capsys.readouterr()
    assert fetch.main([]) == 0
    assert "up to date" in capsys.readouterr().out


def test_a_changed_file_or_lock_makes_it_extract_again(fetch):
    # Given a filled cache
    sha = make_sdist(fetch, {"demo-1.0/LICENSE": b"licence", "demo-1.0/a.ipynb": b"{}"})
    write_lock(fetch, sha, ["LICENSE", "*.ipynb"])
    fetch.main([])
    # When one of its files is changed, Then --check calls it stale and a run restores it
    (fetch.REAL / "demo/a.ipynb").write_bytes(b"changed")
    assert fetch.main(["--check"]) == 1
    assert fetch.main([]) == 0
    assert (fetch.REAL / "demo/a.ipynb").read_bytes() == b"{}"
    # And a lock that no longer lists a member drops it
    write_lock(fetch, sha, ["LICENSE"])
    assert fetch.main([]) == 0
    assert not (fetch.REAL / "demo/a.ipynb").exists()


def test_refuses_an_archive_whose_sha256_differs(fetch, monkeypatch):
    # Given a lock that pins another sha256 than the archive's, and a "download" that
    # brings the same wrong archive
    make_sdist(fetch, {"demo-1.0/LICENSE": b"licence"})
    write_lock(fetch, "0" * 64, ["LICENSE"])
    monkeypatch.setattr(fetch, "download", lambda projects: None)
    # When the script runs, Then it stops with the reason and deletes the archive
    with pytest.raises(SystemExit, match=r"sha256 mismatch for demo-1\.0\.tar\.gz"):
        fetch.main([])
    assert not (fetch.SDISTS / "demo-1.0.tar.gz").exists()
    assert not fetch.REAL.exists()


def test_a_pattern_matching_nothing_is_an_error(fetch):
    # Given a lock naming a member the release does not have
    sha = make_sdist(fetch, {"demo-1.0/LICENSE": b"licence"})
    write_lock(fetch, sha, ["LICENSE", "tests/*.ipynb"])
    # When the script runs, Then it says which pattern, and leaves no cache behind
    with pytest.raises(SystemExit, match=r"no member matching \['tests/\*.ipynb'\]"):
        fetch.main([])
    assert not fetch.REAL.exists()
