"""Classify one notebook output into a *cell* dict of the REST contract.

Every comparison starts here: an nbformat v4 output (or a MIME bundle, a
Python value, a piece of printed text) becomes ``{"kind": ..., ...}`` with
the fields that ``../shared/api.md`` lists per kind, *without* ``delta``,
``rel_delta``, ``better`` or the diff fields, which the compare layer adds
once it knows the baseline. Outputs are untrusted: nothing is evaluated,
every parser here is bounded, and malformed outputs give ``None`` or a
``text``/``html`` cell rather than an exception.

Decisions that the contract leaves open, made here once for every caller:

* ``None`` (Python ``None``, JSON ``null``) on its own is ``text`` ``"None"``:
  it is neither a number nor a container. Inside a mapping or sequence it
  stays ``None`` (JSON ``null``).
* Text keeps its content, except that **one** trailing newline is dropped:
  ``print(x)`` adds it and ``text/plain`` never has it, so the same value
  printed or displayed compares equal.
* Sets are listed sorted (numbers numerically, then strings, then the rest by
  ``repr``): Python prints sets of strings in a hash order that changes from
  one run to the next, and two runs must not differ by that alone.
* Non-finite floats stay Python floats; the JSON layer writes them as the
  strings ``"NaN"``/``"Infinity"``/``"-Infinity"``.
* A MIME bundle with no MIME type this module understands gives ``None``.
* An image whose base64 cannot be decoded is skipped (the next MIME type of
  the bundle is tried), so a broken PNG never hides a usable ``text/plain``.
* An HTML table that is not rectangular, holds a nested table, is one of
  several tables, or exceeds the size limits stays ``html``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html as html_lib
import math
import re
import struct

import orjson
import pybase64

from .literal import parse_literal

__all__ = [
    "IMAGE_MIMES",
    "MAX_TABLE_CELLS",
    "MAX_TABLE_HTML",
    "MAX_VALUE_DEPTH",
    "classify_bundle",
    "classify_output",
    "classify_text",
    "classify_value",
    "image_bytes",
]

#: Image MIME types in the order they win in a bundle (api.md).
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
#: Largest ``text/html`` (characters) that is parsed as a table; larger stays html.
MAX_TABLE_HTML = 2_000_000
#: Most cells (after expanding row/column spans) of a parsed table.
MAX_TABLE_CELLS = 50_000
#: Largest colspan/rowspan honoured (browsers clamp colspan at 1000 too).
_MAX_SPAN = 1000
#: Deepest nesting kept inside a mapping/sequence item; a container below it
#: becomes the string ``"[...]"``/``"{...}"`` (as ``reprlib`` abbreviates), so
#: a hostile ``application/json`` output cannot make the response too deep to
#: serialize (orjson refuses more than 255 levels).
MAX_VALUE_DEPTH = 64

_DATARESOURCE = "application/vnd.dataresource+json"
#: The integers orjson can write (int64 minimum to uint64 maximum).
INT_MIN, INT_MAX = -(2**63), 2**64 - 1
_TABLE_TAG = re.compile(r"<table[\s>/]", re.IGNORECASE)
# "[^<>]*" (not "[^>]*"): a search that fails stops at the next "<", so many
# unterminated tags cost linear time, not quadratic.
_SVG_TAG = re.compile(r"<svg\b[^<>]*>", re.IGNORECASE)
#: Only the start of the root tag is read for its attributes.
_MAX_SVG_TAG = 2048
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^<>]*)>")
_SPAN_ATTRIBUTE = re.compile(r"\b(colspan|rowspan)\s*=\s*[\"']?\s*([0-9]{1,9})", re.IGNORECASE)
#: A comment, or the start tag of an element whose content is raw text, never cells.
_RAW_OPEN = re.compile(r"<!--|<(script|style|textarea|title)\b[^<>]*>", re.IGNORECASE)
# The lookbehind makes a name start only where a name can start, so a long run
# of name characters is scanned once, not once per character.
_ATTRIBUTE = re.compile(r"""(?<![-\w:.])([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LENGTH = re.compile(
    r"\s*([+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*([a-z%]*)\s*"
)
#: CSS pixels per unit, for SVG ``width``/``height`` (matplotlib writes ``pt``).
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 9.6 / 2.54,
}
_CELL_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CELL_CONSTANTS: dict[str, object] = {
    "NaN": math.nan,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "True": True,
    "False": False,
}
#: Whitespace that nbformat may put inside base64 (removed before strict decoding).
_BASE64_BLANKS = b" \t\r\n\f\v"
# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (JPG), CC (DAC) do not.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length: RST0-RST7, SOI (D8) and TEM (01); D9 ends the image.
_JPEG_STANDALONE = frozenset(range(0xD0, 0xD9)) | {0x01}


# --------------------------------------------------------------------------
# values and text


def classify_value(obj: object) -> dict:
    """Classify a plain Python/JSON value (a parsed literal, a JSON output).

    Why: printed literals, ``application/json`` data and scrapbook JSON scraps
    all end up as Python values, and must give the same cell for the same
    value whichever way it was written.
    """
    if isinstance(obj, (bool, int, float)):
        number = _number(obj)
        if isinstance(number, str):
            return {"kind": "text", "text": number}
        return {"kind": "scalar", "value": number}
    if isinstance(obj, str):
        return {"kind": "text", "text": str(obj)}
    if obj is None:
        return {"kind": "text", "text": "None"}
    if isinstance(obj, dict):
        return {"kind": "mapping", "items": _flatten(obj)}
    if isinstance(obj, (set, frozenset)):
        obj = _sorted_set(obj)
    if isinstance(obj, (list, tuple)):
        return {"kind": "sequence", "items": [_plain(x, 1) for x in obj]}
    return {"kind": "text", "text": repr(obj)}


def _flatten(mapping: dict) -> dict:
    """Flatten nested dicts into ``{"a.b": {"value": v}}``, in printed order.

    Iterative (an explicit stack), so JSON nested a thousand levels deep does
    not exhaust Python's recursion limit. A later key wins over an earlier
    one that flattens to the same name, as in a dict literal.
    """
    items: dict[str, dict] = {}
    stack: list[tuple[str, object]] = [("", iter(mapping.items()))]
    while stack:
        prefix, iterator = stack[-1]
        for key, value in iterator:
            name = f"{prefix}{_key(key)}"
            if isinstance(value, dict) and value:
                stack.append((name + ".", iter(value.items())))
                break
            items[name] = {"value": _plain(value, 1)}
        else:
            stack.pop()
    return items


def _key(key: object) -> str:
    return key if isinstance(key, str) else repr(key) if isinstance(key, tuple) else str(key)


def _number(value: bool | int | float) -> bool | int | float | str:
    """A number that JSON (orjson) can carry exactly as the contract wants.

    Subclasses (numpy scalars, enums) become plain ``bool``/``int``/``float``.
    An integer outside the 64-bit range that orjson writes becomes a float
    (JavaScript reads any such integer as a float anyway), or, beyond the
    float range, the string of its digits.
    """
    kind = type(value)
    if kind is float or kind is bool:
        return value
    if kind is int:
        if INT_MIN <= value <= INT_MAX:  # type: ignore[operator]
            return value
        try:
            return float(value)
        except OverflowError:
            pass
        try:
            return str(value)
        except ValueError:  # beyond sys.get_int_max_str_digits()
            return f"<integer of {value.bit_length()} bits>"
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return _number(int(value))
    return float(value)


def _plain(obj: object, depth: int) -> object:
    """A JSON-ready copy: tuples and sets become lists, dict keys strings."""
    if obj is None:
        return obj
    if isinstance(obj, (bool, int, float)):
        return _number(obj)
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, dict):
        if depth > MAX_VALUE_DEPTH:
            return "{...}"
        return {_key(k): _plain(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (set, frozenset)):
        obj = _sorted_set(obj)
    if isinstance(obj, (list, tuple)):
        if depth > MAX_VALUE_DEPTH:
            return "[...]"
        return [_plain(x, depth + 1) for x in obj]
    return repr(obj)


def _set_order(item: object) -> tuple:
    if isinstance(item, (bool, int, float)):
        if isinstance(item, float) and math.isnan(item):
            return (1, 0.0, "")
        return (0, item, "")
    if isinstance(item, str):
        return (2, 0, item)
    return (3, 0, repr(item))


def _sorted_set(items: set | frozenset) -> list:
    return sorted(items, key=_set_order)


def _join(text: object) -> str | None:
    """nbformat stores multi-line strings as lists of lines; join them."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        try:
            # str.join refuses any item that is not a str (subclasses are
            # joined as the str they are), so it is the check too
            return "".join(text)
        except TypeError:
            return None
    return None


def classify_text(text: str | list[str]) -> dict:
    """Classify printed text (a stream, or a ``text/plain`` repr).

    Why: most values reach a notebook as ``print(x)`` or as the repr of the
    last expression; reading the literal back lets ``0.245`` and
    ``np.float64(0.245)`` compare as the same number. Text that is not a
    literal (or too large to parse) stays ``text``.
    """
    joined = _join(text)
    if joined is None:
        joined = str(text)
    ok, value = parse_literal(joined)
    if ok:
        return classify_value(value)
    if joined.endswith("\r\n"):
        joined = joined[:-2]
    elif joined.endswith("\n"):
        joined = joined[:-1]
    return {"kind": "text", "text": joined}


#: Types that JSON carries as they are (``bool`` is an ``int``, but named for clarity).
JSON_ATOMS = frozenset({str, int, bool, type(None)})


def is_plain_json(obj: object) -> bool:
    """Whether strict JSON carries ``obj`` exactly: dicts, lists, atoms, finite floats.

    False for a non-finite float anywhere (the contract spells those as
    strings), a tuple, a set or a subclass: then ``compare.json_safe`` must copy
    it. Computed once per value when a notebook is extracted, so comparing
    does not walk every answer looking for them.
    """
    kind = type(obj)
    if kind is dict:
        items = obj.values()  # type: ignore[attr-defined]
    elif kind is list:
        items = obj  # type: ignore[assignment]
    else:
        return kind in JSON_ATOMS or (kind is float and obj - obj == 0)  # type: ignore[operator]
    for value in items:
        kind = type(value)
        if kind in JSON_ATOMS:
            continue
        if kind is float:
            if value - value != 0:
                return False
        elif not is_plain_json(value):
            return False
    return True


# --------------------------------------------------------------------------
# images


def image_bytes(data: dict, mime: str) -> bytes:
    """The raw bytes of the image ``mime`` of a MIME bundle.

    Why shared: the classifier hashes exactly the bytes that the ``output``
    endpoint later serves, so the ``sha256`` of a cell identifies them.
    SVG is stored as text (UTF-8 encoded here); the others are base64, maybe
    split into lines. Raises ``KeyError`` when the bundle lacks ``mime`` and
    ``ValueError`` when its content is not valid.
    """
    raw = _join(data[mime])
    if raw is None:
        raise ValueError(f"{mime} is not text")
    if mime == "image/svg+xml":
        return raw.encode("utf-8", "surrogatepass")
    try:
        data_bytes = raw.encode("ascii")
    except UnicodeEncodeError as error:
        raise ValueError(f"{mime} is not valid base64") from error
    # Strictly valid base64 (what nbformat writes, maybe wrapped in lines) is
    # decoded by pybase64 (SIMD, ten times faster): an image is the largest
    # thing a compare decodes. Anything else goes to the standard library's
    # lenient decoder, whose bytes for odd padding are the reference.
    try:
        return pybase64.b64decode(data_bytes, validate=True)
    except binascii.Error:
        pass
    try:
        return pybase64.b64decode(data_bytes.translate(None, _BASE64_BLANKS), validate=True)
    except binascii.Error:
        pass
    try:
        return base64.b64decode(data_bytes, validate=False)
    except binascii.Error as error:
        raise ValueError(f"{mime} is not valid base64") from error


def _png_size(blob: bytes) -> tuple[int, int] | None:
    if len(blob) >= 24 and blob[:8] == b"\x89PNG\r\n\x1a\n" and blob[12:16] == b"IHDR":
        return struct.unpack(">II", blob[16:24])
    return None


def _gif_size(blob: bytes) -> tuple[int, int] | None:
    if len(blob) >= 10 and blob[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", blob[6:10])
    return None


def _jpeg_size(blob: bytes) -> tuple[int, int] | None:
    """Walk the JPEG marker segments up to the first start-of-frame."""
    if blob[:2] != b"\xff\xd8":
        return None
    pos, end = 2, len(blob)
    while pos + 4 <= end:
        if blob[pos] != 0xFF:
            return None
        marker = blob[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        if marker == 0xD9:  # end of image before any frame
            return None
        (length,) = struct.unpack(">H", blob[pos + 2 : pos + 4])
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            if pos + 9 > end:
                return None
            height, width = struct.unpack(">HH", blob[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def _svg_length(value: str | None) -> float | None:
    if value is None:
        return None
    match = _LENGTH.fullmatch(value.lower())
    if match is None or match.group(2) not in _UNITS:
        return None
    return float(match.group(1)) * _UNITS[match.group(2)]


def _svg_size(text: str) -> tuple[int | None, int | None]:
    """Size of the root ``<svg>`` element in CSS pixels, as a browser sizes it.

    ``width``/``height`` attributes win (absolute units converted to px);
    a missing or relative one (``100%``) is taken from the ``viewBox``.
    """
    match = _SVG_TAG.search(text)
    if match is None:
        return None, None
    attributes: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE.findall(match.group()[:_MAX_SVG_TAG]):
        attributes.setdefault(name.lower(), double or single)
    width = _svg_length(attributes.get("width"))
    height = _svg_length(attributes.get("height"))
    box = attributes.get("viewbox")
    if box is not None and (width is None or height is None):
        parts = box.replace(",", " ").split()
        try:
            box_width, box_height = float(parts[2]), float(parts[3])
        except (IndexError, ValueError):
            box_width = box_height = math.nan
        if math.isfinite(box_width) and math.isfinite(box_height) and len(parts) == 4:
            if width is None and height is None:
                width, height = box_width, box_height
            elif width is None and box_height > 0:
                width = height * box_width / box_height
            elif height is None and box_width > 0:
                height = width * box_height / box_width
    return _pixels(width), _pixels(height)


def _pixels(value: float | None) -> int | None:
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return round(value)


def _meta_size(metadata: object, mime: str) -> tuple[int | None, int | None]:
    """nbformat's ``metadata[mime]["width"/"height"]`` (display size hints)."""
    entry = metadata.get(mime) if isinstance(metadata, dict) else None
    if not isinstance(entry, dict):
        return None, None
    width, height = entry.get("width"), entry.get("height")
    return (
        width if isinstance(width, int) and not isinstance(width, bool) else None,
        height if isinstance(height, int) and not isinstance(height, bool) else None,
    )


def _classify_image(data: dict, mime: str, metadata: object) -> dict | None:
    try:
        blob = image_bytes(data, mime)
    except ValueError:
        return None
    width: int | None
    height: int | None
    if mime == "image/svg+xml":
        width, height = _svg_size(blob.decode("utf-8", "replace"))
    else:
        reader = {"image/png": _png_size, "image/jpeg": _jpeg_size, "image/gif": _gif_size}[mime]
        size = reader(blob)
        width, height = size if size is not None else (None, None)
    if width is None or height is None:
        meta_width, meta_height = _meta_size(metadata, mime)
        width = width if width is not None else meta_width
        height = height if height is not None else meta_height
    return {
        "kind": "image",
        "mime": mime,
        "sha256": hashlib.sha256(blob).hexdigest(),
        "width": width,
        "height": height,
    }


# --------------------------------------------------------------------------
# tables


def _label(value: object) -> str:
    """A row label from Table Schema JSON, as pandas prints it (missing: ``NaN``)."""
    if isinstance(value, str):
        return value
    return "NaN" if value is None else str(value)


def _dataresource_table(resource: object) -> dict | None:
    """A table from the Table Schema JSON of ``DataFrame.to_json(orient="table")``."""
    if isinstance(resource, (str, list)):
        text = _join(resource)
        try:
            resource = orjson.loads(text) if text is not None else None
        except orjson.JSONDecodeError:
            return None
    if not isinstance(resource, dict):
        return None
    schema, data = resource.get("schema"), resource.get("data")
    if not isinstance(schema, dict) or not isinstance(data, list):
        return None
    fields = schema.get("fields")
    if not isinstance(fields, list) or not all(
        isinstance(f, dict) and isinstance(f.get("name"), (str, int, float)) for f in fields
    ):
        return None
    key = schema.get("primaryKey") or []
    if isinstance(key, str):
        key = [key]
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        return None
    if not all(isinstance(row, dict) for row in data):
        return None
    # pandas writes non-string column names as JSON numbers; the rows' keys are strings.
    names = [_label(f["name"]) for f in fields]
    key_set = set(key)
    columns = [name for name in names if name not in key_set]
    if len(data) * (len(columns) + 1) > MAX_TABLE_CELLS:
        return None
    index: list = []
    for number, row in enumerate(data):
        if not key:
            index.append(str(number))
        elif len(key) == 1:
            index.append(_label(row.get(key[0])))
        else:
            index.append([_label(row.get(k)) for k in key])
    rows = [[_plain(row.get(c), 1) for c in columns] for row in data]
    return {"kind": "table", "columns": columns, "index": index, "rows": rows}


_SECTIONS = frozenset({"thead", "tbody", "tfoot"})
_CELL_TAGS = frozenset({"th", "td"})
_CLOSES_CELL = frozenset({"th", "td", "tr"})


def _table_rows(html: str) -> list[tuple[str, list[list]]] | None:
    """The cells of the one ``<table>`` of an HTML fragment, in linear time.

    Answers ``[(section, [[tag, text, colspan, rowspan], ...]), ...]`` per row
    (section ``"thead"``/``"tbody"``/``"tfoot"``/``""``), or ``None`` for no
    table, nested tables, several tables and oversized tables: those are shown
    as html, not compared cell by cell.

    Why not :class:`html.parser.HTMLParser`: on this Python it takes seconds
    for a few kilobytes of unterminated tags (``<a <a <a ...``), and notebook
    HTML is untrusted. A table only needs tags, their spans and the text in
    between, which one linear regex split gives. Comments and the raw text of
    ``script``/``style``/``textarea``/``title`` are skipped, entities decoded.
    One loop with local state, no method per tag: this runs once per table
    output of every notebook compared.
    """
    # parts: text, "/" or "", tag name, attributes, text, ... (re.split groups)
    parts = _HTML_TAG.split(_without_raw_text(html))
    depth = tables = cells = 0
    section = ""
    rows: list[tuple[str, list[list]]] = []
    cell: list | None = None
    texts: list[str] = []
    for i in range(1, len(parts), 4):
        name = parts[i + 1].lower()
        closes = cell is not None and (
            name in _CLOSES_CELL or name in _SECTIONS or (name == "table" and parts[i])
        )
        if closes and (depth == 1 or name == "table"):
            text = "".join(texts)
            if "&" in text:
                text = html_lib.unescape(text)
            cell[1] = " ".join(text.split())  # type: ignore[index]
            rows[-1][1].append(cell)  # type: ignore[arg-type]
            cell, texts = None, []
        if parts[i]:  # a closing tag
            if name == "table":
                depth -= 1
            elif depth == 1 and name in _SECTIONS:
                section = ""
        elif name == "table":
            depth += 1
            tables += 1
            if depth > 1 or tables > 1:
                return None
        elif depth == 1:
            if name in _CELL_TAGS:
                if not rows:
                    rows.append((section, []))
                colspan = rowspan = 1
                attributes = parts[i + 2]
                if "span" in attributes.lower():
                    spans = {k.lower(): v for k, v in _SPAN_ATTRIBUTE.findall(attributes)}
                    colspan, rowspan = _span(spans.get("colspan")), _span(spans.get("rowspan"))
                cell = [name, "", colspan, rowspan]
                cells += 1
                if cells > MAX_TABLE_CELLS:
                    return None
            elif name == "tr":
                rows.append((section, []))
            elif name in _SECTIONS:
                section = name
            elif name == "br" and cell is not None:
                texts.append(" ")
        if cell is not None and depth == 1:
            text = parts[i + 3]
            if text:
                texts.append(text)
    return rows if tables == 1 else None


def _without_raw_text(html: str) -> str:
    """The fragment without comments and the content of script/style/... elements.

    Found with ``str.find`` and a regex that cannot backtrack across ``<``, so
    the cost stays linear even for thousands of unclosed ``<!--``/``<script>``.
    """
    if "<!--" not in html and _RAW_OPEN.search(html) is None:
        return html
    lower = html.lower()
    kept: list[str] = []
    pos = 0
    while True:
        match = _RAW_OPEN.search(html, pos)
        if match is None:
            kept.append(html[pos:])
            break
        if match.group() == "<!--":
            kept.append(html[pos : match.start()])
            close = lower.find("-->", match.end())
            if close < 0:
                break
            pos = close + 3
        else:
            kept.append(html[pos : match.end()])
            close = lower.find("</" + match.group(1).lower(), match.end())
            if close < 0:
                break
            pos = close
    return "".join(kept)


def _span(value: str | None) -> int:
    try:
        span = int(value) if value is not None else 1
    except ValueError:
        return 1
    return min(max(span, 1), _MAX_SPAN)


def _grid(rows: list[tuple[str, list[list]]]) -> list[tuple[str, list[tuple[str, str]]]] | None:
    """Expand colspan/rowspan into rows of ``(tag, text)``; None if too large or gappy."""
    if all(cell[2] == 1 and cell[3] == 1 for _, cells in rows for cell in cells):
        # No spans (most tables): nothing to expand (_table_rows capped the count).
        return [(section, [(tag, text) for tag, text, _, _ in cells]) for section, cells in rows]
    grid: list[tuple[str, list[tuple[str, str]]]] = []
    pending: dict[int, tuple[int, tuple[str, str]]] = {}  # column -> (rows left, cell)
    total = 0

    def place_pending(line: list[tuple[str, str]]) -> None:
        while len(line) in pending:
            column = len(line)
            left, cell = pending[column]
            line.append(cell)
            if left <= 1:
                del pending[column]
            else:
                pending[column] = (left - 1, cell)

    for section, cells in rows:
        line: list[tuple[str, str]] = []
        for tag, text, colspan, rowspan in cells:
            place_pending(line)
            if total + len(line) + colspan > MAX_TABLE_CELLS:
                return None
            for _ in range(colspan):
                if rowspan > 1:
                    pending[len(line)] = (rowspan - 1, (tag, text))
                line.append((tag, text))
        place_pending(line)
        if any(column > len(line) for column in pending):
            return None  # a spanned cell would sit after a hole in this row
        total += len(line)
        if total > MAX_TABLE_CELLS:
            return None
        grid.append((section, line))
    return grid


def _cell_value(text: str) -> object:
    """A table cell as a number when pandas printed a number, else the text."""
    if text in _CELL_CONSTANTS:
        return _CELL_CONSTANTS[text]
    if len(text) <= 400 and _CELL_NUMBER.fullmatch(text):
        try:
            if "." in text or "e" in text or "E" in text:
                return float(text)
            return _number(int(text))
        except ValueError:
            return text
    return text


def _html_table(html: str) -> dict | None:
    """A table from an HTML fragment with one ``<table>`` (pandas ``_repr_html_``)."""
    if len(html) > MAX_TABLE_HTML:
        return None
    rows = _table_rows(html)
    if rows is None:
        return None
    grid = _grid([row for row in rows if row[1]])
    if not grid:
        return None
    width = len(grid[0][1])
    if width == 0 or any(len(line) != width for _, line in grid):
        return None
    has_thead = any(section == "thead" for section, _ in grid)
    header: list[list[tuple[str, str]]] = []
    body: list[list[tuple[str, str]]] = []
    for section, line in grid:
        in_header = (
            section == "thead" if has_thead else (not body and all(tag == "th" for tag, _ in line))
        )
        (header if in_header else body).append(line)
    # Index columns: the leading <th> cells of every body row.
    if body:
        leading = {
            next((i for i, (tag, _) in enumerate(line) if tag != "th"), width) for line in body
        }
        if len(leading) != 1:
            return None
        levels = leading.pop()
    elif header:
        levels = next((i for i, (_, text) in enumerate(header[0]) if text), width)
    else:
        levels = 0
    # pandas adds a last header row with the index names and blank column cells.
    if len(header) >= 2 and levels and all(not text for _, text in header[-1][levels:]):
        header = header[:-1]
    columns: list = []
    for j in range(levels, width):
        labels = [line[j][1] for line in header]
        columns.append(labels[0] if len(labels) == 1 else labels if labels else str(j - levels))
    index: list = []
    for number, line in enumerate(body):
        labels = [text for _, text in line[:levels]]
        index.append(labels[0] if len(labels) == 1 else labels if labels else str(number))
    rows = [[_cell_value(text) for _, text in line[levels:]] for line in body]
    return {"kind": "table", "columns": columns, "index": index, "rows": rows}


# --------------------------------------------------------------------------
# bundles and outputs


def classify_bundle(data: dict, metadata: dict | None = None) -> dict | None:
    """Classify a MIME bundle (``data`` of an ``execute_result``/``display_data``).

    The first match of api.md's order wins: images, tables
    (``application/vnd.dataresource+json``, ``text/html`` with a ``<table>``),
    other html, ``application/json``, ``text/plain``. ``None`` when nothing
    in the bundle is usable.
    """
    if not isinstance(data, dict):
        return None
    for mime in IMAGE_MIMES:
        if mime in data:
            image = _classify_image(data, mime, metadata)
            if image is not None:
                return image
    if _DATARESOURCE in data:
        table = _dataresource_table(data[_DATARESOURCE])
        if table is not None:
            return table
    if "text/html" in data:
        html = _join(data["text/html"])
        if html is not None:
            if _TABLE_TAG.search(html):
                table = _html_table(html)
                if table is not None:
                    return table
            return {"kind": "html", "html": html}
    if "application/json" in data:
        return classify_value(data["application/json"])
    if "text/plain" in data:
        text = _join(data["text/plain"])
        if text is not None:
            return classify_text(text)
    return None


def classify_output(output: dict) -> dict | None:
    """Classify one nbformat v4 output; ``None`` when it carries nothing usable.

    ``error`` outputs give ``{"kind": "error", "ename", "evalue"}``; streams
    (stdout and stderr alike: the caller decides which to ignore) are read as
    text; ``execute_result``/``display_data`` go through
    :func:`classify_bundle`.
    """
    if not isinstance(output, dict):
        return None
    output_type = output.get("output_type")
    if output_type == "error":
        return {
            "kind": "error",
            "ename": str(output.get("ename", "")),
            "evalue": str(output.get("evalue", "")),
        }
    if output_type == "stream":
        text = _join(output.get("text", ""))
        return classify_text(text) if text is not None else None
    if output_type in ("execute_result", "display_data"):
        metadata = output.get("metadata")
        return classify_bundle(output.get("data"), metadata if isinstance(metadata, dict) else None)
    return None
