"""CI gates: "fail when a notebook is worse than the baseline on NAME by more than TOL".

One gate logic for every face that gates: ``jupyter nbcompare --fail-if-worse``,
the ``gates`` of a saved view (``.nbcompare``, on the command line and through
``NotebookCollection.from_view(...).check_gates()``). Each gate is checked on a
``compare`` answer (the REST body), so the numbers are those the panel shows;
the lines it writes are the same whichever face asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import report

__all__ = ["Gate", "GateError", "GateResult", "check_gates", "gate_base_name", "locate"]


class GateError(ValueError):
    """A gate that cannot be checked (a name no notebook has, no number, no direction).

    Not a failed gate: the command line exits 2 on it, not 1, as on any usage
    error, because a CI gate that cannot see what it gates must not pass.
    """


class GateResult(NamedTuple):
    """What :func:`check_gates` found: ``FAIL ...`` and ``ok ...`` lines.

    True when no gate failed, so ``assert collection.check_gates()`` reads as
    meant; ``str()`` is every line, passes then failures, as the command
    line prints them.
    """

    failures: list[str]
    passes: list[str]

    @property
    def ok(self) -> bool:
        """Whether every gate passed."""
        return not self.failures

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return "\n".join(self.passes + self.failures)


@dataclass(frozen=True)
class Gate:
    """One ``--fail-if-worse NAME[:TOL]``, or one entry of a view's ``gates``.

    ``NAME`` is a value name (``mse``) or one item of a mapping value
    (``metrics.mse``). ``TOL`` is how much worse a candidate may be before the
    gate fails: absolute (``0.01``), or relative to the baseline's magnitude
    with a ``%`` (``5%``). The default, 0, fails on any worsening. "Worse" follows
    the name's direction (``lower`` for ``mse``, ``higher`` for ``r2``, or
    ``--direction``). A candidate whose value is missing, an error, not a
    number or NaN fails the gate: a CI gate must not pass on what it cannot see.

    ``view`` is the view file the gate comes from (``None``: the command
    line), so that an error names the place to fix.
    """

    name: str
    tolerance: float = 0.0
    relative: bool = False
    view: str | None = field(default=None, compare=False)

    @classmethod
    def parse(cls, text: str) -> Gate:
        """Parse ``NAME``, ``NAME:0.01`` or ``NAME:5%``; :class:`GateError` if malformed."""
        name, sep, tol = text.rpartition(":")
        if not sep:
            name, tol = text, ""
        if not name:
            raise GateError(f"--fail-if-worse needs a NAME, got {text!r}")
        if not tol:
            return cls(name)
        relative = tol.endswith("%")
        try:
            value = float(tol[:-1] if relative else tol)
        except ValueError:
            raise GateError(
                f"--fail-if-worse {text!r}: tolerance {tol!r} is not a number "
                "(use e.g. mse:0.01 or mse:5%)"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise GateError(f"--fail-if-worse {text!r}: tolerance must be a number >= 0")
        return cls(name, value / 100 if relative else value, relative)

    @classmethod
    def from_view(cls, name: str, tolerance: str | float, view: str) -> Gate:
        """The gate of a view's ``"gates": {name: tolerance}`` (``"0.01"``, ``"1%"``, ``0.01``)."""
        from .core.views import ViewError, parse_tolerance

        try:
            value, relative = parse_tolerance(tolerance, field=f"gates.{name}")
        except ViewError as error:
            raise GateError(f"{view}: {error}") from None
        return cls(name, value, relative, view)

    @property
    def where(self) -> str:
        """Where the gate was asked for, as an error message names it."""
        if self.view is None:
            return f"--fail-if-worse {self.name}"
        return f"{self.view}: gates.{self.name}"

    def direction_hint(self) -> str:
        """How to say which way the gate's value improves."""
        both = f"--direction {self.name}=lower or --direction {self.name}=higher"
        if self.view is None:
            return f"say it with {both}"
        return f'say it in the view\'s "directions" ({{"{self.name}": "lower"}}) or with {both}'

    def describe_tolerance(self) -> str:
        """The tolerance as the user wrote it."""
        if self.relative:
            return f"{self.tolerance * 100:g}% of the baseline"
        return f"{self.tolerance:g}"


def locate(response: dict, name: str, where: str = "--fail-if-worse") -> tuple[dict, str | None]:
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
    raise GateError(f"{where}: no notebook has a value named {name!r} (names: {known})")


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


def _refuse_non_numbers(gate: Gate, value: dict, key: str | None) -> None:
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
    label = gate.name
    example = (
        f"--fail-if-worse {label}.KEY"
        if gate.view is None
        else f'"gates": {{"{label}.KEY": "0.01"}}'
    )
    hint = f"; gate one of its keys, e.g. {example}" if "mapping" in kinds else ""
    raise GateError(
        f"{gate.where}: {label!r} is {shown}, and only numbers can be gated "
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


def check_gates(response: Mapping, gates: Sequence[Gate]) -> GateResult:
    """Apply the gates; returns ``(failures, passes)`` as human-readable lines.

    Raises :class:`GateError` for a NAME no notebook has, or whose direction
    is unknown (then "worse" means nothing: pass ``--direction``).
    """
    paths = report.notebook_paths(response)
    baseline = response["baseline"]
    failures: list[str] = []
    passes: list[str] = []
    for gate in gates:
        value, key = locate(response, gate.name, gate.where if gate.view else "--fail-if-worse")
        label = gate.name
        _refuse_non_numbers(gate, value, key)
        direction = report.direction_of(value, key)  # overrides already applied
        if direction not in ("lower", "higher"):
            raise GateError(
                f"{gate.where}: the direction of {label!r} is unknown; {gate.direction_hint()}"
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
    return GateResult(failures, passes)
