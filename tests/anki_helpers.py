"""Import packages into a real Anki collection (anki==26.9.3), as a learner would."""

from __future__ import annotations

import html
import re
from pathlib import Path

from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageRequest

LOG_KINDS = ("new", "updated", "duplicate", "conflicting", "first_field_match", "missing_notetype")


def open_collection(folder: Path) -> Collection:
    return Collection(str(folder / "collection.anki2"))


def import_package(col: Collection, apkg: Path) -> dict[str, int]:
    """Import with the desktop's default options; return the log's counts."""
    options = col._backend.get_import_anki_package_presets()
    response = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=options))
    return {kind: len(getattr(response.log, kind)) for kind in LOG_KINDS}


def visible_text(card_html: str) -> str:
    """What a learner reads: no style, no tags, no attributes, entities decoded."""
    text = re.sub(r"<style>.*?</style>", "", card_html, flags=re.S).replace("<span></span>", "")  # shows nothing
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def answer_all(col: Collection, rating: int = 3) -> int:
    """Answer every due card once (Good by default); returns how many were answered."""
    answered = 0
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        if card.queue < 0:
            continue
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        answer = col.sched.build_answer(card=card, states=states, rating=rating)
        col.sched.answer_card(answer)
        answered += 1
    return answered
