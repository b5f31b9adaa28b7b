"""The Python API: read and compare executed notebooks from a notebook or script.

Drop-in for sklearn-evaluation's ``NotebookIntrospector`` and
``NotebookCollection`` (``from sklearn_evaluation import ...`` becomes
``from jupyterlab_nbcompare import ...``), on the same core as the server and
the command line, so a number is the same whichever face shows it.

Where we differ from sklearn-evaluation on purpose:

* every tag of a cell names it (not only the first), and scrapbook scraps are
  values too;
* a name that some notebooks lack never raises: those notebooks show ``None``
  (sklearn-evaluation raises ``KeyError`` unless every notebook has the tag);
* every notebook is shown side by side in one table, with deltas against a
  baseline, instead of one tab per notebook: no JavaScript, so it renders in an
  untrusted notebook and in nbconvert's HTML;
* tables come back as ``pandas.DataFrame`` (pandas is imported only then).
"""

from __future__ import annotations

import json
import marshal
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from . import report
from .core.numbers import NUMBER_STRINGS

if TYPE_CHECKING:
    from .gates import GateResult

__all__ = ["CellError", "Comparison", "NotebookCollection", "NotebookIntrospector"]

PathType = Union[str, "PathLike[str]"]


@dataclass(frozen=True)
class CellError:
    """The value of a tagged cell that raised: returned, never raised.

    A failed run is still worth comparing (which cells got far enough?), so an
    error is a value like any other, with the exception's name and message.
    """

    ename: str
    evalue: str

    def __str__(self) -> str:
        return f"{self.ename}: {self.evalue}"


def _unflatten(items: Mapping[str, Any]) -> dict:
    """Rebuild nested dicts from the core's flattened ``a.b`` keys.

    The core flattens mappings so each item gets its own delta; a Python user
    expects ``nb["config"]["model"]["alpha"]`` to work as printed. When
    rebuilding is ambiguous (both ``a`` and ``a.b``), the flat dict is kept.
    """
    out: dict = {}
    for key, value in items.items():
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                return dict(items)
            node = child
        if parts[-1] in node:
            return dict(items)
        node[parts[-1]] = value
    return out


def _sources(output: dict, origin: str) -> Iterator[Any]:
    """The Python values an output may have been classified from, likeliest first.

    A printed dict (stream or ``text/plain``) is read back with the core's
    literal parser (so ``np.float64(0.5)`` is a float); ``application/json`` and
    a scrap's payload are JSON already.
    """
    from .core.classify import _join
    from .core.extract import _SCRAP_PREFIX
    from .core.literal import parse_literal

    if output.get("output_type") == "stream":
        text = _join(output.get("text"))
        if text is not None:
            ok, value = parse_literal(text)
            if ok:
                yield value
        return
    data = output.get("data")
    if not isinstance(data, dict):
        return
    if origin == "scrap":
        for mime, payload in data.items():
            if mime.startswith(_SCRAP_PREFIX) and isinstance(payload, dict):
                value = payload.get("data")
                if isinstance(value, str):  # scrapbook also accepts JSON in a string
                    try:
                        value = json.loads(value)
                    except ValueError:
                        pass
                yield value
    if "application/json" in data:
        yield data["application/json"]
    text = _join(data.get("text/plain"))
    if text is not None:
        ok, value = parse_literal(text)
        if ok:
            yield value


def _same(a: Any, b: Any) -> bool:
    """Equality of two cells' JSON-ready values, NaN equal to NaN, types strict."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


def _json_keys(value: Any) -> Any:
    """A dict with its nesting kept, keys as strings and values as JSON types.

    Leaves get the JSON form the core gives a value inside a container (tuples
    and sets as lists, numbers as the comparison carries them). Iterative, so
    JSON nested hundreds of levels deep keeps its keys.
    """
    from .core.classify import classify_value

    def leaf(item: Any) -> Any:
        return classify_value([item])["items"][0]

    if not (isinstance(value, dict) and value):
        return leaf(value)
    root: dict = {}
    stack = [(value, root)]
    while stack:
        source, target = stack.pop()
        for key, item in source.items():
            if isinstance(item, dict) and item:
                target[str(key)] = child = {}
                stack.append((item, child))
            else:
                target[str(key)] = leaf(item)
    return root


def _json_number(value: Any) -> Any:
    """``"NaN"`` / ``"Infinity"`` of the JSON contract back to floats."""
    return NUMBER_STRINGS.get(value, value) if isinstance(value, str) else value


def _frame(cell: dict):
    """A table cell as a pandas DataFrame (multi-level labels as MultiIndex)."""
    import pandas as pd

    def index(labels: list) -> Any:
        if labels and all(isinstance(label, list) for label in labels):
            return pd.MultiIndex.from_tuples([tuple(label) for label in labels])
        return pd.Index([report._label(label) for label in labels])

    rows = [[_json_number(v) for v in row] for row in cell.get("rows", [])]
    return pd.DataFrame(rows, index=index(cell.get("index", [])), columns=index(cell["columns"]))


def _image(mime: str, data: bytes):
    """Image bytes as an IPython display object when IPython is there, else bytes."""
    try:
        from IPython.display import SVG, Image
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return data
    if mime == "image/svg+xml":
        return SVG(data=data.decode("utf-8", "replace"))
    return Image(data=data, format=mime.split("/")[1])


def _html(text: str):
    try:
        from IPython.display import HTML
    except ImportError:  # pragma: no cover
        return text
    return HTML(text)


def _filename_ids(paths: list[str]) -> list[str]:
    """File names without extension, made longer where two would be the same.

    Notebooks of the same name in different folders (``a/run.ipynb``,
    ``b/run.ipynb``) get the shortest end of their path, without extension,
    that no other notebook of that name shares (``a/run``, ``b/run``); two
    spellings of one location fall back to the paths as given.
    """
    stems = [Path(p).stem for p in paths]
    counts: dict[str, int] = {}
    for stem in stems:
        counts[stem] = counts.get(stem, 0) + 1
    parts = [(*Path(p).parent.parts, stem) for p, stem in zip(paths, stems)]
    ids = []
    for i, (path, stem) in enumerate(zip(paths, stems)):
        if counts[stem] == 1:
            ids.append(stem)
            continue
        others = [parts[j] for j, other in enumerate(stems) if other == stem and j != i]
        mine = parts[i]
        for length in range(2, len(mine) + 1):
            if all(other[-length:] != mine[-length:] for other in others):
                ids.append("/".join(mine[-length:]).replace("//", "/"))
                break
        else:
            ids.append(path)
    return ids


class NotebookIntrospector(Mapping):
    """The named values of one executed notebook, as Python objects.

    ``NotebookIntrospector("runs/a.ipynb")["mse"]`` gives what the tagged cell
    (or scrapbook scrap) showed: a float, a dict, a list, a pandas DataFrame
    for a table, a string for text, an ``IPython.display.Image`` for an image,
    ``IPython.display.HTML`` for other HTML, and a :class:`CellError` when the
    cell raised. A tagged cell without output gives ``None``.

    The notebook is read once, never executed and never written. A tag and a
    scrap with the same name: ``[name]`` gives the tag, :meth:`get_value` either.

    ``literal_eval`` and ``to_df`` behave as in sklearn-evaluation:
    ``literal_eval=False`` gives printed values as the text printed, and
    ``to_df=True`` turns dicts into one-row DataFrames.
    """

    def __init__(self, path: PathType, literal_eval: bool = True, to_df: bool = False) -> None:
        from .core.extract import extract
        from .core.files import read_limited
        from .core.reader import parse_notebook

        self.path = str(path)
        self.literal_eval = literal_eval
        self.to_df = to_df
        self._nb = parse_notebook(read_limited(self.path, None)[0])
        self.record = extract(self._nb)
        self._values: dict[tuple[str, str], dict | None] = {
            (v["origin"], v["name"]): v["cell"] for v in self.record["values"]
        }
        self._names = list(dict.fromkeys(v["name"] for v in self.record["values"]))
        self._locations: dict | None = None  # see _found

    # -- Mapping ----------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        if ("tag", name) in self._values:
            return self.get_value(name, "tag")
        if ("scrap", name) in self._values:
            return self.get_value(name, "scrap")
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}) with {self._names}"

    def _ipython_key_completions_(self) -> list[str]:
        return list(self._names)

    # -- values -----------------------------------------------------------
    def cell(self, name: str, origin: str = "tag") -> dict | None:
        """The classified cell of the REST contract (kind + fields, no deltas)."""
        return self._values.get((origin, name))

    def get_value(self, name: str, origin: str = "tag") -> Any:
        """The value of ``name`` from a tag (``origin="tag"``) or a scrap; None if absent."""
        cell = self._values.get((origin, name))
        if cell is None:
            return None
        if not self.literal_eval and origin == "tag":
            raw = self._printed(name)
            if raw is not None and cell["kind"] in ("scalar", "mapping", "sequence", "text"):
                return raw
        return self._python(cell, name, origin)

    def _printed(self, name: str) -> str | None:
        from .core.extract import find_output

        output = find_output(self._nb, name, "tag", found=self._found())
        if output is None:
            return None
        if output.get("output_type") == "stream":
            text = output.get("text")
        else:
            text = (output.get("data") or {}).get("text/plain")
        if isinstance(text, list):
            text = "".join(text)
        return text.rstrip("\n") if isinstance(text, str) else None

    def _python(self, cell: dict, name: str, origin: str) -> Any:
        kind = cell["kind"]
        if kind == "scalar":
            return _json_number(cell["value"])
        if kind == "mapping":
            plain = self._mapping(cell, name, origin)
            if plain is None:
                plain = _unflatten(
                    {k: _json_number(item["value"]) for k, item in cell["items"].items()}
                )
            if self.to_df:
                import pandas as pd

                return pd.DataFrame(plain, index=[0])
            return plain
        if kind == "sequence":
            return [_json_number(item) for item in cell["items"]]
        if kind == "table":
            try:
                return _frame(cell)
            except ImportError:
                return {k: cell[k] for k in ("columns", "index", "rows")}
        if kind == "image":
            found = self.image(name, origin)
            return None if found is None else _image(*found)
        if kind == "text":
            return cell["text"]
        if kind == "html":
            return _html(cell["html"])
        if kind == "error":
            return CellError(cell.get("ename", ""), cell.get("evalue", ""))
        return None  # unsupported

    def _mapping(self, cell: dict, name: str, origin: str) -> dict | None:
        """The dict the notebook holds for a mapping cell, keys and nesting as written.

        The cell's items are flattened (``{0.5: 1}`` is item ``"0.5"``,
        ``{"a": {"b": 1}}`` item ``"a.b"``), which cannot be undone reliably; so
        the value is read again from the output it came from, and returned
        only when it classifies to this very cell (so the API never disagrees
        with the comparison). ``None`` when it cannot be recovered.
        """
        from .core.classify import classify_value
        from .core.extract import find_output

        output = find_output(self._nb, name, origin, found=self._found())
        if output is None:
            return None
        for value in _sources(output, origin):
            if not isinstance(value, dict):
                continue
            again = classify_value(value)
            if again["kind"] == "mapping" and _same(again["items"], cell["items"]):
                # A copy: the caller may change it, the notebook must not. marshal
                # copies plain values (float keys, tuples, sets) without Python
                # recursion, so deep JSON keeps its keys.
                try:
                    return marshal.loads(marshal.dumps(value))  # noqa: S302 - our own bytes
                except ValueError:  # nested beyond marshal's limit: the flat form
                    return None
        return None

    def _found(self) -> dict:
        """Where each value lives in the notebook: scanned once, not once per name."""
        from .core.extract import locate

        if self._locations is None:
            self._locations = locate(self._nb)
        return self._locations

    def image(self, name: str, origin: str = "tag", part: int | None = None):
        """``(mime, bytes)`` of an image value (or of one of its ``parts``), else None."""
        from .core.extract import image_of

        return image_of(self._nb, name, origin, part, found=self._found())

    # -- sklearn-evaluation compatibility ---------------------------------
    @property
    def nb(self):
        """The notebook as an ``nbformat.NotebookNode`` (what sklearn-evaluation exposes)."""
        import nbformat

        return nbformat.from_dict(self._nb)

    @property
    def parameters(self) -> dict[str, Any]:
        """Papermill parameters (defaults overlaid with the injected values)."""
        return {k: p.get("value") for k, p in self.record["parameters"].items()}

    @property
    def status(self) -> str:
        """``ok``, or ``failed`` when papermill recorded an exception or a cell raised."""
        return self.record["status"]

    @property
    def duration(self) -> float | None:
        """Papermill's run time in seconds, if recorded."""
        return self.record["duration"]

    def get_injected_parameters(self) -> dict[str, Any]:
        """The parameters papermill injected (as sklearn-evaluation's method of this name).

        In papermill's order, the order they were passed in: that of its
        ``injected-parameters`` cell. (Its metadata copy is written with sorted
        keys by nbformat, and the record lists defaults first.)
        """
        injected = {
            k: p.get("value") for k, p in self.record["parameters"].items() if p["injected"]
        }
        order = list(self._injected_cell_names())
        position = {name: i for i, name in enumerate(order)}
        names = sorted(injected, key=lambda name: position.get(name, len(order)))
        return {name: injected[name] for name in names}

    def _injected_cell_names(self) -> Iterator[str]:
        """Names assigned by papermill's ``injected-parameters`` cell, in its order."""
        from .core.extract import parse_parameters

        for cell in self._nb.get("cells") or []:
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            tags = (cell.get("metadata") or {}).get("tags") or []
            if "injected-parameters" in tags:
                source = cell.get("source")
                source = "".join(source) if isinstance(source, list) else str(source or "")
                yield from parse_parameters(source, injected=True)

    def to_json_serializable(self) -> dict[str, Any]:
        """Every value as plain JSON types: tables as ``{columns, index, rows}``,
        images as ``{mime, sha256, width, height}``, errors as ``{ename, evalue}``."""
        out: dict[str, Any] = {}
        for name in self._names:
            origin = "tag" if ("tag", name) in self._values else "scrap"
            cell = self._values[(origin, name)]
            if cell is None:
                out[name] = None
                continue
            kind = cell["kind"]
            if kind == "scalar":
                out[name] = cell["value"]
            elif kind == "mapping":
                found = self._mapping(cell, name, origin)
                if found is not None:
                    out[name] = _json_keys(found)
                else:
                    out[name] = _unflatten({k: i["value"] for k, i in cell["items"].items()})
            elif kind == "sequence":
                out[name] = cell["items"]
            elif kind == "text":
                out[name] = cell["text"]
            elif kind == "html":
                out[name] = cell["html"]
            else:
                keep = {
                    "table": ("columns", "index", "rows"),
                    "image": ("mime", "sha256", "width", "height"),
                    "error": ("ename", "evalue"),
                    "unsupported": ("message",),
                }.get(kind, ())
                out[name] = {k: cell.get(k) for k in keep}
        return out


class Comparison(Mapping):
    """One name across the notebooks of a collection: ``{id: value}`` plus a view.

    Its ``_repr_html_`` is one plain HTML table, the notebooks side by side with
    deltas against the baseline: no JavaScript and no tabs, so it renders the
    same in JupyterLab, an untrusted notebook, nbconvert and GitHub. Its
    ``repr`` is the terminal table of ``jupyter nbcompare``.
    """

    def __init__(self, collection: NotebookCollection, name: str) -> None:
        self._collection = collection
        self.name = name
        rows = [v for v in collection.response["values"] if v["name"] == name]
        #: The value row of the compare response (None if no notebook has it).
        self.row: dict | None = rows[0] if rows else None
        self.origin = self.row["origin"] if self.row else "tag"

    def __getitem__(self, id_: str) -> Any:
        nb = self._collection.nbs[id_]
        return None if nb is None else nb.get_value(self.name, self.origin)

    def __iter__(self) -> Iterator[str]:
        return iter(self._collection.ids)

    def __len__(self) -> int:
        return len(self._collection.ids)

    def _ipython_key_completions_(self) -> list[str]:
        return list(self._collection.ids)

    @property
    def cells(self) -> dict[str, dict | None]:
        """The response's cells (value, delta, rel_delta, better...) by notebook id."""
        cells = self.row["cells"] if self.row else {}
        return {id_: cells.get(path) for id_, path in self._collection._path_of.items()}

    def _response(self) -> dict:
        response = self._collection.response
        return {**response, "values": [self.row] if self.row else []}

    def _repr_html_(self) -> str:
        title = f"<h4>{report._e(self.name)}</h4>"
        if self.row is None:
            note = "No compared notebook has a value with this name."
            return f"{title}<p><em>{report._e(note)}</em></p>"
        # Status, duration and parameters too, as in the text repr: without
        # them a failed run's missing value looks like a missing tag.
        return title + report.comparison_table_html(
            self._response(),
            labels=self._collection._label_of,
            image_source=self._collection._image_source,
        )

    def __repr__(self) -> str:
        if self.row is None:
            return f"<Comparison {self.name!r}: no notebook has it>"
        return report.to_table(self._response())


class NotebookCollection(Mapping):
    """Several executed notebooks compared value by value, against a baseline.

    ``NotebookCollection(paths, ids=None | [...] | "filenames", baseline=None)``:
    ``paths`` is one path or a list of them (str or ``PathLike``); a folder
    stands for its notebooks as on the command line (sorted, not hidden ones,
    not comparison notebooks this extension exported; ``recursive=True``
    descends into subfolders). ``ids`` names the notebooks (default: the
    paths; ``"filenames"``: the file names without extension, or, for
    notebooks of the same name in different folders, the shortest end of
    their paths that tells them apart, such as ``a/run`` and ``b/run``);
    ``baseline`` is a path or id (default: the first notebook that can be
    read).

    A path that does not exist raises ``FileNotFoundError`` (naming every such
    path), a folder without notebooks ``ValueError``. A file that exists but
    is not a readable notebook (invalid JSON, no permission) warns and stays
    a column without values: one bad notebook never spoils the comparison of the others.

    ``collection[name]`` is a :class:`Comparison`; ``collection.names`` lists
    every name any notebook has; ``collection.to_frame()`` is a DataFrame of the
    numbers; ``collection.response`` is the REST ``compare`` response.

    sklearn-evaluation's ``scores=`` (names that are scores, or ``True`` for
    all) still works: those names count as "higher is better". ``directions``
    sets either way per name (``{"loss_ratio": "lower"}``).
    A name some notebooks lack gives ``None`` for them instead of ``KeyError``,
    and ``collection[name]`` never raises for a string: an unknown name gives an
    empty comparison that says so (``name in collection`` tells them apart).

    :meth:`from_view` opens a saved view (``.nbcompare``) as the panel and the
    command line do; :meth:`check_gates` is the command line's
    ``--fail-if-worse`` (and a view's ``gates``) from Python.
    """

    #: The saved view this collection was opened from (:meth:`from_view`), else None.
    view = None

    def __init__(
        self,
        paths: PathType | Sequence[PathType],
        ids: Sequence[str] | str | None = None,
        scores: bool | Iterable[str] = False,
        baseline: PathType | None = None,
        directions: Mapping[str, str] | None = None,
        recursive: bool = False,
    ) -> None:
        from .cli import expand_paths
        from .core.compare import compare
        from .core.files import load_entry

        if isinstance(paths, (str, PathLike)):
            paths = [paths]  # one notebook or one folder, not a sequence of letters
        if not paths:
            raise ValueError("NotebookCollection needs at least one notebook path")
        # Folders become their notebooks exactly as on the command line.
        self.paths = expand_paths(list(paths), recursive=recursive)
        if not self.paths:
            raise ValueError("NotebookCollection needs at least one notebook path")
        if ids is None:
            self.ids = list(self.paths)
        elif ids == "filenames":
            self.ids = _filename_ids(self.paths)
        elif isinstance(ids, str):
            raise ValueError("ids must be None, 'filenames' or a list of names")
        else:
            self.ids = [str(i) for i in ids]
        if len(self.ids) != len(self.paths):
            raise ValueError(f"{len(self.ids)} ids for {len(self.paths)} paths")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError(f"ids must be unique, got {self.ids}")
        self._path_of = dict(zip(self.ids, self.paths))
        self._label_of = dict(zip(self.paths, self.ids))

        # Each notebook is read once, whatever is compared below.
        entries = [load_entry(path) for path in self.paths]
        for entry in entries:
            error = entry["error"]
            if error is not None:
                warnings.warn(
                    f"cannot read {entry['path']}: {error['message']} ({error['code']}); "
                    "it is kept as a column without values",
                    stacklevel=2,
                )
        readable = [entry["path"] for entry in entries if entry["error"] is None]
        self.baseline = self._resolve(baseline, readable[0] if readable else self.paths[0])
        overrides = dict(directions or {})
        if scores:
            if scores is True:
                first = compare(entries, baseline=self.baseline)
                score_names = [v["name"] for v in first["values"]]
            else:
                score_names = list(scores)
            for name in score_names:
                overrides.setdefault(name, "higher")
        self.directions = overrides
        #: The REST ``compare`` response for these paths (keys: paths as given).
        self.response: dict = compare(entries, baseline=self.baseline, directions=overrides or None)
        # What gates check: every value, even those a view's names or filter hide.
        self._answer = self.response
        self._group_by: list[str] | None = None
        # A view's names / filter / only_differences (core.narrow.narrow's arguments).
        self._narrowing: dict[str, Any] = {}
        self._nbs: dict[str, NotebookIntrospector | None] = {}

    @classmethod
    def from_view(
        cls, path: PathType, ids: Sequence[str] | str | None = None
    ) -> NotebookCollection:
        """The comparison a saved view (``.nbcompare``) names, as the panel shows it.

        The view's notebooks (paths and patterns relative to its folder,
        patterns sorted by path and without the comparison notebooks this
        extension exported) are compared against its ``baseline`` (put in
        front when it is not among them) with its ``directions``. Its
        ``names``, ``filter`` and ``only_differences`` narrow what the
        collection shows (``names``, ``response``, ``to_frame()``, the HTML
        table), as the panel narrows it; :meth:`groups` defaults to its
        ``group_by``, and :meth:`check_gates` to its ``gates``, which see
        every value. ``ids`` as for the constructor.

        Raises ``FileNotFoundError`` for a missing view or notebook, and
        :class:`~jupyterlab_nbcompare.viewfile.ViewFileError` (a
        ``ValueError``) naming the field at fault of a malformed view. The
        view file is only read.
        """
        from .cli import expand_paths, with_baseline
        from .core.narrow import narrow
        from .viewfile import load_view_file

        view = load_view_file(path)
        if view.truncated:
            warnings.warn(f"{view.file}: {view.truncated}", stacklevel=2)
        paths = expand_paths(view.notebooks)
        baseline = None
        if view.baseline is not None:
            paths, baseline = with_baseline(paths, view.baseline)
        collection = cls(paths, ids=ids, baseline=baseline, directions=view.directions)
        collection.view = view
        collection._group_by = view.group_by
        known = {value["name"] for value in collection._answer["values"]}
        unknown = [name for name in view.names or () if name not in known]
        if unknown:
            warnings.warn(
                f"{view.file}: names: no notebook has a value named "
                + ", ".join(repr(name) for name in unknown),
                stacklevel=2,
            )
        collection._narrowing = {
            "names": view.names,
            "filter": view.filter,
            "only_differences": view.only_differences,
        }
        collection.response = narrow(collection._answer, **collection._narrowing)
        return collection

    def check_gates(
        self, gates: Mapping[str, str | float] | Iterable[str] | None = None
    ) -> GateResult:
        """Check CI gates, as ``jupyter nbcompare --fail-if-worse`` does.

        ``gates``: ``{"mse": "0.01", "metrics.r2": "1%"}`` as in a view file,
        or ``["mse:0.01", "metrics.r2:1%"]`` as on the command line; default
        the view's ``gates`` (:meth:`from_view`). Returns a
        :class:`~jupyterlab_nbcompare.gates.GateResult`: true when every gate
        passed, with the command line's ``FAIL``/``ok`` lines in
        ``failures`` and ``passes`` (``assert runs.check_gates()`` in a
        notebook run by CI). Raises
        :class:`~jupyterlab_nbcompare.gates.GateError` (a ``ValueError``) for
        a gate that cannot be checked: a name no notebook has, a value that
        is no number, a direction nobody knows.
        """
        from .gates import Gate, check_gates

        if gates is None:
            if self.view is None or not self.view.gates:
                raise ValueError("no gates to check: pass gates=, or open a view that has some")
            chosen = self.view.gates
        elif isinstance(gates, Mapping):
            chosen = [Gate.from_view(name, tol, "check_gates()") for name, tol in gates.items()]
        else:
            chosen = [Gate.parse(text) for text in ([gates] if isinstance(gates, str) else gates)]
        return check_gates(self._answer, chosen)

    def groups(self, by: Sequence[str] | str | None = None):
        """Runs grouped by papermill parameters: a tidy DataFrame, one row per group and value.

        ``by``: names of the notebooks' ``parameters_flat`` (a dict parameter's
        leaf is ``name.key``). Columns: the ``by`` parameters, then ``name``,
        ``key`` (a mapping item's key, else None), ``n``, ``mean``, ``std``,
        ``min``, ``max``, ``delta``, ``rel_delta`` (of means, against the
        baseline's group), ``significant`` (Welch's t-test at 5%), ``better``
        and ``origin``. The numbers are the core's (``core/groups.py``), the
        same as the REST ``group_by`` answer and the CLI's ``--group-by``;
        failed runs are left out of them. The notebooks are read again, so the
        groups describe the files as they are now. Raises ``ValueError`` for a
        parameter no notebook has. Opened from a view (:meth:`from_view`),
        ``by`` defaults to its ``group_by``, and the rows are those of the
        values the view shows.
        """
        import pandas as pd

        from .core.compare import compare
        from .core.files import load_entry
        from .core.groups import tidy_rows
        from .core.narrow import narrow

        if by is None:
            by = self._group_by
            if by is None:
                raise ValueError("groups() needs by= (the view has no group_by)")
        by = [by] if isinstance(by, str) else list(by)
        entries = [load_entry(path) for path in self.paths]
        answer = compare(
            entries, baseline=self.baseline, directions=self.directions or None, group_by=by
        )
        columns, rows = tidy_rows(narrow(answer, **self._narrowing))
        return pd.DataFrame(rows, columns=columns)

    def plot(
        self,
        x: str | None = None,
        y: str | None = None,
        color: str | None = None,
        by: Sequence[str] | str | None = None,
        log_x: bool = False,
        kind: str = "scatter",
    ):
        """A chart of the runs, the panel's own: displays in JupyterLab as Vega-Lite.

        ``kind="scatter"`` (default): metric ``y`` against ``x`` (a parameter or
        another metric), one point per run, coloured by ``color``, the baseline
        ringed; ``log_x`` for a logarithmic x axis. ``kind="parallel"``: parallel
        coordinates over the parameters that vary and ``y``. Names are those of
        ``parameters_flat`` (``model_params.C``) and of the values (a mapping's
        item as ``metrics.r2``); ``param:NAME`` / ``metric:NAME`` say which when
        both exist. Failed runs and runs without the values are left out and
        counted (``chart.summary``). ``by``: group the runs by these parameters
        (as :meth:`groups`) and draw each group's mean ± std over its runs. The
        notebooks are read again when grouping. Raises ``ValueError`` for an
        unknown name (listing the known ones) or kind.
        """
        from .core.charts import parallel_spec, scatter_spec
        from .plot import Chart

        if kind not in ("scatter", "parallel"):
            raise ValueError(f"kind must be 'scatter' or 'parallel', got {kind!r}")
        if y is None or (kind == "scatter" and x is None):
            needed = "x and y" if kind == "scatter" else "y"
            raise ValueError(f"a {kind} chart needs {needed} (parameter or metric names)")
        answer = self.response
        if by is not None:
            from .core.compare import compare
            from .core.files import load_entry

            entries = [load_entry(path) for path in self.paths]
            answer = compare(
                entries,
                baseline=self.baseline,
                directions=self.directions or None,
                group_by=[by] if isinstance(by, str) else list(by),
            )
        if kind == "parallel":
            return Chart(parallel_spec(answer, y, color=color))
        return Chart(scatter_spec(answer, x, y, color=color, log_x=log_x))

    def _resolve(self, baseline: PathType | None, default: str) -> str:
        if baseline is None:
            return default
        key = str(baseline)
        if key in self._path_of:
            return self._path_of[key]
        if key in self.paths:
            return key
        for path in self.paths:
            try:
                if Path(path).resolve() == Path(key).resolve():
                    return path
            except OSError:
                continue
        raise ValueError(f"baseline {key!r} is neither one of the paths nor one of the ids")

    # -- Mapping over names -------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Every value name of any notebook, in order of first appearance."""
        return list(dict.fromkeys(v["name"] for v in self.response["values"]))

    def __getitem__(self, name: str) -> Comparison:
        return Comparison(self, name)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def get(self, name: str, default: Any = None) -> Any:
        """``collection[name]`` if some notebook has ``name``, else ``default``."""
        return self[name] if name in self else default

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def _ipython_key_completions_(self) -> list[str]:
        return self.names

    # -- notebooks ----------------------------------------------------------
    @property
    def nbs(self) -> dict[str, NotebookIntrospector | None]:
        """``{id: NotebookIntrospector}`` (None for a notebook that cannot be read)."""
        for id_, path in self._path_of.items():
            if id_ not in self._nbs:
                try:
                    self._nbs[id_] = NotebookIntrospector(path)
                except Exception:
                    self._nbs[id_] = None
        return self._nbs

    def _image_source(self, path: str, name: str, origin: str, part: int | None):
        nb = self.nbs.get(self._label_of.get(path, ""))
        return None if nb is None else nb.image(name, origin, part)

    # -- views ---------------------------------------------------------------
    def to_frame(self, names: Iterable[str] | None = None):
        """Scalars and mapping items as a DataFrame: rows ``name`` / ``name.key``,
        one column per notebook id. ``names`` picks values (or ``name.key`` rows)."""
        import pandas as pd

        wanted = list(names) if names is not None else None
        rows = report.rows_of(self.response)
        data: dict[str, list] = {}
        for row in rows:
            if wanted is not None and row.name not in wanted and row.label not in wanted:
                continue
            numbers = []
            for cell in row.cells:
                if cell is not None and (row.key is not None or cell.get("kind") == "scalar"):
                    numbers.append(_json_number(cell.get("value")))
                else:
                    numbers.append(math.nan)  # pandas' missing value
            if row.key is None and all(c is None or c.get("kind") != "scalar" for c in row.cells):
                continue
            data[row.label] = numbers
        frame = pd.DataFrame.from_dict(data, orient="index", columns=self.ids)
        frame.index.name = "name"
        return frame

    def _repr_html_(self) -> str:
        return report.comparison_table_html(
            self.response, labels=self._label_of, image_source=self._image_source
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.ids}, baseline={self.baseline!r}) with {self.names}"
