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

from cli import spawn
from conftest import CORPUS, TWO, Project

BEFORE, AFTER = "1700000000", "1700086400"  # SOURCE_DATE_EPOCH of the two builds


def ankigen(cwd: Path, epoch: str, **env: str) -> subprocess.Popen:
    return spawn("build", "-q", cwd=cwd, env={"SOURCE_DATE_EPOCH": epoch, **env},
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
    Project(root, TWO)
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


# A build killed while its worker processes parse. The workers must end with it, however it
# ends, and must not keep the deck's build lock (an flock they would share by fork): the
# next build runs at once and finishes.

def large_project(root: Path, copies: int = 40) -> Path:
    """A deck of 6 × ``copies`` scripts: enough for the build to parse them in workers."""
    project = Project(root, ())
    for n in range(copies):
        for script in sorted(CORPUS.glob("*.md")):
            shutil.copy(script, project.scripts / f"{script.stem}-{n}.md")
    return root


def descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (Linux /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def interruptible(cwd: Path, group: bool = False, **env: str) -> subprocess.Popen:
    """``ankigen build -q`` that takes SIGINT as a terminal's Ctrl-C would (even when the
    test runner ignores it); with ``group``, in a process group of its own."""
    return spawn("build", "-q", cwd=cwd, env={"SOURCE_DATE_EPOCH": AFTER, **env},
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=group,
                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def after_the_kill(root: Path, workers: set[int], cold_seconds: float) -> None:
    """No worker left within a few seconds; the next build finishes in normal time."""
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, [p for p in workers if alive(p)]
        time.sleep(0.05)
    start = time.monotonic()
    proc = interruptible(root)
    try:
        out, err = proc.communicate(timeout=max(30, 10 * cold_seconds))
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"the next build hangs: {proc.communicate()[1]}")
    took = time.monotonic() - start
    assert proc.returncode == 0, err
    assert "waiting" not in err, err
    assert took < 5 * cold_seconds + 2, (took, cold_seconds)
    assert not descendants(proc.pid)


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> tuple[Path, float]:
    """A large project and how long its cold build takes here."""
    root = large_project(tmp_path_factory.mktemp("large"))
    start = time.monotonic()
    build(root, AFTER)
    cold = time.monotonic() - start
    shutil.rmtree(root / "dist")
    return root, cold


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(("sig", "group"), [(signal.SIGKILL, False), (signal.SIGTERM, False),
                                           (signal.SIGINT, False), (signal.SIGINT, True)])  # Ctrl-C
def test_a_build_killed_while_its_workers_parse_leaves_nothing_running(large, tmp_path, sig, group):
    original, cold = large
    root = tmp_path / "project"
    shutil.copytree(original, root)
    paused = tmp_path / "paused"
    proc = interruptible(root, group, ANKIGEN_TEST_PAUSE_AT="parse", ANKIGEN_TEST_PAUSED=str(paused))
    deadline = time.monotonic() + 60
    while not paused.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no worker ever parsed"
        time.sleep(0.02)
    workers = descendants(proc.pid)
    assert workers, "the scripts were not parsed in worker processes"
    if group:
        os.killpg(proc.pid, sig)  # to the build and its workers, as a terminal's Ctrl-C
    else:
        proc.send_signal(sig)  # to the main process only
    _, err = proc.communicate(timeout=15)  # Ctrl-C does not wait for the (paused) workers
    assert "Traceback" not in err, err
    assert not (root / "dist" / "s.apkg").exists()
    after_the_kill(root, workers, cold)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("fraction", [0.25, 0.4, 0.6])
def test_a_cold_build_killed_at_any_moment_is_followed_by_a_normal_build(large, tmp_path, fraction):
    original, cold = large
    root = tmp_path / "project"
    shutil.copytree(original, root)
    proc = interruptible(root)
    workers: set[int] = set()
    deadline = time.monotonic() + fraction * cold
    while time.monotonic() < deadline and proc.poll() is None:
        workers |= descendants(proc.pid)
        time.sleep(0.01)
    proc.kill()
    proc.communicate()
    after_the_kill(root, workers, cold)
