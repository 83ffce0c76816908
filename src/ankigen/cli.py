"""The command line. The only module that imports click."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__

SOURCES = click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ankigen")
def main() -> None:
    """Turn the scripts of a video series into an Anki deck that keeps its notes' identity.

    \b
    Example:
      ankigen build                         # every decks/*.yaml → dist/<deck>.apkg
    """


@main.command()
@SOURCES
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write: an .apkg file, or a folder for several decks. "
                   "Default: dist/<deck-slug>.apkg.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def build(sources: tuple[Path, ...], output: Path | None, as_json: bool, quiet: bool) -> None:
    """Build decks from SOURCES: deck configs (.yaml), Markdown files or folders.

    With no SOURCES, every decks/*.yaml is built. Nothing is written unless
    every source is sound; a refused source exits 1.

    \b
    Examples:
      ankigen build
      ankigen build decks/staff-engineering.yaml -o /tmp/se.apkg
      ankigen build path/to/scripts/ -o out.apkg --json
    """
    from .build import build as run_build
    from .errors import AnkigenError

    try:
        report = run_build(list(sources), output)
    except AnkigenError as e:
        _fail(e, as_json)
        return
    if as_json:
        click.echo(json.dumps({
            "decks": [d.as_json() for d in report.decks],
            "warnings": [d.as_json() for d in report.warnings if d.severity == "warning"],
            "errors": [],
        }, ensure_ascii=False, indent=2))
        return
    if not quiet:
        for d in report.warnings:
            if d.severity == "warning":
                click.echo(_line(d), err=True)
        for deck in report.decks:
            click.echo(f"{deck.name}: {deck.videos} videos, {deck.notes} notes, {deck.cards} cards "
                       f"→ {deck.output}")


def _line(d) -> str:
    where = d.file + (f":{d.line}" if d.line else "")
    return f"{where}: {d.severity}: {d.message}"


def _fail(error, as_json: bool) -> None:
    errors = [d for d in error.diagnostics if d.severity == "error"] or error.diagnostics
    if as_json:
        click.echo(json.dumps({"decks": [], "warnings": [
            d.as_json() for d in error.diagnostics if d.severity != "error"],
            "errors": [d.as_json() for d in errors]}, ensure_ascii=False, indent=2))
    else:
        for d in error.diagnostics:
            if d.severity != "info":
                click.echo(_line(d), err=True)
        click.echo(f"ankigen: {len(errors)} error(s); nothing was written", err=True)
    sys.exit(1)
