"""The series the project ships: its lock is committed and in step with the scripts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_shipped_seed_is_the_users_script_verbatim():
    shipped = ROOT / "decks" / "staff-engineering" / "01-ownership.md"
    assert shipped.read_bytes() == (ROOT / "tests" / "corpus" / "staff-engineering" / "01-ownership.md").read_bytes()


def test_shipped_lock_is_in_step_with_the_scripts(run, tmp_path):
    """A build of the shipped series changes nothing for learners: when extraction or the
    scripts change, rebuild (`ankigen build`) and commit decks/staff-engineering.lock.yaml."""
    shutil.copytree(ROOT / "decks", tmp_path / "decks")
    result = run("diff", "--json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)["decks"][0]["changes"]
    stale = {k: v for k, v in changes.items() if v and k != "unchanged"}
    assert not stale, ("decks/staff-engineering.lock.yaml is out of date; run `ankigen build` and "
                       f"commit it: {stale}")
    assert changes["unchanged"] == 57
