"""Change summaries as text, for `build` and `diff` (the core returns data; this renders it)."""

from __future__ import annotations


def render_changes(deck, built: bool) -> str:
    """Per video: added, changed (word diff), renamed, retired, unchanged; then what costs learners."""
    head = f"{deck.name}: {deck.videos} videos, {deck.notes} notes, {deck.cards} cards"
    lines = [f"{head} → {deck.output}" if built else f"{head} (not written)"]
    ch = deck.changes
    if ch is None:
        return "\n".join(lines)
    for v in ch.videos:
        if not v.empty:
            lines += _video(v)
    lines.append(_total(ch))
    lines += _costs(ch)
    lines += _deck_notices(deck, built)
    return "\n".join(lines)


def _video(v) -> list[str]:
    """One video's counts, then its notes by what happened to them (a new video: the count alone)."""
    counts = (f"  {v.video}: {len(v.added)} added, {len(v.changed)} changed, "
              f"{len(v.renamed)} renamed, {len(v.retired)} retired, {v.unchanged} unchanged"
              + (f", {len(v.restored)} restored" if v.restored else ""))
    if v.added and not (v.changed or v.renamed or v.retired or v.unchanged):
        return [counts]  # a new video: the count says it all
    return [counts,
            *_capped([f"    + {k}" for k in v.added]),
            *_capped([f"    ~ {k}: {d}" for k, d in v.changed]),
            *_capped([f"    > {old} → {new}" for old, new in v.renamed]),
            *_capped([f"    - {k}" for k in v.retired]),
            *_capped([f"    ^ {k} (restored: retired before, back under its GUID)" for k in v.restored])]


def _total(ch) -> str:
    total = (len(ch.total("added")), len(ch.total("changed")), len(ch.total("renamed")),
             len(ch.total("retired")))
    restored = len(ch.total("restored"))
    if not any(total) and not restored:
        return f"  no changes for learners ({ch.unchanged} notes unchanged)"
    return "  total: {} added, {} changed, {} renamed, {} retired, {} unchanged".format(
        *total, ch.unchanged) + (f", {restored} restored" if restored else "")


def _costs(ch) -> list[str]:
    """What the changes cost learners: videos kept, subdecks renamed, clozes removed."""
    lines = []
    if ch.kept_videos:
        n = ch.kept_videos
        lines.append(f"  {n} other video{'s' if n != 1 else ''} not built: {'their' if n != 1 else 'its'} "
                     "lock entries are kept as they are")
    for old, new in ch.deck_renames:
        lines.append(f"  subdeck renamed: '{old}' → '{new}': learners' existing cards stay in "
                     f"'{old}'; only new cards go to '{new}'")
    for key, n in ch.empty_cards:
        lines.append(f"  cloze {n} removed from {key}: learners get an empty card (Tools → Empty Cards)")
    return lines


def _deck_notices(deck, built: bool) -> list[str]:
    """Retired notes shipped, the split packages and the lock written."""
    lines = []
    if deck.retired:
        lines.append(f"  {deck.retired} retired notes ship tagged, without cards for new learners; learners who have them find them with: "
                     f"{deck.retired_search}")
    if built and deck.split:
        folder = deck.split[0].rsplit("/", 1)[0]
        lines.append(f"  split: {len(deck.split)} packages, one per video, in {folder}/")
    if built and deck.lock:
        lines.append(f"  lock: {deck.lock} (commit it with the scripts)")
    return lines


def _capped(lines: list[str], most: int = 20) -> list[str]:
    if len(lines) <= most:
        return lines
    return lines[:most] + [f"    … and {len(lines) - most} more (--json lists them all)"]
