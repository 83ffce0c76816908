"""The floor: what plain genanki needs to write a deck's notes, with nothing else.

    python benchmarks/floor.py --dump dist/deck.apkg notes.json   # once, untimed
    python benchmarks/floor.py notes.json out.apkg                  # the timed process

``--dump`` reads the notes an ``ankigen build`` wrote (fields already rendered
to HTML, tags, GUIDs, note types) out of its .apkg into JSON, so the floor
writes exactly the same notes. The write mode loads that JSON and writes it
with plain genanki (``Model``, ``Note``, one ``Deck``, ``Package.write_to_file``):
no parsing, no Markdown, no subdecks. Its whole process is what ``bench.py``
compares a build against.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

FLOOR_DECK_ID = 2059400110
TIMESTAMP = 1_700_000_000


def dump(apkg: Path, out: Path) -> int:
    """The notes and note types of an .apkg → JSON; returns the number of notes."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(apkg) as zf:
            db = Path(zf.extract("collection.anki2", tmp))
        conn = sqlite3.connect(db)
        (models_json,) = conn.execute("SELECT models FROM col").fetchone()
        rows = conn.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
        conn.close()
    models = [{"id": int(m["id"]), "name": m["name"], "type": m["type"], "css": m["css"],
               "fields": [f["name"] for f in m["flds"]],
               "templates": [{"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]}
                             for t in m["tmpls"]]}
              for m in json.loads(models_json).values()]
    notes = [{"guid": guid, "model": mid, "fields": flds.split("\x1f"), "tags": tags.split()}
             for guid, mid, flds, tags in rows]
    out.write_text(json.dumps({"models": models, "notes": notes}, ensure_ascii=False),
                   encoding="utf-8")
    return len(notes)


def write(notes_json: Path, out: Path) -> float:
    """Write the dumped notes with plain genanki into one deck; returns seconds spent writing."""
    import genanki

    data = json.loads(notes_json.read_text(encoding="utf-8"))
    start = time.perf_counter()
    models = {m["id"]: genanki.Model(
        m["id"], m["name"], fields=[{"name": f} for f in m["fields"]],
        templates=m["templates"], css=m["css"], model_type=m["type"]) for m in data["models"]}
    deck = genanki.Deck(FLOOR_DECK_ID, "Floor")
    for due, note in enumerate(data["notes"], 1):
        deck.add_note(genanki.Note(model=models[note["model"]], fields=note["fields"],
                                   tags=note["tags"], guid=note["guid"], due=due))
    genanki.Package(deck).write_to_file(str(out), timestamp=TIMESTAMP)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "--dump":
        count = dump(Path(argv[1]), Path(argv[2]))
        print(f"{count} notes → {argv[2]}")
        return 0
    if len(argv) == 2:
        seconds = write(Path(argv[0]), Path(argv[1]))
        print(f"genanki wrote {argv[1]} in {seconds:.3f} s")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
