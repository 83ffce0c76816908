"""What a rebuild will add, change, rename and retire, as data (assemble fills it in), and word diffs."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .text import show_cloze


@dataclass
class VideoChanges:
    video: str
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)  # (key, word diff)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    restored: list[str] = field(default_factory=list)  # retired before, back under their GUIDs

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.renamed or self.retired or self.restored)


@dataclass
class DeckChanges:
    deck: str
    videos: list[VideoChanges] = field(default_factory=list)
    deck_renames: list[tuple[str, str]] = field(default_factory=list)
    empty_cards: list[tuple[str, int]] = field(default_factory=list)
    note_types: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # GUID → added/changed/renamed/retired/restored
    kept_videos: int = 0  # videos not built this time (a build of some scripts): lock entries kept
    _by_name: dict[str, VideoChanges] = field(default_factory=dict, init=False, repr=False, compare=False)

    def total(self, what: str) -> list:
        return [x for v in self.videos for x in getattr(v, what)]

    @property
    def unchanged(self) -> int:
        return sum(v.unchanged for v in self.videos)

    def as_json(self) -> dict:
        return {
            "added": self.total("added"),
            "changed": [k for k, _ in self.total("changed")],
            "renamed": [list(p) for p in self.total("renamed")],
            "retired": self.total("retired"),
            "restored": self.total("restored"),
            "unchanged": self.unchanged,
            "deck_renames": [list(p) for p in self.deck_renames],
            "empty_cards": [[k, n] for k, n in self.empty_cards],
            "not_built": self.kept_videos,  # videos of the series not built this time (lock entries kept)
        }

    def for_video(self, name: str) -> VideoChanges:
        if len(self._by_name) != len(self.videos):
            self._by_name = {v.video: v for v in self.videos}
        v = self._by_name.get(name)
        if v is None:
            v = self._by_name[name] = VideoChanges(name)
            self.videos.append(v)
        return v


def word_diff(old: str, new: str, limit: int = 160) -> str:
    """A short word diff: ``[-old words-]{+new words+}`` around the edits only."""
    a, b = _words(old), _words(new)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            chunk = a[i1:i2]
            parts.append(" ".join(chunk) if len(chunk) <= 6 else
                         " ".join(chunk[:3]) + " … " + " ".join(chunk[-3:]))
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    out = " ".join(p for p in parts if p)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _words(text: str) -> list[str]:
    text = re.sub(r"\{\{c\d+::|\}\}", "", show_cloze(text))
    return text.split()
