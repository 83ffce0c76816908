"""The plan stage: which decks a build makes, from the sources it is given."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .config import DeckConfig, display_path, load_config, markdown_deck, natural_key
from .errors import AnkigenError, Problems
from .read import relative

CONFIG_SUFFIXES = (".yaml", ".yml")
MARKDOWN_SUFFIXES = (".md", ".markdown")


def find_configs(root: Path) -> list[Path]:
    folder = root / "decks"
    return sorted((p for p in folder.glob("*") if p.suffix in CONFIG_SUFFIXES
                   and not p.name.endswith((".lock.yaml", ".lock.yml"))), key=lambda p: natural_key(p.name))


def plan(sources: list[Path], allow_outside: bool = False) -> list[DeckConfig]:
    """Configs as given; Markdown files and folders grouped into one deck per folder.

    A folder is searched recursively for Markdown, skipping hidden files and
    folders and README files; a source named twice counts once. Unless
    ``allow_outside``, a config's sources must lie in its project and a folder's
    scripts in the folder, links followed."""
    from .config import markdown_in, unique_paths
    from .sources import outside

    if not sources:
        configs = find_configs(Path.cwd())
        if not configs:
            raise AnkigenError("no deck configs in decks/ (give a config, a Markdown file or a folder)",
                               "decks/")
        sources = configs
    decks: list[DeckConfig] = []
    loose: dict[Path, list[Path]] = {}
    problems = Problems()
    for src in unique_paths(sources):
        if src.is_dir():
            files = markdown_in(src)
            if not files:
                problems.error(display_path(src), None, "folder holds no Markdown (.md) files")
            loose.setdefault(src, []).extend(files)
        elif src.suffix.lower() in CONFIG_SUFFIXES:
            try:
                decks.append(load_config(src, allow_outside))
            except AnkigenError as e:
                problems.items.extend(e.diagnostics)
        elif src.suffix.lower() in MARKDOWN_SUFFIXES:
            loose.setdefault(src.parent, []).append(src)
        else:
            problems.error(display_path(src), None, "not a deck config (.yaml) or Markdown (.md) file")
    folders: dict[str, str] = {}
    for folder, files in loose.items():
        for file in files:
            real = None if allow_outside else outside(file, folder, folders)
            if real:
                problems.error(display_path(file), None, f"a link to {real}, outside "
                               f"{display_path(folder)}/; copy the script in, or build with "
                               "--allow-outside", "outside-project")
    problems.raise_errors("bad sources")
    for folder, files in loose.items():
        files = unique_paths(files)
        decks.append(_of_config(files, allow_outside) or markdown_deck(folder, files))
    return decks


def _of_config(files: list[Path], allow_outside: bool) -> DeckConfig | None:
    """Scripts given by name that are all sources of one deck config of their project (the
    nearest folder above them holding ``decks/``): that config, built for these scripts
    only. Its name, tags, levels and lock are the series'; the other scripts' lock entries
    are kept as they are (``DeckConfig.others``), never retired or rewritten."""
    wanted = {f.resolve() for f in files}
    here = next(iter(wanted)).parent
    for folder in (here, *here.parents):
        if not (folder / "decks").is_dir():
            continue
        for path in find_configs(folder):
            try:
                config = load_config(path, allow_outside)
            except AnkigenError:
                continue
            if wanted <= set(config.sources):
                built = tuple(f for f in config.sources if f in wanted)
                others = tuple(relative(f, config.root) for f in config.sources if f not in wanted)
                return replace(config, sources=built, others=others)
        return None
    return None
