"""The package writer's shortcuts agree with genanki and with the lock format."""

from __future__ import annotations

import copy
import subprocess
import sys

import genanki
from hypothesis import given, settings, strategies as st

from ankigen.cards import qa_card_ords
from ankigen.lock import Lock, LockedNote, dump_lock
from ankigen.lockfile import read_lock
from ankigen.notetypes import CLOZE_TYPE, QA_TYPE
from ankigen.package import card_ords, genanki_model

cloze_text = st.lists(st.one_of(st.text(max_size=12), st.builds(
    lambda n, body: "{{c%d::%s}}" % (n, body), st.integers(0, 12), st.text(max_size=8))),
    max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=cloze_text, others=st.lists(st.text(max_size=5), min_size=5, max_size=5))
def test_card_ords_are_genankis_in_its_order(text, others):
    for note_type in (CLOZE_TYPE, QA_TYPE):
        model = genanki_model(note_type)
        fields = (text, *others)[: len(note_type.fields)]
        expected = [card.ord for card in genanki.Note(model=model, fields=list(fields)).cards]
        assert card_ords(note_type, fields) == tuple(expected)


@settings(max_examples=200, deadline=None)
@given(fields=st.lists(st.one_of(st.just(""), st.text(max_size=5)), min_size=6, max_size=6))
def test_a_qa_notes_cards_come_from_which_fields_are_filled(fields):
    """``cards.qa_card_ords``, kept by which fields are empty, is ``card_ords`` of the fields."""
    assert qa_card_ords(tuple(map(bool, fields))) == card_ords(QA_TYPE, tuple(fields))


def test_an_unchanged_note_keeps_its_line_and_a_changed_one_is_written_anew(tmp_path):
    lock = Lock(deck="D", id_base=1)
    lock.notes["v/recap/a"] = LockedNote("g1", "h1", 5, text="a")
    lock.notes["v/recap/b"] = LockedNote("g2", "h2", 5, text="b")
    path = tmp_path / "x.lock.yaml"
    # a line formatted by hand (still one JSON entry) is kept while its note is the same
    path.write_text(dump_lock(lock).replace('"guid": "g1"', '"guid":   "g1"'), encoding="utf-8")
    read = read_lock(path, "x.lock.yaml")
    assert read is not None and read.notes == lock.notes
    again = Lock(deck="D", id_base=1, lines=read.lines)
    again.notes = dict(read.notes)
    assert '"guid":   "g1"' in dump_lock(again)
    again.notes["v/recap/a"] = LockedNote("g1", "h9", 6, text="a")  # changed: dumped afresh
    assert '"guid":   "g1"' not in dump_lock(again) and '"hash": "h9"' in dump_lock(again)
    # decided by value, not by which object: a copy keeps the line, a change made in place does not
    again.notes["v/recap/a"] = copy.copy(read.notes["v/recap/a"])
    assert '"guid":   "g1"' in dump_lock(again)
    again.notes["v/recap/a"].clozes["k"] = 2
    assert '"guid":   "g1"' not in dump_lock(again) and '"clozes": {"k": 2}' in dump_lock(again)


def test_genanki_is_imported_without_asyncio_and_its_properties_still_work():
    """A build imports genanki with functools.cached_property standing in for the backport
    (which imports asyncio: ~25 ms a build); genanki's notes still get their cards, and the
    backport is what a later ``import cached_property`` gets."""
    program = """if True:
        import sys
        import ankigen.build
        from ankigen.notetypes import CLOZE_TYPE
        from ankigen.package import card_ords, genanki_model
        import genanki
        assert "asyncio" not in sys.modules, "asyncio imported"
        model = genanki_model(CLOZE_TYPE)
        note = genanki.Note(model=model, fields=["{{c2::a}} {{c1::b}}", "", "", "", ""])
        assert sorted(c.ord for c in note.cards) == [0, 1] and note.cards is note.cards
        assert card_ords(CLOZE_TYPE, tuple(note.fields)) == tuple(c.ord for c in note.cards)
        assert model._req is model._req
        import cached_property
        assert hasattr(cached_property, "threaded_cached_property"), "the stand-in was left behind"
        print("ok")
    """
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
