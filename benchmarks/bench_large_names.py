"""Server memory (RSS) after compares that each name 200,000 names (issue #14 item 4).

Starts a real Jupyter server with the extension in a subprocess, compares two
small notebooks ten times, each request restricted to 200,000 distinct names,
and prints the server's resident memory before, after each request, and the
growth. Run from the checkout whose package you want to measure:

    PYTHONPATH=$PWD python benchmarks/bench_large_names.py [--requests 10] [--names 200000]
"""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def notebook(value: str) -> str:
    """A notebook whose tagged cell ``mse`` prints ``value``."""
    output = {"output_type": "execute_result", "execution_count": 1, "metadata": {}}
    output["data"] = {"text/plain": value}
    cell = {"cell_type": "code", "execution_count": 1, "id": "c", "metadata": {"tags": ["mse"]}}
    cell.update(outputs=[output], source="")
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--names", type=int, default=200_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp())
    (root / "a.ipynb").write_text(notebook("1.0"))
    (root / "b.ipynb").write_text(notebook("2.0"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter_server", f"--port={port}", "--no-browser"]
    command += [f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}"]
    command += ["--ServerApp.jpserver_extensions={'jupyterlab_nbcompare': True}"]
    command += ["--NbCompare.parse_processes=0", "--allow-root"]
    log = open(root / "server.log", "wb")
    server = subprocess.Popen(command, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}/nbcompare"
    headers = {"Authorization": f"token {token}"}

    def call(endpoint: str, body: dict | None = None) -> bytes:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{base}/{endpoint}", data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read()

    try:
        for _ in range(1200):
            try:
                call("version")
                break
            except OSError:
                if server.poll() is not None:
                    sys.exit(f"the server stopped; see {root / 'server.log'}")
                time.sleep(0.1)
        call("compare", {"paths": ["a.ipynb", "b.ipynb"]})  # warm up
        before = rss_mb(server.pid)
        print(f"RSS before: {before:.1f} MB")
        for number in range(args.requests):
            names = [f"r{number}_name_{i}" for i in range(args.names)]
            call("compare", {"paths": ["a.ipynb", "b.ipynb"], "names": names})
            print(f"after request {number + 1}: {rss_mb(server.pid):.1f} MB")
        after = rss_mb(server.pid)
        print(f"growth after {args.requests} requests of {args.names} names:", end=" ")
        print(f"{after - before:+.1f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
