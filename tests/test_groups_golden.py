"""The command line's groups tables against the golden fixture jest reads too.

``tests/files/groups/golden.json`` (written by ``tests/groups_golden.py``)
holds ``jupyter nbcompare --group-by``'s groups, in CSV, Markdown and HTML,
for real grouped answers; ``src/__tests__/exportGroups.spec.ts`` checks the
panel's exports against the same file, so both give the same table.
"""

from __future__ import annotations

import json

import pytest

from tests.groups_golden import GOLDEN, grouped_answers, outputs

CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]


def test_every_grouped_answer_has_a_case():
    assert sorted(c["answer"] for c in CASES) == sorted(grouped_answers())


@pytest.mark.parametrize("case", CASES, ids=[c["answer"] for c in CASES])
@pytest.mark.parametrize("fmt", ["csv", "markdown", "html"])
def test_cli_groups_match_the_golden_file(case, fmt):
    # Given a real grouped answer, When the CLI writes its groups
    written = outputs(grouped_answers()[case["answer"]])[fmt]
    # Then they are the stored ones (the panel's exports are checked against them too)
    assert written == case[fmt]


def test_the_cli_writes_the_stored_groups_end_to_end():
    """The golden file is the CLI's output: ``add_groups`` as ``--group-by`` calls it."""
    from jupyterlab_nbcompare.report_groups import add_groups

    case = CASES[0]
    answer = grouped_answers()[case["answer"]]
    assert add_groups("ignored", answer, "csv") == case["csv"]
    assert add_groups("report\n", answer, "markdown") == "report\n" + case["markdown"]
    html = add_groups("<html><body></body></html>", answer, "html")
    assert html == f"<html><body>{case['html']}</body></html>"
