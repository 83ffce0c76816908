"""The parse cache and parallel reading: faster, never different."""

from __future__ import annotations

import shutil

import pytest

import ankigen.build as build_module
from ankigen.cache import FOLDER
from conftest import CORPUS


@pytest.fixture
def series(run, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "se"
    shutil.copytree(CORPUS, folder)
    return folder


def count_parses(monkeypatch) -> list:
    calls = []
    real = build_module.parse

    def counting(text, path):
        calls.append(path)
        return real(text, path)

    monkeypatch.setattr(build_module, "parse", counting)
    return calls


def test_a_rebuild_parses_only_what_changed(run, series, tmp_path, monkeypatch):
    assert run("build", series, "-o", tmp_path / "a.apkg").exit_code == 0
    assert any((tmp_path / FOLDER).rglob("*"))
    calls = count_parses(monkeypatch)
    script = series / "03-design-docs.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Almost never.", "Rarely."), encoding="utf-8")
    result = run("build", series, "-o", tmp_path / "b.apkg")
    assert result.exit_code == 0, result.output
    assert calls == ["se/03-design-docs.md"]
    assert "1 changed" in result.output


def test_cached_build_is_byte_identical_to_an_uncached_one(run, series, tmp_path):
    assert run("build", series, "-o", tmp_path / "a.apkg", "--lock", tmp_path / "a.lock").exit_code == 0
    assert run("build", series, "-o", tmp_path / "b.apkg", "--lock", tmp_path / "a.lock").exit_code == 0
    shutil.rmtree(tmp_path / FOLDER)
    assert run("build", series, "-o", tmp_path / "c.apkg", "--lock", tmp_path / "a.lock").exit_code == 0
    assert (tmp_path / "b.apkg").read_bytes() == (tmp_path / "c.apkg").read_bytes()


def test_a_damaged_entry_is_a_miss(run, series, tmp_path, monkeypatch):
    assert run("build", series, "-o", tmp_path / "a.apkg").exit_code == 0
    for entry in (tmp_path / FOLDER).rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:10])
    calls = count_parses(monkeypatch)
    result = run("build", series, "-o", tmp_path / "b.apkg")
    assert result.exit_code == 0, result.output
    assert len(calls) == 6


def test_a_refused_build_or_a_diff_writes_no_cache(run, series, tmp_path):
    assert run("diff", series).exit_code == 0
    assert not (tmp_path / FOLDER).exists()
    (series / "notes.md").write_bytes("# Café\n\n## Quick Recap\n\n- **Trap:** é\n".encode("latin-1"))
    assert run("build", series, "-o", tmp_path / "a.apkg").exit_code == 1
    assert not (tmp_path / FOLDER).exists()


def test_parallel_reading_gives_the_same_package(run, series, tmp_path, monkeypatch):
    for i in range(7, 20):  # enough scripts for two processes
        (series / f"{i:02d}-copy.md").write_text(
            f"---\nid: copy-{i}\n---\n" + (series / "01-ownership.md").read_text(encoding="utf-8"),
            encoding="utf-8")
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 10_000)
    assert run("build", series, "-o", tmp_path / "seq.apkg", "--lock", tmp_path / "seq.lock").exit_code == 0
    shutil.rmtree(tmp_path / FOLDER)
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 2)
    used = []
    real = build_module._parse_in_parallel
    monkeypatch.setattr(build_module, "_parse_in_parallel",
                        lambda *a: used.append(1) or real(*a))
    assert run("build", series, "-o", tmp_path / "par.apkg", "--lock", tmp_path / "par.lock").exit_code == 0
    assert used
    assert (tmp_path / "seq.apkg").read_bytes() == (tmp_path / "par.apkg").read_bytes()
    assert (tmp_path / "seq.lock").read_bytes() == (tmp_path / "par.lock").read_bytes()


def test_with_workers_a_damaged_lock_is_refused_as_ever(run, series, tmp_path, monkeypatch):
    """With many scripts parsed by other processes, a damaged lock is still refused the
    same way, and only after the scripts' own errors."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 2)
    lock = tmp_path / "s.lock"
    assert run("build", series, "-o", tmp_path / "a.apkg", "--lock", lock).exit_code == 0
    shutil.rmtree(tmp_path / FOLDER)  # every script is parsed again, by the workers
    assert run("build", series, "-o", tmp_path / "b.apkg", "--lock", lock).exit_code == 0
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()
    text = lock.read_text(encoding="utf-8")
    lock.write_text(text.replace('"mod": ', '"mod": "soon", "m": ', 1), encoding="utf-8")
    shutil.rmtree(tmp_path / FOLDER)
    result = run("build", series, "-o", tmp_path / "c.apkg", "--lock", lock)
    assert result.exit_code == 1 and "s.lock" in result.output and "whole number" in result.output
    (series / "02-trade-offs.md").write_bytes(b"")
    result = run("build", series, "-o", tmp_path / "c.apkg", "--lock", lock)
    assert result.exit_code == 1 and "02-trade-offs.md" in result.output and "s.lock" not in result.output


def test_a_rebuild_rewrites_only_the_cache_files_that_changed(run, series, tmp_path):
    def files():
        return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (tmp_path / FOLDER).glob("*.pickle")}

    for _ in range(2):  # parses, then the settled videos
        assert run("build", series, "-o", tmp_path / "a.apkg").exit_code == 0
    before = files()
    assert run("build", series, "-o", tmp_path / "a.apkg").exit_code == 0
    assert files() == before  # nothing changed: nothing written
    script = series / "03-design-docs.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Almost never.", "Rarely."), encoding="utf-8")
    assert run("build", series, "-o", tmp_path / "a.apkg").exit_code == 0
    after = files()
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    # the script's three entries (its parse, its HTML, its settled video) left their files and
    # went to others: six files at most, whichever they are (the keys decide)
    assert 0 < len(changed) <= 6
    assert len(changed) < len(before) or len(before) <= 6


def test_check_and_diff_with_workers_say_what_they_say_without(run, series, tmp_path, monkeypatch):
    """``check`` and ``diff`` read scripts as a build does, workers and all."""
    lock = tmp_path / "s.lock"
    assert run("build", series, "-o", tmp_path / "a.apkg", "--lock", lock).exit_code == 0
    script = series / "03-design-docs.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Almost never.", "Rarely."), encoding="utf-8")
    said = {}
    for parallel_from in (10_000, 1):
        monkeypatch.setattr(build_module, "PARALLEL_FROM", parallel_from)
        shutil.rmtree(tmp_path / FOLDER, ignore_errors=True)
        build_module.SCRIPTS.discard()  # nothing kept in memory either: every script is read
        check = run("check", series)
        build_module.SCRIPTS.discard()
        diff = run("diff", series, "--lock", lock, "--json")
        assert check.exit_code == 0 and diff.exit_code == 0, check.output + diff.output
        said[parallel_from] = (check.output, diff.output)
    assert said[1] == said[10_000]
    assert "design-docs/think-together" in said[1][1]  # the edit is seen


def test_what_a_killed_build_left_in_the_cache_is_removed(run, series, tmp_path):
    assert run("build", series, "-o", tmp_path / "a.apkg").exit_code == 0
    stale = tmp_path / FOLDER / ".k1ll3d.tmp"
    stale.write_bytes(b"half a cache file")
    script = series / "03-design-docs.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Almost never.", "Rarely."), encoding="utf-8")
    assert run("build", series, "-o", tmp_path / "a.apkg").exit_code == 0
    assert not stale.exists()
    assert not list((tmp_path / FOLDER).glob(".*.tmp"))  # nor does the build leave any
