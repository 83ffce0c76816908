"""Settled videos: a rebuild reuses what it assembled for every video whose script and
lock entries did not change. It must never make a build differ from one without a cache."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import ankigen.build as build_module
from ankigen.cli import main
from conftest import CORPUS

EPOCH = 1_800_000_000


def build(cached_project: Path, *args: str, epoch: int) -> tuple[dict, bytes, bytes]:
    """``ankigen build --json`` in ``cached_project``: (report, package bytes, lock bytes)."""
    here = os.getcwd()
    os.chdir(cached_project)
    try:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        result = CliRunner().invoke(main, ["build", "--json", *args], catch_exceptions=False)
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return (json.loads(result.stdout), (cached_project / "dist" / "staff-engineering.apkg").read_bytes(),
            (cached_project / "decks" / "staff-engineering.lock.yaml").read_bytes())


def build_with(cached_project: Path, *args: str, epoch: int, **options) -> tuple[tuple[dict, bytes, bytes], int]:
    """``build`` through the API with ``options``: what ``build`` gives (its report as
    ``--json`` has it), and how many videos were taken whole from the cache or settled as
    they were read (not assembled here)."""
    here = os.getcwd()
    os.chdir(cached_project)
    try:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        report = build_module.build([], build_module.Options(rename_decks="--rename-decks" in args, **options))
    finally:
        os.chdir(here)
    assert set(args) <= {"--rename-decks"}, args
    [deck] = report.decks
    said = {"decks": [deck.as_json()], "warnings": [d.as_json() for d in report.warnings if d.severity == "warning"],
            "errors": []}
    return (said, (cached_project / "dist" / "staff-engineering.apkg").read_bytes(),
            (cached_project / "decks" / "staff-engineering.lock.yaml").read_bytes()), deck.work.reused


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def drop_lock_line(cached_project: Path, prefix: str) -> None:
    lock = cached_project / "decks" / "staff-engineering.lock.yaml"
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(prefix)]
    assert len(kept) == len(lines) - 1
    lock.write_text("".join(kept), encoding="utf-8")


def pin_id(path: Path, slug: str) -> None:
    path.write_text(f"---\nid: {slug}\n---\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def reflow_lock(cached_project: Path) -> None:
    """The lock as a person's YAML tool might leave it: the same data, block style."""
    lock = cached_project / "decks" / "staff-engineering.lock.yaml"
    data = yaml.safe_load(lock.read_text(encoding="utf-8"))
    lock.write_text(yaml.safe_dump(data, allow_unicode=True) + "# end of ankigen lock\n", encoding="utf-8")


def scripts(cached_project: Path) -> Path:
    return cached_project / "decks" / "staff-engineering"


# (what an author does, build options): each applied to the cached_project, then built twice —
# with the cache the builds before left, and from a copy with no cache — and compared.
STEPS = [
    ("nothing", lambda p: None, ()),
    ("reword a bullet", lambda p: replace_in(scripts(p) / "05-observability.md",
                                             "is the most expensive debugging", "is the costliest debugging"), ()),
    ("nothing again", lambda p: None, ()),
    ("retitle a video", lambda p: replace_in(scripts(p) / "02-trade-offs.md",
                                             "# Trade-offs: Making Them Explicit", "# Trade-offs, Made Explicit"), ()),
    ("keep building it retitled", lambda p: None, ()),
    ("send its cards to the new subdeck", lambda p: None, ("--rename-decks",)),
    ("renumber a file", lambda p: (scripts(p) / "04-saying-no.md").rename(scripts(p) / "07-saying-no.md"), ()),
    ("delete a bullet", lambda p: replace_in(scripts(p) / "05-observability.md",
                                             "- **Traces find the where.** Metrics say something is slow; "
                                             "a trace says which hop.\n", ""), ()),
    ("a lock entry deleted by hand", lambda p: drop_lock_line(p, '  "observability/recap/rate-errors-duration"'), ()),
    ("a subdeck renamed in the lock by hand", lambda p: replace_in(
        p / "decks" / "staff-engineering.lock.yaml", '"subdeck": "Staff Engineering::003 ',
        '"subdeck": "Staff Engineering::003 Old: '), ()),
    ("pin a video's id in front matter", lambda p: pin_id(scripts(p) / "02-trade-offs.md", "trade-offs-pinned"), ()),
    ("the lock re-flowed by hand into block YAML", lambda p: reflow_lock(p), ()),
    ("build after the re-flow", lambda p: None, ()),
    ("delete a script", lambda p: (scripts(p) / "06-mentoring-code-review.md").unlink(), ()),
    ("put it back", lambda p: shutil.copy(CORPUS / "06-mentoring-code-review.md", scripts(p)), ()),
    ("nothing at the end", lambda p: None, ()),
]


@pytest.fixture
def cached_project(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    folder = tmp_path / "cached"
    shutil.copytree(CORPUS, folder / "decks" / "staff-engineering")
    (folder / "decks" / "staff-engineering.yaml").write_text(
        "name: Staff Engineering\nsources:\n  - staff-engineering/*.md\n", encoding="utf-8")
    yield folder
    os.environ.pop("SOURCE_DATE_EPOCH", None)


def test_every_rebuild_equals_one_without_a_cache(cached_project, tmp_path):
    """After each step: the build with the cache, one without (read here) and one without
    whose scripts are read, and their videos settled, by worker processes all agree."""
    build(cached_project, epoch=EPOCH)  # the first build: no lock
    build(cached_project, epoch=EPOCH + 1)  # every video settles
    for n, (what, edit, options) in enumerate(STEPS, 2):
        edit(cached_project)
        fresh, parallel = tmp_path / f"fresh-{n}", tmp_path / f"parallel-{n}"
        shutil.copytree(cached_project / "decks", fresh / "decks")
        shutil.copytree(cached_project / "decks", parallel / "decks")
        cached, reused = build_with(cached_project, *options, epoch=EPOCH + n)
        assert build(fresh, *options, epoch=EPOCH + n) == cached, what
        by_workers, settled = build_with(parallel, *options, epoch=EPOCH + n, parallel_from=1, workers=2)
        assert by_workers == cached, what
        if what.startswith("nothing") or what == "keep building it retitled":
            assert reused >= 5, (what, reused)  # the cache was used, not bypassed
            # the workers settled them (all but the first script, sent before the lock was read)
            assert settled >= 4, (what, settled)


def test_a_settled_video_is_reassembled_when_its_lock_entries_change(cached_project, tmp_path):
    build(cached_project, epoch=EPOCH)
    before = build(cached_project, epoch=EPOCH + 1)
    lock = cached_project / "decks" / "staff-engineering.lock.yaml"
    text = lock.read_text(encoding="utf-8")
    key = '  "observability/recap/rate-errors-duration": {"guid": "'
    start = text.index(key) + len(key)
    lock.write_text(text[:start] + "X" + text[start + 1:], encoding="utf-8")  # another GUID
    report, package, written = build(cached_project, epoch=EPOCH + 2)
    assert package != before[1]
    assert written == lock.read_bytes() and b'"guid": "X' in written  # the lock's GUID is kept


def test_a_build_process_ends_with_all_its_output_and_its_exit_code(cached_project):
    """``ankigen build`` ends without the interpreter's teardown: nothing may be lost."""
    import subprocess
    import sys

    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
    done = subprocess.run([sys.executable, "-m", "ankigen", "build", "--json"], cwd=cached_project, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decks"][0]["notes"] > 0  # the whole report, flushed
    (scripts(cached_project) / "02-trade-offs.md").write_bytes(b"\xff\xfe broken")
    done = subprocess.run([sys.executable, "-m", "ankigen", "build"], cwd=cached_project, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "02-trade-offs.md" in done.stderr, done.stderr
