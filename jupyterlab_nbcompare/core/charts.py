"""Vega-Lite specs of a comparison: a scatter and parallel coordinates.

The panel draws these charts through JupyterLab's own Vega-Lite renderer;
``NotebookCollection.plot`` displays the same specs in a notebook, and the
CLI's HTML report embeds them as SVG. ``src/charts.ts`` builds them in the
panel; this module is its twin, line for line in what it decides (fields,
layers, what is left out and how it is counted). A golden fixture
(``tests/files/charts/golden.json``) is checked against both, by pytest and
by jest, so the two cannot drift.

Pure: a compare answer (``POST nbcompare/compare``, with ``groups`` when it
was asked with ``group_by``) in, a JSON-ready dict out. Statistics of groups
are the answer's (:mod:`.groups`), never recomputed here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .groups import flatten_parameters
from .numbers import as_number, js_number

__all__ = [
    "DEFAULT_PALETTE",
    "MAX_PARALLEL_PARAMETERS",
    "MAX_PARALLEL_VERTICES_RUNS",
    "ORDINAL_COLORS",
    "VEGALITE_MIME",
    "VEGALITE_SCHEMA",
    "ChartField",
    "category_text",
    "chart_fields",
    "parallel_spec",
    "resolve_field",
    "scatter_spec",
]

#: The mime type of JupyterLab's Vega-Lite 5 renderer (its vega5-extension).
VEGALITE_MIME = "application/vnd.vegalite.v5+json"
VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
#: A colour scale of at most this many distinct numbers is ordinal (steps).
ORDINAL_COLORS = 8
#: Parallel coordinates show at most this many parameters.
MAX_PARALLEL_PARAMETERS = 12
#: Parallel coordinates of more runs than this leave out the point marks at
#: the axes (``vertices``, one per run per axis, for their tooltips): the
#: lines alone keep their tooltip and click, and a large sweep paints sooner.
MAX_PARALLEL_VERTICES_RUNS = 200
#: Colours of the marks that are not data colours; they read on white and dark.
DEFAULT_PALETTE: dict[str, Any] = {"foreground": "#555555", "muted": "#999999"}


class ChartField(dict):
    """A parameter or a number-valued metric: ``kind``, ``label``, ``name``, ``origin``, ``key``."""


# --------------------------------------------------------------------------- values


def _is_numeric(value: Any) -> bool:
    return not isinstance(value, bool) and as_number(value) is not None


def _finite(value: Any) -> float | int | None:
    number = as_number(value) if not isinstance(value, bool) else None
    if number is None:
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return number


def category_text(value: Any) -> str:
    """A value as a category: text as is, numbers as JavaScript spells them."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return js_number(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _flat(nb: Mapping) -> dict:
    flat = nb.get("parameters_flat")
    if flat is None:
        flat = flatten_parameters(nb.get("parameters") or {})
    return flat


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- fields


def chart_fields(answer: Mapping) -> tuple[list[ChartField], list[ChartField]]:
    """``(parameters, metrics)`` of an answer, in order of first appearance."""
    parameters: list[ChartField] = []
    seen: set[str] = set()
    for nb in answer["notebooks"]:
        for name in _flat(nb):
            if name not in seen:
                seen.add(name)
                parameters.append(ChartField(kind="param", label=name, name=name))
    metrics: list[ChartField] = []
    labels: set[str] = set()
    paths = [nb["path"] for nb in answer["notebooks"]]

    def add(field: ChartField) -> None:
        if field["label"] not in labels:
            labels.add(field["label"])
            metrics.append(field)

    for row in answer["values"]:
        cells = row.get("cells") or {}
        if row.get("kind") == "scalar":
            if any(
                isinstance(cells.get(p), Mapping)
                and cells[p].get("kind") == "scalar"
                and _is_numeric(cells[p].get("value"))
                for p in paths
            ):
                add(
                    ChartField(
                        kind="metric",
                        label=row["name"],
                        name=row["name"],
                        origin=row["origin"],
                        key=None,
                    )
                )
        elif row.get("kind") == "mapping":
            keys: list[str] = []
            for path in paths:
                cell = cells.get(path)
                if isinstance(cell, Mapping) and cell.get("kind") == "mapping":
                    for key, item in (cell.get("items") or {}).items():
                        value = item.get("value") if isinstance(item, Mapping) else None
                        if key not in keys and _is_numeric(value):
                            keys.append(key)
            for key in keys:
                add(
                    ChartField(
                        kind="metric",
                        label=f"{row['name']}.{key}",
                        name=row["name"],
                        origin=row["origin"],
                        key=key,
                    )
                )
    return parameters, metrics


def resolve_field(answer: Mapping, text: str, prefer: str) -> ChartField:
    """The field a name stands for (``param:NAME`` / ``metric:NAME`` say which).

    A bare name is looked up among the kind ``prefer``-red first. Raises
    ``ValueError`` naming every parameter and metric when nothing matches.
    """
    parameters, metrics = chart_fields(answer)
    kinds = ["param", "metric"] if prefer == "param" else ["metric", "param"]
    name = text
    for kind in ("param", "metric"):
        if text.startswith(f"{kind}:"):
            kinds = [kind]
            name = text[len(kind) + 1 :]
    for kind in kinds:
        for field in parameters if kind == "param" else metrics:
            if field["label"] == name:
                return field

    def listing(fields: list[ChartField]) -> str:
        return ", ".join(f["label"] for f in fields) or "none"

    raise ValueError(
        f'No parameter or metric named "{text}" '
        f"(parameters: {listing(parameters)}; metrics: {listing(metrics)})."
    )


def _value_of(answer: Mapping, field: ChartField, nb: Mapping) -> Any:
    if field["kind"] == "param":
        entry = _flat(nb).get(field["name"])
        return entry.get("value") if isinstance(entry, Mapping) else None
    row = next(
        (
            v
            for v in answer["values"]
            if v["name"] == field["name"] and v["origin"] == field["origin"]
        ),
        None,
    )
    cell = (row.get("cells") or {}).get(nb["path"]) if row else None
    if not isinstance(cell, Mapping):
        return None
    if field.get("key") is None:
        return cell.get("value") if cell.get("kind") == "scalar" else None
    if cell.get("kind") != "mapping":
        return None
    item = (cell.get("items") or {}).get(field["key"])
    return item.get("value") if isinstance(item, Mapping) else None


def _color_values(answer: Mapping, field: ChartField, runs: Sequence[Mapping]) -> tuple[str, list]:
    raw = [_value_of(answer, field, nb) for nb in runs]
    numbers = [_finite(v) for v in raw]
    if all(n is not None for n in numbers):
        kind = "ordinal" if len(set(numbers)) <= ORDINAL_COLORS else "quantitative"
        return kind, numbers
    return "nominal", [category_text(v) for v in raw]


def _color_encoding(field: ChartField, kind: str) -> dict:
    out: dict[str, Any] = {"field": "color", "type": kind, "title": field["label"]}
    if kind != "nominal":
        out["scale"] = {"scheme": "viridis"}
    return out


def _group_label(group: Mapping) -> str:
    return ", ".join(f"{name}={category_text(value)}" for name, value in group["key"].items())


# --------------------------------------------------------------------------- specs


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _left_out(summary: dict, lacking: str, log_label: str) -> list[str]:
    lines = []
    if summary["failed"]:
        lines.append(f"{_plural(len(summary['failed']), 'failed run')} left out")
    if summary["missing"]:
        lines.append(f"{_plural(len(summary['missing']), 'run')} without {lacking}")
    if summary["nonpositive"]:
        lines.append(
            f"{_plural(len(summary['nonpositive']), 'run')} with {log_label} <= 0 (log scale)"
        )
    return lines


def _title(text: str, subtitle: list[str]) -> dict:
    out: dict[str, Any] = {"text": text, "anchor": "start"}
    if subtitle:
        out["subtitle"] = subtitle
    return out


def _finish(spec: dict, summary: dict, palette: Mapping) -> dict:
    out = {"$schema": VEGALITE_SCHEMA, **spec}
    if palette.get("config"):
        out["config"] = palette["config"]
    out["usermeta"] = {"nbcompare": summary}
    return out


def scatter_spec(
    answer: Mapping,
    x: str,
    y: str,
    color: str | None = None,
    log_x: bool = False,
    palette: Mapping | None = None,
) -> dict:
    """The scatter of metric ``y`` against ``x``: one point per run that has both.

    Failed and unreadable runs are left out, and so are runs without ``x`` or
    ``y`` (and, on a log scale, with ``x <= 0``); the subtitle and
    ``usermeta.nbcompare`` count them. With ``groups`` in the answer, each
    group's mean ± std is drawn over its runs and the baseline's group is
    marked, else the baseline run.
    """
    palette = palette or DEFAULT_PALETTE
    x_field = resolve_field(answer, x, "param")
    y_field = resolve_field(answer, y, "metric")
    color_field = resolve_field(answer, color, "param") if color else None
    notebooks = answer["notebooks"]
    ok = [nb for nb in notebooks if nb.get("status") == "ok"]
    failed = [nb["path"] for nb in notebooks if nb.get("status") != "ok"]
    raw_x = {nb["path"]: _value_of(answer, x_field, nb) for nb in ok}
    x_numeric = all(v is None or _is_numeric(v) for v in raw_x.values())
    logx = bool(log_x) and x_numeric
    missing: list[str] = []
    nonpositive: list[str] = []
    included: list[tuple[Mapping, Any, Any]] = []
    for nb in ok:
        raw = raw_x[nb["path"]]
        y_value = _finite(_value_of(answer, y_field, nb))
        if x_numeric:
            x_value = _finite(raw)
        else:
            x_value = None if raw is None else category_text(raw)
        if x_value is None or y_value is None:
            missing.append(nb["path"])
        elif logx and x_value <= 0:
            nonpositive.append(nb["path"])
        else:
            included.append((nb, x_value, y_value))
    colors = (
        _color_values(answer, color_field, [nb for nb, _, _ in included]) if color_field else None
    )
    groups = answer.get("groups") or None
    group_of: dict[str, str] = {}
    for group in groups or []:
        label = _group_label(group)
        for path in group["paths"]:
            group_of[path] = label
    runs = []
    for i, (nb, x_value, y_value) in enumerate(included):
        row: dict[str, Any] = {
            "notebook": nb["path"],
            "label": _basename(nb["path"]),
            "x": x_value,
            "y": y_value,
            "baseline": nb["path"] == answer["baseline"],
        }
        if colors:
            row["color"] = colors[1][i]
        if groups:
            row["group"] = group_of.get(nb["path"], "")
        runs.append(row)

    x_enc: dict[str, Any] = {
        "field": "x",
        "type": "quantitative" if x_numeric else "nominal",
        "title": x_field["label"],
    }
    if x_numeric:
        x_enc["scale"] = {"type": "log"} if logx else {"zero": False}

    def y_enc(name: str) -> dict:
        return {
            "field": name,
            "type": "quantitative",
            "title": y_field["label"],
            "scale": {"zero": False},
        }

    tooltip = [
        {"field": "label", "title": "notebook"},
        {"field": "x", "title": x_field["label"]},
        {"field": "y", "title": y_field["label"]},
    ]
    if color_field:
        tooltip.append({"field": "color", "title": color_field["label"]})
    if groups:
        tooltip.append({"field": "group", "title": "group"})
    encoding: dict[str, Any] = {
        "x": x_enc,
        "y": y_enc("y"),
        "tooltip": tooltip,
        "description": {"field": "notebook"},
    }
    if colors:
        encoding["color"] = _color_encoding(color_field, colors[0])
    layer: list[dict] = [
        {
            "name": "runs",
            "data": {"name": "runs"},
            "mark": {
                "type": "point",
                "filled": True,
                "size": 70,
                "opacity": 0.5 if groups else 0.9,
                "cursor": "pointer",
            },
            "encoding": encoding,
        }
    ]
    datasets: dict[str, list] = {"runs": runs}
    ring_data, ring_y = "runs", "y"
    if groups:
        datasets["groups"] = _group_rows(answer, groups, x_field, y_field, x_numeric, logx, runs)
        ring_data, ring_y = "groups", "mean"
        layer += [
            {
                "name": "spread",
                "data": {"name": "groups"},
                "transform": [{"filter": "isValid(datum.lo)"}],
                "mark": {"type": "errorbar", "ticks": True, "color": palette["foreground"]},
                "encoding": {"x": x_enc, "y": y_enc("lo"), "y2": {"field": "hi"}},
            },
            {
                "name": "means",
                "data": {"name": "groups"},
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "filled": True,
                    "size": 110,
                    "color": palette["foreground"],
                },
                "encoding": {
                    "x": x_enc,
                    "y": y_enc("mean"),
                    "tooltip": [
                        {"field": "group", "title": "group"},
                        {"field": "n", "title": "n"},
                        {"field": "mean", "title": f"mean {y_field['label']}"},
                        {"field": "std", "title": "std"},
                    ],
                    "description": {"field": "group"},
                },
            },
        ]
    layer += [
        {
            "name": "baseline",
            "data": {"name": ring_data},
            "transform": [{"filter": "datum.baseline"}],
            "mark": {
                "type": "point",
                "filled": False,
                "size": 280,
                "strokeWidth": 2,
                "color": palette["foreground"],
            },
            "encoding": {"x": x_enc, "y": y_enc(ring_y)},
        },
        {
            "name": "baselineLabel",
            "data": {"name": ring_data},
            "transform": [{"filter": "datum.baseline"}],
            "mark": {
                "type": "text",
                "align": "left",
                "dx": 11,
                "dy": -11,
                "color": palette["foreground"],
                "text": "baseline",
            },
            "encoding": {"x": x_enc, "y": y_enc(ring_y)},
        },
    ]
    summary = {"runs": len(runs), "failed": failed, "missing": missing, "nonpositive": nonpositive}
    xl, yl = x_field["label"], y_field["label"]
    return _finish(
        {
            "description": f"{yl} against {xl}: one point per run",
            "title": _title(f"{yl} against {xl}", _left_out(summary, f"{xl} or {yl}", xl)),
            "width": 360,
            "height": 260,
            "datasets": datasets,
            "layer": layer,
        },
        summary,
        palette,
    )


def _group_rows(
    answer: Mapping,
    groups: Sequence[Mapping],
    x_field: ChartField,
    y_field: ChartField,
    x_numeric: bool,
    logx: bool,
    runs: list[dict],
) -> list[dict]:
    """One row per group with a mean of ``y`` (see ``groupRows`` in ``src/charts.ts``)."""

    def stat_of(group: Mapping, field: ChartField) -> Mapping | None:
        if field["kind"] != "metric":
            return None
        return next(
            (
                s
                for s in group["stats"]
                if s["name"] == field["name"]
                and s["origin"] == field["origin"]
                and s.get("key") == field.get("key")
            ),
            None,
        )

    rows = []
    for index, group in enumerate(groups):
        stat = stat_of(group, y_field)
        mean = _finite(stat.get("mean")) if stat else None
        if mean is None:
            continue
        if x_field["kind"] == "metric":
            x_stat = stat_of(group, x_field)
            x_value = _finite(x_stat.get("mean")) if x_stat else None
        elif x_field["label"] in group["key"]:
            value = group["key"][x_field["label"]]
            if x_numeric:
                x_value = _finite(value)
            else:
                x_value = None if value is None else category_text(value)
        else:
            members = set(group["paths"])
            shared = list(dict.fromkeys(r["x"] for r in runs if r["notebook"] in members))
            x_value = shared[0] if len(shared) == 1 else None
        if x_value is None or (logx and x_value <= 0):
            continue
        std = _finite(stat.get("std"))
        rows.append(
            {
                "group": _group_label(group),
                "x": x_value,
                "mean": mean,
                "std": std,
                "lo": None if std is None else mean - std,
                "hi": None if std is None else mean + std,
                "n": stat.get("n"),
                "baseline": index == answer.get("baseline_group", 0),
            }
        )
    return rows


def _axis_positions(dimension: str, values: list, ticks: list[dict]) -> tuple[list, list]:
    """Each run's place on one axis (0 bottom, 1 top), its shown value, and the ticks."""
    if all(v is None or _is_numeric(v) for v in values):
        numbers = [_finite(v) for v in values]
        present = [n for n in numbers if n is not None]
        if present:
            low, high = min(present), max(present)
            span = high - low
            if span > 0:
                ticks += [
                    {"dimension": dimension, "norm": 0, "number": low},
                    {"dimension": dimension, "norm": 1, "number": high},
                ]
            else:
                ticks.append({"dimension": dimension, "norm": 0.5, "number": low})
            norm = [None if n is None else ((n - low) / span if span > 0 else 0.5) for n in numbers]
            return norm, numbers
    texts = [category_text(v) for v in values]
    categories = list(dict.fromkeys(texts))
    last = len(categories) - 1

    def at(i: int) -> float:
        return i / last if last > 0 else 0.5

    for i, category in enumerate(categories):
        ticks.append({"dimension": dimension, "norm": at(i), "category": category})
    return [at(categories.index(t)) for t in texts], texts


def parallel_spec(
    answer: Mapping, y: str, color: str | None = None, palette: Mapping | None = None
) -> dict:
    """Parallel coordinates: one line per run through the varying parameters and ``y``.

    At most :data:`MAX_PARALLEL_PARAMETERS` parameters (those that vary among
    the plotted runs; all of them when none does), each axis from its
    smallest to its largest value, categories evenly spaced in order of first
    appearance. Coloured by ``color``, or by the metric. Failed runs and runs
    without ``y`` are left out and counted.
    """
    palette = palette or DEFAULT_PALETTE
    y_field = resolve_field(answer, y, "metric")
    color_field = resolve_field(answer, color, "param") if color else None
    notebooks = answer["notebooks"]
    failed = [nb["path"] for nb in notebooks if nb.get("status") != "ok"]
    missing, included = [], []
    for nb in notebooks:
        if nb.get("status") != "ok":
            continue
        if _finite(_value_of(answer, y_field, nb)) is None:
            missing.append(nb["path"])
        else:
            included.append(nb)
    parameters, _ = chart_fields(answer)

    def texts(field: ChartField) -> set[str]:
        return {category_text(_value_of(answer, field, nb)) for nb in included}

    dims = [field for field in parameters if len(texts(field)) > 1]
    if not dims:
        dims = [
            field
            for field in parameters
            if any(_value_of(answer, field, nb) is not None for nb in included)
        ]
    dims = dims[:MAX_PARALLEL_PARAMETERS]
    yl = y_field["label"]
    metric_label = f"{yl} (metric)" if any(d["label"] == yl for d in dims) else yl
    axes = [d["label"] for d in dims] + [metric_label]
    colors = _color_values(answer, color_field, included) if color_field else None

    ticks: list[dict] = []
    fields = [*dims, y_field]
    positions = []
    for d, field in enumerate(fields):
        if field is y_field:
            values = [_finite(_value_of(answer, field, nb)) for nb in included]
        else:
            values = [_value_of(answer, field, nb) for nb in included]
        positions.append(_axis_positions(axes[d], values, ticks))
    # A run is drawn as rule segments between the axes it has values on, one
    # row per segment: a ``line`` mark with a ``detail`` channel would make
    # Vega build one dataflow facet per run, which is most of the time a large
    # sweep takes to paint. A run with a value on one axis only is a dot (a
    # segment of no length, with round caps).
    segments: list[dict] = []
    # The points at the axes, one row per run per axis, for ``vertices``:
    # only for a few runs.
    vertex_rows = len(included) <= MAX_PARALLEL_VERTICES_RUNS
    points: list[dict] = []
    baseline_rows: list[dict] = []
    for i, nb in enumerate(included):
        run = {
            "notebook": nb["path"],
            "label": _basename(nb["path"]),
            "baseline": nb["path"] == answer["baseline"],
            "color": colors[1][i] if colors else _finite(_value_of(answer, y_field, nb)),
        }
        at = [
            {"dimension": axes[d], "norm": norm, "value": shown[i]}
            for d, (norms, shown) in enumerate(positions)
            if (norm := norms[i]) is not None
        ]
        # consecutive axes; a run on one axis only is a dot
        for here, following in zip(at, at[1:] or at):
            segments.append(
                {
                    **run,
                    "dimension": here["dimension"],
                    "norm": here["norm"],
                    "dimension2": following["dimension"],
                    "norm2": following["norm"],
                }
            )
        if vertex_rows:
            points.extend({**run, **here} for here in at)
        if run["baseline"]:
            # The metric is the last axis, and every plotted run has a value on it.
            baseline_rows.append({"dimension": at[-1]["dimension"], "norm": at[-1]["norm"]})
    x_enc = {
        "field": "dimension",
        "type": "nominal",
        "sort": axes,
        "title": None,
        "axis": {
            "orient": "top",
            "labelAngle": 0,
            "labelPadding": 10,
            "domain": False,
            "ticks": False,
            "grid": False,
            "title": None,
        },
    }
    y_enc = {"field": "norm", "type": "quantitative", "axis": None, "scale": {"domain": [0, 1]}}
    color_enc = (
        _color_encoding(color_field, colors[0])
        if colors
        else _color_encoding(y_field, "quantitative")
    )

    def tick_layer(name: str, text: dict) -> dict:
        """The axes' tick labels: numbers formatted, categories as they are."""
        return {
            "name": name,
            "data": {"name": "ticks"},
            "transform": [{"filter": f"isValid(datum.{text['field']})"}],
            "mark": {
                "type": "text",
                "align": "left",
                "dx": 4,
                "fontSize": 10,
                "color": palette["muted"],
            },
            "encoding": {"x": x_enc, "y": y_enc, "text": text},
        }

    # Per-run, per-axis points (for their tooltips) only for a few runs.
    vertices = [
        {
            "name": "vertices",
            "data": {"name": "points"},
            "mark": {"type": "point", "filled": True, "size": 30, "cursor": "pointer"},
            "encoding": {
                "x": x_enc,
                "y": y_enc,
                "color": color_enc,
                "tooltip": [
                    {"field": "label", "title": "notebook"},
                    {"field": "dimension", "title": "axis"},
                    {"field": "value", "title": "value"},
                ],
                "description": {"field": "notebook"},
            },
        }
    ]
    if not vertex_rows:
        vertices = []
    layer = [
        {
            "name": "axes",
            "data": {"name": "axes"},
            "mark": {"type": "rule", "color": palette["muted"]},
            "encoding": {"x": x_enc},
        },
        {
            "name": "lines",
            "data": {"name": "segments"},
            "mark": {"type": "rule", "cursor": "pointer", "strokeCap": "round"},
            "encoding": {
                "x": x_enc,
                "x2": {"field": "dimension2"},
                "y": y_enc,
                "y2": {"field": "norm2"},
                "color": color_enc,
                "strokeWidth": {"condition": {"test": "datum.baseline", "value": 4}, "value": 1.5},
                "opacity": {"condition": {"test": "datum.baseline", "value": 1}, "value": 0.75},
                "tooltip": [{"field": "label", "title": "notebook"}],
                "description": {"field": "notebook"},
            },
        },
        *vertices,
        tick_layer("numberTicks", {"field": "number", "type": "quantitative", "format": ".4~g"}),
        tick_layer("categoryTicks", {"field": "category", "type": "nominal"}),
        {
            "name": "baselineLabel",
            "data": {"name": "baseline"},
            "mark": {
                "type": "text",
                "align": "left",
                "dx": 8,
                "dy": -8,
                "color": palette["foreground"],
                "text": "baseline",
            },
            "encoding": {"x": x_enc, "y": y_enc},
        },
    ]
    summary = {"runs": len(included), "failed": failed, "missing": missing, "nonpositive": []}
    return _finish(
        {
            "description": (f"Parallel coordinates of the parameters and {yl}: one line per run"),
            "title": _title(f"Parameters and {yl}", _left_out(summary, yl, "")),
            "width": max(360, 90 * len(axes)),
            "height": 260,
            "datasets": {
                "axes": [{"dimension": a} for a in axes],
                "segments": segments,
                **({"points": points} if vertex_rows else {}),
                "baseline": baseline_rows,
                "ticks": ticks,
            },
            "layer": layer,
        },
        summary,
        palette,
    )
