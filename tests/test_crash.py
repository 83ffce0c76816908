"""A build killed with SIGKILL at any point leaves the previous package and lock whole,
and the next build makes exactly what an uninterrupted build makes.

``ANKIGEN_TEST_PAUSE_AT`` (see ``ankigen.files.pause_point``) makes the build stop for
good at one point: ``parse`` (a script has been parsed), ``package`` (half the new
package is on disk), ``lock`` (the package is staged, half the lock is on disk),
``rename`` (the new package has replaced the old one, the lock not yet).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS

BEFORE, AFTER = "1700000000", "1700086400"  # SOURCE_DATE_EPOCH of the two builds


def ankigen(cwd: Path, epoch: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ankigen", "build", "-q"], cwd=cwd,
                            env={**os.environ, "SOURCE_DATE_EPOCH": epoch, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def build(cwd: Path, epoch: str) -> None:
    proc = ankigen(cwd, epoch)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err


def outputs(root: Path) -> dict[str, bytes]:
    """The package and the lock (and anything else the build left beside them)."""
    found = {}
    for folder in (root / "dist", root / "decks"):
        for path in folder.iterdir() if folder.exists() else ():
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A project built once, then edited: (its folder, its files now, a clean rebuild's files)."""
    root = tmp_path_factory.mktemp("project")
    (root / "decks" / "s").mkdir(parents=True)
    for name in ("01-ownership.md", "02-trade-offs.md"):
        shutil.copy(CORPUS / name, root / "decks" / "s" / name)
    (root / "decks" / "s.yaml").write_text("name: S\nsources: [s/*.md]\n", encoding="utf-8")
    build(root, BEFORE)
    script = root / "decks" / "s" / "02-trade-offs.md"
    script.write_text(script.read_text(encoding="utf-8") + "\n## Recap\n\n- **Added:** a new fact.\n",
                      encoding="utf-8")
    shutil.rmtree(root / "dist" / ".cache")  # the edited script is parsed, not taken from the cache
    before = outputs(root)
    clean = root.parent / "clean"
    shutil.copytree(root, clean)
    build(clean, AFTER)
    after = outputs(clean)
    assert after["dist/s.apkg"] != before["dist/s.apkg"]
    assert after["decks/s.lock.yaml"] != before["decks/s.lock.yaml"]
    return root, before, after


@pytest.mark.parametrize("point", ["parse", "package", "lock", "rename"])
def test_a_build_killed_at_any_point_loses_nothing(edited, tmp_path, point):
    original, before, after = edited
    root = tmp_path / "project"
    shutil.copytree(original, root)
    paused = tmp_path / "paused"
    proc = ankigen(root, AFTER, ANKIGEN_TEST_PAUSE_AT=point, ANKIGEN_TEST_PAUSED=str(paused))
    deadline = time.monotonic() + 60
    while not paused.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"the build never reached {point}"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    now = outputs(root)
    assert now["decks/s.lock.yaml"] == before["decks/s.lock.yaml"], "the lock changed"
    if point == "rename":  # the new package is in place, its lock not yet
        assert now["dist/s.apkg"] == after["dist/s.apkg"]
    else:
        assert now["dist/s.apkg"] == before["dist/s.apkg"], "the previous package changed"
    leftovers = {Path(name).name for name in set(now) - set(before)}
    assert all(name.startswith(".") and name.endswith(".tmp") for name in leftovers), leftovers
    half_written = {"package": ".s.apkg.", "lock": ".s.lock.yaml."}.get(point)
    if half_written:  # killed in the middle of writing that file
        assert any(name.startswith(half_written) for name in leftovers), leftovers

    build(root, AFTER)
    assert outputs(root) == after, "the next build differs from an uninterrupted one"
