"""Deck configuration (``decks/*.yaml``): a typed schema, all errors at once."""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .encoding import decode
from .errors import AnkigenError, Problems
from .files import read_source
from .sources import glob_files, is_script, real_path, within
from .text import clean, slugify
from .yamlread import UniqueKeysSafeLoader, yaml_problem

# Labels that count as levels in an example contrast or a ladder, lowest first.
DEFAULT_LEVELS: tuple[str, ...] = (
    "Junior", "Mid-level", "L3", "L4", "Senior", "L5", "L6", "Staff", "L7",
    "Staff+", "Senior Staff", "L8", "Principal", "Before", "After",
)

KEYS = {
    "name": "the deck's name, e.g. Staff Engineering",
    "id": "a fixed deck id (integer); optional",
    "sources": "globs of script files, relative to this file",
    "tags": "tags added to every note",
    "levels": "labels that count as levels, lowest first",
}


@dataclass(frozen=True)
class DeckConfig:
    """A validated deck config, or the implicit one of a Markdown folder."""

    name: str
    sources: tuple[Path, ...]  # resolved Markdown files, in build order
    path: Path | None = None  # the config file, None for bare Markdown
    deck_id: int | None = None
    tags: tuple[str, ...] = ()
    levels: tuple[str, ...] = DEFAULT_LEVELS
    root: Path = field(default_factory=Path.cwd)  # paths in messages are relative to it
    # a build of some of a config's scripts: the others (relative to root), whose lock
    # entries that build keeps as they are
    others: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        """The deck's file name and tag prefix: ``staff-engineering``."""
        return slugify(self.name) or "deck"

    @property
    def id(self) -> int:
        """The deck id: the configured one, else derived from the name."""
        if self.deck_id is not None:
            return self.deck_id
        return stable_id(f"deck:{self.name}")


def stable_id(text: str) -> int:
    """A positive 53-bit id derived from text (the same on every build)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) | (1 << 40)


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as messages show it: relative to the working folder when inside it."""
    return _display(str(path), str(root) if root is not None else os.getcwd())


@lru_cache(maxsize=65536)
def _display(path: str, root: str) -> str:
    """``Path(abspath(path)).relative_to(abspath(root)).as_posix()``, else ``path`` (with
    strings: it runs once per script per build)."""
    full, base = os.path.abspath(path), os.path.abspath(root)
    if full == base:
        return "."
    base = base.rstrip(os.sep) + os.sep
    if not full.startswith(base):
        return path
    return full[len(base):].replace(os.sep, "/")


def load_config(path: Path, allow_outside: bool = False) -> DeckConfig:
    """Read and validate a deck config; every problem is reported together.

    Its sources must lie inside the project (the folder that holds the config's
    folder, ``decks/``), links followed, unless ``allow_outside``."""
    shown = display_path(path)
    text = decode(read_source(path, shown), shown).lstrip("\ufeff")
    try:
        raw = yaml.load(text, Loader=UniqueKeysSafeLoader)
    except yaml.YAMLError as e:
        message, line = yaml_problem(e, text)
        raise AnkigenError(f"not valid YAML: {message} (fix the YAML at this line)", shown, line) from None
    except RecursionError:
        raise AnkigenError("nested too deeply to be a deck config; see README: Deck config", shown, 1) from None
    if not isinstance(raw, dict):
        raise AnkigenError("a deck config must be a mapping of keys (name:, sources:, …)", shown, 1)

    problems = Problems()
    lines = _key_lines(text)
    for key in raw:
        if key not in KEYS:
            known = ", ".join(KEYS)
            problems.error(shown, lines.get(str(key)), f"unknown key '{key}' (known keys: {known})")

    name = raw.get("name")
    if not isinstance(name, str) or not one_line(name):
        problems.error(shown, lines.get("name"), "'name' must be a non-empty string")
    deck_id = raw.get("id")
    if deck_id is not None and (not isinstance(deck_id, int) or isinstance(deck_id, bool)
                                or not 0 < deck_id < 2**63):
        problems.error(shown, lines.get("id"), "'id' must be a positive integer (below 2**63)")
    sources = raw.get("sources", [f"{path.stem}/*.md"])
    if isinstance(sources, str):
        sources = [sources]
    if not _is_str_list(sources) or not sources:
        problems.error(shown, lines.get("sources"), "'sources' must be a list of globs")
        sources = []
    tags = raw.get("tags", [])
    if not _is_str_list(tags):
        problems.error(shown, lines.get("tags"), "'tags' must be a list of strings")
        tags = []
    levels = raw.get("levels", list(DEFAULT_LEVELS))
    if not _is_str_list(levels) or not levels:
        problems.error(shown, lines.get("levels"), "'levels' must be a non-empty list of labels")
        levels = list(DEFAULT_LEVELS)
    elif len({v.strip().lower() for v in levels}) != len(levels):
        problems.error(shown, lines.get("levels"), "'levels' names a label twice")
    problems.items.sort(key=lambda d: d.line or 0)
    problems.raise_errors("invalid deck config")
    # Globs are resolved once the keys are sound: a misspelt key would otherwise
    # add a second, misleading error about the default pattern.
    project = None if allow_outside else Path(os.path.realpath(path.parent)).parent
    files = resolve_globs(path.parent, sources, shown, lines, problems, project)
    problems.raise_errors("invalid deck config")
    return DeckConfig(name=one_line(name), sources=tuple(files), path=path, deck_id=deck_id,
                      tags=tuple(tags), levels=tuple(v.strip() for v in levels), root=path.parent)


def resolve_globs(base: Path, patterns: list[str], shown: str, lines: dict[str, int],
                  problems: Problems, project: Path | None = None) -> list[Path]:
    """The Markdown files the ``sources`` globs name, in natural order, each once; a glob
    that matches none, or (with a ``project``) a file outside it, is an error at its line."""
    files: dict[str, Path] = {}
    folders: dict[str, str] = {}
    for pattern in patterns:
        line = lines.get(pattern, lines.get("sources"))
        matches = sorted(glob_files(base, pattern), key=natural_key)
        md = [path for path in map(Path, matches) if is_script(path)]
        if not md:
            what = "no Markdown (.md) file" if matches else "no file"
            problems.error(shown, line, f"sources pattern '{pattern}' matches {what}")
        reals = [real_path(m, folders) for m in md]
        away = next((real for real in reals if project and not within(real, project, folders)), None)
        if away:
            problems.error(shown, line, f"sources pattern '{pattern}' reaches outside the project "
                           f"(the folder holding {base.name}/): {away}; move the scripts into "
                           "the project, or build with --allow-outside", "outside-project")
            continue
        for m, real in zip(md, reals):
            files.setdefault(real, m)
    return list(files.values())


def markdown_deck(folder: Path, files: list[Path]) -> DeckConfig:
    """A deck for Markdown given without a config, named after its folder."""
    name = one_line(re.sub(r"[-_]+", " ", folder.resolve().name)).title() or "Deck"
    return DeckConfig(name=name, sources=tuple(sorted(files, key=lambda p: natural_key(str(p)))),
                      root=folder)


def markdown_in(folder: Path) -> list[Path]:
    """The scripts in a folder and its subfolders: not hidden, not a README. Links to
    folders are not followed (a loop would never end)."""
    found = []
    for path in folder.rglob("*"):
        parts = path.relative_to(folder).parts
        if (is_script(path)
                and not any(p.startswith(".") for p in parts)
                and not path.stem.lower().startswith("readme")):
            found.append(path)
    return found


def unique_paths(paths: list[Path]) -> list[Path]:
    """Each file once, however it was named (``a.md``, ``./a.md``)."""
    seen: dict[Path, Path] = {}
    for path in paths:
        seen.setdefault(path.resolve(), path)
    return list(seen.values())


def natural_key(text: str) -> list:
    """Sort ``2-x`` before ``10-x``."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text)]


def one_line(text: str) -> str:
    """A name as a deck or card shows it: no control characters, spaces collapsed."""
    return " ".join(clean(text).split())


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _key_lines(text: str) -> dict[str, int]:
    """Line of each top-level key and of each list entry (``- staff/*.md``), for messages."""
    lines: dict[str, int] = {}
    for no, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line) or re.match(
            r"^\s*-\s*[\"']?(.*?)[\"']?\s*(?:#.*)?$", line)
        if m:
            lines.setdefault(m.group(1), no)
    return lines
