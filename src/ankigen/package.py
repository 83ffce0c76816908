"""Write an .apkg with genanki: per-note ``mod``, one deck table, reproducible bytes."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
import sqlite3
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .errors import AnkigenError
from .notetypes import NoteType


class PackagedNote(NamedTuple):
    """A note ready to write: HTML fields, its GUID, its deck and its ``mod``."""

    guid: str
    note_type: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck_id: int
    mod: int  # seconds; moves forward only when the note's content changes
    retired: bool = False  # shipped without cards: learners who have it keep theirs, new ones get none


@dataclass(frozen=True)
class PackagedDeck:
    deck_id: int
    name: str
    description: str = ""


def genanki_model(note_type: NoteType) -> genanki.Model:
    return genanki.Model(
        note_type.model_id,
        note_type.name,
        fields=[{"name": name, "id": fid} for name, fid in note_type.fields],
        templates=[{"name": name, "id": tid, "qfmt": front, "afmt": back}
                   for name, tid, front, back in note_type.templates],
        css=note_type.css,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
    )


class _Package(genanki.Package):
    """genanki's Package, writing the deck table once (genanki rewrites it per deck)."""

    def __init__(self, decks, notes, model_mods, top_deck_id, dues):
        super().__init__([])
        self._decks, self._notes, self._dues = decks, notes, dues
        self._model_mods, self._top = model_mods, top_deck_id

    def write_to_db(self, cursor, timestamp, id_gen):
        tables, indexes = APKG_SCHEMA.split("CREATE INDEX", 1)  # indexes after the rows: faster
        cursor.executescript(tables)
        cursor.executescript(APKG_COL)
        (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
        decks = json.loads(decks_json)
        for deck in self._decks:
            decks[str(deck.deck_id)] = genanki.Deck(deck.deck_id, deck.name, deck.description).to_json()
        models = {}
        types = {n.note_type.model_id: n.note_type for n in self._notes}
        for model_id, note_type in sorted(types.items()):
            mod = self._model_mods.get(model_id, int(timestamp))
            models[str(model_id)] = genanki_model(note_type).to_json(mod, self._top)
        cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(models)))
        model_objs = {mid: genanki_model(t) for mid, t in types.items()}
        clozed = {mid: cloze_fields(model) for mid, model in model_objs.items()}
        # genanki.Note.write_to_db's rows in its order (the same bytes), without its per-note
        # tag and HTML checks (the fields are our own HTML); which cards a note has is still
        # genanki's decision. Written with executemany: one call per table.
        notes, cards = [], []
        for note, due in zip(self._notes, self._dues or itertools.count(1)):
            model = model_objs[note.note_type.model_id]
            note_id = next(id_gen)
            notes.append((note_id, note.guid, model.model_id, note.mod, -1, f" {' '.join(note.tags)} ",
                          "\x1f".join(note.fields), note.fields[model.sort_field_index], 0, 0, ""))
            if note.retired:
                # Anki's default import drops scheduling (so a suspension would not arrive);
                # a note with no cards is never studied by a new learner.
                continue
            for ord_ in _cards(model, note.fields, clozed[model.model_id]):
                cards.append((next(id_gen), note_id, note.deck_id, ord_, note.mod, -1, 0, 0, due,
                              0, 0, 0, 0, 0, 0, 0, 0, ""))
        cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);", notes)
        cursor.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);", cards)
        cursor.executescript("CREATE INDEX" + indexes)


def _cards(model: genanki.Model, fields: tuple[str, ...], cloze_fields: tuple[int, ...]) -> list[int]:
    """The ords of the cards genanki gives these fields, in its order (``Note.cards``)."""
    if model.model_type != genanki.Model.CLOZE:
        return [card.ord for card in genanki.Note._front_back_cards(_Fields(model, fields))]
    ords: set[int] = set()  # genanki's Note._cloze_cards, its cloze fields found once per model
    for i in cloze_fields:
        ords.update(int(m) - 1 for m in _CLOZE_REF.findall(fields[i] if i >= 0 else "") if int(m) > 0)
    return list(ords)


_CLOZE_REF = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


def cloze_fields(model: genanki.Model) -> tuple[int, ...]:
    """The indexes of the fields the model's first template clozes (as genanki finds them)."""
    qfmt = model.templates[0]["qfmt"]
    names = set(re.findall(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}", qfmt) + re.findall("<%cloze:(.+?)%>", qfmt))
    return tuple(next((i for i, f in enumerate(model.fields) if f["name"] == name), -1) for name in names)


@dataclass
class _Fields:
    model: genanki.Model
    fields: tuple[str, ...]


def package_bytes(decks: list[PackagedDeck], notes: list[PackagedNote], model_mods: dict[int, int],
                  id_base: int, dues: list[int] | None = None) -> bytes:
    """The .apkg as bytes. Same input → same bytes: ids count from ``id_base`` (ms), zip times are fixed.
    New cards come due in the order of ``notes`` (the scripts' order), or at ``dues``."""
    conn = sqlite3.connect(":memory:")
    pkg = _Package(decks, notes, model_mods, decks[0].deck_id, dues)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pkg.write_to_db(conn.cursor(), id_base // 1000, itertools.count(id_base))
    conn.commit()
    db = conn.serialize()
    conn.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("collection.anki2", db), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=1)  # 3× faster than the default; a few % larger
    return buf.getvalue()


@contextlib.contextmanager
def exclusive(lock_paths: list[Path], wait: Callable[[Path], None] | None = None):
    """Hold every deck's build lock: a second build of the same deck waits for the first,
    so lock files never interleave. The lock is an OS lock on the lock file's folder."""
    if fcntl is None:  # pragma: no cover - not on POSIX: no concurrent-build protection
        yield
        return
    handles = []
    try:
        for folder in sorted({str(Path(p).resolve().parent) for p in lock_paths}):
            Path(folder).mkdir(parents=True, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY)
            handles.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if wait:
                    wait(Path(folder))
                fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as e:
        for fd in handles:
            os.close(fd)
        raise AnkigenError(f"cannot lock the deck for building: {e.strerror or e}",
                           str(lock_paths[0]) if lock_paths else None) from None
    try:
        yield
    finally:
        for fd in handles:
            os.close(fd)

