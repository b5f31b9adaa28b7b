"""``jupyter nbcompare``: the comparison of the panel, in a terminal or in CI.

Usage::

    jupyter nbcompare PATHS... [--baseline PATH] [--names N1,N2]
        [--format table|json|markdown|csv|csv-wide|html] [-o FILE] [--width N]
        [--direction NAME=lower|higher ...] [--fail-if-worse NAME[:TOL] ...]
        [--group-by PARAM ...] [--chart x=PARAM,y=METRIC[,color=PARAM][,logx]]

The comparison is :func:`jupyterlab_nbcompare.core.files.compare_paths`, the
same core the REST handler uses, so ``--format json`` prints exactly the body
of ``POST nbcompare/compare`` for the same paths (paths as given).

``--fail-if-worse`` makes the command a CI gate (see :class:`Gate`). Exit
codes: 0 all fine, 1 a gate failed, 2 usage error or a notebook that is
missing or unreadable (named in one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from . import report

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2
PROG = "jupyter nbcompare"


class UsageError(Exception):
    """A problem with the command line or its files: exit 2 with this message."""


# --------------------------------------------------------------------------
# The gate
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """One ``--fail-if-worse NAME[:TOL]``.

    ``NAME`` is a value name (``mse``) or one item of a mapping value
    (``metrics.mse``). ``TOL`` is how much worse a candidate may be before the
    gate fails: absolute (``0.01``), or relative to the baseline's magnitude
    with a ``%`` (``5%``). The default, 0, fails on any worsening. "Worse" follows
    the name's direction (``lower`` for ``mse``, ``higher`` for ``r2``, or
    ``--direction``). A candidate whose value is missing, an error, not a
    number or NaN fails the gate: a CI gate must not pass on what it cannot see.
    """

    name: str
    tolerance: float = 0.0
    relative: bool = False

    @classmethod
    def parse(cls, text: str) -> Gate:
        """Parse ``NAME``, ``NAME:0.01`` or ``NAME:5%``; :class:`UsageError` if malformed."""
        name, sep, tol = text.rpartition(":")
        if not sep:
            name, tol = text, ""
        if not name:
            raise UsageError(f"--fail-if-worse needs a NAME, got {text!r}")
        if not tol:
            return cls(name)
        relative = tol.endswith("%")
        try:
            value = float(tol[:-1] if relative else tol)
        except ValueError:
            raise UsageError(
                f"--fail-if-worse {text!r}: tolerance {tol!r} is not a number "
                "(use e.g. mse:0.01 or mse:5%)"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"--fail-if-worse {text!r}: tolerance must be a number >= 0")
        return cls(name, value / 100 if relative else value, relative)

    def describe_tolerance(self) -> str:
        """The tolerance as the user wrote it."""
        if self.relative:
            return f"{self.tolerance * 100:g}% of the baseline"
        return f"{self.tolerance:g}"


def _locate(response: dict, name: str) -> tuple[dict, str | None]:
    """The value row behind a gate NAME and the mapping key, if any.

    An exact value name wins (a tag before a scrap, in response order); else
    the longest value name that is a prefix before a ``.`` and is a mapping
    (``metrics.mse`` -> value ``metrics``, key ``mse``; ``a.b.c`` may be
    ``a`` with the flattened key ``b.c``).
    """
    values = response["values"]
    for value in values:
        if value["name"] == name:
            return value, None
    cuts = [i for i, ch in enumerate(name) if ch == "."]
    for cut in reversed(cuts):
        base, key = name[:cut], name[cut + 1 :]
        for value in values:
            if value["name"] == base and any(
                cell and cell.get("kind") == "mapping" and key in cell.get("items", {})
                for cell in value["cells"].values()
            ):
                return value, key
    known = ", ".join(sorted({v["name"] for v in values})) or "none"
    raise UsageError(f"--fail-if-worse: no notebook has a value named {name!r} (names: {known})")


def gate_base_name(name: str) -> list[str]:
    """Value names a gate NAME may refer to (so ``--names`` keeps them)."""
    out = [name]
    for i, ch in enumerate(name):
        if ch == ".":
            out.append(name[:i])
    return out


def _a(kind: Any) -> str:
    """``a table``, ``an image``: a kind with its article."""
    word = str(kind)
    if word in ("text", "html"):
        return word if word == "text" else "HTML"
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _refuse_non_numbers(label: str, value: dict, key: str | None) -> None:
    """:class:`UsageError` when no notebook has a number under a gate's NAME.

    Checked before the direction: asking which way is better for a table
    would suggest it could be gated. Errors and missing values do not count:
    a run whose ``mse`` cell raised still fails the gate as it should.
    """
    kinds: list[str] = []
    for cell in value["cells"].values():
        if cell is None or cell.get("kind") == "error":
            continue
        if key is None:
            kind = cell.get("kind")
            if kind == "scalar" and report.as_number(cell.get("value")) is not None:
                return
        else:
            item = (cell.get("items") or {}).get(key) if cell.get("kind") == "mapping" else None
            if item is None:
                continue
            if report.as_number(item.get("value")) is not None:
                return
            kind = "scalar" if isinstance(item.get("value"), (bool, type(None))) else "text"
            if isinstance(item.get("value"), (list, dict)):
                kind = "sequence"
        kinds.append(kind)
    if not kinds:
        return  # only errors or missing values: the gate itself fails on them
    # a scalar that is not a number is a boolean (or null)
    shown = " or ".join("a boolean" if k == "scalar" else _a(k) for k in dict.fromkeys(kinds))
    hint = f"; gate one of its keys, e.g. --fail-if-worse {label}.KEY" if "mapping" in kinds else ""
    raise UsageError(
        f"--fail-if-worse {label}: {label!r} is {shown}, and only numbers can be gated "
        f"(a number value, or NAME.KEY of a mapping){hint}"
    )


def _number(cell: dict | None, key: str | None) -> tuple[Any, str | None]:
    """``(number, None)`` or ``(None, why not)`` for a cell or mapping item."""
    if cell is None:
        return None, "has no value"
    kind = cell.get("kind")
    if kind == "error":
        return None, f"raised {cell.get('ename', 'an error')}: {cell.get('evalue', '')}".strip()
    if key is not None:
        if kind != "mapping":
            return None, f"is {_a(kind)}, not a mapping"
        item = cell.get("items", {}).get(key)
        if item is None:
            return None, "has no such key"
        value = item.get("value")
    else:
        if kind != "scalar":
            return None, f"is {_a(kind)}, not a number"
        value = cell.get("value")
    number = report.as_number(value)
    if number is None:
        return None, f"is {value!r}, not a number"
    if math.isnan(number):
        return None, "is NaN"
    return number, None


#: A gate's rounding slack, in units in the last place of the numbers compared:
#: their decimal-to-binary rounding and the subtraction's, with room to spare.
_ROUNDING_ULPS = 8


def check_gates(response: dict, gates: Sequence[Gate]) -> tuple[list[str], list[str]]:
    """Apply the gates; returns ``(failures, passes)`` as human-readable lines.

    Raises :class:`UsageError` for a NAME no notebook has, or whose direction
    is unknown (then "worse" means nothing: pass ``--direction``).
    """
    paths = report.notebook_paths(response)
    baseline = response["baseline"]
    failures: list[str] = []
    passes: list[str] = []
    for gate in gates:
        value, key = _locate(response, gate.name)
        label = gate.name
        _refuse_non_numbers(label, value, key)
        direction = report.direction_of(value, key)  # overrides already applied
        if direction not in ("lower", "higher"):
            raise UsageError(
                f"--fail-if-worse {label}: the direction of {label!r} is unknown; "
                f"say it with --direction {label}=lower or --direction {label}=higher"
            )
        base, why = _number(value["cells"].get(baseline), key)
        if why:
            failures.append(
                f"FAIL {label}: the baseline {baseline} {why}, so nothing can be compared"
            )
            continue
        for path in paths:
            if path == baseline:
                continue
            number, why = _number(value["cells"].get(path), key)
            if why:
                failures.append(f"FAIL {label}: {path} {why} (baseline {baseline}: {base:.6g})")
                continue
            worse_by = (number - base) if direction == "lower" else (base - number)
            allowed = gate.tolerance * abs(base) if gate.relative else gate.tolerance
            # Printed decimals are not exact in binary (0.85 - 0.84 is
            # 0.010000000000000009): a drop that equals the tolerance to within
            # the rounding of the numbers themselves (a few units in the last
            # place) is within it. Never for integers (exact) nor infinities.
            if (
                (isinstance(number, float) or isinstance(base, float))
                and math.isfinite(number)
                and math.isfinite(base)
            ):
                allowed += _ROUNDING_ULPS * math.ulp(max(abs(number), abs(base), allowed))
            rel = f" ({worse_by / abs(base):+.2%})" if base else ""
            facts = (
                f"{number:.6g} vs baseline {base:.6g} in {baseline}, "
                f"{direction} is better, tolerance {gate.describe_tolerance()}"
            )
            # Infinitely worse is beyond any tolerance (a relative one of an
            # infinite baseline is itself infinite, or NaN).
            if worse_by > allowed or worse_by == math.inf:
                failures.append(f"FAIL {label}: {path} is worse by {worse_by:.6g}{rel}: {facts}")
            elif worse_by > 0:
                passes.append(
                    f"ok   {label}: {path} is worse by {worse_by:.6g}{rel}, "
                    f"within tolerance: {facts}"
                )
            else:
                word = "better" if worse_by < 0 else "equal"
                passes.append(f"ok   {label}: {path} is {word}: {facts}")
    return failures, passes


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2 (its default)."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so the docs and tests see the same options)."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Compare executed Jupyter notebooks (papermill runs): tagged cells and "
            "scrapbook scraps side by side, with deltas against a baseline."
        ),
        epilog=(
            "Exit codes: 0 ok, 1 a --fail-if-worse gate failed, 2 usage error or a "
            "missing/unreadable notebook. A directory stands for the notebooks in it "
            "(not hidden ones, nor comparison notebooks this extension exported)."
        ),
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="notebooks or directories, in column order"
    )
    parser.add_argument(
        "--baseline",
        metavar="PATH",
        help="the notebook deltas are measured against (default: the first; "
        "added in front when not among PATHS)",
    )
    parser.add_argument(
        "--names",
        action="append",
        metavar="N1,N2",
        help="show only these names (comma-separated, repeatable); "
        "a name no notebook has is a usage error",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=report.FORMATS,
        default="table",
        help="output format (default: table). table/markdown: one row per value "
        "(NAME.KEY per mapping item), and for a cell with several outputs (two "
        "figures) one more row per output, NAME[1], NAME[2]..., in order; html: "
        "the same as a self-contained report, every output shown, images embedded; "
        "json: the REST compare response; csv: long, one line per notebook and "
        "row, with the columns notebook, baseline, status, failure, name, key, "
        "part (1, 2... for an output of a multi-output cell), origin, kind "
        "('missing' where a run lacks the value), direction, value, delta, "
        "rel_delta, better, then param.NAME per parameter (dict parameters as "
        "their leaves, param.model_params.C); csv-wide: the panel's CSV export, "
        "one line per number (scalar or mapping item) with the columns metric, "
        "direction and one per notebook path, values only",
    )
    parser.add_argument(
        "--width",
        type=int,
        metavar="N",
        help="wrap the table to N columns, continuing the notebooks below "
        "(default: the terminal's width when writing to a terminal or when "
        "COLUMNS is set, else no wrapping; 0: never wrap)",
    )
    parser.add_argument(
        "--recursive",
        "-r",
        action="store_true",
        help="a directory stands for the notebooks in it and in its subdirectories",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument(
        "--direction",
        action="append",
        default=[],
        metavar="NAME=lower|higher",
        help="which way is better for NAME (or NAME.KEY of a mapping), "
        "when the name does not say it",
    )
    parser.add_argument(
        "--fail-if-worse",
        action="append",
        default=[],
        metavar="NAME[:TOL]",
        help="exit 1 when a notebook is worse than the baseline on NAME "
        "(or NAME.KEY) by more than TOL: absolute (mse:0.01) or relative "
        "to the baseline (mse:5%%); default 0; repeatable",
    )
    parser.add_argument(
        "--group-by",
        action="append",
        metavar="PARAM",
        help="group the runs by this papermill parameter (a dict's leaf as NAME.KEY; "
        "repeatable) and show each group's n, mean, std, min, max and Welch's test "
        "against the baseline's group; with -f csv the output is the groups table",
    )
    parser.add_argument(
        "--chart",
        metavar="x=PARAM,y=METRIC[,color=PARAM][,logx]",
        help="with -f html: add a scatter of METRIC against PARAM (or another metric) and "
        "parallel coordinates, as static SVG (needs vl-convert-python: "
        "pip install 'jupyterlab_nbcompare[charts]'); failed runs are left out and "
        "counted; with --group-by, group means with ± std bars",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the table (default: only when writing to a terminal)",
    )
    return parser


def is_generated(path: str | os.PathLike) -> bool:
    """Whether a notebook is one this extension wrote (``metadata.nbcompare.generated``).

    The panel's "Export notebook" leaves a comparison notebook beside the
    runs; comparing it with them as one more run would be noise. Only a file
    that mentions ``nbcompare`` at all is parsed.
    """
    from .core.files import read_limited
    from .core.reader import parse_notebook

    try:
        raw = read_limited(path, None)[0]
        if raw is None or b'"nbcompare"' not in raw:
            return False
        metadata = parse_notebook(raw).get("metadata")
    except Exception:  # unreadable: not ours to judge here, the comparison says why
        return False
    mark = metadata.get("nbcompare") if isinstance(metadata, dict) else None
    return isinstance(mark, dict) and bool(mark.get("generated"))


def _notebooks_in(folder: Path, shown: str, recursive: bool) -> list[str]:
    """The ``*.ipynb`` files of a folder, sorted, hidden ones and generated ones left out."""
    found = []
    pattern = "**/*.ipynb" if recursive else "*.ipynb"
    for child in folder.glob(pattern):
        relative = child.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not child.is_file():
            continue  # hidden files and folders (.ipynb_checkpoints) are not runs
        if is_generated(child):
            continue
        found.append(relative.as_posix() if shown in (".", "./") else str(child))
    return sorted(found)


def expand_paths(paths: Sequence[str | os.PathLike], recursive: bool = False) -> list[str]:
    """Paths as given; a folder becomes its ``*.ipynb`` files, sorted.

    The one expansion of the command line and of ``NotebookCollection``. A
    folder's hidden files and the notebooks this extension generated are left
    out (a notebook named explicitly is always kept); ``recursive`` descends
    into subfolders. Raises ``FileNotFoundError`` naming every missing path,
    ``ValueError`` for a folder without notebooks or a path that is not a
    regular file (a FIFO would block the read).
    """
    out: list[str] = []
    missing: list[str] = []
    for given in paths:
        path = os.fspath(given)
        p = Path(path)
        if p.is_dir():
            found = _notebooks_in(p, path, recursive)
            if not found:
                raise ValueError(f"no notebooks (*.ipynb) in directory {path}")
            out.extend(found)
        elif p.is_file():
            out.append(path)
        elif p.exists():
            raise ValueError(f"not a regular file: {path}")
        else:
            missing.append(path)
    if missing:
        raise FileNotFoundError("no such notebook: " + ", ".join(missing))
    return out


def _expand(paths: Sequence[str], recursive: bool = False) -> list[str]:
    """:func:`expand_paths` with its errors as :class:`UsageError`."""
    try:
        return expand_paths(paths, recursive)
    except (FileNotFoundError, ValueError) as error:
        raise UsageError(str(error)) from None


def _file_key(path: str) -> tuple[int, int] | str:
    """What makes two paths one file: device and inode (links, ``./``), else the path."""
    try:
        info = os.stat(path)
    except OSError:
        return os.path.normpath(path)
    return info.st_dev, info.st_ino


def _same_file(a: str, b: str) -> bool:
    return _file_key(a) == _file_key(b)


def _refuse_duplicates(paths: Sequence[str]) -> None:
    """:class:`UsageError` when one file is named twice, however it is spelled.

    Comparing a notebook with itself (``runs/a.ipynb ./runs/a.ipynb``, a hard
    link, a symlink) shows two identical columns and proves nothing.
    """
    first: dict[tuple[int, int] | str, str] = {}
    pairs: list[str] = []
    for path in paths:
        key = _file_key(path)
        if key in first:
            pairs.append(f"{first[key]} and {path}")
        else:
            first[key] = path
    if pairs:
        raise UsageError("a notebook is named twice: " + "; ".join(pairs))


def _unknown_names(unknown: Sequence[str], response: dict) -> str:
    """The one-line error for ``--names`` no notebook has, with the names there are.

    A ``NAME.KEY`` of a mapping is a row label of the table, not a name: say
    which name to ask for instead.
    """
    known = sorted({v["name"] for v in response["values"]})
    shown = ", ".join(repr(n) for n in unknown)
    message = (
        f"--names: no notebook has a value named {shown} (names: {', '.join(known) or 'none'})"
    )
    for name in unknown:
        try:
            value, key = _locate(response, name)
        except UsageError:
            continue
        if key is not None:
            message += f"; {name!r} is a key of {value['name']!r}: use --names {value['name']}"
    return message


def _directions(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, direction = item.rpartition("=")
        if not sep or not name or direction not in ("lower", "higher"):
            raise UsageError(f"--direction {item!r}: expected NAME=lower or NAME=higher")
        out[name] = direction
    return out


def _names(items: Sequence[str] | None) -> list[str] | None:
    if not items:
        return None
    names = [n.strip() for item in items for n in item.split(",") if n.strip()]
    if not names:
        raise UsageError("--names needs at least one name")
    return list(dict.fromkeys(names))


def _chart(text: str | None, fmt: str) -> dict | None:
    """``--chart``, parsed (only the HTML report draws charts)."""
    if text is None:
        return None
    if fmt != "html":
        raise UsageError(f"--chart draws into the HTML report: add -f html (not -f {fmt})")
    from .report_charts import parse_chart

    try:
        return parse_chart(text)
    except ValueError as error:
        raise UsageError(f"--chart {text}: {error}") from None


def image_source_for_files() -> report.ImageSource:
    """Image bytes for the HTML report, read again from the notebook files.

    The response never carries image bytes; each notebook is parsed at most
    once more, and only when it has an image to embed.
    """
    from .core.extract import image_of
    from .core.files import read_limited
    from .core.reader import parse_notebook

    parsed: dict[str, dict | None] = {}

    def source(path: str, name: str, origin: str, part: int | None):
        if path not in parsed:
            try:
                parsed[path] = parse_notebook(read_limited(path, None)[0])
            except Exception:
                parsed[path] = None
        nb = parsed[path]
        return None if nb is None else image_of(nb, name, origin, part)

    return source


def run(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command; returns the exit code (``main`` exits with it)."""
    stdout = stdout or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        paths = _expand(args.paths, args.recursive)
        if args.baseline is not None:
            base = Path(args.baseline)
            if base.is_dir():
                raise UsageError(f"--baseline {args.baseline} is a folder: name one notebook")
            if base.exists() and not base.is_file():
                raise UsageError(f"--baseline {args.baseline} is not a regular file")
            if not base.is_file():
                raise UsageError(f"no such notebook: {args.baseline} (--baseline)")
            match = next((p for p in paths if _same_file(p, args.baseline)), None)
            if match is None:
                paths.insert(0, args.baseline)
                match = args.baseline
            baseline = match
        else:
            baseline = paths[0]
        _refuse_duplicates(paths)
        if args.output:
            clobbered = [p for p in paths if _same_file(p, args.output)]
            if clobbered:
                # The extension never writes a notebook it reads; neither does -o.
                raise UsageError(f"-o {args.output} is one of the compared notebooks")
        names = _names(args.names)
        chart = _chart(args.chart, args.format)
        directions = _directions(args.direction)
        gates = [Gate.parse(text) for text in args.fail_if_worse]

        from .core.files import compare_paths

        request_names = names
        if names is not None and gates:
            request_names = list(
                dict.fromkeys(names + [n for g in gates for n in gate_base_name(g.name)])
            )
        try:
            response = compare_paths(
                paths,
                baseline=baseline,
                names=request_names,
                directions=directions or None,
                group_by=args.group_by,
            )
        except ValueError as error:
            if args.group_by is None:
                raise
            raise UsageError(f"--group-by: {error}") from None
        unreadable = [nb for nb in response["notebooks"] if nb["status"] == "unreadable"]
        if unreadable:
            lines = []
            for nb in unreadable:
                error = nb.get("error") or {}
                message = error.get("message") or "unreadable"
                lines.append(f"cannot read {nb['path']}: {message} ({error.get('code', 'error')})")
            raise UsageError("\n".join(lines))
        if names is not None:
            found = {v["name"] for v in response["values"]}
            unknown = [n for n in names if n not in found]
            if unknown:
                # Only on this error path: compare again, unrestricted, to list the names.
                everything = compare_paths(paths, baseline=baseline)
                raise UsageError(_unknown_names(unknown, everything))

        shown = response
        if request_names != names:
            shown = {**response, "values": [v for v in response["values"] if v["name"] in names]}
        color = args.color == "always" or (
            args.color == "auto"
            and args.output is None
            and hasattr(stdout, "isatty")
            and stdout.isatty()
            and not os.environ.get("NO_COLOR")
        )
        width = args.width
        if width is not None and width < 0:
            raise UsageError(f"--width {width}: expected a number of columns >= 0")
        if width is None and args.output is None:
            is_tty = hasattr(stdout, "isatty") and stdout.isatty()
            if is_tty or os.environ.get("COLUMNS"):
                width = shutil.get_terminal_size().columns
        text = report.render(
            shown,
            args.format,
            color=color,
            width=width or None,
            image_source=image_source_for_files() if args.format == "html" else None,
        )
        if args.group_by is not None:
            from .report_groups import add_groups

            text = add_groups(text, shown, args.format)
        if chart is not None:
            from .report_charts import INSTALL_HINT, add_charts

            try:
                text, drawn = add_charts(text, shown, chart)
            except ValueError as error:
                raise UsageError(f"--chart: {error}") from None
            if not drawn:
                print(
                    f"{PROG}: the report has no charts: they need vl-convert-python "
                    f"({INSTALL_HINT})",
                    file=sys.stderr,
                )
        failures, passes = check_gates(response, gates) if gates else ([], [])
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as error:
                raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
        else:
            stdout.write(text)
            stdout.flush()
    except UsageError as error:
        for line in str(error).splitlines():
            print(f"{PROG}: error: {report.terminal_safe(line)}", file=sys.stderr)
        return EXIT_USAGE
    for line in passes + failures:
        print(report.terminal_safe(line), file=sys.stderr)
    if failures:
        print(
            f"{PROG}: {len(failures)} gate check{'s' if len(failures) != 1 else ''} failed",
            file=sys.stderr,
        )
        return EXIT_GATE
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point (``jupyter-nbcompare``, so ``jupyter nbcompare`` works)."""
    try:
        code = run(argv)
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # `jupyter nbcompare ... | head`
        code = EXIT_OK
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
