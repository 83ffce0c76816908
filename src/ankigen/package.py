"""Write an .apkg with genanki: per-note ``mod``, one deck table, reproducible bytes."""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import re
import sqlite3
import sys
import threading
import types
import warnings
import zipfile
from dataclasses import dataclass
from typing import Callable, NamedTuple



@contextlib.contextmanager
def _plain_cached_property():
    """genanki's ``Model._req`` and ``Note.cards`` use the ``cached_property`` backport,
    whose module imports asyncio (with ssl, socket and logging: ~25 ms, a fifth of a
    rebuild's imports) only for coroutine methods, which genanki has none of. While
    genanki is imported, ``functools.cached_property`` stands in for it: the same
    compute-once-then-an-attribute for a plain method. Left as it was after: whoever
    imports ``cached_property`` later gets the package."""
    if "cached_property" in sys.modules or "genanki" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("cached_property")
    stand_in.cached_property = functools.cached_property
    sys.modules["cached_property"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("cached_property") is stand_in:
            del sys.modules["cached_property"]


with _plain_cached_property():
    import genanki
from genanki.apkg_col import APKG_COL  # noqa: E402
from genanki.apkg_schema import APKG_SCHEMA  # noqa: E402

from .notetypes import NOTE_TYPES, NoteType



class PackagedNote(NamedTuple):
    """A note ready to write, in the shape of its row: HTML fields joined as Anki stores
    them, its GUID, its deck and its ``mod``. (Settled videos come back from the cache as
    plain tuples of this shape: ``PackagedNote._make``.)"""

    guid: str
    model_id: int
    flds: str  # the fields, joined by U+001F
    tag_string: str  # the tags, separated by spaces
    deck_id: int
    mod: int  # seconds; moves forward only when the note's content changes
    retired: bool = False  # shipped without cards: learners who have it keep theirs, new ones get none
    ords: tuple[int, ...] | None = None  # its cards (``card_ords``), if already known

    @classmethod
    def of(cls, guid: str, note_type: NoteType, fields: tuple[str, ...], tags: tuple[str, ...],
           deck_id: int, mod: int, retired: bool = False,
           ords: tuple[int, ...] | None = None) -> PackagedNote:
        """A note from its fields and tags; its cards are genanki's (``card_ords``, unless given)."""
        if ords is None and not retired:
            ords = card_ords(note_type, fields)
        return cls(guid, note_type.model_id, "\x1f".join(fields), " ".join(tags), deck_id, mod,
                   retired, None if retired else ords)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.flds.split("\x1f"))

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.tag_string.split())

    @property
    def note_type(self) -> NoteType:
        return next(t for t in NOTE_TYPES if t.model_id == self.model_id)


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
        used = {n.model_id for n in self._notes}
        types = {t.model_id: t for t in NOTE_TYPES if t.model_id in used}
        for model_id, note_type in sorted(types.items()):
            mod = self._model_mods.get(model_id, int(timestamp))
            models[str(model_id)] = genanki_model(note_type).to_json(mod, self._top)
        cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(models)))
        sort_field = {mid: model_for(t).sort_field_index for mid, t in types.items()}
        # genanki.Note.write_to_db's rows in its order (the same bytes), without its per-note
        # tag and HTML checks (the fields are our own HTML); which cards a note has is still
        # genanki's decision. Written with executemany: one call per table.
        notes, cards = [], []
        for note, due in zip(self._notes, self._dues or itertools.count(1)):
            mid = note.model_id
            note_id = next(id_gen)
            sort = note.flds.split("\x1f", sort_field[mid] + 1)[sort_field[mid]]
            notes.append((note_id, note.guid, mid, note.mod, f" {note.tag_string} ", note.flds, sort))
            if note.retired:
                # Anki's default import drops scheduling (so a suspension would not arrive);
                # a note with no cards is never studied by a new learner.
                continue
            for ord_ in note.ords if note.ords is not None else card_ords(types[mid], note.fields):
                cards.append((next(id_gen), note_id, note.deck_id, ord_, note.mod, due))
        # The values every row has are in the statement, not bound row by row: the same rows.
        cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,-1,?,?,?,0,0,'');", notes)
        cursor.executemany("INSERT INTO cards VALUES(?,?,?,?,?,-1,0,0,?,0,0,0,0,0,0,0,0,'');", cards)
        cursor.executescript("CREATE INDEX" + indexes)


def guid_for(*values) -> str:
    """The GUID genanki gives these values (``identify`` makes a new note's GUID with it)."""
    return genanki.guid_for(*values)


@functools.lru_cache(maxsize=8)
def model_for(note_type: NoteType) -> genanki.Model:
    """The genanki model of a note type, built once (only read, never changed)."""
    return genanki_model(note_type)


def card_ords(note_type: NoteType, fields: tuple[str, ...]) -> tuple[int, ...]:
    """The ords of the cards genanki gives these fields, in its order (``Note.cards``)."""
    model = model_for(note_type)
    if model.model_type != genanki.Model.CLOZE:
        return tuple(card.ord for card in genanki.Note._front_back_cards(_Fields(model, fields)))
    ords: set[int] = set()  # genanki's Note._cloze_cards, its cloze fields found once per model
    for i in cloze_fields(model):
        ords.update(int(m) - 1 for m in _CLOZE_REF.findall(fields[i] if i >= 0 else "") if int(m) > 0)
    return tuple(ords)


_CLOZE_REF = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


@functools.lru_cache(maxsize=8)
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
    return zipped(collection(decks, notes, model_mods, id_base, dues))


def package_later(decks: list[PackagedDeck], notes: list[PackagedNote], model_mods: dict[int, int],
                  id_base: int) -> Later:
    """``package_bytes``, compressed in a thread (zlib lets go of the GIL): the build goes
    on with the lock and the cache meanwhile. The collection is made here: SQLite takes the
    GIL back for every row, so beside busy Python it would crawl."""
    return Later(zipped, collection(decks, notes, model_mods, id_base))


class Later:
    """``work(*args)`` running in a thread of its own; ``result()`` waits for it and gives
    what it returned (or raises what it raised). A plain thread: concurrent.futures would
    import logging and more into every build for this one job."""

    def __init__(self, work: Callable[..., bytes], *args):
        self._done: tuple[bytes | None, BaseException | None] = (None, None)
        self._thread = threading.Thread(target=self._run, args=(work, *args), name="ankigen package")
        self._thread.start()

    def _run(self, work: Callable[..., bytes], *args) -> None:
        try:
            self._done = (work(*args), None)
        except BaseException as e:  # handed to whoever asks for the result
            self._done = (None, e)

    def result(self) -> bytes:
        self._thread.join()
        value, error = self._done
        if error is not None:
            raise error
        assert value is not None
        return value


def collection(decks: list[PackagedDeck], notes: list[PackagedNote], model_mods: dict[int, int],
               id_base: int, dues: list[int] | None = None) -> bytes:
    """The package's collection.anki2 (SQLite) as bytes."""
    conn = sqlite3.connect(":memory:")
    pkg = _Package(decks, notes, model_mods, decks[0].deck_id, dues)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pkg.write_to_db(conn.cursor(), id_base // 1000, itertools.count(id_base))
    conn.commit()
    db = conn.serialize()
    conn.close()
    return db


def zipped(db: bytes) -> bytes:
    """The .apkg around a collection: fixed times and modes, so the same collection gives the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("collection.anki2", db), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=1)  # 3× faster than the default; a few % larger
    return buf.getvalue()
