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


class ValidationError(ValueError):
    """An option's value refused; the message says what it must be."""


class Option:
    """One key of a deck config (mkdocs' ``config_options``): what it is for, its value
    when the key is left out, and ``validate``, which gives the value to use or raises
    ``ValidationError``. The loader collects every option's error before refusing."""

    def __init__(self, help: str, default=None):
        self.help = help
        self.default = default

    def default_for(self, path: Path):
        return self.default(path) if callable(self.default) else self.default

    def validate(self, value):
        return value


class Text(Option):
    """A name on one line (control characters dropped, spaces collapsed); required."""

    def validate(self, value) -> str:
        if not isinstance(value, str) or not one_line(value):
            raise ValidationError("must be a non-empty string")
        return one_line(value)


class DeckId(Option):
    """A fixed deck id, or None (derived from the name)."""

    def validate(self, value) -> int | None:
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 0 < value < 2**63):
            raise ValidationError("must be a positive integer (below 2**63)")
        return value


class Strings(Option):
    """A list of non-blank strings (``empty``: may be empty)."""

    def __init__(self, help: str, default=(), empty: bool = True, message: str = "must be a list of strings"):
        super().__init__(help, default)
        self.empty, self.message = empty, message

    def validate(self, value) -> tuple[str, ...]:
        if not (isinstance(value, (list, tuple)) and all(isinstance(v, str) and v.strip() for v in value)) \
                or not (value or self.empty):
            raise ValidationError(self.message)
        return tuple(value)


class Globs(Strings):
    """Source globs: one, or a non-empty list."""

    def validate(self, value) -> tuple[str, ...]:
        return super().validate([value] if isinstance(value, str) else value)


class Labels(Strings):
    """Level labels, lowest first: a non-empty list, no label twice (in any case)."""

    def validate(self, value) -> tuple[str, ...]:
        labels = super().validate(value)
        if len({v.strip().lower() for v in labels}) != len(labels):
            raise ValidationError("names a label twice")
        return tuple(v.strip() for v in labels)


SCHEMA: dict[str, Option] = {
    "name": Text("the deck's name, e.g. Staff Engineering"),
    "id": DeckId("a fixed deck id (integer); optional"),
    "sources": Globs("globs of script files, relative to this file", lambda path: [f"{path.stem}/*.md"],
                     empty=False, message="must be a list of globs"),
    "tags": Strings("tags added to every note"),
    "levels": Labels("labels that count as levels, lowest first", DEFAULT_LEVELS, empty=False,
                     message="must be a non-empty list of labels"),
}
KEYS = {key: option.help for key, option in SCHEMA.items()}


def load_config(path: Path, allow_outside: bool = False) -> DeckConfig:
    """Read and validate a deck config; every problem is reported together.

    Its sources must lie inside the project (the folder that holds the config's
    folder, ``decks/``), links followed, unless ``allow_outside``."""
    shown = display_path(path)
    text = decode(read_source(path, shown), shown).lstrip("\ufeff")
    raw = _mapping(text, shown)
    problems = Problems()
    lines = _key_lines(text)
    values = validate(raw, path, shown, lines, problems)
    problems.raise_errors("invalid deck config")
    # Globs are resolved once the keys are sound: a misspelt key would otherwise
    # add a second, misleading error about the default pattern.
    project = None if allow_outside else Path(os.path.realpath(path.parent)).parent
    files = resolve_globs(path.parent, list(values["sources"]), shown, lines, problems, project)
    problems.raise_errors("invalid deck config")
    return DeckConfig(name=values["name"], sources=tuple(files), path=path, deck_id=values["id"],
                      tags=values["tags"], levels=values["levels"], root=path.parent)


def _mapping(text: str, shown: str) -> dict:
    """The config's YAML: one mapping of keys, else refused at the line of the mistake."""
    try:
        raw = yaml.load(text, Loader=UniqueKeysSafeLoader)
    except yaml.YAMLError as e:
        message, line = yaml_problem(e, text)
        raise AnkigenError(f"not valid YAML: {message} (fix the YAML at this line)", shown, line) from None
    except RecursionError:
        raise AnkigenError("nested too deeply to be a deck config; see README: Deck config", shown, 1) from None
    if not isinstance(raw, dict):
        raise AnkigenError("a deck config must be a mapping of keys (name:, sources:, …)", shown, 1)
    return raw


def validate(raw: dict, path: Path, shown: str, lines: dict[str, int], problems: Problems) -> dict:
    """Each option's value as validated (a key left out: its default); every error, an
    unknown key's too, goes to ``problems`` at its line, in the order of the lines."""
    for key in raw:
        if key not in SCHEMA:
            problems.error(shown, lines.get(str(key)), f"unknown key '{key}' (known keys: {', '.join(SCHEMA)})")
    values = {}
    for key, option in SCHEMA.items():
        try:
            values[key] = option.validate(raw[key] if key in raw else option.default_for(path))
        except ValidationError as e:
            problems.error(shown, lines.get(key), f"'{key}' {e}")
    problems.items.sort(key=lambda d: d.line or 0)
    return values


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


def _key_lines(text: str) -> dict[str, int]:
    """Line of each top-level key and of each list entry (``- staff/*.md``), for messages."""
    lines: dict[str, int] = {}
    for no, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line) or re.match(
            r"^\s*-\s*[\"']?(.*?)[\"']?\s*(?:#.*)?$", line)
        if m:
            lines.setdefault(m.group(1), no)
    return lines
