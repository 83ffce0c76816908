"""The build: gather every source, extract, identify, then write once."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import genanki

from . import cards
from .config import DeckConfig, display_path, load_config, markdown_deck, natural_key, stable_id
from .contrast import Levels
from .errors import ERROR, AnkigenError, Diagnostic, Problems
from .extract import extract
from .notes import Deck, Video
from .notetypes import NOTE_TYPES
from .package import PackagedDeck, PackagedNote, package_bytes, write_atomic
from .script import decode, parse

CONFIG_SUFFIXES = (".yaml", ".yml")
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass
class DeckResult:
    name: str
    output: str
    videos: int
    notes: int
    cards: int

    def as_json(self) -> dict:
        return dict(name=self.name, output=self.output, videos=self.videos,
                    notes=self.notes, cards=self.cards)


@dataclass
class BuildReport:
    decks: list[DeckResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != ERROR]


def find_configs(root: Path) -> list[Path]:
    folder = root / "decks"
    return sorted((p for p in folder.glob("*") if p.suffix in CONFIG_SUFFIXES
                   and not p.name.endswith((".lock.yaml", ".lock.yml"))), key=lambda p: natural_key(p.name))


def plan(sources: list[Path]) -> list[DeckConfig]:
    """Configs as given; Markdown files and folders grouped into one deck per folder."""
    if not sources:
        configs = find_configs(Path.cwd())
        if not configs:
            raise AnkigenError("no deck configs in decks/ (give a config, a Markdown file or a folder)",
                               "decks/")
        sources = configs
    decks: list[DeckConfig] = []
    loose: dict[Path, list[Path]] = {}
    problems = Problems()
    for src in sources:
        if src.is_dir():
            files = [p for p in src.rglob("*") if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file()]
            if not files:
                problems.error(display_path(src), None, "folder holds no Markdown (.md) files")
            loose.setdefault(src, []).extend(files)
        elif src.suffix.lower() in CONFIG_SUFFIXES:
            try:
                decks.append(load_config(src))
            except AnkigenError as e:
                problems.items.extend(e.diagnostics)
        elif src.suffix.lower() in MARKDOWN_SUFFIXES:
            loose.setdefault(src.parent, []).append(src)
        else:
            problems.error(display_path(src), None, "not a deck config (.yaml) or Markdown (.md) file")
    problems.raise_errors("bad sources")
    for folder, files in loose.items():
        decks.append(markdown_deck(folder, list(dict.fromkeys(files))))
    return decks


def load_deck(config: DeckConfig, problems: Problems) -> Deck:
    """Read and extract every video of a deck; problems are collected, not raised."""
    deck = Deck(name=config.name, slug=config.slug, deck_id=config.id, tags=config.tags)
    levels = Levels(config.levels)
    owners: dict[str, str] = {}
    for file in config.sources:
        shown = display_path(file)
        try:
            script = parse(decode(file.read_bytes(), shown), shown)
        except AnkigenError as e:
            problems.items.extend(e.diagnostics)
            continue
        except OSError as e:
            problems.error(shown, None, f"cannot read: {e.strerror or e}")
            continue
        video = extract(script, file, levels, problems)
        if video is None:
            continue
        if video.slug in owners:
            problems.error(shown, 1, f"video id '{video.slug}' is already used by {owners[video.slug]}; "
                           "give one of them a different file name or front-matter 'id:'", "duplicate-video")
            continue
        owners[video.slug] = shown
        deck.videos.append(replace(video, source=_relative(file, config.root)))
    if not deck.videos and not problems.errors:
        problems.error(display_path(config.path) if config.path else config.name, None,
                       "deck has no videos")
    return deck


def _relative(file: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(file.resolve(), root.resolve())).as_posix()
    except ValueError:
        return file.name


def build_epoch() -> int:
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit():
        return int(env)
    return int(time.time())


def package_deck(deck: Deck, epoch: int) -> tuple[list[PackagedDeck], list[PackagedNote]]:
    """The deck tree and every note, with GUIDs from natural keys."""
    pdecks = [PackagedDeck(deck.deck_id, deck.name)]
    pnotes = []
    due = 0
    for video in deck.videos:
        sub = cards.subdeck_name(deck, video)
        sub_id = stable_id(f"deck:{deck.name}/{video.slug}")
        pdecks.append(PackagedDeck(sub_id, sub))
        for spec in video.notes:
            due += 1
            pnotes.append(PackagedNote(
                guid=guid_for(deck, spec.key(video.slug)), note_type=cards.note_type(spec),
                fields=cards.fields(deck, video, spec), tags=cards.tags(deck, video, spec),
                deck_id=sub_id, mod=epoch, due=due))
    return pdecks, pnotes


def guid_for(deck: Deck, key: str) -> str:
    """A note's GUID: from the series and the note's natural key, never its text."""
    return genanki.guid_for("ankigen", deck.slug, key)


def build(sources: list[Path], output: Path | None = None) -> BuildReport:
    """Build every deck the sources name. Nothing is written unless all of them are sound."""
    configs = plan(sources)
    if output is not None and len(configs) > 1 and output.suffix == ".apkg":
        raise AnkigenError(f"{len(configs)} decks to build but -o names one file; "
                           "give a folder instead", str(output))
    problems = Problems()
    decks = [(config, load_deck(config, problems)) for config in configs]
    problems.raise_errors("refused")
    report = BuildReport(diagnostics=list(problems.items))
    epoch = build_epoch()
    outputs = []
    for config, deck in decks:
        pdecks, pnotes = package_deck(deck, epoch)
        data = package_bytes(pdecks, pnotes, {t.model_id: epoch for t in NOTE_TYPES}, epoch)
        target = _output_path(output, deck)
        outputs.append((target, data))
        report.decks.append(DeckResult(
            deck.name, display_path(target), len(deck.videos), len(pnotes),
            sum(cards.card_count(s) for v in deck.videos for s in v.notes)))
    for target, data in outputs:
        write_atomic(target, data)
    return report


def _output_path(output: Path | None, deck: Deck) -> Path:
    if output is None:
        return Path("dist") / f"{deck.slug}.apkg"
    if output.suffix == ".apkg":
        return output
    return output / f"{deck.slug}.apkg"
