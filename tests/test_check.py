"""`ankigen check`: every problem at once, a stable code per kind, nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SEED, snapshot

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z0-9-]+) (?P<message>.+)$")

BROKEN = """\
# Broken On Purpose

## Video Length: ~4 minutes | Level: Staff

## Real-World Examples

**Example 1: Escalation.** A page comes in. At L5: "escalate." At L6: "I look first." At L9: "I fix the paging."

- **Director:** rewrites the on-call policy.

## Let's Think Together

"What do you write in {{ the template?"

You write the outcome. Then the owner.

## Quick Recap (3 bullets)

- **Trap:** Staying in your lane. At L6, you expand the lane.
- A bullet that nobody made bold.
"""

DUPLICATE_FRONTS = """\
# Fronts

## Quick Recap

- **Own it:** Write the plan down. Then share it.
- **Own it:** Write the plan down. Then share it.
- **Trap:** Staying in your lane. Staying in your lane is the trap.
- **Long one:** {long}

## One-Liner to Remember

Own the outcome.
""".format(long=" ".join(["word"] * 45) + ".")

DRIFT = ("\ufeff---\ntitle: Drifting\ntags: [drift]\n---\n# Drifting\r\n\r\n### quick RECAP:\r\n\r\n"
         "* **Code ownership** → **System ownership.** Each level expands.\r\n"
         "+ **Trap:** Staying in your lane.\r\n1. **At L6:** You own the outcome.\r\n\r\n"
         "### one-liner to remember\r\n\r\nAt L6, you own the system's outcome.\r\n\r\n"
         "### real-world examples (2-3)\r\n\r\n**Example 1: On-call.** A page comes in.\r\n\r\n"
         "* **L5:** escalate.\r\n* **L6:** check whether you can help.\r\n")


def _lines(output: str) -> list[dict]:
    out = []
    for text in output.splitlines():
        m = LINE.match(text)
        assert m, f"not file:line:col: CODE message: {text!r}"
        out.append(m.groupdict())
    return out


@pytest.fixture
def mixed(tmp_path):
    """A project whose scripts hold a problem of each kind `check` reports."""
    scripts = tmp_path / "decks" / "mixed"
    scripts.mkdir(parents=True)
    (scripts / "01-broken.md").write_text(BROKEN, encoding="utf-8")
    (scripts / "02-fronts.md").write_text(DUPLICATE_FRONTS, encoding="utf-8")
    (scripts / "03-ownership.md").write_bytes(SEED.read_bytes())
    (scripts / "04-ownership.md").write_bytes(SEED.read_bytes())  # same video id: 'ownership'
    (scripts / "05-notes.md").write_text("# Shopping list\n\n- eggs\n- milk\n", encoding="utf-8")
    (tmp_path / "decks" / "mixed.yaml").write_text(
        "name: Mixed\nsources:\n  - mixed/*.md\ncolour: blue\n", encoding="utf-8")
    return tmp_path


def test_reports_every_problem_at_once_and_writes_nothing(run, mixed):
    before = snapshot(mixed)
    result = run("check")
    assert snapshot(mixed) == before
    # the config's unknown key stops that config; checking its scripts as a folder finds the rest
    assert result.exit_code == 1
    found = _lines(result.stdout)
    assert [(d["file"], d["line"], d["code"]) for d in found] == [
        ("decks/mixed.yaml", "4", "unknown-key")]
    result = run("check", mixed / "decks" / "mixed")
    assert result.exit_code == 1
    codes = {(Path(d["file"]).name, int(d["line"]), d["code"]) for d in _lines(result.stdout)}
    assert {
        ("01-broken.md", 7, "unknown-level"),  # At L9:
        ("01-broken.md", 9, "unknown-level"),  # **Director:**
        ("01-broken.md", 13, "unbalanced-braces"),
        ("01-broken.md", 17, "recap-count"),
        ("01-broken.md", 20, "no-bold"),
        ("01-broken.md", 1, "missing-one-liner"),
        ("02-fronts.md", 6, "duplicate-front"),
        ("02-fronts.md", 7, "answer-in-front"),
        ("02-fronts.md", 8, "long-answer"),
        ("04-ownership.md", 1, "duplicate-video"),
        ("05-notes.md", 1, "not-a-script"),
    } <= codes


def test_columns_point_at_the_problem(run, mixed):
    result = run("check", mixed / "decks" / "mixed" / "01-broken.md")
    found = {d["code"]: d for d in _lines(result.stdout)}
    assert found["unbalanced-braces"]["col"] == str(BROKEN.splitlines()[12].index("{{") + 1)
    assert found["no-bold"]["col"] == "1"


def test_json_gives_file_line_column_code_severity_message(run, mixed):
    result = run("check", mixed / "decks" / "mixed", "--json")
    assert result.exit_code == 1
    items = json.loads(result.stdout)
    assert items and all(set(d) == {"file", "line", "column", "code", "severity", "message"}
                         for d in items)
    assert all(isinstance(d["line"], int) and isinstance(d["column"], int) and d["code"]
               for d in items)
    severity = {d["code"]: d["severity"] for d in items}
    assert severity["not-a-script"] == "warning"  # skipped: no note of it is in the lock
    assert severity["recap-count"] == "warning"
    assert {severity[c] for c in ("answer-in-front", "long-answer", "duplicate-front")} == {"info"}


def test_shipped_series_is_clean_even_when_strict(run, series):
    result = run("check", series, "--strict")
    assert result.exit_code == 0, result.output
    assert all(d["code"] in {"no-contrast", "long-answer"} for d in _lines(result.stdout))


def test_harmless_drift_passes_strict(run, tmp_path):
    folder = tmp_path / "drift"
    folder.mkdir()
    (folder / "01-drift.md").write_bytes(DRIFT.encode("utf-8"))
    result = run("check", folder, "--strict", "--json")
    assert result.exit_code == 0, result.output
    assert {d["severity"] for d in json.loads(result.stdout)} <= {"info"}


def test_warnings_fail_only_when_strict(run, tmp_path):
    folder = tmp_path / "warned"
    folder.mkdir()
    (folder / "01-warned.md").write_text(
        "# Warned\n\n## Quick Recap (2 bullets)\n\n- **Trap:** Staying in your lane.\n\n"
        "## One-Liner to Remember\n\nOwn it.\n\n## Real-World Examples\n\n"
        "**Example 1: On-call.** A page comes in. At L5: escalate. At L6: help.\n", encoding="utf-8")
    assert run("check", folder).exit_code == 0
    result = run("check", folder, "--strict")
    assert result.exit_code == 1
    assert [d["code"] for d in _lines(result.stdout)] == ["recap-count"]


def test_usage_errors_exit_2(run):
    assert run("check", "no/such/file.md").exit_code == 2
    assert run("check", "--no-such-flag").exit_code == 2


def test_config_problems_are_all_reported(run, tmp_path):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "bad.yaml").write_text("name: ''\ncolour: blue\nsources: nothing-here/*.md\n",
                                    encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    assert {(d["line"], d["code"]) for d in _lines(result.stdout)} == {
        ("1", "bad-config-value"), ("2", "unknown-key")}
