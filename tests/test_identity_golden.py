"""Identity golden cases: the identity rules as data, one case per flow.

Each ``tests/identity/<case>/`` holds

- ``before/`` (and ``before-2/``, … built in turn): the scripts learners have, which made
- ``lock.yaml``: the lock before (what learners have; regenerated only when missing);
- ``after/``: the scripts now;
- ``args`` (optional): the build's flags and sources (default: the deck config);
- ``expected.yaml``: what the build does: its exit code, the changes it reports, its
  diagnostics, and for each note after it, the lock entry whose GUID it keeps (``new``
  for a new GUID) and its note type.

Regenerate after a deliberate change, then read the diff before committing:

    ANKIGEN_UPDATE_GOLDEN=1 python -m pytest -q tests/test_identity_golden.py
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from ankigen.build import Options, build
from ankigen.errors import AnkigenError
from ankigen.retype import locked_type
from ankigen.lockfile import read_lock

CASES = Path(__file__).parent / "identity"
UPDATE = os.environ.get("ANKIGEN_UPDATE_GOLDEN") == "1"
CONFIG = "name: Golden\nsources: [golden/*.md]\n"
T0 = 1_700_000_000


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "after").is_dir())


def _place(root: Path, scripts: Path) -> None:
    folder = root / "decks" / "golden"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for script in sorted(scripts.glob("*.md")):
        (folder / script.name).write_bytes(script.read_bytes())


def _run(root: Path, args: list[str], when: int):
    """Build as the CLI does (its sources and flags): (exit code, diagnostics, report)."""
    os.environ["SOURCE_DATE_EPOCH"] = str(when)
    sources = [Path(a) for a in args if not a.startswith("-")] or [Path("decks/golden.yaml")]
    options = Options(output=root / "dist" / "out.apkg", retype="--retype" in args,
                      retire_sections="--retire-sections" in args)
    try:
        report = build(sources, options)
    except AnkigenError as e:
        return 1, e.diagnostics, None
    return 0, report.diagnostics, report


def _make_lock(case: Path, root: Path) -> None:
    befores = sorted((p for p in case.iterdir() if p.name.startswith("before")), key=lambda p: len(p.name))
    for n, before in enumerate(befores):
        _place(root, before)
        code, diagnostics, _ = _run(root, ["--retire-sections"], T0 + n)  # as the author confirmed it
        assert code == 0, diagnostics
    shutil.copy(root / "decks" / "golden.lock.yaml", case / "lock.yaml")


def _outcome(case: Path, root: Path) -> dict:
    lock_before = case / "lock.yaml"
    args = shlex.split((case / "args").read_text(encoding="utf-8")) if (case / "args").exists() else []
    if (case / "no-lock").exists():  # the author deleted the lock: it is only compared with
        (root / "decks" / "golden.lock.yaml").unlink(missing_ok=True)
    else:
        shutil.copy(lock_before, root / "decks" / "golden.lock.yaml")
    _place(root, case / "after")
    code, diagnostics, report = _run(root, args, T0 + 100)
    out: dict = {"exit": code}
    if report is not None:
        changes = report.decks[0].changes.as_json()
        out["changes"] = {k: v for k, v in changes.items() if v or k == "unchanged"}
    out["diagnostics"] = [f"{d.file}:{d.line or 1}: {d.severity}: {d.message}" for d in diagnostics]
    if report is not None:
        before = read_lock(lock_before, "lock.yaml")
        after = read_lock(root / "decks" / "golden.lock.yaml", "lock.yaml")
        by_guid = {n.guid: k for k, n in before.notes.items()}
        out["notes"] = {k: f"{by_guid.get(n.guid, 'new')}, {locked_type(n)}"
                        + (", retired" if n.retired is not None else "")
                        for k, n in sorted(after.notes.items())}
    return out


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_identity_case(case: Path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0))
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "golden.yaml").write_text(CONFIG, encoding="utf-8")
    if not (case / "lock.yaml").exists():
        _make_lock(case, tmp_path)
    got = _outcome(case, tmp_path)
    expected_path = case / "expected.yaml"
    if UPDATE:
        old = expected_path.read_text(encoding="utf-8") if expected_path.exists() else ""
        comments = "".join(line + "\n" for line in old.splitlines() if line.startswith("#"))
        expected_path.write_text(comments + yaml.safe_dump(got, allow_unicode=True, sort_keys=False, width=200),
                                 encoding="utf-8")
    assert expected_path.exists(), f"no {expected_path}; run with ANKIGEN_UPDATE_GOLDEN=1 and read it"
    assert got == yaml.safe_load(expected_path.read_text(encoding="utf-8"))
