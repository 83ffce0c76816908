"""The series built through the CLI and imported into real Anki."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from anki_helpers import cards_of, import_package, imported, notes_of, open_collection, seen, visible_text
from conftest import SEED


@pytest.fixture
def seed_deck(run, seed_folder, tmp_path):
    result = run("build", seed_folder, "-o", tmp_path / "seed.apkg", "--json")
    assert result.exit_code == 0, result.output
    with imported(tmp_path, tmp_path / "seed.apkg") as (col, log):
        yield col, log, json.loads(result.output)


def test_seed_gives_its_eleven_notes_and_fifteen_cards(seed_deck):
    col, log, report = seed_deck
    assert log["new"] == 11 and log["conflicting"] == 0
    assert report["decks"][0]["notes"] == 11 and report["decks"][0]["cards"] == 15
    kinds = Counter()
    cards = Counter()
    for note in notes_of(col, "deck:Staff*"):
        kind = next(t for t in note.tags if "::" not in t)
        kinds[kind] += 1
        cards[kind] += len(note.cards())
    assert kinds == {"recap": 5, "one-liner": 1, "contrast": 3, "think-together": 1, "ladder": 1}
    assert cards == {"recap": 7, "one-liner": 1, "contrast": 3, "think-together": 1, "ladder": 3}


def test_every_card_is_answerable_and_names_its_video(seed_deck):
    col, _, _ = seed_deck
    cards = cards_of(col, "deck:Staff*")
    assert len(cards) == 15
    for card in cards:
        front, back = seen(card)
        assert "Ownership: Beyond Your Code" in front
        assert "[...]" in front or "?" in front
        assert back and back != front
        # the cloze answer is not already visible on the front
        note = card.note()
        if "{{c" in note.fields[0]:
            import re
            hidden = re.findall(rf"{{{{c{card.ord + 1}::(.*?)}}}}", note.fields[0])
            for text in hidden:
                assert visible_text(text) not in front


def test_tags_subdecks_and_guids(seed_deck):
    col, _, _ = seed_deck
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert "Staff Engineering::001 Ownership: Beyond Your Code" in names
    guids = [note.guid for note in notes_of(col)]
    assert len(guids) == len(set(guids)) == 11
    for note in notes_of(col):
        assert "staff-engineering::ownership" in note.tags


def test_whole_series_builds_and_imports(run, series, tmp_path):
    result = run("build", series, "-o", tmp_path / "se.apkg")
    assert result.exit_code == 0, result.output
    with imported(tmp_path, tmp_path / "se.apkg") as (col, log):
        assert log["new"] == 57
        for note in notes_of(col):
            assert note.cards(), "note without a card"


def test_new_cards_come_due_in_the_scripts_order(seed_deck):
    col, _, _ = seed_deck
    import genanki

    from ankigen.build import read_video
    from ankigen.contrast import Levels
    from ankigen.config import DEFAULT_LEVELS

    video, _ = read_video(SEED, SEED.parent, Levels(DEFAULT_LEVELS))
    line_of = {genanki.guid_for("ankigen", "staff-engineering", spec.key(video.slug)): spec.line
               for spec in video.notes}  # a first build's GUIDs come from keys
    lines = []
    for cid in sorted(col.find_cards("deck:Staff*"), key=lambda c: (col.get_card(c).due, col.get_card(c).ord)):
        note = col.get_card(cid).note()
        assert note["Source"] == "01-ownership.md"  # the file, no line: a line would go stale
        lines.append(line_of[note.guid])
    assert lines == sorted(lines)
    assert len(set(lines)) == 11


def test_split_packages_share_guids_with_the_whole_deck(run, series, tmp_path):
    result = run("build", series, "-o", tmp_path / "out", "--split", "--json")
    assert result.exit_code == 0, result.output
    deck = json.loads(result.output)["decks"][0]
    assert len(deck["split"]) == 6
    col = open_collection(tmp_path)
    first = import_package(col, tmp_path / "out" / "staff-engineering" / "001-ownership-beyond-your-code.apkg")
    assert first["new"] == 11
    whole = import_package(col, tmp_path / "out" / "staff-engineering.apkg")
    assert whole["new"] == 46 and whole["conflicting"] == 0
    guids = [note.guid for note in notes_of(col)]
    assert len(guids) == len(set(guids)) == 57
    col.close()
