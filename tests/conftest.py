from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from ankigen.cli import main

# Hypothesis profiles. "default": no deadline (a slow machine is not a bug); each test
# sets its own number of examples. "long", for release checks
# (python -m pytest --hypothesis-profile=long tests/test_fuzz.py): 100,000 examples
# for each fuzz test in tests/test_fuzz.py.
settings.register_profile("default", deadline=None, derandomize=True)  # CI: the same examples each run
settings.register_profile("long", deadline=None, max_examples=100_000)
settings.load_profile("default")

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus" / "staff-engineering"
SEED = CORPUS / "01-ownership.md"


@pytest.fixture
def run(monkeypatch, tmp_path):
    """Run the CLI in a temporary working folder: run("build", "x.yaml") → Result."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def series(tmp_path) -> Path:
    """A copy of the staff-engineering series: <tmp>/decks/staff-engineering.yaml + scripts."""
    decks = tmp_path / "decks"
    shutil.copytree(CORPUS, decks / "staff-engineering")
    (decks / "staff-engineering.yaml").write_text(
        "name: Staff Engineering\nsources:\n  - staff-engineering/*.md\n", encoding="utf-8")
    return decks / "staff-engineering.yaml"


def edit_one_of_each(script: Path) -> None:
    """Edit the seed as an author would, once of each kind a diff reports: reword the
    Trap bullet (changed), add Blast radius (added), rename the 2 AM prompt slightly
    (renamed), delete the At L6 bullet (retired)."""
    text = script.read_text(encoding="utf-8")
    text = text.replace("Staying in your lane.", "Staying inside your lane.")
    text = text.replace("- **Cross-team:**", "- **Blast radius:** Count who can break.\n- **Cross-team:**")
    text = text.replace("**2 AM page for a dependency?**", "**2 AM page for someone else's dependency?**")
    text = text.replace("- **At L6:** You own the outcome. Not just your PRs. Reliability. On-call. "
                        "Migration.\n", "")
    script.write_text(text, encoding="utf-8")
