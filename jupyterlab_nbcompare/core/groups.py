"""Runs that share parameters: flattened parameters, groups, their statistics.

A sweep runs one template over a grid, often several seeds per point of the
grid. Comparing each run with one baseline run then says little: what the user
wants is each point's mean and spread, and whether its difference from the
baseline's point is more than noise. This module answers that, for the
``group_by`` field of ``POST nbcompare/compare`` (see ``shared/api.md``, "Groups").

It is pure and small on purpose: the server, the command line and the Python
API all call it (through :func:`.compare.compare`), so the three never disagree
on a mean or a test. The t distribution is computed here (the regularized
incomplete beta function by its continued fraction), so that the server needs
no SciPy; the tests check it against ``scipy.stats.ttest_ind(equal_var=False)``.

Welch's test with zero variances, where the formula divides by zero: when both
groups have a standard deviation of 0, equal means are *not* significantly
different (p = 1) and different means *are* (p = 0): with no spread at all, any
difference is certain. SciPy answers NaN there; this module decides.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .numbers import as_number

__all__ = [
    "SIGNIFICANCE_LEVEL",
    "TIDY_COLUMNS",
    "Grouping",
    "flatten_parameters",
    "incomplete_beta",
    "summarize",
    "tidy_rows",
    "welch_p_value",
]

#: Two-sided level under which a difference of means is called significant.
SIGNIFICANCE_LEVEL = 0.05

#: Continued fraction: relative precision and iteration bound (it needs about
#: the square root of its larger shape parameter's iterations; degrees of
#: freedom above :data:`_NORMAL_DF` use the normal distribution instead).
_EPSILON = 1e-15
_MAX_ITERATIONS = 20_000
_TINY = 1e-300
_NORMAL_DF = 1e7


# --------------------------------------------------------------------------- parameters


def flatten_parameters(parameters: Mapping[str, Mapping]) -> dict[str, dict]:
    """``parameters`` with each dict-valued parameter replaced by its leaves.

    ``{"model_params": {"value": {"C": 0.1, "k": {"g": 2}}, "injected": True}}``
    becomes ``{"model_params.C": {...0.1...}, "model_params.k.g": {...2...}}``,
    each leaf with the parameter's ``injected``. Why: a sweep usually varies one
    entry of a configuration dict, and grouping (or a column) needs that entry
    by name. Other parameters, and empty dicts (no leaf to show), are kept as
    they are; a later name wins over an earlier one of the same spelling.
    """
    flat: dict[str, dict] = {}

    def leaves(name: str, value: Any, injected: Any) -> None:
        if isinstance(value, dict) and value:
            for key, item in value.items():
                leaves(f"{name}.{key}", item, injected)
        else:
            flat.pop(name, None)
            flat[name] = {"value": value, "injected": injected}

    for name, parameter in parameters.items():
        if not isinstance(parameter, Mapping):
            continue
        value = parameter.get("value")
        if isinstance(value, dict) and value:
            leaves(name, value, parameter.get("injected", False))
        else:
            flat.pop(name, None)
            flat[name] = dict(parameter)
    return flat


# --------------------------------------------------------------------------- statistics


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz method)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITERATIONS + 1):
        m2 = 2 * m
        # even step
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        # odd step
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPSILON:
            break
    return h


def incomplete_beta(a: float, b: float, x: float, y: float | None = None) -> float:
    """The regularized incomplete beta function I_x(a, b), for a, b > 0.

    ``y`` is ``1 - x`` when the caller knows it more precisely than the
    subtraction would give (the t test does). The fraction converges fast for
    ``x < (a + 1) / (a + b + 2)``; above, the symmetry I_x(a, b) = 1 - I_y(b, a)
    is used.
    """
    if y is None:
        y = 1.0 - x
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, y) / b


def _two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` degrees of freedom."""
    if math.isinf(t):
        return 0.0
    if df > _NORMAL_DF or math.isinf(df):
        return math.erfc(abs(t) / math.sqrt(2.0))
    t2 = t * t
    # I_{df/(df+t^2)}(df/2, 1/2), with 1 - x computed without cancellation.
    return incomplete_beta(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))


def welch_p_value(
    mean1: float, std1: float, n1: int, mean2: float, std2: float, n2: int
) -> float | None:
    """Welch's two-sided t-test p-value of two samples given by their summaries.

    ``None`` when either sample has fewer than 2 values (no variance to test
    with). Degrees of freedom by Welch-Satterthwaite. Both standard deviations
    0: ``1.0`` when the means are equal, else ``0.0`` (see the module docstring).
    """
    if n1 < 2 or n2 < 2:
        return None
    try:
        v1, v2 = std1 * std1 / n1, std2 * std2 / n2
        se2 = v1 + v2
        if not math.isfinite(se2) or not math.isfinite(mean1 - mean2):
            return None
        if se2 == 0.0:
            return 1.0 if mean1 == mean2 else 0.0
        t = (mean1 - mean2) / math.sqrt(se2)
        denominator = v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1)
        df = se2 * se2 / denominator if denominator > 0 else math.inf
    except (OverflowError, ZeroDivisionError):
        return None
    if math.isnan(t) or math.isnan(df):
        return None
    return min(1.0, max(0.0, _two_sided_p(t, df)))


def _finite(value: float | int) -> bool:
    if isinstance(value, int):
        return True
    return math.isfinite(value)


def summarize(values: Iterable[float | int]) -> dict[str, Any]:
    """``n``, ``mean``, ``std`` (sample, n - 1), ``min`` and ``max`` of numbers.

    Non-finite values are left out of every figure and counted in
    ``n_nonfinite`` (present only when some were). ``std`` is ``None`` below
    two values; every figure is ``None`` without any.
    """
    finite: list[float | int] = []
    nonfinite = 0
    for value in values:
        if _finite(value):
            finite.append(value)
        else:
            nonfinite += 1
    n = len(finite)
    out: dict[str, Any] = {"n": n, "mean": None, "std": None, "min": None, "max": None}
    if n:
        try:
            floats = [float(value) for value in finite]
            mean = math.fsum(floats) / n
            out["mean"] = mean
            if n > 1:
                out["std"] = math.sqrt(math.fsum((v - mean) ** 2 for v in floats) / (n - 1))
        except OverflowError:  # an int beyond float's range; or squares of huge floats
            out["mean"] = out["mean"] if out["mean"] is not None else math.nan
            out["std"] = math.inf if n > 1 else None
        out["min"], out["max"] = min(finite), max(finite)
    if nonfinite:
        out["n_nonfinite"] = nonfinite
    return out


# --------------------------------------------------------------------------- groups


def _key_of(value: Any) -> Any:
    """A hashable stand-in for a parameter value (lists and dicts compare by content)."""
    from .compare import equal_key  # one definition of equality for the whole core

    return equal_key(value)


def _better(delta: float, direction: str | None) -> bool | None:
    if direction not in ("lower", "higher") or delta == 0 or math.isnan(delta):
        return None
    return delta < 0 if direction == "lower" else delta > 0


class Grouping:
    """One request's groups: built from the answer's notebooks, fed its rows one by one.

    The compare answer is assembled row by row (and the server writes each row
    as soon as it is made), so the statistics are taken per row with
    :meth:`add`, and :meth:`result` gives ``groups`` and ``baseline_group`` at
    the end. Every group has one ``stats`` entry per number-valued value and
    mapping item, in the same order, so entry ``i`` lines up across groups
    (``n`` 0 and null figures where a group has no such value).
    """

    def __init__(
        self, notebooks: Sequence[Mapping], group_by: Sequence[str], baseline: str
    ) -> None:
        """Split ``notebooks`` (the answer's entries) into groups by ``group_by``.

        Raises :class:`ValueError` for a ``group_by`` that is not a list of
        names, or a name that no readable notebook has among its
        ``parameters_flat`` (a typo would otherwise give one silent group).
        """
        if isinstance(group_by, str) or not all(isinstance(name, str) for name in group_by):
            raise ValueError("'group_by' must be a list of parameter names.")
        group_by = list(group_by)
        if len(set(group_by)) != len(group_by):
            raise ValueError("'group_by' names a parameter more than once.")
        readable = [entry for entry in notebooks if entry.get("status") != "unreadable"]
        for name in group_by:
            if readable and not any(name in entry.get("parameters_flat", {}) for entry in readable):
                known = sorted({p for entry in readable for p in entry.get("parameters_flat", {})})
                raise ValueError(
                    f"No notebook has the parameter {name!r} to group by "
                    f"(known: {', '.join(known) or 'none'})."
                )
        self.group_by = group_by
        self._groups: list[dict] = []
        self._ok_paths: list[list[str]] = []
        index_of: dict[tuple, int] = {}
        self.baseline_group = 0
        for entry in notebooks:
            flat = entry.get("parameters_flat") or {}
            key = {name: (flat.get(name) or {}).get("value") for name in group_by}
            hashable = tuple(_key_of(value) for value in key.values())
            at = index_of.get(hashable)
            if at is None:
                at = index_of[hashable] = len(self._groups)
                self._groups.append({"key": key, "paths": [], "failed": [], "stats": []})
                self._ok_paths.append([])
            group = self._groups[at]
            group["paths"].append(entry["path"])
            if entry.get("status") == "ok":
                self._ok_paths[at].append(entry["path"])
            else:
                group["failed"].append(entry["path"])
            if entry["path"] == baseline:
                self.baseline_group = at

    def add(self, row: Mapping) -> None:
        """Take the statistics of one ``values[]`` row (numbers and number items only)."""
        cells = row.get("cells") or {}
        series: dict[str | None, dict[str, Any]] = {}  # key -> {path: number}
        directions: dict[str | None, str | None] = {None: row.get("direction")}
        for path, cell in cells.items():
            if not isinstance(cell, Mapping):
                continue
            kind = cell.get("kind")
            if kind == "scalar":
                number = as_number(cell.get("value"))
                if number is not None:
                    series.setdefault(None, {})[path] = number
            elif kind == "mapping":
                for key, item in (cell.get("items") or {}).items():
                    value = item.get("value") if isinstance(item, Mapping) else item
                    number = as_number(value)
                    if number is not None:
                        series.setdefault(key, {})[path] = number
                        if key not in directions and isinstance(item, Mapping):
                            directions[key] = item.get("direction")
        # The scalar first, then the items in order of first appearance.
        ordered = ([None] if None in series else []) + [k for k in series if k is not None]
        for key in ordered:
            found = series[key]
            summaries = [
                summarize(found[path] for path in ok if path in found) for ok in self._ok_paths
            ]
            base = summaries[self.baseline_group]
            direction = directions.get(key)
            for at, (group, summary) in enumerate(zip(self._groups, summaries)):
                entry = {"name": row.get("name"), "origin": row.get("origin"), "key": key}
                entry.update(summary)
                entry["direction"] = direction
                entry.update(self._against(summary, base, direction, at == self.baseline_group))
                group["stats"].append(entry)

    @staticmethod
    def _against(summary: dict, base: dict, direction: str | None, is_base: bool) -> dict:
        """``delta``, ``rel_delta``, ``p_value``, ``significant``, ``better`` against the base."""
        out: dict[str, Any] = {
            "delta": None,
            "rel_delta": None,
            "p_value": None,
            "significant": None,
            "better": None,
        }
        mean, base_mean = summary["mean"], base["mean"]
        if mean is None or base_mean is None:
            return out
        if is_base:
            out["delta"] = 0.0
            out["rel_delta"] = None if mean == 0 else 0.0
            return out
        delta = mean - base_mean
        out["delta"] = delta
        out["rel_delta"] = None if base_mean == 0 else delta / abs(base_mean)
        n, base_n = summary["n"], base["n"]
        p_value = welch_p_value(mean, summary["std"], n, base_mean, base["std"], base_n)
        if p_value is not None:
            out["p_value"] = p_value
            out["significant"] = p_value < SIGNIFICANCE_LEVEL
        if out["significant"] or (n == 1 and base_n == 1):
            out["better"] = _better(delta, direction)
        return out

    def result(self) -> dict[str, Any]:
        """``{"baseline_group": i, "groups": [...]}`` (the answer's two fields)."""
        return {"baseline_group": self.baseline_group, "groups": self._groups}


#: The columns of :func:`tidy_rows` after the group-by parameters (``origin``
#: last: it tells a tag from a scrap of the same name).
TIDY_COLUMNS = (
    "name",
    "key",
    "n",
    "mean",
    "std",
    "min",
    "max",
    "delta",
    "rel_delta",
    "significant",
    "better",
    "origin",
)


def tidy_rows(answer: Mapping) -> tuple[list[str], list[dict[str, Any]]]:
    """``(columns, rows)``: a grouped compare answer as one row per group and statistic.

    The shape of the Python API's DataFrame and of the CLI's group tables, so
    both show the answer's numbers (taken as they are, never recomputed):
    the group-by parameters first, then :data:`TIDY_COLUMNS`. Spelled
    non-finite numbers (``"NaN"``) become floats again. Raises ``ValueError``
    for an answer without groups.
    """
    groups = answer.get("groups")
    if groups is None:
        raise ValueError("This answer has no groups: compare with group_by.")
    parameters = list(groups[0]["key"]) if groups else []
    columns = [*parameters, *TIDY_COLUMNS]
    rows = []
    for group in groups:
        for stat in group["stats"]:
            row = dict(group["key"])
            for column in TIDY_COLUMNS:
                value = stat.get(column)
                number = as_number(value) if isinstance(value, str) else None
                row[column] = number if number is not None else value
            rows.append(row)
    return columns, rows
