"""REST handlers: parse the request, call the service, shape the response.

The contract is ``shared/api.md``; ``openapi.yaml`` beside this file describes it.
Handlers stay thin on purpose: validation lives here, reading and caching in
:mod:`.service` (over :mod:`.reading`), and every rule about notebooks in
:mod:`.core`. Errors are raised as ``tornado.web.HTTPError(code, message)``;
``APIHandler.write_error`` renders them as ``{"message": ...}``.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.web import HTTPError

from . import __version__
from .app import NbCompare
from .pages import page_handlers
from .service import NotebookService
from .viewexpand import ViewRefused, expand_view

#: The origins a named value can have (api.md, "Named values").
ORIGINS = ("tag", "scrap")
#: A ``part`` index: a non-negative integer in ASCII digits (``str.isdigit``
#: accepts "²"), of any length: the contract answers 404 for one that is no part.
PART = re.compile(r"[0-9]+")
#: More digits than any part index can have; such a part is "no part" without
#: ``int()`` (which refuses past Python's digit limit).
PART_DIGITS = 9
#: The direction overrides a request may give.
DIRECTIONS = ("lower", "higher")


class NbCompareHandler(APIHandler):
    """Common helpers: the configuration, the service, JSON answers."""

    @property
    def nbcompare_config(self) -> NbCompare:
        """The server's ``NbCompare`` options."""
        return self.settings["nbcompare"]

    @property
    def service(self) -> NotebookService:
        """The one service of this server (it owns the caches)."""
        return self.settings["nbcompare_service"]

    def finish_json(self, body: bytes | dict[str, Any]) -> None:
        """Send a JSON body (bytes already serialised, or a dict to serialise)."""
        if not isinstance(body, (bytes, bytearray)):
            body = orjson.dumps(body)
        self.finish(body)  # APIHandler sends application/json

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """``APIHandler``'s JSON error, with the ``Allow`` header a 405 must carry (RFC 9110)."""
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        super().write_error(status_code, **kwargs)

    @classmethod
    def allowed_methods(cls) -> list[str]:
        """The HTTP methods this handler implements (tornado's defaults answer 405)."""
        base = tornado.web.RequestHandler
        return [
            method
            for method in cls.SUPPORTED_METHODS
            if getattr(cls, method.lower(), None) is not getattr(base, method.lower(), None)
        ]


class VersionHandler(NbCompareHandler):
    """``GET nbcompare/version``: lets the frontend check it talks to a matching server."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Answer the installed package version."""
        self.finish_json({"version": __version__})


def parse_compare_request(body: bytes, max_notebooks: int) -> dict[str, Any]:
    """Validate a compare request body; raise ``HTTPError(400/413)`` with a message.

    Kept a plain function so that the rules read in one place and can be
    tested without a server. Answers ``paths``, ``baseline``, ``names``,
    ``directions`` and ``group_by`` (the optional ones ``None`` when absent or
    null); an unknown ``group_by`` name is the core's ``ValueError`` (a 400).
    """
    try:
        request = orjson.loads(body or b"")
    except orjson.JSONDecodeError as error:
        raise HTTPError(400, f"The request body is not valid JSON: {error}") from None
    if not isinstance(request, dict):
        raise HTTPError(400, "The request body must be a JSON object.")
    paths = request.get("paths")
    if paths is None:
        raise HTTPError(400, "'paths' is missing: give the notebooks to compare.")
    if not isinstance(paths, list) or not paths:
        raise HTTPError(400, "'paths' must be a non-empty list of notebook paths.")
    for path in paths:
        if not isinstance(path, str) or not path:
            raise HTTPError(400, f"Every path must be a non-empty string, not {path!r}.")
    if len(paths) > max_notebooks:
        raise HTTPError(
            413,
            f"{len(paths)} notebooks is more than this server compares at once "
            f"({max_notebooks}, NbCompare.max_notebooks).",
        )
    seen: set[str] = set()
    for path in paths:
        if path in seen:
            raise HTTPError(400, f"The path {path!r} is given twice.")
        seen.add(path)
    baseline = request.get("baseline")
    if baseline is not None and (not isinstance(baseline, str) or baseline not in seen):
        raise HTTPError(400, f"The baseline {baseline!r} is not one of 'paths'.")
    names = request.get("names")
    if names is not None and (
        not isinstance(names, list) or not all(isinstance(name, str) for name in names)
    ):
        raise HTTPError(400, "'names' must be a list of strings.")
    directions = request.get("directions")
    if directions is not None:
        if not isinstance(directions, dict):
            raise HTTPError(400, "'directions' must be an object of name: 'lower' | 'higher'.")
        for name, direction in directions.items():
            if direction not in DIRECTIONS:
                raise HTTPError(
                    400,
                    f"The direction of {name!r} must be 'lower' or 'higher', not {direction!r}.",
                )
    group_by = request.get("group_by")
    if group_by is not None:
        if not isinstance(group_by, list) or not all(
            isinstance(name, str) and name for name in group_by
        ):
            raise HTTPError(400, "'group_by' must be a list of parameter names.")
        if len(set(group_by)) != len(group_by):
            raise HTTPError(400, "'group_by' names a parameter more than once.")
    return {
        "paths": paths,
        "baseline": baseline,
        "names": names,
        "directions": directions,
        "group_by": group_by,
    }


class CompareHandler(NbCompareHandler):
    """``POST nbcompare/compare``: the comparison table of several notebooks."""

    @tornado.web.authenticated
    async def post(self) -> None:
        """Validate, read every notebook (cache first), compare off the event loop."""
        request = parse_compare_request(self.request.body, self.nbcompare_config.max_notebooks)
        try:
            body = await self.service.compare(**request)
        except ValueError as error:
            raise HTTPError(400, str(error) or "Invalid compare request.") from None
        self.finish_json(body)


def query_value(handler: APIHandler, name: str) -> str | None:
    """A query argument exactly as sent (the last one, as tornado's), or ``None``.

    Why not ``get_query_argument``: it strips surrounding whitespace and turns
    control characters into spaces, so ``path=%20a.ipynb`` would name ``a.ipynb``,
    another file than the one ``compare`` read and gave this URL for.
    """
    values = handler.request.query_arguments.get(name)
    if not values:
        return None
    try:
        return values[-1].decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(400, f"'{name}' is not UTF-8 text.") from None


def _flag(handler: APIHandler, name: str, default: bool) -> bool:
    """A boolean query argument: ``true`` or ``false`` (openapi.yaml's boolean); 400 otherwise.

    Absent means ``default``; present but empty, ``yes`` or ``1`` is a 400, so
    that a client's mistake is told rather than guessed. Case is ignored
    (Python clients send ``True``).
    """
    raw = query_value(handler, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise HTTPError(400, f"'{name}' must be true or false, not {raw!r}.")


class OutputHandler(NbCompareHandler):
    """``GET nbcompare/output``: the raw bytes of an image value, never inline in JSON."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Serve the image with its own type, ``nosniff``, and a sandbox for SVG."""
        path = query_value(self, "path")
        name = query_value(self, "name")
        if not path or name is None or name == "":
            raise HTTPError(400, "'path' and 'name' are required.")
        origin = self.get_query_argument("origin", None) or "tag"
        if origin not in ORIGINS:
            raise HTTPError(400, f"'origin' must be 'tag' or 'scrap', not {origin!r}.")
        raw_part = query_value(self, "part")
        part = None
        if raw_part not in (None, ""):
            if not PART.fullmatch(raw_part):
                raise HTTPError(400, f"'part' must be a non-negative integer, not {raw_part!r}.")
            digits = raw_part.lstrip("0") or "0"
            if len(digits) > PART_DIGITS:
                raise HTTPError(404, "No image under this name, origin and part.")
            part = int(digits)
        mime, data = await self.service.image(path, name, origin, part)
        self.set_header("X-Content-Type-Options", "nosniff")
        if mime == "image/svg+xml":
            # A script inside an SVG must never run, even when opened directly.
            self.set_header("Content-Security-Policy", f"{self.content_security_policy}; sandbox")
        self.finish(data, set_content_type=mime)


class IndexHandler(NbCompareHandler):
    """``GET nbcompare/index``: the notebooks of a folder and the names they carry."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Scan the folder (bounded), summarise each notebook from the cache."""
        path = query_value(self, "path") or ""
        recursive = _flag(self, "recursive", False)
        answer = await self.service.index(path, recursive, self.client_gone)
        if not self.client_gone():
            self.finish_json(answer)

    def on_connection_close(self) -> None:
        """Tornado calls this when the client hangs up: the scan stops at the next folder."""
        self._gone = True
        super().on_connection_close()

    def client_gone(self) -> bool:
        """Whether the client went away (the scan then has nobody to answer)."""
        stream = getattr(self.request.connection, "stream", None)
        return getattr(self, "_gone", False) or (stream is not None and stream.closed())


class IndexProgressHandler(NbCompareHandler):
    """``GET nbcompare/index/progress``: how far the index scan of a folder has come.

    The tag browser asks while its index request waits, so that a first scan
    of thousands of notebooks shows "340 of 2,000" rather than a spinner.
    """

    @tornado.web.authenticated
    async def get(self) -> None:
        """Validate as ``index`` does, answer the scan's counters (see :mod:`.scans`)."""
        path = query_value(self, "path") or ""
        recursive = _flag(self, "recursive", False)
        self.finish_json(await self.service.index_progress(path, recursive))


class ViewExpandHandler(NbCompareHandler):
    """``POST nbcompare/view/expand``: a ``.nbcompare`` view's notebooks, patterns expanded.

    The body is ``{"path": <the view file's API path>, "view": <its text>}``:
    the text as the editor holds it (unsaved changes, a collaborator's), the
    path for the folder its relative paths start from. An invalid view is a
    400 whose ``field`` names what is wrong (``notebooks[2]``, ``chart.x``).
    """

    @tornado.web.authenticated
    async def post(self) -> None:
        """Validate the view with the core's schema, then expand it (see :mod:`.viewexpand`)."""
        try:
            request = orjson.loads(self.request.body or b"")
        except orjson.JSONDecodeError as error:
            raise HTTPError(400, f"The request body is not valid JSON: {error}") from None
        if not isinstance(request, dict):
            raise HTTPError(400, "The request body must be a JSON object.")
        path, text = request.get("path"), request.get("view")
        if not isinstance(path, str) or not path.strip("/"):
            raise HTTPError(400, "'path' must be the view file's path.")
        if not isinstance(text, str):
            raise HTTPError(400, "'view' must be the view file's text.")
        try:
            answer = await expand_view(
                self.contents_manager,
                self.service,
                path,
                text,
                self.nbcompare_config.max_notebooks,
                self.nbcompare_config.index_max_notebooks,
            )
        except ViewRefused as refused:
            self.set_status(refused.status)
            self.finish_json({"message": str(refused), "field": refused.field})
            return
        self.finish_json(answer)


def setup_handlers(web_app) -> None:
    """Mount every route of the extension under ``{base_url}nbcompare/``.

    Also creates the one :class:`~.service.NotebookService` of this server, so
    that every request shares its caches.
    """
    settings = web_app.settings
    config = settings["nbcompare"]  # set by _load_jupyter_server_extension
    service = NotebookService(settings["contents_manager"], config)
    service.start_workers()
    settings["nbcompare_service"] = service
    base_url = settings["base_url"]
    route = lambda name: url_path_join(base_url, "nbcompare", name)  # noqa: E731
    web_app.add_handlers(
        ".*$",
        [
            (route("version"), VersionHandler),
            (route("compare"), CompareHandler),
            (route("output"), OutputHandler),
            (route("index"), IndexHandler),
            (route("index/progress"), IndexProgressHandler),
            (route("view/expand"), ViewExpandHandler),
            *page_handlers(base_url),
        ],
    )
