"""``NotebookCollection.plot``: the panel's charts in a notebook.

A :class:`Chart` holds a Vega-Lite spec of :mod:`.core.charts` (the very spec
the panel draws) and displays through JupyterLab's own Vega-Lite renderer
(``_repr_mimebundle_``), so a notebook needs no plotting library for it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .core.charts import VEGALITE_MIME

__all__ = ["Chart"]


class Chart:
    """A Vega-Lite chart of a comparison.

    In JupyterLab it displays as a chart (``application/vnd.vegalite.v5+json``);
    elsewhere as its text. ``spec`` is the Vega-Lite spec, ``summary`` what it
    plotted and left out (``runs``, and the paths ``failed``, ``missing``,
    ``nonpositive``). :meth:`to_svg` draws it without a browser when
    vl-convert-python is installed.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec: dict[str, Any] = dict(spec)

    @property
    def summary(self) -> dict[str, Any]:
        """Runs plotted and the paths left out (failed, missing a value, x <= 0 on log x)."""
        return copy.deepcopy(self.spec.get("usermeta", {}).get("nbcompare", {}))

    def to_dict(self) -> dict[str, Any]:
        """A copy of the spec (plain JSON types), to change or save."""
        return copy.deepcopy(self.spec)

    def to_svg(self) -> str:
        """The chart as SVG; needs vl-convert-python (the ``[charts]`` extra)."""
        from .report_charts import to_svg

        return to_svg(self.spec)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {VEGALITE_MIME: self.to_dict(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        title = self.spec.get("title", {})
        summary = self.summary
        parts = [f"{summary.get('runs', 0)} runs"]
        parts += title.get("subtitle") or []
        return f"<Chart {title.get('text', '')!r}: {'; '.join(parts)}>"
