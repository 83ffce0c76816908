"""``ankigen preview``: every card of the package a build would write, as a static site.

The cards come from the package itself (``build.prepare`` makes it; nothing of
the build is written): its notes, its card list, and the note types' own
templates and CSS, rendered by ``template.py`` as Anki renders them.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import AnkigenError, Diagnostic
from .notetypes import NoteType
from .template import render_cards
from .views import DeckView, NoteView, VideoView

DEFAULT_OUTPUT = Path("dist/preview")
MARKER = ".ankigen-preview"  # a folder holding it is ours to replace


@dataclass
class PreviewReport:
    decks: list[DeckView]
    index: Path
    diagnostics: list[Diagnostic]


def read_package(data: bytes, name: str, slug: str) -> DeckView:
    """An .apkg's notes and cards, grouped by subdeck in the package's card order."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        db = zf.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(db)
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
        notes = conn.execute("SELECT id, guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
        cards = conn.execute("SELECT nid, did, ord FROM cards ORDER BY due, nid, ord").fetchall()
    finally:
        conn.close()
    types = {int(mid): _note_type(m) for mid, m in json.loads(models_json).items()}
    deck_names = {int(did): d["name"] for did, d in json.loads(decks_json).items()}
    by_id = {nid: (guid, types[mid], tuple(flds.split("\x1f")), tuple(tags.split()))
             for nid, guid, mid, flds, tags in notes}
    ords: dict[int, list[int]] = {}
    order: list[tuple[int, int]] = []  # (note id, deck id) in card order
    for nid, did, ord_ in cards:
        if nid not in ords:
            order.append((nid, did))
        ords.setdefault(nid, []).append(ord_ + 1)
    view = DeckView(name=name, slug=slug, css="\n".join(dict.fromkeys(t.css for t in types.values())))
    videos: dict[str, VideoView] = {}
    for nid, did in order:
        guid, note_type, values, tags = by_id[nid]
        rendered = [c for c in render_cards(note_type, values) if c.ordinal in ords[nid]]
        name = deck_names.get(did, view.name)
        videos.setdefault(name, VideoView(name)).notes.append(
            NoteView(guid, note_type, values, tags, tuple(rendered)))
    view.videos = list(videos.values())
    view.retired = [NoteView(g, t, v, tags, ()) for nid, (g, t, v, tags) in by_id.items()
                    if nid not in ords]
    return view


def _note_type(model: dict) -> NoteType:
    return NoteType(
        model_id=int(model["id"]), name=model["name"],
        fields=tuple((f["name"], f.get("id") or 0) for f in sorted(model["flds"], key=lambda f: f["ord"])),
        templates=tuple((t["name"], t.get("id") or 0, t["qfmt"], t["afmt"])
                        for t in sorted(model["tmpls"], key=lambda t: t["ord"])),
        css=model.get("css", ""), cloze=model.get("type") == 1)


def collect(sources: list[Path], allow_outside: bool = False
            ) -> tuple[list[DeckView], list[Diagnostic], dict[str, str]]:
    """What ``build`` would package for the sources, read back, and what changed since
    the lock (GUID → status); raises if the build would refuse."""
    from .build import Options, prepare

    planned, problems = prepare(sources, Options(allow_outside=allow_outside))
    statuses: dict[str, str] = {}
    for p in planned:
        if p.result.changes is not None and not p.result.first_build:
            statuses.update(p.result.changes.statuses)  # a first build marks nothing: all is new
    views = [read_package(p.package, p.deck.name, p.deck.slug) for p in planned]
    return views, list(problems.items), statuses


def preview(sources: list[Path], output: Path | None = None,
            changes: Mapping[str, str] | None = None, allow_outside: bool = False) -> PreviewReport:
    """Write the preview site for the sources; ``changes`` marks notes by GUID
    (``added``, ``changed``, ``renamed``, ``retired``, ``restored``)."""
    from .pages import site

    decks, diagnostics, since_lock = collect(sources, allow_outside)
    output = output or DEFAULT_OUTPUT
    write_site(site(decks, since_lock if changes is None else changes), output)
    return PreviewReport(decks, output / "index.html", diagnostics)


def write_site(files: Mapping[str, str], output: Path) -> None:
    """Replace ``output`` with the site. A folder that is not an earlier preview is never touched."""
    if output.exists():
        if not output.is_dir():
            raise AnkigenError("exists and is not a folder; choose another -o", str(output))
        if any(output.iterdir()) and not (output / MARKER).exists():
            raise AnkigenError("this folder is not an ankigen preview and is not empty; "
                               "choose another -o (nothing was written)", str(output))
    staging = output.with_name(f".{output.name}.tmp")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (staging / MARKER).write_text("written by ankigen preview; replaced on every run\n",
                                      encoding="utf-8")
        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise AnkigenError(f"cannot write the preview: {e.strerror or e}", str(output)) from None
