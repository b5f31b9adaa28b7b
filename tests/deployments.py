"""Real deployments for the tests and the S3 benchmark: moto's S3 server, a proxy, a recorder.

Jupyter is often deployed on an object store (s3contents) or behind JupyterHub.
These helpers start the real components on loopback ports, so that the tests
exercise the generic read path against real S3 requests instead of a mock:

* :class:`MotoServer`: ``python -m moto.server`` as a subprocess;
* :class:`S3Proxy`: a small threaded HTTP proxy in front of it, which counts
  the S3 requests (and how many were in flight at once) and can add a fixed
  delay to each, as real storage has;
* :class:`GetRecorder`: wraps a contents manager's ``get`` to record every
  call, how many ran at once and whether one ran on the event loop's thread.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

#: The dummy credentials moto accepts (it checks none).
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url_host: str, port: int, process: subprocess.Popen, timeout: float) -> None:
    """Poll ``GET /`` until the server answers; raise if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        connection = http.client.HTTPConnection(url_host, port, timeout=2)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError(f"the server on port {port} did not answer within {timeout} s")


class MotoServer:
    """moto's S3 server on a free loopback port, as a subprocess (``with`` stops it)."""

    def __init__(self, log_path: Path | None = None) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            wait_for_http("127.0.0.1", self.port, self.process, timeout=60)
        except Exception:
            self.stop()
            raise

    def client(self, endpoint: str | None = None) -> Any:
        """A boto3 S3 client on this server (or on ``endpoint``, e.g. a proxy in front)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=endpoint or self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def stop(self) -> None:
        """Stop the server and reap it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not subprocess.DEVNULL:
            self._log.close()

    def __enter__(self) -> MotoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def upload_tree(client: Any, bucket: str, root: Path) -> list[str]:
    """Create ``bucket`` and put every file below ``root`` under its relative key.

    Each folder also gets the empty ``.s3keep`` marker s3contents writes when it
    makes a folder: it lists no folder without one.
    """
    client.create_bucket(Bucket=bucket)
    for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
        key = f"{folder.relative_to(root).as_posix()}/.s3keep"
        client.put_object(Bucket=bucket, Key=key, Body=b"")
    keys = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
        keys.append(key)
    return keys


def s3contents_config(endpoint: str, bucket: str) -> dict[str, Any]:
    """The ``S3ContentsManager`` traits for a server reading ``bucket`` at ``endpoint``."""
    return {
        "endpoint_url": endpoint,
        "bucket": bucket,
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "region_name": REGION,
    }


class S3Proxy:
    """A threaded HTTP proxy to one upstream server: counts requests, can add a delay.

    ``delay`` seconds are slept before each request is forwarded, which turns
    loopback moto (CPU-bound) into something like real object storage, where
    a request mostly waits. Bodies are forwarded whole, whether sent with a
    ``Content-Length`` or chunked (s3fs sends DeleteObjects chunked).
    ``requests`` counts what went through; ``max_in_flight`` is the most that
    were being answered at the same moment.
    """

    def __init__(self, upstream_port: int, delay: float = 0.0) -> None:
        self.upstream_port = upstream_port
        self.delay = delay
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> bytes | None:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else None

            def _forward(self) -> None:
                body = self._body()
                with proxy._lock:
                    proxy.requests += 1
                    proxy.in_flight += 1
                    proxy.max_in_flight = max(proxy.max_in_flight, proxy.in_flight)
                try:
                    if proxy.delay:
                        time.sleep(proxy.delay)
                    headers = {
                        name: value
                        for name, value in self.headers.items()
                        if name.lower() not in ("transfer-encoding", "connection", "content-length")
                    }
                    upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port)
                    try:
                        upstream.request(self.command, self.path, body=body, headers=headers)
                        answer = upstream.getresponse()
                        data = answer.read()
                    finally:
                        upstream.close()
                finally:
                    with proxy._lock:
                        proxy.in_flight -= 1
                self.send_response(answer.status, answer.reason)
                length = str(len(data))
                for name, value in answer.getheaders():
                    if name.lower() == "content-length" and self.command == "HEAD":
                        length = value  # the object's size, which HEAD reports without a body
                    elif name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Start counting afresh."""
        with self._lock:
            self.requests = 0
            self.max_in_flight = self.in_flight

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()


class GetRecorder:
    """Stands in for a contents manager's ``get``: records each call, then calls the real one.

    Records ``(path, content, type)`` of every call, the most calls running at
    once (``max_in_flight``) and whether any ran on the thread that created
    the recorder (the event loop's, in a test: a synchronous manager called
    there blocks the whole server while S3 answers).

    ``rendezvous``: notebook reads (paths ending in ``.ipynb``) wait until
    that many are running at once before going on, so that reads issued
    concurrently are seen overlapping whatever the machine's speed; reads
    issued one after the other never meet, and after ``patience`` seconds the
    first one stops waiting (and no later one waits), so the test fails
    instead of hanging. ``hold``: an event every notebook read waits for.
    """

    def __init__(
        self,
        get: Callable[..., Any],
        rendezvous: int = 0,
        hold: threading.Event | None = None,
        patience: float = 5.0,
    ) -> None:
        self.get = get
        self.rendezvous = rendezvous
        self.hold = hold
        self.patience = patience
        self.loop_thread = threading.get_ident()
        self.calls: list[tuple[str, bool, str | None]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.on_loop_thread = 0
        self._given_up = False
        self._changed = threading.Condition()

    def __call__(self, path: str, content: bool = True, type: Any = None, format: Any = None):
        with self._changed:
            self.calls.append((path, content, type))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if threading.get_ident() == self.loop_thread:
                self.on_loop_thread += 1
            self._changed.notify_all()
        try:
            if path.endswith(".ipynb"):
                self._wait()
            return self.get(path, content=content, type=type, format=format)
        finally:
            with self._changed:
                self.in_flight -= 1
                self._changed.notify_all()

    def _wait(self) -> None:
        if self.hold is not None:
            self.hold.wait(self.patience)
        with self._changed:
            if self.rendezvous and not self._given_up:
                met = self._changed.wait_for(
                    lambda: self.in_flight >= self.rendezvous or self._given_up, self.patience
                )
                if not met or self.in_flight >= self.rendezvous:
                    self._given_up = True  # met once (or never will): nobody waits again
                    self._changed.notify_all()

    def notebook_calls(self) -> list[tuple[str, bool, str | None]]:
        """The calls for notebooks (not folders)."""
        return [call for call in self.calls if call[0].endswith(".ipynb")]
