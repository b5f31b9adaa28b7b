"""The golden fixture of the groups tables, shared by pytest and jest.

``tests/files/groups/golden.json`` holds, for each grouped compare answer of
the chart fixture (``tests/files/charts/golden.json``: real papermill runs,
the demo grid grouped by ``model`` and a sweep grouped by ``cfg.C``), what
``jupyter nbcompare --group-by`` writes for its groups in CSV, Markdown and
HTML (:mod:`jupyterlab_nbcompare.report_groups`). ``tests/test_groups_golden.py``
checks the command line against it and ``src/__tests__/exportGroups.spec.ts``
the panel's exports (``src/exportGroups.ts``), so a user gets the same table
from both.

Regenerate after a deliberate change of both (and review the diff)::

    python -m tests.groups_golden
"""

from __future__ import annotations

import json
from pathlib import Path

from jupyterlab_nbcompare import report_groups

HERE = Path(__file__).parent
CHARTS = HERE / "files" / "charts" / "golden.json"
GOLDEN = HERE / "files" / "groups" / "golden.json"


def grouped_answers() -> dict[str, dict]:
    """The grouped answers of the chart fixture, by name."""
    answers = json.loads(CHARTS.read_text(encoding="utf-8"))["answers"]
    return {name: answer for name, answer in answers.items() if "groups" in answer}


def outputs(answer: dict) -> dict[str, str]:
    """The command line's groups of one answer, in each format."""
    return {
        "csv": report_groups.to_csv(answer),
        "markdown": report_groups.to_markdown(answer),
        "html": report_groups.to_html(answer),
    }


def main() -> None:
    cases = [
        {"answer": name, **outputs(answer)} for name, answer in sorted(grouped_answers().items())
    ]
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps({"cases": cases}, indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
