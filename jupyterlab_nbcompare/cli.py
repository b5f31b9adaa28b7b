"""``jupyter nbcompare``: the comparison of the panel, in a terminal or in CI.

Usage::

    jupyter nbcompare PATHS... [--baseline PATH] [--names N1,N2]
        [--format table|json|markdown|csv|csv-wide|html] [-o FILE] [--width N]
        [--direction NAME=lower|higher ...] [--fail-if-worse NAME[:TOL] ...]
        [--filter TEXT] [--only-differences] [--group-by PARAM ...]
    jupyter nbcompare VIEW.nbcompare [same options, which override the view's]

The comparison is :func:`jupyterlab_nbcompare.core.files.compare_paths`, the
same core the REST handler uses, so ``--format json`` prints exactly the body
of ``POST nbcompare/compare`` for the same paths (paths as given; narrowed by
``--filter``/``--only-differences`` as the panel narrows it).

A saved view (:mod:`.viewfile`) stands for its notebooks and settings; its
``gates`` are ``--fail-if-worse`` gates. ``--fail-if-worse`` makes the command
a CI gate (see :mod:`.gates`). Exit codes: 0 all fine, 1 a gate failed, 2
usage error, a malformed view, or a notebook that is missing or unreadable
(named in one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import report
from .gates import Gate, GateError, check_gates, gate_base_name, locate

if TYPE_CHECKING:
    from .viewfile import LoadedView

#: Kept importable from here, where they were first defined.
__all__ = ["Gate", "UsageError", "check_gates", "expand_paths", "is_generated", "main", "run"]

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2
PROG = "jupyter nbcompare"


class UsageError(Exception):
    """A problem with the command line or its files: exit 2 with this message."""


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
            "Exit codes: 0 ok, 1 a gate failed (--fail-if-worse, or a view's gates), "
            "2 usage error, a malformed view, or a missing/unreadable notebook. A "
            "directory, or a pattern of a view, stands for the notebooks in it (not "
            "hidden ones, nor comparison notebooks this extension exported)."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="notebooks or directories, in column order; or one saved view "
        "(VIEW.nbcompare), which names the notebooks (paths and patterns relative "
        "to its folder) and the settings: baseline, names, filter, only_differences, "
        "directions, group_by and gates (as --fail-if-worse). Options given here "
        "override the view's (--direction and --fail-if-worse name by name)",
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
        "--filter",
        metavar="TEXT",
        help="show only the values whose name (NAME.KEY for a mapping item) contains "
        "TEXT, ignoring case, as the panel's filter does; gates still see every value",
    )
    parser.add_argument(
        "--only-differences",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="hide the values (and mapping items) equal in every notebook, as the "
        "panel's toggle does (--no-only-differences turns a view's setting off)",
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
    from .core.extract import is_generated_metadata
    from .core.files import read_limited
    from .core.reader import parse_notebook

    try:
        raw = read_limited(path, None)[0]
        if raw is None or b'"nbcompare"' not in raw:
            return False
        return is_generated_metadata(parse_notebook(raw).get("metadata"))
    except Exception:  # unreadable: not ours to judge here, the comparison says why
        return False


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


def _unknown_names(unknown: Sequence[str], response: dict, where: str = "--names") -> str:
    """The one-line error for ``--names`` no notebook has, with the names there are.

    A ``NAME.KEY`` of a mapping is a row label of the table, not a name: say
    which name to ask for instead.
    """
    known = sorted({v["name"] for v in response["values"]})
    shown = ", ".join(repr(n) for n in unknown)
    message = (
        f"{where}: no notebook has a value named {shown} (names: {', '.join(known) or 'none'})"
    )
    use = "--names " if where == "--names" else "the name "
    for name in unknown:
        try:
            value, key = locate(response, name)
        except GateError:
            continue
        if key is not None:
            message += f"; {name!r} is a key of {value['name']!r}: use {use}{value['name']}"
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


def with_baseline(paths: Sequence[str], baseline: str) -> tuple[list[str], str]:
    """``paths`` with ``baseline`` in front when none of them is that file, and its spelling.

    The baseline of ``--baseline`` or of a view need not be among the
    compared notebooks (a production run beside a folder of candidates); when
    it is, however it is spelled (``./a.ipynb``, a link), the column is not
    doubled and its spelling among ``paths`` is kept.
    """
    match = next((p for p in paths if _same_file(p, baseline)), None)
    if match is None:
        return [baseline, *paths], baseline
    return list(paths), match


def _check_baseline(baseline: str, where: str) -> None:
    """:class:`UsageError` unless ``baseline`` is a regular file (``where`` names the option)."""
    base = Path(baseline)
    if base.is_dir():
        raise UsageError(f"{where} {baseline} is a folder: name one notebook")
    if base.exists() and not base.is_file():
        raise UsageError(f"{where} {baseline} is not a regular file")
    if not base.is_file():
        raise UsageError(f"no such notebook: {baseline} ({where})")


def _load_view(paths: Sequence[str]) -> LoadedView | None:
    """The view file among the PATH arguments, read; ``None`` when there is none."""
    from .core.views import ViewError
    from .viewfile import is_view_path, load_view_file

    views = [p for p in paths if is_view_path(p)]
    if not views:
        return None
    if len(paths) > 1:
        raise UsageError(
            f"a view file stands alone: give {views[0]} or notebook paths, not both "
            "(the view names its notebooks)"
        )
    try:
        return load_view_file(views[0])
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    except ViewError as error:
        raise UsageError(str(error)) from None


def _gates(view: LoadedView | None, texts: Sequence[str]) -> list[Gate]:
    """The view's gates and ``--fail-if-worse`` ones; a flag replaces a view gate of its name."""
    gates = {gate.name: gate for gate in (view.gates if view is not None else ())}
    for text in texts:
        gate = Gate.parse(text)
        gates[gate.name] = gate
    return list(gates.values())


class _Settings:
    """What to compare and how: the command line over a view's settings.

    Each setting remembers where it came from (``where``), so that an error
    names the option to change or the field of the view file.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        view = self.view = _load_view(args.paths)
        if view is not None and view.truncated:
            print(f"{PROG}: warning: {view.file}: {view.truncated}", file=sys.stderr)
        paths = _expand(view.notebooks if view is not None else args.paths, args.recursive)
        baseline, where = args.baseline, "--baseline"
        if baseline is None and view is not None and view.baseline is not None:
            baseline, where = view.baseline, f"{view.file}: baseline"
        if baseline is None:
            self.paths, self.baseline = paths, paths[0]
        else:
            _check_baseline(baseline, where)
            self.paths, self.baseline = with_baseline(paths, baseline)
        self.names, self.names_where = _names(args.names), "--names"
        if self.names is None and view is not None and view.names is not None:
            self.names, self.names_where = view.names, f"{view.file}: names"
        self.directions = {**(view.directions if view else {}), **_directions(args.direction)}
        self.gates = _gates(view, args.fail_if_worse)
        self.group_by, self.group_where = args.group_by, "--group-by"
        if self.group_by is None and view is not None and view.group_by is not None:
            self.group_by, self.group_where = view.group_by, f"{view.file}: group_by"
        self.filter = args.filter if args.filter is not None else (view.filter if view else "")
        self.only_differences = (
            args.only_differences
            if args.only_differences is not None
            else bool(view and view.only_differences)
        )

    def refuse_output(self, output: str) -> None:
        """:class:`UsageError` when ``-o`` would overwrite a compared notebook or the view."""
        if any(_same_file(p, output) for p in self.paths):
            # The extension never writes a notebook it reads; neither does -o.
            raise UsageError(f"-o {output} is one of the compared notebooks")
        if self.view is not None and _same_file(self.view.file, output):
            raise UsageError(f"-o {output} is the view file being run")


def run(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command; returns the exit code (``main`` exits with it)."""
    stdout = stdout or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        settings = _Settings(args)
        paths, baseline = settings.paths, settings.baseline
        _refuse_duplicates(paths)
        if args.output:
            settings.refuse_output(args.output)
        names, directions, gates = settings.names, settings.directions, settings.gates

        from .core.files import compare_paths
        from .core.narrow import narrow

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
                group_by=settings.group_by,
            )
        except ValueError as error:
            if settings.group_by is None:
                raise
            raise UsageError(f"{settings.group_where}: {error}") from None
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
                raise UsageError(_unknown_names(unknown, everything, settings.names_where))

        # What is shown is narrowed; the gates below see the whole answer.
        shown = narrow(
            response,
            names=names if request_names != names else None,
            filter=settings.filter,
            only_differences=settings.only_differences,
        )
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
        if settings.group_by is not None:
            from .report_groups import add_groups

            text = add_groups(text, shown, args.format)
        failures, passes = check_gates(response, gates) if gates else ([], [])
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as error:
                raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
        else:
            stdout.write(text)
            stdout.flush()
    except (UsageError, GateError) as error:
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
