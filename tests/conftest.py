from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ankigen.cli import main

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
