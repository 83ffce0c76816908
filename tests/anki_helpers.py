"""What the learner sees, computed one way: a package's notes as it holds them, a package
imported into a real Anki collection (anki==26.9.3) as a learner would, and each card's
front and back as Anki renders them and as a learner reads them."""

from __future__ import annotations

import html
import re
import sqlite3
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageRequest

LOG_KINDS = ("new", "updated", "duplicate", "conflicting", "first_field_match", "missing_notetype")


class PackagedNote(NamedTuple):
    guid: str
    mid: int
    fields: list[str]
    tags: str  # as stored: space-separated, with a space at each end


def package_notes(apkg: Path) -> list[PackagedNote]:
    """Every note a package holds, read from its collection without Anki."""
    with zipfile.ZipFile(apkg) as zf:
        name = "collection.anki21" if "collection.anki21" in zf.namelist() else "collection.anki2"
        db = zf.read(name)
    conn = sqlite3.connect(":memory:")
    conn.deserialize(db)
    rows = conn.execute("SELECT guid, mid, flds, tags FROM notes").fetchall()
    conn.close()
    return [PackagedNote(guid, mid, flds.split("\x1f"), tags) for guid, mid, flds, tags in rows]


def open_collection(folder: Path) -> Collection:
    return Collection(str(folder / "collection.anki2"))


def import_package(col: Collection, apkg: Path) -> dict[str, int]:
    """Import with the desktop's default options; return the log's counts."""
    options = col._backend.get_import_anki_package_presets()
    response = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=options))
    return {kind: len(getattr(response.log, kind)) for kind in LOG_KINDS}


@contextmanager
def imported(folder: Path, apkg: Path) -> Iterator[tuple[Collection, dict[str, int]]]:
    """A new learner's collection in ``folder`` with ``apkg`` imported: (the collection,
    the import's log); closed at the end."""
    col = open_collection(folder)
    try:
        yield col, import_package(col, apkg)
    finally:
        col.close()


def notes_of(col: Collection, search: str = "") -> list:
    """The notes of a collection (those ``search`` finds)."""
    return [col.get_note(nid) for nid in col.find_notes(search)]


def cards_of(col: Collection, search: str = "") -> list:
    """The cards of a collection (those ``search`` finds)."""
    return [col.get_card(cid) for cid in col.find_cards(search)]


def card_html(side: str) -> str:
    """A card's question() or answer() without the ``<style>`` Anki puts first."""
    return side.split("</style>", 1)[1] if side.startswith("<style>") else side


def seen(card) -> tuple[str, str]:
    """What a learner reads on a card: (front, back)."""
    return visible_text(card.question()), visible_text(card.answer())


def visible_text(fragment: str) -> str:
    """What a learner reads of a card's (or a field's) HTML: no style, no tags, no
    attributes, entities decoded, white space folded."""
    text = re.sub(r"<style>.*?</style>", "", fragment, flags=re.S).replace("<span></span>", "")  # shows nothing
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def answer_all(col: Collection, rating: int = 3) -> int:
    """Answer every due card once (Good by default); returns how many were answered."""
    answered = 0
    for card in cards_of(col):
        if card.queue < 0:
            continue
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        answer = col.sched.build_answer(card=card, states=states, rating=rating)
        col.sched.answer_card(answer)
        answered += 1
    return answered
