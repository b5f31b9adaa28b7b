"""Charts in the CLI's HTML report (``--chart x=...,y=...``): static SVG.

The specs are :mod:`.core.charts`' (the panel's and ``NotebookCollection.plot``'s);
``vl-convert-python`` (the optional extra ``[charts]``) turns them into SVG
without a browser or a network. The SVG goes into the report as an
``<img>`` with a ``data:`` URI: the report's Content-Security-Policy already
allows those, and an image never runs a script. Without vl-convert the
report says how to get the charts instead.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from . import report
from .core.charts import parallel_spec, scatter_spec

__all__ = ["INSTALL_HINT", "add_charts", "charts_html", "parse_chart", "to_svg"]

#: What to install for the charts (the report and the error messages say it).
INSTALL_HINT = "pip install 'jupyterlab_nbcompare[charts]'  (or: pip install vl-convert-python)"

#: The Vega-Lite release vl-convert renders with: the 5 line, as JupyterLab's renderer.
VL_VERSION = "5.21"

_KEYS = ("x", "y", "color")
_LOG_WORDS = ("logx", "log-x", "log_x")
_TRUE = ("", "1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def parse_chart(text: str) -> dict[str, Any]:
    """``x=alpha,y=mse[,color=model][,logx]`` as ``{"x", "y", "color", "log_x"}``.

    Raises ``ValueError`` saying what is wrong (a missing ``x`` or ``y``, an
    unknown key, an empty value).
    """
    chart: dict[str, Any] = {"x": None, "y": None, "color": None, "log_x": False}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key in _LOG_WORDS:
            if value.lower() not in _TRUE + _FALSE:
                raise ValueError(f"{key}={value}: expected true or false")
            chart["log_x"] = value.lower() in _TRUE
        elif key in _KEYS:
            if not sep or not value:
                raise ValueError(f"{key}= needs a parameter or metric name")
            chart[key] = value
        else:
            raise ValueError(f"unknown key {key!r} (expected x=, y=, color= and logx)")
    missing = [k for k in ("x", "y") if not chart[k]]
    if missing:
        raise ValueError(f"missing {' and '.join(k + '=' for k in missing)} (e.g. x=alpha,y=mse)")
    return chart


def specs(answer: Mapping, chart: Mapping) -> list[dict]:
    """The scatter and the parallel coordinates of ``chart`` (``ValueError``: unknown name)."""
    return [
        scatter_spec(answer, chart["x"], chart["y"], chart.get("color"), chart.get("log_x", False)),
        parallel_spec(answer, chart["y"], chart.get("color")),
    ]


def to_svg(spec: Mapping) -> str:
    """One spec as SVG by vl-convert (``ImportError`` with :data:`INSTALL_HINT` without it).

    External data is refused (``allowed_base_urls=[]``): the specs carry
    their data inline, and a report is never a reason to fetch anything.
    """
    try:
        import vl_convert
    except ImportError as error:
        raise ImportError(f"The charts need vl-convert-python: {INSTALL_HINT}") from error
    return vl_convert.vegalite_to_svg(dict(spec), vl_version=VL_VERSION, allowed_base_urls=[])


def charts_html(answer: Mapping, chart: Mapping) -> tuple[str, bool]:
    """``(section, drawn)``: the charts as ``<img>`` SVGs, or a note saying how to get them."""
    built = specs(answer, chart)
    figures = []
    try:
        for spec in built:
            svg = to_svg(spec)
            data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            # The drawing shows its title and counts; the alt text says them too.
            subtitle = spec.get("title", {}).get("subtitle") or []
            alt = "; ".join([spec.get("description", "chart"), *subtitle])
            figures.append(
                f'<figure class="chart" style="margin:0 1.5em 1em 0;display:inline-block">'
                f'<img src="data:image/svg+xml;base64,{data}" alt="{report._e(alt)}"></figure>'
            )
    except ImportError:
        note = (
            "The charts are not drawn: they need vl-convert-python. Install it with "
            f"<code>{report._e(INSTALL_HINT)}</code> and run the command again."
        )
        return f'<h2>Charts</h2><p class="charts-missing">{note}</p>', False
    return '<h2>Charts</h2><div class="charts">' + "".join(figures) + "</div>", True


def add_charts(text: str, answer: Mapping, chart: Mapping) -> tuple[str, bool]:
    """The HTML report with its charts section before the end of the body."""
    section, drawn = charts_html(answer, chart)
    at = text.rfind("</body>")
    return (text[:at] + section + text[at:] if at >= 0 else text + section), drawn
