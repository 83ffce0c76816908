"""A series of N videos made from the shipped scripts (``decks/staff-engineering``).

    python benchmarks/shipped.py OUT N

Each shipped script is copied under a new number and a new title (``(take i)``), in
turn: real authors' Markdown at series scale, beside ``generate.py``'s synthetic one.
``bench.py --series shipped`` builds it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent.parent / "decks" / "staff-engineering"
DECK_SLUG = "shipped"


def write_series(out: Path, videos: int) -> Path:
    """Write the series under ``out/decks/``; return the config's path."""
    scripts = sorted(SHIPPED.glob("*.md"))
    decks = out / "decks"
    (decks / DECK_SLUG).mkdir(parents=True, exist_ok=True)
    config = decks / f"{DECK_SLUG}.yaml"
    config.write_text(f"name: Shipped\nsources:\n  - {DECK_SLUG}/*.md\n", encoding="utf-8")
    for i in range(1, videos + 1):
        script = scripts[(i - 1) % len(scripts)]
        text = script.read_text(encoding="utf-8")
        text = re.sub(r"^# (.*)$", lambda m: f"# {m.group(1)} (take {i})", text, count=1, flags=re.M)
        stem = re.sub(r"^\d+-", "", script.stem)
        (decks / DECK_SLUG / f"{i:04d}-{stem}-{i}.md").write_text(text, encoding="utf-8")
    return config


if __name__ == "__main__":
    write_series(Path(sys.argv[1]), int(sys.argv[2]))
