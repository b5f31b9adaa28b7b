"""Numbers as the contract carries them, and as the panel spells them.

The answer is JSON-safe: non-finite numbers travel as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"``, and booleans are never numbers (they get
no deltas). The panel writes numbers with JavaScript's ``String(number)``;
the CLI, the charts and the exports spell them the same way, so that a user
reads the same digits everywhere.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

#: The contract's spelling of non-finite numbers.
NUMBER_STRINGS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def as_number(value: Any) -> float | int | None:
    """A JSON number of an answer as a Python number (``"NaN"`` -> nan); never a boolean."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return NUMBER_STRINGS.get(value)
    return None


def js_number(value: float | int) -> str:
    """A number spelled as JavaScript's ``String(number)`` does (what the panel writes).

    The shortest digits that read back as the same float (Python's ``repr``
    finds them too), placed by ECMAScript's Number::toString rule: plain
    notation from 1e-6 up to 1e21, exponent notation (``1e+21``, ``1e-7``)
    beyond.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value) if abs(value) >= 2**53 else value
        if isinstance(value, int):
            return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _, numerals, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, numerals))
    point = int(exponent) + len(digits)  # the decimal point sits after `point` digits
    k = len(digits)
    if k <= point <= 21:
        return sign + digits + "0" * (point - k)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    e = point - 1
    exp = f"e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + (digits if k == 1 else digits[0] + "." + digits[1:]) + exp
