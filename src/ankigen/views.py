"""What a preview shows of a package: its decks, videos and notes with their cards, as
``preview`` reads them back from the package and ``pages`` renders them."""

from __future__ import annotations

from dataclasses import dataclass, field

from .notetypes import NoteType
from .template import Card

CHANGE_KINDS = ("added", "changed", "renamed", "retired", "restored")


@dataclass(frozen=True)
class NoteView:
    guid: str
    note_type: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    cards: tuple[Card, ...]

    @property
    def kind(self) -> str:
        return next((t for t in self.tags if "::" not in t), "")

    @property
    def source(self) -> str:
        values = dict(zip(self.note_type.field_names, self.fields))
        return values.get("Source", "")


@dataclass
class VideoView:
    subdeck: str  # the full deck name, "Series::01 Title"
    notes: list[NoteView] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.subdeck.split("::", 1)[-1]

    @property
    def card_count(self) -> int:
        return sum(len(n.cards) for n in self.notes)


@dataclass
class DeckView:
    name: str
    slug: str
    videos: list[VideoView] = field(default_factory=list)
    retired: list[NoteView] = field(default_factory=list)  # shipped without cards
    css: str = ""

    @property
    def card_count(self) -> int:
        return sum(v.card_count for v in self.videos)
