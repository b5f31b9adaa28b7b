"""core/groups.py: flattened parameters, summaries, Welch's test, groups of rows.

The t distribution is the module's own (no SciPy at run time); here it is held
against SciPy's ``ttest_ind(equal_var=False)`` and ``betainc`` over many random
cases, including the smallest samples (n = 2) and equal variances.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from jupyterlab_nbcompare.core.groups import (
    Grouping,
    flatten_parameters,
    incomplete_beta,
    summarize,
    welch_p_value,
)


def _ours(a: np.ndarray, b: np.ndarray) -> float | None:
    """Our p-value from the summaries, as the grouping computes them."""
    sa, sb = summarize(a.tolist()), summarize(b.tolist())
    return welch_p_value(sa["mean"], sa["std"], sa["n"], sb["mean"], sb["std"], sb["n"])


def _close(ours: float, theirs: float) -> bool:
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-13)


# --------------------------------------------------------------------------- the t-test


def test_welch_matches_scipy_on_many_random_samples():
    """Given 1000 seeded random sample pairs (n from 2, scales and shifts varied),
    the p-value and the 5% decision are SciPy's."""
    rng = np.random.default_rng(20261205)
    for _ in range(1000):
        n1, n2 = rng.integers(2, 40, size=2)
        scale1, scale2 = 10.0 ** rng.uniform(-3, 3, size=2)
        shift = rng.normal() * scale1 * rng.choice([0.0, 0.3, 1.0, 5.0])
        a = rng.normal(0.0, scale1, size=n1)
        b = rng.normal(shift, scale2, size=n2)
        theirs = stats.ttest_ind(a, b, equal_var=False).pvalue
        ours = _ours(a, b)
        assert _close(ours, theirs), (a, b, ours, theirs)
        if abs(theirs - 0.05) > 1e-9:
            assert (ours < 0.05) == (theirs < 0.05)


def test_welch_matches_scipy_with_two_runs_and_equal_variances():
    """n = 2 against n = 2 (the smallest testable groups), and samples that have
    exactly the same spread (Welch's df is then at its largest)."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        a = rng.normal(size=2)
        b = rng.normal(loc=rng.uniform(-3, 3), size=2)
        assert _close(_ours(a, b), stats.ttest_ind(a, b, equal_var=False).pvalue)
        base = rng.normal(size=rng.integers(2, 12))
        shifted = base + rng.uniform(-2, 2)  # the same variance, another mean
        theirs = stats.ttest_ind(base, shifted, equal_var=False).pvalue
        assert _close(_ours(base, shifted), theirs)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=25),
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=25),
)
def test_welch_matches_scipy_for_any_finite_samples(a, b):
    """Whatever finite samples (ties, repeated values, mixed scales): SciPy's p,
    wherever SciPy has one (it answers NaN when both spreads are zero)."""
    a, b = np.array(a), np.array(b)
    theirs = stats.ttest_ind(a, b, equal_var=False).pvalue
    ours = _ours(a, b)
    if np.isnan(theirs):
        assert np.std(a) == 0
        assert np.std(b) == 0
        return
    if np.std(a) / max(1.0, abs(np.mean(a))) < 1e-9 or np.std(b) / max(1.0, abs(np.mean(b))) < 1e-9:
        return  # a spread lost in rounding: both answers are rounding noise
    assert math.isclose(ours, theirs, rel_tol=1e-7, abs_tol=1e-10), (ours, theirs)


def test_zero_variances_decide_by_the_means():
    """Both spreads zero: equal means are not significant (p = 1), different means are (p = 0)."""
    assert welch_p_value(1.5, 0.0, 3, 1.5, 0.0, 4) == 1.0
    assert welch_p_value(1.5, 0.0, 3, 1.6, 0.0, 2) == 0.0
    # one spread zero: an ordinary test (SciPy agrees)
    a, b = np.array([2.0, 2.0, 2.0]), np.array([1.0, 2.0, 3.5])
    assert _close(_ours(a, b), stats.ttest_ind(a, b, equal_var=False).pvalue)


def test_no_test_below_two_runs():
    assert welch_p_value(1.0, None, 1, 2.0, 0.5, 3) is None
    assert welch_p_value(1.0, 0.5, 3, 2.0, None, 1) is None


@pytest.mark.parametrize("a", [0.5, 1.0, 2.5, 10.0, 250.0])
@pytest.mark.parametrize("b", [0.5, 1.0, 3.0, 40.0])
def test_incomplete_beta_matches_scipy(a, b):
    for x in np.linspace(0.0, 1.0, 41):
        assert math.isclose(
            incomplete_beta(a, b, float(x)), special.betainc(a, b, x), rel_tol=1e-10, abs_tol=1e-14
        )


# --------------------------------------------------------------------------- summaries


def test_summary_is_the_sample_statistics():
    """Given 3 values, mean/std are by hand (std with n - 1); min/max keep the numbers."""
    got = summarize([1, 2, 6])
    assert got == {"n": 3, "mean": 3.0, "std": math.sqrt(7.0), "min": 1, "max": 6}


def test_summary_leaves_non_finite_out_and_counts_them():
    got = summarize([1.0, math.nan, 3.0, math.inf, -math.inf])
    assert got == {"n": 2, "mean": 2.0, "std": math.sqrt(2.0), "min": 1.0, "max": 3.0,
                   "n_nonfinite": 3}  # fmt: skip


def test_summary_of_one_value_and_of_none():
    assert summarize([4.0]) == {"n": 1, "mean": 4.0, "std": None, "min": 4.0, "max": 4.0}
    assert summarize([math.nan]) == {
        "n": 0, "mean": None, "std": None, "min": None, "max": None, "n_nonfinite": 1,
    }  # fmt: skip


# --------------------------------------------------------------------------- parameters


def test_dict_parameters_become_dotted_leaves_with_their_injected():
    parameters = {
        "model_params": {"value": {"C": 0.1, "kernel": {"gamma": 2, "k": "rbf"}}, "injected": True},
        "seed": {"value": 3, "injected": False},
        "empty": {"value": {}, "injected": True},
        "expr": {"value": None, "source": "np.arange(3)", "injected": False},
    }
    assert flatten_parameters(parameters) == {
        "model_params.C": {"value": 0.1, "injected": True},
        "model_params.kernel.gamma": {"value": 2, "injected": True},
        "model_params.kernel.k": {"value": "rbf", "injected": True},
        "seed": {"value": 3, "injected": False},
        "empty": {"value": {}, "injected": True},
        "expr": {"value": None, "source": "np.arange(3)", "injected": False},
    }


# --------------------------------------------------------------------------- groups


def _notebook(path: str, status: str = "ok", **params) -> dict:
    flat = {name: {"value": value, "injected": True} for name, value in params.items()}
    return {"path": path, "status": status, "parameters_flat": flat}


def _row(name: str, values: dict, direction: str | None = "lower", kind: str = "scalar") -> dict:
    cells = {}
    for path, value in values.items():
        if value is None:
            cells[path] = None
        elif kind == "mapping":
            items = {k: {"value": v, "direction": "higher"} for k, v in value.items()}
            cells[path] = {"kind": "mapping", "items": items}
        else:
            cells[path] = {"kind": "scalar", "value": value}
    return {"name": name, "origin": "tag", "direction": direction, "cells": cells}


def test_groups_in_first_appearance_order_with_failed_runs_listed_not_averaged():
    notebooks = [
        _notebook("a", model="ridge", seed=0),
        _notebook("b", model="ols", seed=0),
        _notebook("c", model="ridge", seed=1),
        _notebook("d", "failed", model="ridge", seed=2),
        _notebook("e", model="ols", seed=1),
        _notebook("f", seed=1),  # lacks the parameter: its own group, key null
    ]
    grouping = Grouping(notebooks, ["model"], baseline="b")
    grouping.add(_row("mse", {"a": 1.0, "b": 5.0, "c": 3.0, "d": 100.0, "e": 7.0, "f": 2}))
    result = grouping.result()
    groups = result["groups"]
    assert [g["key"] for g in groups] == [{"model": "ridge"}, {"model": "ols"}, {"model": None}]
    assert result["baseline_group"] == 1
    assert groups[0]["paths"] == ["a", "c", "d"]
    assert groups[0]["failed"] == ["d"]
    ridge, ols, lone = (g["stats"][0] for g in groups)
    assert (ridge["n"], ridge["mean"], ridge["min"], ridge["max"]) == (2, 2.0, 1.0, 3.0)
    assert ridge["std"] == pytest.approx(math.sqrt(2.0))
    assert ridge["delta"] == pytest.approx(2.0 - 6.0)
    assert ridge["rel_delta"] == pytest.approx(-4.0 / 6.0)
    theirs = stats.ttest_ind([1.0, 3.0], [5.0, 7.0], equal_var=False).pvalue
    assert ridge["p_value"] == pytest.approx(theirs, rel=1e-9)
    assert ridge["significant"] is False
    assert ridge["better"] is None
    assert (ols["delta"], ols["rel_delta"], ols["significant"], ols["better"]) == (
        0.0,
        0.0,
        None,
        None,
    )
    assert (lone["n"], lone["std"], lone["significant"]) == (1, None, None)
    assert lone["better"] is None  # n = 1 against n = 2: no test, no verdict


def test_better_only_when_significant_or_single_runs():
    notebooks = [_notebook(p, g=g) for p, g in [("a", 1), ("b", 1), ("c", 2), ("d", 2), ("e", 3)]]
    grouping = Grouping(notebooks, ["g"], baseline="a")
    # group 2 is far below group 1 with little spread: significant, lower is better
    grouping.add(_row("loss", {"a": 10.0, "b": 10.1, "c": 1.0, "d": 1.1, "e": 50.0}))
    _g1, g2, g3 = (g["stats"][0] for g in grouping.result()["groups"])
    assert g2["significant"] is True
    assert g2["better"] is True
    assert g3["significant"] is None
    assert g3["better"] is None

    single = Grouping([_notebook("a", g=1), _notebook("b", g=2)], ["g"], baseline="a")
    single.add(_row("loss", {"a": 2.0, "b": 3.0}))
    base, other = (g["stats"][0] for g in single.result()["groups"])
    assert other["significant"] is None
    assert other["better"] is False
    assert base["better"] is None


def test_mapping_items_and_alignment_across_groups():
    """Number items get entries after the scalar part of a row; every group has
    the same entries in the same order (n = 0 where a group has none)."""
    notebooks = [_notebook("a", g=1), _notebook("b", g=2), _notebook("c", g=2)]
    grouping = Grouping(notebooks, ["g"], baseline="a")
    grouping.add(
        _row(
            "metrics",
            {"a": {"mse": 1.0, "note": "x"}, "b": {"mse": 2.0, "r2": math.nan}, "c": None},
            kind="mapping",
        )
    )
    groups = grouping.result()["groups"]
    assert [(s["key"], s["n"]) for s in groups[0]["stats"]] == [("mse", 1), ("r2", 0)]
    assert [(s["key"], s["n"]) for s in groups[1]["stats"]] == [("mse", 1), ("r2", 0)]
    assert groups[1]["stats"][1]["n_nonfinite"] == 1
    assert groups[1]["stats"][0]["direction"] == "higher"
    assert groups[1]["stats"][0]["better"] is True  # both n = 1, higher is better


def test_unknown_group_by_name_is_refused():
    with pytest.raises(ValueError, match="modle"):
        Grouping([_notebook("a", model="x")], ["modle"], baseline="a")


def test_no_group_by_names_means_one_group():
    grouping = Grouping([_notebook("a", x=1), _notebook("b", x=2)], [], baseline="b")
    assert grouping.result()["groups"][0]["paths"] == ["a", "b"]
