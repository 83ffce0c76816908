"""The lock file: refused when damaged, accepted when merged by hand, never regenerated."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from conftest import CORPUS, TWO, edit_one_of_each
from ankigen.lock import END_MARKER


pytestmark = pytest.mark.project(TWO, name="Staff Engineering", folder="se")
TRAP = "- **Trap:** Staying in your lane. At L6, you expand the lane. Your scope grows with your level."


def test_lock_is_sorted_plain_yaml_with_an_end_marker(project):
    text = project.lock.read_text(encoding="utf-8")
    assert text.rstrip().endswith(END_MARKER)
    data = yaml.safe_load(text)
    keys = list(data["notes"])
    assert keys == sorted(keys)
    trap = data["notes"]["ownership/recap/trap"]
    assert set(trap) >= {"guid", "hash", "mod", "clozes", "text"}
    assert trap["clozes"] == {"staying-in-your-lane": 1}
    assert data["videos"]["ownership"]["subdeck"] == "Staff Engineering::001 Ownership: Beyond Your Code"
    assert set(data["note_types"]) == {"1094166082", "1750312575"}


def test_truncated_lock_is_refused(run, project):
    lock = project.lock
    lock.write_bytes(lock.read_bytes()[: len(lock.read_bytes()) // 2])
    project.refused("decks/se.lock.yaml", None, "cut short", "git checkout")
    assert len(project.last.output.strip().splitlines()) == 2


def test_merge_conflict_markers_are_refused(run, project):
    lock = project.lock
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if "ownership/recap/trap\":" in line)
    lines[i:i] = ["<<<<<<< HEAD\n", "=======\n", ">>>>>>> theirs\n"]
    lock.write_text("".join(lines), encoding="utf-8")
    project.refused("decks/se.lock.yaml", i + 1, "merge-conflict")


@pytest.mark.parametrize(("mangle", "line"), [
    (lambda t: t.replace('"guid":', '"gooid":', 1), 14),
    (lambda t: t.replace('"mod": ', '"mod": "soon", "m": ', 1), 8),
    (lambda t: t.replace('"clozes": {', '"clozes": {"x": "one", ', 1), 17),
    (lambda t: t.replace("version: 1", "version: 7"), None),
    (lambda t: "notes: [\n" + t, 1),
])
def test_hand_mangled_lock_is_refused(project, mangle, line):
    project.lock.write_text(mangle(project.lock.read_text(encoding="utf-8")), encoding="utf-8")
    project.refused("decks/se.lock.yaml", line)


def test_one_guid_twice_in_the_lock_is_refused(run, project):
    lock = project.lock
    data = yaml.safe_load(lock.read_text(encoding="utf-8"))
    guid = data["notes"]["ownership/recap/trap"]["guid"]
    text = lock.read_text(encoding="utf-8")
    other = data["notes"]["ownership/one-liner"]["guid"]
    assert f'"guid": "{other}"' in text
    lock.write_text(text.replace(f'"guid": "{other}"', f'"guid": "{guid}"'), encoding="utf-8")
    project.refused("decks/se.lock.yaml", None, "both")


def test_valid_hand_merged_lock_is_accepted(run, project):
    """Two branches each added a note; the merged lock (both entries) builds."""
    lock = project.lock
    data = yaml.safe_load(lock.read_text(encoding="utf-8"))
    text = lock.read_text(encoding="utf-8")
    # reorder the notes by hand, as a merge might, keeping YAML valid
    reordered = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    lock.write_text(reordered + END_MARKER + "\n", encoding="utf-8")
    result = run("build", project.config, "--json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)["decks"][0]["changes"]
    assert changes["added"] == [] and changes["changed"] == [] and changes["retired"] == []
    assert lock.read_text(encoding="utf-8") == text


def test_notetype_change_is_refused_unless_allowed(run, project):
    lock = project.lock
    text = lock.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    shape = data["note_types"]["1094166082"]["shape"]
    lock.write_text(text.replace(shape, "deadbeef" * 2), encoding="utf-8")
    out = project.refused("decks/se.yaml", None, "conflicting", "--allow-notetype-change")
    assert "ankigen Cloze+" in out
    result = run("build", project.config, "--allow-notetype-change")
    assert result.exit_code == 0, result.output


def test_css_change_moves_the_notetype_mod_forward(run, project):
    lock = project.lock
    text = lock.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    entry = data["note_types"]["1750312575"]
    lock.write_text(text.replace(entry["look"], "f" * 16), encoding="utf-8")
    result = run("build", project.config)
    assert result.exit_code == 0, result.output
    after = yaml.safe_load(lock.read_text(encoding="utf-8"))["note_types"]["1750312575"]
    assert after["mod"] > entry["mod"]
    assert after["look"] == entry["look"]
    untouched = yaml.safe_load(lock.read_text(encoding="utf-8"))["note_types"]["1094166082"]
    assert untouched["mod"] == data["note_types"]["1094166082"]["mod"]


def test_diff_writes_nothing_and_lists_changes(run, project):
    edit_one_of_each(project.script())
    before = project.files()
    result = run("diff", project.config)
    assert result.exit_code == 0, result.output
    assert project.files() == before
    out = result.output
    assert "+ ownership/recap/blast-radius" in out
    assert "~ ownership/recap/trap" in out and "{+inside+}" in out
    assert "ownership/recap/2-am-page-for-a-dependency → ownership/recap/2-am-page-for-someone-elses-dependency" in out
    assert "- ownership/recap/at-l6" in out
    data = json.loads(run("diff", project.config, "--json").output)["decks"][0]["changes"]
    assert data["added"] == ["ownership/recap/blast-radius"]
    assert data["changed"] == ["ownership/recap/trap"]
    assert data["retired"] == ["ownership/recap/at-l6"]
    assert data["renamed"] == [["ownership/recap/2-am-page-for-a-dependency",
                                "ownership/recap/2-am-page-for-someone-elses-dependency"]]


def test_pin_wins_over_a_changed_bold_phrase(run, project):
    project.edit(TRAP, "- **Comfort zone:** Never leaving it. Grow the lane instead. <!-- ankigen:id trap -->")
    data = json.loads(run("diff", project.config, "--json").output)["decks"][0]["changes"]
    assert data["changed"] == ["ownership/recap/trap"] and not data["added"] and not data["retired"]


def test_unlike_replacement_is_not_guessed(run, project):
    project.edit(TRAP, "- **Pagers:** Rotate them weekly. Nobody should carry one for a month.")
    data = json.loads(run("diff", project.config, "--json").output)["decks"][0]["changes"]
    assert data["added"] == ["ownership/recap/pagers"]
    assert data["retired"] == ["ownership/recap/trap"]
    assert data["renamed"] == []


def test_front_matter_id_keeps_a_moved_video(run, project):
    scripts = project.scripts
    text = (scripts / "01-ownership.md").read_text(encoding="utf-8")
    (scripts / "01-ownership.md").unlink()
    (scripts / "09-something-else.md").write_text("---\nid: ownership\n---\n" + text.replace(
        "# Ownership: Beyond Your Code", "# Owning Outcomes"), encoding="utf-8")
    data = json.loads(run("diff", project.config, "--json").output)["decks"][0]["changes"]
    assert not data["added"] and not data["retired"] and not data["renamed"]


def test_lock_option_and_markdown_folder_lock(run, tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    shutil.copy(CORPUS / "01-ownership.md", folder)
    assert run("build", folder, "-o", tmp_path / "a.apkg").exit_code == 0
    assert (tmp_path / "series.lock.yaml").exists()
    custom = tmp_path / "elsewhere.lock.yaml"
    assert run("build", folder, "-o", tmp_path / "b.apkg", "--lock", custom).exit_code == 0
    assert custom.exists()
    assert (yaml.safe_load(custom.read_text())["notes"]["ownership/recap/trap"]["guid"]
            == yaml.safe_load((tmp_path / "series.lock.yaml").read_text())["notes"]["ownership/recap/trap"]["guid"])


def test_check_reports_what_the_lock_stage_would(run, project):
    script = project.script()
    text = script.read_text(encoding="utf-8").replace("→ **System ownership** ", "")
    script.write_text(text.replace("# Ownership: Beyond Your Code", "# Owning It"), encoding="utf-8")
    lock = project.lock
    before = lock.read_bytes()
    result = run("check", project.config, "--json")
    codes = {d["code"] for d in json.loads(result.output)}
    assert {"empty-card", "deck-kept"} <= codes
    assert lock.read_bytes() == before
    lock.write_text(lock.read_text(encoding="utf-8")[:200], encoding="utf-8")
    result = run("check", project.config)
    assert result.exit_code == 1 and "cut short" in result.output


from hypothesis import given, settings, strategies as st  # noqa: E402

from ankigen.lock import MAX_TIME, Lock, LockedNote, LockedVideo, dump_lock  # noqa: E402
from ankigen.lockfile import _fast_load, read_lock  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(max_size=80), min_size=1, max_size=4),
       keys=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=4, unique=True))
def test_lock_text_is_yaml_and_reads_back_the_same_both_ways(texts, keys):
    lock = Lock(deck=texts[0], id_base=1)
    for i, key in enumerate(keys):
        lock.notes[key] = LockedNote(f"g{i}", "h", 5, text=texts[i % len(texts)], back=texts[-1],
                                     clozes={texts[0][:10] or "c": 1})
        lock.videos[key] = LockedVideo(texts[-1], texts[0], key)
    text = dump_lock(lock)
    fast = _fast_load(text)
    assert fast is not None
    assert yaml.safe_load(text) == fast
    assert dump_lock(lock) == text


@settings(max_examples=100, deadline=None)
@given(notes=st.lists(st.tuples(st.text(max_size=40), st.text(max_size=20),
                                st.dictionaries(st.text(min_size=1, max_size=8), st.integers(1, 9), max_size=3),
                                st.one_of(st.none(), st.integers(1, MAX_TIME))), min_size=1, max_size=6))
def test_a_lock_note_reads_the_same_one_at_a_time_in_bulk_and_in_a_video_part(tmp_path_factory, notes):
    """Three ways a note is read from its line: on first use, all at once (``read_all``)
    and in a video's part sent to a worker (``Lock.parts``, ``Lock.of_part``)."""
    lock = Lock(deck="D", id_base=1)
    lock.videos["v"] = LockedVideo("s/v.md", "Title", "D::Title")
    for i, (text, back, clozes, retired) in enumerate(notes):
        lock.notes[f"v/recap/n{i}"] = LockedNote(f"g{i}", f"h{i}", i + 1, text, back, clozes, retired,
                                                 {"gone": 9} if i % 2 else {})
    path = tmp_path_factory.mktemp("lock") / "d.lock.yaml"
    path.write_text(dump_lock(lock), encoding="utf-8")
    one_by_one, bulk = read_lock(path, "d.lock.yaml"), read_lock(path, "d.lock.yaml")
    bulk.read_all()
    part = Lock.of_part("D", read_lock(path, "d.lock.yaml").parts()["s/v.md"])
    for key, note in lock.notes.items():
        assert one_by_one.notes[key].guid == note.guid  # read on first use
        assert one_by_one.notes[key].values() == bulk.notes[key].values() == part.notes[key].values() == note.values()
        assert one_by_one.notes[key].as_read() == bulk.notes[key].as_read() == part.notes[key].as_read() \
            == one_by_one.lines[key]  # each still what its line says: written back as read
    assert part.digest(part.notes) == one_by_one.digest(one_by_one.notes)
