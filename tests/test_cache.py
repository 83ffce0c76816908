"""The parse cache and parallel reading: faster, never different."""

from __future__ import annotations

import shutil

import pytest

from ankigen.build import Options, build
from ankigen.cache import FOLDER
from conftest import CORPUS


@pytest.fixture
def se_folder(run, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "se"
    shutil.copytree(CORPUS, folder)
    return folder


def built(se_folder, output, **options):
    """A build through the API, in the run's working folder: the deck's result."""
    report = build([se_folder], Options(output=output, **options))
    return report.decks[0]


def test_a_rebuild_parses_only_what_changed(run, se_folder, tmp_path):
    assert run("build", se_folder, "-o", tmp_path / "a.apkg").exit_code == 0
    assert any((tmp_path / FOLDER).rglob("*"))
    script = se_folder / "03-design-docs.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Almost never.", "Rarely."), encoding="utf-8")
    deck = built(se_folder, tmp_path / "b.apkg")
    assert deck.work.read == ["se/03-design-docs.md"]
    assert deck.changes.as_json()["changed"] == ["design-docs/think-together"]


def test_cached_build_is_byte_identical_to_an_uncached_one(run, se_folder, tmp_path):
    assert run("build", se_folder, "-o", tmp_path / "a.apkg", "--lock", tmp_path / "a.lock").exit_code == 0
    assert run("build", se_folder, "-o", tmp_path / "b.apkg", "--lock", tmp_path / "a.lock").exit_code == 0
    shutil.rmtree(tmp_path / FOLDER)
    assert run("build", se_folder, "-o", tmp_path / "c.apkg", "--lock", tmp_path / "a.lock").exit_code == 0
    assert (tmp_path / "b.apkg").read_bytes() == (tmp_path / "c.apkg").read_bytes()


def test_a_damaged_entry_is_a_miss(run, se_folder, tmp_path):
    assert run("build", se_folder, "-o", tmp_path / "a.apkg").exit_code == 0
    assert built(se_folder, tmp_path / "b.apkg").work.read == []  # all from the cache
    for entry in (tmp_path / FOLDER).rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:10])
    assert len(built(se_folder, tmp_path / "b.apkg").work.read) == 6


def test_a_refused_build_or_a_diff_writes_no_cache(run, se_folder, tmp_path):
    assert run("diff", se_folder).exit_code == 0
    assert not (tmp_path / FOLDER).exists()
    (se_folder / "notes.md").write_bytes("# Café\n\n## Quick Recap\n\n- **Trap:** é\n".encode("latin-1"))
    assert run("build", se_folder, "-o", tmp_path / "a.apkg").exit_code == 1
    assert not (tmp_path / FOLDER).exists()


def test_parallel_reading_gives_the_same_package(run, se_folder, tmp_path):
    for i in range(7, 20):  # enough scripts for two processes
        (se_folder / f"{i:02d}-copy.md").write_text(
            f"---\nid: copy-{i}\n---\n" + (se_folder / "01-ownership.md").read_text(encoding="utf-8"),
            encoding="utf-8")
    assert built(se_folder, tmp_path / "seq.apkg", lock=tmp_path / "seq.lock", parallel_from=10_000).work.workers == 0
    shutil.rmtree(tmp_path / FOLDER)
    par = built(se_folder, tmp_path / "par.apkg", lock=tmp_path / "par.lock", parallel_from=2, workers=2)
    assert par.work.workers == 2 and len(par.work.read) == 19
    assert (tmp_path / "seq.apkg").read_bytes() == (tmp_path / "par.apkg").read_bytes()
    assert (tmp_path / "seq.lock").read_bytes() == (tmp_path / "par.lock").read_bytes()


def test_with_workers_a_damaged_lock_is_refused_as_ever(run, se_folder, tmp_path):
    """With many scripts parsed by other processes, a damaged lock is still refused the
    same way, and only after the scripts' own errors."""
    from ankigen.errors import AnkigenError

    def refused(**options) -> str:
        with pytest.raises(AnkigenError) as e:
            built(se_folder, tmp_path / "c.apkg", **options)
        return "\n".join(map(str, e.value.diagnostics))

    lock = tmp_path / "s.lock"
    workers = dict(lock=lock, parallel_from=2, workers=2)
    assert run("build", se_folder, "-o", tmp_path / "a.apkg", "--lock", lock).exit_code == 0
    shutil.rmtree(tmp_path / FOLDER)  # every script is parsed again, by the workers
    assert built(se_folder, tmp_path / "b.apkg", **workers).work.workers == 2
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()
    text = lock.read_text(encoding="utf-8")
    lock.write_text(text.replace('"mod": ', '"mod": "soon", "m": ', 1), encoding="utf-8")
    shutil.rmtree(tmp_path / FOLDER)
    said = refused(**workers)
    assert "s.lock" in said and "whole number" in said
    (se_folder / "02-trade-offs.md").write_bytes(b"")
    said = refused(**workers)
    assert "02-trade-offs.md" in said and "s.lock" not in said


def test_a_rebuild_rewrites_only_the_cache_files_that_changed(run, se_folder, tmp_path):
    def files():
        return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (tmp_path / FOLDER).glob("*.pickle")}

    for _ in range(2):  # parses, then the settled videos
        assert run("build", se_folder, "-o", tmp_path / "a.apkg").exit_code == 0
    before = files()
    assert run("build", se_folder, "-o", tmp_path / "a.apkg").exit_code == 0
    assert files() == before  # nothing changed: nothing written
    script = se_folder / "03-design-docs.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Almost never.", "Rarely."), encoding="utf-8")
    assert run("build", se_folder, "-o", tmp_path / "a.apkg").exit_code == 0
    after = files()
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    # the script's three entries (its parse, its HTML, its settled video) left their files and
    # went to others: six files at most, whichever they are (the keys decide)
    assert 0 < len(changed) <= 6
    assert len(changed) < len(before) or len(before) <= 6


def test_check_and_diff_with_workers_say_what_they_say_without(run, se_folder, tmp_path):
    """``check`` and ``diff`` read scripts as a build does, workers and all."""
    from ankigen.build import diff
    from ankigen.check import check

    lock = tmp_path / "s.lock"
    assert run("build", se_folder, "-o", tmp_path / "a.apkg", "--lock", lock).exit_code == 0
    script = se_folder / "03-design-docs.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Almost never.", "Rarely."), encoding="utf-8")
    said = {}
    for parallel_from in (10_000, 1):
        shutil.rmtree(tmp_path / FOLDER, ignore_errors=True)  # every script is read
        report = diff([se_folder], Options(lock=lock, parallel_from=parallel_from, workers=2))
        deck = report.decks[0]
        assert deck.work.workers == (2 if parallel_from == 1 else 0) and len(deck.work.read) == 6
        shutil.rmtree(tmp_path / FOLDER, ignore_errors=True)
        checked = check([se_folder], options=Options(parallel_from=parallel_from, workers=2))
        said[parallel_from] = (deck.as_json(), [str(d) for d in report.diagnostics], [str(d) for d in checked])
    assert said[1] == said[10_000]
    assert said[1][0]["changes"]["changed"] == ["design-docs/think-together"]  # the edit is seen


def test_what_a_killed_build_left_in_the_cache_is_removed(run, se_folder, tmp_path):
    assert run("build", se_folder, "-o", tmp_path / "a.apkg").exit_code == 0
    stale = tmp_path / FOLDER / ".k1ll3d.tmp"
    stale.write_bytes(b"half a cache file")
    script = se_folder / "03-design-docs.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Almost never.", "Rarely."), encoding="utf-8")
    assert run("build", se_folder, "-o", tmp_path / "a.apkg").exit_code == 0
    assert not stale.exists()
    assert not list((tmp_path / FOLDER).glob(".*.tmp"))  # nor does the build leave any


def test_a_video_read_back_unpickles_its_notes_only_when_used(tmp_path):
    """What a rebuild reads back from the cache for each video is its notes still pickled
    (most videos are settled and never look at them); used, they are the notes it had."""
    import pickle

    from ankigen.levels import Levels
    from ankigen.read import read_video

    file = tmp_path / "01-ownership.md"
    shutil.copy(next(CORPUS.glob("01-*.md")), file)
    video, _ = read_video(file, tmp_path, Levels(("L5", "L6")))
    back = pickle.loads(pickle.dumps(video))
    assert back.notes.__class__.__name__ == "PickledNotes" and back.notes._notes is None
    assert back == video and hash(back) == hash(video) and back.notes._notes is not None
    assert list(back.notes) == list(video.notes) and back.notes[-1] == video.notes[-1]
    again = pickle.loads(pickle.dumps(back))  # written back to the cache as it was read
    assert again.notes.blob == back.notes.blob and again == video
