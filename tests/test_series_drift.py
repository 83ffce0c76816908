"""The real series' drift (imitated in tests/corpus/system-design/, copied from
shared/corpus/system-design/): what a careful human expects of each script, and a build
of the whole folder as one deck."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from anki_helpers import package_notes
from ankigen.config import DEFAULT_LEVELS
from ankigen.contrast import Levels
from ankigen.errors import Problems
from ankigen.extract import extract
from ankigen.notes import CONTRAST, LADDER, ONE_LINER, RECAP, THINK
from ankigen.script import decode, parse
from ankigen.text import sentences

TESTS = Path(__file__).parent
SYSTEM_DESIGN = TESTS / "corpus" / "system-design"

# The README's table ("What a careful human would expect per file"): recap notes,
# one-liner, think-together, level contrasts, ladder.
EXPECTED = {
    "Topic_01_What_Is_A_Queue.md": (5, 1, 1, 0, False),
    "Topic_02_Retries_With_Backoff.md": (5, 1, 1, 0, False),
    "Topic_03_Write_Ahead_Log.md": (5, 1, 1, 0, False),
    "Topic_09_Consistent_Hashing.md": (6, 1, 1, 0, False),  # the heading says 5
    "Topic_10_Load_Shedding.md": (5, 1, 1, 0, False),
    "Topic_11_Leader_Election.md": (5, 1, 1, 0, False),
    "Topic_100_Idempotency_Keys.md": (5, 1, 1, 3, True),
    "Topic_101_Cache_Stampede.md": (5, 1, 1, 0, False),
}
LEVELS = {"01": "beginner", "02": "beginner", "03": "intermediate", "09": "intermediate",
          "10": "staff", "11": "intermediate", "100": "staff", "101": "staff"}


def _video(md: Path):
    problems = Problems()
    video = extract(parse(decode(md.read_bytes(), md.name), md.name), md, Levels(DEFAULT_LEVELS), problems)
    return video, problems


def test_the_copies_are_the_eight_scripts():
    assert sorted(p.name for p in SYSTEM_DESIGN.glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_script_gives_the_notes_a_careful_human_expects(name):
    video, problems = _video(SYSTEM_DESIGN / name)
    assert video is not None, [str(d) for d in problems.items]
    kinds = [n.kind for n in video.notes]
    got = (kinds.count(RECAP), kinds.count(ONE_LINER), kinds.count(THINK), kinds.count(CONTRAST),
           LADDER in kinds)
    assert got == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_video_level_is_a_tag_never_a_card(name):
    video, _ = _video(SYSTEM_DESIGN / name)
    number = re.match(r"Topic_(\d+)_", name).group(1)
    assert f"level::{LEVELS[number]}" in video.tags
    assert not any("Video Length" in n.section or "Video Length" in n.text for n in video.notes)


# What the author says to the viewer around a think-together, in the corpus and in the cases.
STAGE = re.compile(r"^\W*(pause\b|got your answer|let me walk|let's walk|trick question|"
                   r"think about it|take a moment|don't answer|here's one|here's a tricky|ready\?|"
                   r"(question|answer|q|a)\s*\W*:)", re.I)


def _think_notes():
    for md in sorted(SYSTEM_DESIGN.glob("*.md")) + sorted((TESTS / "cases").glob("think-*.md")):
        video, _ = _video(md)
        for note in video.notes if video else ():
            if note.kind == THINK:
                yield md.name, note


def test_every_think_together_is_found_and_no_stage_direction_reaches_a_card():
    found = dict(_think_notes())
    assert set(EXPECTED) <= set(found)
    for name, note in found.items():
        for field in (note.text, note.back, note.extra):
            for sentence in sentences(field):
                assert not STAGE.search(sentence), f"{name}: {sentence!r}"
        assert "Hint" not in note.text and "Hint" not in note.back, name


def test_analogies_are_context_not_think_togethers():
    video, problems = _video(SYSTEM_DESIGN / "Topic_01_What_Is_A_Queue.md")
    assert [n.kind for n in video.notes].count(THINK) == 1
    assert not any(d.code == "no-question" for d in problems.items)


# ---------------------------------------------------------------- the whole folder, built

def test_the_whole_series_builds_as_one_deck_with_few_warnings(run, tmp_path):
    folder = tmp_path / "system-design"
    shutil.copytree(SYSTEM_DESIGN, folder)
    result = run("build", folder, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    [deck] = report["decks"]
    assert deck["videos"] == 8
    assert deck["notes"] == sum(r + o + t + c + lad for r, o, t, c, lad in EXPECTED.values())
    warnings = report["warnings"]
    assert any(w["file"].endswith("Topic_10_Load_Shedding.md") and w["line"] == 43
               and "code fence is never closed" in w["message"] for w in warnings), warnings
    assert len(warnings) <= deck["videos"] / 3, warnings
    rows = package_notes(tmp_path / "dist" / "system-design.apkg")
    staff = [note.tags for note in rows if "load-shedding" in note.tags]
    assert staff and all("level::staff" in tags.split() for tags in staff)


def test_the_same_series_on_the_command_line_names_the_fence(run, tmp_path):
    folder = tmp_path / "system-design"
    shutil.copytree(SYSTEM_DESIGN, folder)
    result = run("build", folder)
    assert result.exit_code == 0, result.output
    assert "system-design/Topic_10_Load_Shedding.md:43: warning: code fence is never closed" in result.stderr


def test_in_anki_the_levels_are_tags_and_no_card_shows_a_stage_direction(run, tmp_path):
    from anki_helpers import cards_of, imported, seen

    folder = tmp_path / "system-design"
    shutil.copytree(SYSTEM_DESIGN, folder)
    assert run("build", folder, "-o", tmp_path / "sd.apkg").exit_code == 0
    (tmp_path / "anki").mkdir()
    with imported(tmp_path / "anki", tmp_path / "sd.apkg") as (col, log):
        assert log["new"] == 61
        for level in set(LEVELS.values()):
            notes = sum(sum(EXPECTED[n][:4]) + EXPECTED[n][4] for n in EXPECTED
                        if LEVELS[re.match(r"Topic_(\d+)_", n).group(1)] == level)
            assert len(col.find_notes(f"tag:level::{level}")) == notes, level
        for card in cards_of(col, "tag:think-together"):
            shown = " ".join(seen(card))
            for phrase in ("Pause", "Got your answer", "walk through it", "Trick question",
                           "Question:", "Answer:", "Don't answer"):
                assert phrase not in shown, shown
