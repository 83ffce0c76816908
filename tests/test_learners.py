"""Learners keep every review across rebuilds: scenarios in the real Anki backend.

Each scenario builds v1 through the CLI, imports it into a fresh collection,
answers every card (so each has history and an interval), edits the scripts as
an author would, rebuilds, imports v2 with the desktop's default options and
checks what the learner has.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from anki_helpers import answer_all, import_package, imported, notes_of, open_collection, package_notes
from cli import invoke
from conftest import CORPUS, TWO, Project

T0 = 1_700_000_000  # builds in the past: a learner's edit made now is newer


pytestmark = pytest.mark.project(TWO, name="Staff Engineering", folder="se", built=False)


def release(project: Project, *args: str, when: int | None = None) -> tuple[Path, str]:
    """Build the next version, dist/v<n>.apkg, at a time past the last one (or ``when``)."""
    out, result = attempt(project, *args, when=when)
    assert result.exit_code == 0, result.output
    return out, result.output


def attempt(project: Project, *args: str, when: int | None = None):
    """Try to build the next version: (its package path, the CLI's result)."""
    project.releases = getattr(project, "releases", 0) + 1
    out = project.root / "dist" / f"v{project.releases}.apkg"
    return out, project.build(project.config, "-o", out, *args,
                              env={"SOURCE_DATE_EPOCH": str(when or T0 + 1000 * project.releases)})


@dataclass
class Learner:
    col: object

    def notes(self) -> dict[str, object]:
        return {note.guid: note for note in notes_of(self.col)}

    def history(self) -> dict[int, tuple[int, int]]:
        """card id → (reviews in the log, interval)."""
        out = {}
        for cid in self.col.find_cards(""):
            card = self.col.get_card(cid)
            reps = self.col.db.scalar("select count() from revlog where cid = ?", cid)
            out[cid] = (reps, card.ivl)
        return out

    def note_by_text(self, text: str):
        hits = [n for n in self.notes().values() if text in " ".join(n.fields)]
        assert len(hits) == 1, f"{len(hits)} notes contain {text!r}"
        return hits[0]


@pytest.fixture
def learner(tmp_path):
    folder = tmp_path / "learner"
    folder.mkdir()
    col = open_collection(folder)
    yield Learner(col)
    col.close()


def study(project: Project, learner: Learner):
    apkg, _ = release(project)
    log = import_package(learner.col, apkg)
    assert log["new"] > 0 and log["conflicting"] == 0
    assert answer_all(learner.col) > 0
    return learner.notes(), learner.history()


def update(project: Project, learner: Learner, *args: str, delivered: bool = True):
    apkg, output = release(project, *args)
    log = import_package(learner.col, apkg)
    assert log["conflicting"] == 0 and log["missing_notetype"] == 0
    if delivered:
        assert_delivered(learner, apkg)
    return log, output


def assert_delivered(learner: Learner, apkg: Path) -> None:
    """What learners see is what the package says: every note it ships has, in the
    learner's collection, its note type, fields and tags; no note of the learner's is
    left over (neither shipped nor tagged retired)."""
    shipped = {n.guid: n for n in package_notes(apkg)}
    mine = learner.notes()
    left_over = [g for g, n in mine.items() if g not in shipped and "retired" not in n.tags]
    assert not left_over, f"{len(left_over)} left-over notes"
    for guid, (_, mid, fields, tags) in shipped.items():
        note = mine[guid]
        assert note.mid == mid, f"note {guid} changed type"
        assert list(note.fields) == fields, f"note {guid}: the learner has {note.fields}, the package {fields}"
        assert set(note.tags) == set(tags.split()), f"note {guid}: tags {note.tags}, the package {tags}"


def assert_history_kept(learner: Learner, before_notes, before_history):
    after_notes = learner.notes()
    after_history = learner.history()
    assert len(after_notes) == len(set(after_notes)), "duplicate GUID"
    for guid, note in before_notes.items():
        assert guid in after_notes, f"note {guid} lost"
        assert after_notes[guid].id == note.id
    for cid, (reps, ivl) in before_history.items():
        assert cid in after_history, "a card lost its history"
        assert after_history[cid] == (reps, ivl)
    texts = [" ".join(n.fields) for n in after_notes.values() if "retired" not in n.tags]
    assert len(texts) == len(set(texts)), "the same note twice"


def test_reword_updates_in_place(project, learner):
    notes, history = study(project, learner)
    project.edit("Staying in your lane.", "Staying inside your lane.")
    log, output = update(project, learner)
    assert log["updated"] == 1 and log["new"] == 0
    assert_history_kept(learner, notes, history)
    assert "inside your lane" in learner.note_by_text("inside your lane").fields[0]
    assert "1 changed" in output


def test_reorder_keeps_everything(project, learner):
    notes, history = study(project, learner)
    path = project.script()
    text = path.read_text(encoding="utf-8")
    bullets = re.findall(r"^- \*\*.*$", text, re.M)
    reordered = text
    for a, b in zip(bullets, reversed(bullets)):
        reordered = reordered.replace(a, "\0" + b[2:], 1) if a != b else reordered
    path.write_text(reordered.replace("\0", "- "), encoding="utf-8")
    log, _ = update(project, learner)
    assert log["new"] == 0
    assert_history_kept(learner, notes, history)
    assert set(learner.notes()) == set(notes)


def test_rename_and_renumber_file(project, learner):
    notes, history = study(project, learner)
    project.script().rename(project.script("07-owning-it.md"))
    log, output = update(project, learner)
    assert log["new"] == 0
    assert_history_kept(learner, notes, history)
    assert set(learner.notes()) == set(notes)
    # the subdeck learners have is kept, and the author is told why
    names = {d.name for d in learner.col.decks.all_names_and_ids()}
    assert "Staff Engineering::07 Ownership: Beyond Your Code" not in names


def test_retitle_keeps_subdeck_unless_asked(project, learner):
    notes, history = study(project, learner)
    project.edit("# Ownership: Beyond Your Code", "# Ownership Beyond the Code")
    apkg, output = release(project)
    assert "--rename-decks" in output
    log = import_package(learner.col, apkg)
    assert log["new"] == 0
    assert_history_kept(learner, notes, history)
    assert_delivered(learner, apkg)  # the new title is on every card of the video
    names = {d.name for d in learner.col.decks.all_names_and_ids()}
    assert "Staff Engineering::01 Ownership Beyond the Code" not in names
    apkg, output = release(project, "--rename-decks")
    assert "subdeck renamed" in output
    import_package(learner.col, apkg)
    assert_history_kept(learner, notes, history)


def test_bold_phrase_changed_slightly_is_renamed(project, learner):
    notes, history = study(project, learner)
    project.edit("**Trap:**", "**The trap:**")
    log, output = update(project, learner)
    assert log["new"] == 0 and log["updated"] == 1
    assert "ownership/recap/trap → ownership/recap/the-trap" in output
    assert_history_kept(learner, notes, history)
    assert "The trap:" in learner.note_by_text("The trap:").fields[0]


def test_deleted_bullet_is_retired(project, learner, tmp_path):
    notes, history = study(project, learner)
    project.edit("- **Trap:** Staying in your lane. At L6, you expand the lane. Your scope grows with your level.\n", "")
    log, output = update(project, learner)
    assert log["new"] == 0
    assert_history_kept(learner, notes, history)
    trap = learner.note_by_text("Staying in your lane.")
    assert "retired" in trap.tags
    assert 'tag:retired' in output
    assert learner.col.find_notes('tag:retired') == [trap.id]
    # a new learner gets the retired note but no card of it: never studied
    (tmp_path / "fresh").mkdir()
    with imported(tmp_path / "fresh", project.root / "dist" / f"v{project.releases}.apkg") as (fresh, _):
        assert len(fresh.find_notes("tag:retired")) == 1
        assert fresh.find_cards("tag:retired") == []
        assert len(fresh.find_cards("")) == len(learner.col.find_cards("")) - 1
    # retired is not forever: the bullet written again gets its GUID, cards and history back
    project.edit("- **At L6:**", "- **Trap:** Staying in your lane. Again.\n- **At L6:**")
    log, output = update(project, learner)
    assert log["new"] == 0 and log["updated"] == 1
    assert "1 restored" in output
    assert_history_kept(learner, notes, history)
    assert set(learner.notes()) == set(notes)
    trap = learner.note_by_text("Again.")
    assert trap.id == notes[trap.guid].id and "retired" not in trap.tags
    assert learner.col.find_notes("tag:retired") == []


def test_added_bullet_is_new(project, learner):
    notes, history = study(project, learner)
    project.edit("- **Trap:**", "- **Blast radius:** Count who your change can break.\n- **Trap:**")
    log, output = update(project, learner)
    assert log["new"] == 1 and log["updated"] == 0
    assert_history_kept(learner, notes, history)


def test_dropping_a_term_keeps_cloze_numbers(project, learner):
    notes, history = study(project, learner)
    project.edit("→ **System ownership** ", "")
    log, output = update(project, learner)
    assert "empty card" in output and "Tools → Empty Cards" in output
    assert_history_kept(learner, notes, history)
    note = learner.note_by_text("Code ownership")
    assert "{{c1::Code ownership}}" in note.fields[0]
    assert "{{c3::Technical direction ownership}}" in note.fields[0]
    assert "c2::" not in note.fields[0]
    # adding a term later takes a new number, never 2
    project.edit("**Code ownership** →", "**Code ownership** → **Team ownership** →")
    update(project, learner)
    assert "{{c4::Team ownership}}" in learner.note_by_text("Team ownership").fields[0]


def test_learner_edit_wins_until_author_changes_the_note(project, learner):
    notes, history = study(project, learner)
    note = learner.note_by_text("Staying in your lane.")
    note.fields[2] = "my own mnemonic"
    learner.col.update_note(note)
    # the author changes another note: the learner's edit stays
    project.edit("Each level expands.", "Each level widens.")
    update(project, learner, delivered=False)  # but for the learner's own edit
    assert learner.note_by_text("Staying in your lane.").fields[2] == "my own mnemonic"
    assert "Each level widens." in learner.note_by_text("Each level widens.").fields[0]
    # the author changes that very note later: the author's version arrives
    project.edit("Staying in your lane.", "Staying in your own lane.")
    apkg, _ = release(project, when=int(time.time()) + 60)
    log = import_package(learner.col, apkg)
    assert log["updated"] == 1
    assert "Staying in your own lane." in learner.note_by_text("your own lane").fields[0]
    assert_history_kept(learner, notes, history)


def test_no_change_rebuild_is_byte_identical(project, learner):
    notes, history = study(project, learner)
    first = (project.root / "dist" / "v1.apkg").read_bytes()
    lock_before = project.lock.read_bytes()
    apkg, output = release(project)
    assert apkg.read_bytes() == first
    assert project.lock.read_bytes() == lock_before
    assert "no changes" in output
    log = import_package(learner.col, apkg)
    assert log["updated"] == 0 and log["new"] == 0
    assert_history_kept(learner, notes, history)


def test_deleted_lock_keeps_guids(project, learner):
    notes, history = study(project, learner)
    project.lock.unlink()
    log, _ = update(project, learner)
    assert log["new"] == 0
    assert set(learner.notes()) == set(notes)
    assert_history_kept(learner, notes, history)


def test_every_edit_reaches_the_learner(project, learner):
    """Builds in the same second (a fixed SOURCE_DATE_EPOCH) still move mod forward."""
    study(project, learner)
    for i, word in enumerate(("widens", "grows", "spreads")):
        project.edit("Each level expands." if i == 0 else f"Each level {prev}.", f"Each level {word}.")
        prev = word
        apkg, _ = release(project, when=T0)
        log = import_package(learner.col, apkg)
        assert log["updated"] == 1, f"edit {i} frozen by an old mod"
        assert f"Each level {word}." in learner.note_by_text(f"Each level {word}.").fields[0]


# --- Issue [2/4]: no edit, typo, partial build or upgrade costs a learner a review ---------
# Each flow: a learner who answered every card, the author's edit, a rebuild, an import; then
# ``assert_sound``: 0 duplicates, 0 left-over notes, 0 conflicting, 0 lost histories, and
# every field the package holds is what the learner has (every edit delivered).


def assert_sound(learner: Learner, apkg: Path, log: dict, before_notes, before_history, *,
                 retired_ok: int = 0) -> None:
    """The learner's collection after importing ``apkg`` (the series' full package)."""
    assert log["conflicting"] == 0, "conflicting notes"
    assert log["missing_notetype"] == 0
    assert_history_kept(learner, before_notes, before_history)  # no lost history, no duplicate
    assert_delivered(learner, apkg)
    retired = [g for g, n in learner.notes().items() if "retired" in n.tags]
    assert len(retired) <= retired_ok, f"{len(retired)} retired notes"


def test_bullet_deleted_then_put_back_keeps_its_guid(project, learner):
    notes, history = study(project, learner)
    bullet = "- **Trap:** Staying in your lane. At L6, you expand the lane. Your scope grows with your level.\n"
    project.edit(bullet, "")
    apkg, output = release(project)
    assert "1 retired" in output
    log = import_package(learner.col, apkg)  # this learner has the middle build
    project.edit("- **2 AM page", bullet + "- **2 AM page")
    log, output = update(project, learner)
    assert "1 restored" in output
    assert log["new"] == 0 and log["updated"] == 1
    assert_sound(learner, project.root / "dist" / f"v{project.releases}.apkg", log, notes, history)
    assert set(learner.notes()) == set(notes)


def test_bullet_put_back_for_a_learner_who_skipped_the_middle_build(project, learner):
    notes, history = study(project, learner)
    bullet = "- **Trap:** Staying in your lane. At L6, you expand the lane. Your scope grows with your level.\n"
    project.edit(bullet, "")
    release(project)  # not imported
    project.edit("- **2 AM page", bullet + "- **2 AM page")
    log, output = update(project, learner)
    assert log["new"] == 0
    assert_sound(learner, project.root / "dist" / f"v{project.releases}.apkg", log, notes, history)


def test_misspelled_recap_heading_is_refused_then_fixed(project, learner):
    notes, history = study(project, learner)
    lock = project.lock.read_bytes()
    project.edit("## Quick Recap (5 bullets)", "## Quick Reacp (5 bullets)")
    out, result = attempt(project)
    assert result.exit_code == 1
    line = project.script().read_text(encoding="utf-8").splitlines().index("## Quick Reacp (5 bullets)") + 1
    assert (f"01-ownership.md:{line}: error: heading 'Quick Reacp (5 bullets)' names no section: "
            "did you mean 'Quick Recap'?") in result.output
    assert "--retire-sections" in result.output and "nothing was written" in result.output
    assert not out.exists() and project.lock.read_bytes() == lock
    diff = invoke("diff", project.config)
    check = invoke("check", project.config)
    assert diff.exit_code == 1 and "did you mean 'Quick Recap'" in diff.output
    assert check.exit_code == 1 and "section-vanished" in check.output
    # confirmed on purpose, then fixed: the 5 notes come back under their GUIDs
    apkg, output = release(project, "--retire-sections")
    assert "5 retired" in output
    import_package(learner.col, apkg)
    project.edit("## Quick Reacp (5 bullets)", "## Quick Recap (5 bullets)")
    log, output = update(project, learner)
    assert "5 restored" in output and log["new"] == 0
    assert_sound(learner, project.root / "dist" / f"v{project.releases}.apkg", log, notes, history)


def test_deleted_recap_section_needs_the_flag(project, learner):
    notes, history = study(project, learner)
    text = project.script().read_text(encoding="utf-8")
    start = text.index("## Quick Recap")
    end = text.find("\n## ", start + 1)
    project.script().write_text(text[:start] + (text[end + 1:] if end > 0 else ""), encoding="utf-8")
    out, result = attempt(project)
    assert result.exit_code == 1 and "the Quick Recap section is gone" in result.output
    assert not out.exists()
    apkg, output = release(project, "--retire-sections")
    assert "5 retired" in output
    log = import_package(learner.col, apkg)
    assert_sound(learner, apkg, log, notes, history, retired_ok=5)


def test_building_one_script_never_touches_the_other_videos(project, learner):
    notes, history = study(project, learner)
    lock = project.lock.read_text(encoding="utf-8")
    project.edit("Staying in your lane.", "Staying inside your lane.")
    result = invoke("build", "decks/se/01-ownership.md", "-o", "one.apkg")
    assert result.exit_code == 0, result.output
    assert "1 other video not built: its lock entries are kept as they are" in result.output
    assert "total: 0 added, 1 changed, 0 renamed, 0 retired" in result.output
    after = project.lock.read_text(encoding="utf-8")
    others = [line for line in lock.splitlines() if '"trade-offs' in line]
    assert others and all(line in after.splitlines() for line in others)  # byte for byte
    one = package_notes(project.root / "one.apkg")
    assert len(one) == 11  # that video only: nothing of the other video, nothing retired
    log = import_package(learner.col, project.root / "one.apkg")
    assert log["updated"] == 1 and log["new"] == 0 and log["conflicting"] == 0
    log, output = update(project, learner)  # the next full build: nothing to re-add
    assert log["new"] == 0 and log["updated"] == 0 and "no changes" in output
    assert_sound(learner, project.root / "dist" / f"v{project.releases}.apkg", log, notes, history)
    # without -o, never mistaken for the whole deck; diff and check take the script too
    lock = project.lock.read_bytes()
    for command in (["build"], ["diff"], ["check"]):
        result = invoke(*command, "decks/se/02-trade-offs.md")
        assert result.exit_code == 0, result.output
    assert (project.root / "dist" / "staff-engineering-partial.apkg").exists()
    assert not (project.root / "dist" / "staff-engineering.apkg").exists()
    assert project.lock.read_bytes() == lock


def test_bold_removed_keeps_the_cloze_note(project, learner, monkeypatch):
    notes, history = study(project, learner)
    project.edit("- **Code ownership** → **System ownership** → **Technical direction ownership.**",
                "- Code ownership → System ownership → Technical direction ownership.")
    log, output = update(project, learner)
    assert log["new"] == 0 and log["updated"] == 0  # the same deletions, numbers and words
    apkg = project.root / "dist" / f"v{project.releases}.apkg"
    assert_sound(learner, apkg, log, notes, history)
    note = learner.note_by_text("Technical direction ownership")
    assert note.note_type()["name"] == "ankigen Cloze"
    assert "{{c1::Code ownership}} → {{c2::System ownership}} → {{c3::Technical" in note.fields[0]
    # a bullet with no bold phrase in common with its deletions: the question, then the answer
    project.edit("**Trap:** Staying in your lane.", "Trap, in short: staying in your lane.")
    log, output = update(project, learner)
    assert log["new"] == 0 and log["updated"] == 1
    trap = learner.note_by_text("staying in your lane")
    assert trap.note_type()["name"] == "ankigen Cloze" and "{{c1::" in trap.fields[0]
    # asked explicitly: retired with its reviews, a question/answer note added (here an
    # ankigen that finds nothing to hide in a bullet with no bold)
    import ankigen.recap as recap

    monkeypatch.setattr(recap, "deletions", lambda text, title="": None)
    project.edit("Each level expands.", "Each level widens.")
    log, output = update(project, learner, "--retype")
    assert "retyped (--retype)" in output and log["new"] == 2  # both bullets with no bold
    assert "retired" in learner.notes()[note.guid].tags and "retired" in learner.notes()[trap.guid].tags


def test_reorder_and_a_line_above_reach_learners_as_the_package_says(project, learner):
    notes, history = study(project, learner)
    path = project.script()
    text = path.read_text(encoding="utf-8")
    bullets = re.findall(r"^- \*\*.*$", text, re.M)
    text = text.replace(bullets[0], "\0")
    text = text.replace(bullets[-1], bullets[0]).replace("\0", bullets[-1])
    path.write_text(text.replace("## Quick Recap", "A new line of context.\n\n## Quick Recap", 1), encoding="utf-8")
    log, output = update(project, learner)
    assert log["new"] == 0 and log["updated"] == 0
    assert_sound(learner, project.root / "dist" / f"v{project.releases}.apkg", log, notes, history)
    assert not any(re.search(r"\.md:\d", f) for n in learner.notes().values() for f in n.fields)


def test_nfd_spelling_is_the_same_text(project, learner):
    import unicodedata

    project.edit("Staying in your lane.", "Staying in your lane, café.")
    notes, history = study(project, learner)
    package, lock = (project.root / "dist" / "v1.apkg").read_bytes(), project.lock.read_bytes()
    path = project.script()
    path.write_text(unicodedata.normalize("NFD", path.read_text(encoding="utf-8")), encoding="utf-8")
    apkg, output = release(project, when=T0 + 1000)
    assert "no changes" in output
    assert apkg.read_bytes() == package and project.lock.read_bytes() == lock


def test_init_template_never_lends_its_guids(tmp_path, monkeypatch, learner):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0))
    assert invoke("init", "--series", "SE").exit_code == 0
    assert invoke("build", "-o", "v1.apkg").exit_code == 0
    log = import_package(learner.col, tmp_path / "v1.apkg")
    answer_all(learner.col)
    template = learner.notes()
    shutil.copy(CORPUS / "02-trade-offs.md", tmp_path / "decks" / "se" / "01-first-video.md")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0 + 1000))
    result = invoke("build", "-o", "v2.apkg")
    assert result.exit_code == 0, result.output
    log = import_package(learner.col, tmp_path / "v2.apkg")
    assert log["conflicting"] == 0
    for guid, note in learner.notes().items():
        if guid in template:  # a placeholder GUID: still the placeholder, retired
            assert "retired" in note.tags, f"placeholder {guid} now carries {note.fields[0][:60]}"


def test_upgrading_ankigen_never_changes_a_notes_type(project, learner, monkeypatch):
    """A recap bullet with no bold was a question/answer note before ankigen read its
    shape; the ankigen that makes it a cloze (same anchor) keeps it the question/answer note
    learners have, under its GUID."""
    import ankigen.recap as recap

    project.edit("- **Cross-team:** Downstream", "- Cross-team: Downstream")
    monkeypatch.setattr(recap, "deletions", lambda text, title="": None)  # as ankigen 0.1 did
    notes, history = study(project, learner)
    before = learner.note_by_text("Cross-team")
    assert before.note_type()["name"] == "ankigen Q/A"
    monkeypatch.undo()  # the new version, and a new version's cache
    shutil.rmtree(project.root / "dist" / ".cache", ignore_errors=True)
    log, output = update(project, learner)
    assert log["new"] == 0 and log["updated"] == 1
    assert_sound(learner, project.root / "dist" / f"v{project.releases}.apkg", log, notes, history)
    after = learner.notes()[before.guid]
    assert after.note_type()["name"] == "ankigen Q/A"
    assert "Cross-team: Downstream causes your incidents? [...]" in after.fields[0]
    assert "It's your problem too." in after.fields[1]
    log, output = update(project, learner)  # and it stays so
    assert log["updated"] == 0 and "no changes" in output


def test_init_template_renamed_before_its_first_build_never_lends_its_guids(tmp_path, monkeypatch, learner):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0))
    assert invoke("init", "--series", "SE").exit_code == 0
    script = tmp_path / "decks" / "se" / "01-intro.md"
    (tmp_path / "decks" / "se" / "01-first-video.md").rename(script)
    assert invoke("build", "-o", "v1.apkg").exit_code == 0
    import_package(learner.col, tmp_path / "v1.apkg")
    answer_all(learner.col)
    template = learner.notes()
    shutil.copy(CORPUS / "02-trade-offs.md", script)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0 + 1000))
    result = invoke("build", "-o", "v2.apkg")
    assert result.exit_code == 0, result.output
    log = import_package(learner.col, tmp_path / "v2.apkg")
    assert log["conflicting"] == 0 and log["new"] == 10
    assert all("retired" in n.tags for g, n in learner.notes().items() if g in template)
