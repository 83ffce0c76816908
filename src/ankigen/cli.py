"""The command line. The only module that imports click."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from . import __version__

SOURCES = click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
RETYPE = click.option(
    "--retype", is_flag=True,
    help="A note the script now makes as another kind (cloze <-> question/answer) is retired and "
         "added anew as that kind: its reviews stay with the retired note, the new note starts "
         "unlearned. Without it, the note keeps the type learners have.")
RETIRE_SECTIONS = click.option(
    "--retire-sections", is_flag=True,
    help="A section gone from a script that still builds (a misspelled heading, a deleted "
         "section) retires its notes. Without it the build is refused, naming the heading.")
ALLOW_OUTSIDE = click.option(
    "--allow-outside", is_flag=True,
    help="Read scripts outside the project too. By default a config's sources (links followed) "
         "must lie in its project, the folder holding decks/, and a folder's scripts in that "
         "folder: a script from a pull request cannot pull in other files of the machine.")


class _Commands(click.Group):
    """A bug is one line asking for a report, never a traceback (ANKIGEN_DEBUG=1 shows it)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (``ankigen build -v | head``): click ends quietly
            raise
        except Exception as e:
            if os.environ.get("ANKIGEN_DEBUG"):
                raise
            _echo(f"ankigen: internal error ({type(e).__name__}: {e}); please report it with the "
                  "input that caused it (ANKIGEN_DEBUG=1 shows the traceback)", err=True)
            sys.exit(1)


_QUICK_EXIT = False  # set by a one-off build: see run()


def run() -> None:
    """The ``ankigen`` command. After a one-off build the process ends without the
    interpreter's teardown, which would free the build's objects one at a time (~8% of a
    rebuild of a thousand videos): output is flushed, every file the build wrote is closed
    and renamed into place by then, and its threads are done."""
    try:
        main()
    except SystemExit as e:
        if _QUICK_EXIT and (e.code is None or isinstance(e.code, int)):
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):  # a reader that went away, a closed stream
                    pass
            os._exit(e.code or 0)
        raise


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
                   "Default: dist/<deck-slug>.apkg (dist/<deck-slug>-partial.apkg for some "
                   "scripts of a series).")
@click.option("--lock", "lock", type=click.Path(dir_okay=False, path_type=Path),
              help="The lock file. Default: beside the config (decks/<name>.lock.yaml), "
                   "or beside a Markdown folder (<folder>.lock.yaml).")
@click.option("--rename-decks", is_flag=True,
              help="Follow a retitled or renumbered video to its new subdeck name, and number "
                   "every subdeck at one width, so Anki lists them in course "
                   "order. Learners' existing cards stay in the old subdeck (Anki matches decks "
                   "by name).")
@click.option("--allow-notetype-change", is_flag=True,
              help="Ship changed fields or templates anyway. Every learner's notes become "
                   "'conflicting' and Anki adds an unused copy of the note type: avoid.")
@RETYPE
@RETIRE_SECTIONS
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("--split", is_flag=True,
              help="Also write one package per video, in <output folder>/<deck-slug>/, with the "
                   "same GUIDs: for publishing videos one by one.")
@click.option("-v", "--verbose", is_flag=True, help="Also list every video with its notes and cards.")
@click.option("--watch", is_flag=True,
              help="Stay running: rebuild whenever a script or config changes (Ctrl-C stops).")
@ALLOW_OUTSIDE
def build(sources: tuple[Path, ...], output: Path | None, lock: Path | None, rename_decks: bool,
          allow_notetype_change: bool, retype: bool, retire_sections: bool, as_json: bool, quiet: bool,
          split: bool, verbose: bool, watch: bool, allow_outside: bool) -> None:
    """Build decks from SOURCES: deck configs (.yaml), Markdown files or folders.

    With no SOURCES, every decks/*.yaml is built. Nothing is written unless
    every source is sound; a refused source exits 1. Scripts named one by one
    that belong to a deck config build as that series, for those videos only
    (default output dist/<deck-slug>-partial.apkg): the other videos' lock
    entries are kept as they are.

    \b
    Examples:
      ankigen build
      ankigen build decks/staff-engineering.yaml -o /tmp/se.apkg
      ankigen build path/to/scripts/ -o out.apkg --json
      ankigen build decks/staff-engineering/01-ownership.md -o one.apkg
      ankigen build --watch
    """
    from .build import Options

    progress = _Progress(enabled=not (quiet or as_json))
    options = Options(output, lock, rename_decks, allow_notetype_change,
                      on_wait=lambda folder, pid: _echo(
                          f"{folder}: another build of this deck is running"
                          f"{f' (process {pid})' if pid else ''}; waiting for it", err=True),
                      on_start=progress.start, on_file=progress.step, split=split,
                      retype=retype, retire_sections=retire_sections, allow_outside=allow_outside)
    if not watch:
        global _QUICK_EXIT
        _QUICK_EXIT = True
        sys.exit(_build_once(list(sources), options, as_json, quiet, verbose, progress))
    _build_and_watch(list(sources), options, as_json, quiet, verbose, progress)


class _Progress:
    """click's progress bar over the scripts read, on a terminal only, for long batches."""

    LONG = 20  # scripts: fewer than this finish before a bar is worth drawing

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None

    def start(self, total: int) -> None:
        if self.enabled and total >= self.LONG:
            self.bar = click.progressbar(length=total, label="Reading scripts", file=sys.stderr)
            self.bar.__enter__()

    def step(self, _path) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _build_once(sources: list[Path], options, as_json: bool, quiet: bool, verbose: bool = False,
                progress: _Progress | None = None) -> int:
    from .build import build as run_build
    from .errors import AnkigenError

    try:
        report = run_build(sources, options)
    except AnkigenError as e:
        if progress:
            progress.finish()
        _fail(e, as_json, exit=False)
        return 1
    if progress:
        progress.finish()
    _report(report, as_json, quiet, built=True, verbose=verbose)
    return 0


def _build_and_watch(sources: list[Path], options, as_json: bool, quiet: bool, verbose: bool,
                     progress: _Progress) -> None:
    from .watch import watch as run_watch

    _build_once(sources, options, as_json, quiet, verbose, progress)
    _echo("watching for changes (Ctrl-C to stop)", err=True)

    def rebuild(changed: list[str]) -> None:
        _echo(f"changed: {', '.join(changed)}", err=True)
        _build_once(sources, options, as_json, quiet, verbose, progress)

    try:
        run_watch(sources, rebuild)
    except KeyboardInterrupt:
        _echo("stopped", err=True)


@main.command()
@SOURCES
@click.option("--lock", "lock", type=click.Path(dir_okay=False, path_type=Path),
              help="The lock file to compare against (default: beside the config).")
@click.option("--rename-decks", is_flag=True, help="Show the subdeck renames a build with --rename-decks makes.")
@RETYPE
@RETIRE_SECTIONS
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@ALLOW_OUTSIDE
def diff(sources: tuple[Path, ...], lock: Path | None, rename_decks: bool, retype: bool,
         retire_sections: bool, as_json: bool, allow_outside: bool) -> None:
    """Show what the next build would add, change, rename and retire. Writes nothing.

    \b
    Examples:
      ankigen diff
      ankigen diff decks/staff-engineering.yaml --json
    """
    from .build import Options
    from .build import diff as run_diff
    from .errors import AnkigenError

    try:
        report = run_diff(list(sources), Options(lock=lock, rename_decks=rename_decks, retype=retype,
                                                 retire_sections=retire_sections,
                                                 allow_outside=allow_outside))
    except AnkigenError as e:
        _fail(e, as_json)
        return
    _report(report, as_json, quiet=False, built=False)


def _report(report, as_json: bool, quiet: bool, built: bool, verbose: bool = False) -> None:
    from .report import render_changes

    if as_json:
        click.echo(json.dumps({
            "decks": [d.as_json() for d in report.decks],
            "warnings": [d.as_json() for d in report.warnings if d.severity == "warning"],
            "errors": [],
        }, ensure_ascii=False, indent=2))
        return
    if quiet:
        return
    for d in report.warnings:
        if d.severity == "warning":
            _echo(_line(d), err=True)
    for deck in report.decks:
        _echo(render_changes(deck, built))
        if verbose:
            for file, subdeck, notes, cards in deck.per_video:
                _echo(f"  {file}: {subdeck}: {notes} notes, {cards} cards")


def _line(d) -> str:
    where = d.file + (f":{d.line}" if d.line else "")
    return f"{where}: {d.severity}: {d.message}".replace("\n", "\\n")


_UNPRINTABLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _echo(text: str, err: bool = False) -> None:
    """click.echo, with any control character a file name or title could hold shown as
    ``\\xNN``: never sent to the terminal, where it could move the cursor or recolour."""
    click.echo(_UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text), err=err)


def _fail(error, as_json: bool, exit: bool = True) -> None:
    errors = [d for d in error.diagnostics if d.severity == "error"] or error.diagnostics
    if as_json:
        click.echo(json.dumps({"decks": [], "warnings": [
            d.as_json() for d in error.diagnostics if d.severity != "error"],
            "errors": [d.as_json() for d in errors]}, ensure_ascii=False, indent=2))
    else:
        for d in error.diagnostics:
            if d.severity != "info":
                _echo(_line(d), err=True)
        _echo(f"ankigen: {len(errors)} error(s); nothing was written", err=True)
    if exit:
        sys.exit(1)


@main.command()
@SOURCES
@click.option("--json", "as_json", is_flag=True,
              help='Print a JSON list: [{"file", "line", "column", "code", "severity", "message"}].')
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, for CI. Info never fails.")
@ALLOW_OUTSIDE
def check(sources: tuple[Path, ...], as_json: bool, strict: bool, allow_outside: bool) -> None:
    """Report every problem in SOURCES at once, as file:line:col: CODE message. Writes nothing.

    Reads exactly what `build` reads (no SOURCES: every decks/*.yaml). Each
    diagnostic is an error, a warning or info; card-quality hints are info.
    Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage.

    \b
    Examples:
      ankigen check
      ankigen check decks/staff-engineering.yaml --strict
      ankigen check path/to/scripts/ --json
    """
    from .check import as_json as diagnostic_json
    from .check import check as run_check
    from .check import exit_code, format_line

    diagnostics = run_check(list(sources), allow_outside)
    if as_json:
        click.echo(json.dumps([diagnostic_json(d) for d in diagnostics], ensure_ascii=False, indent=2))
    else:
        for d in diagnostics:
            _echo(format_line(d).replace("\n", "\\n"))
        counts = {s: sum(d.severity == s for d in diagnostics) for s in ("error", "warning", "info")}
        summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items())
        _echo(f"ankigen check: {summary}", err=True)
    sys.exit(exit_code(diagnostics, strict))


@main.command()
@SOURCES
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the site to. Default: dist/preview/.")
@ALLOW_OUTSIDE
def preview(sources: tuple[Path, ...], output: Path | None, allow_outside: bool) -> None:
    """Write a static site showing every card as Anki will show it, front and back.

    Reads what `build` reads and renders the package it would write, with the
    note types' own templates and CSS; each cloze number is its own card. Open
    index.html in a browser: each video's page has a Night switch (the deck's
    night-mode styles) and a Phone 360 px view. Writes only the site.

    \b
    Examples:
      ankigen preview
      ankigen preview decks/staff-engineering.yaml -o /tmp/preview
      xdg-open dist/preview/index.html
    """
    from .errors import AnkigenError
    from .preview import preview as run_preview

    try:
        report = run_preview(list(sources), output, allow_outside=allow_outside)
    except AnkigenError as e:
        _fail(e, as_json=False)
        return
    for d in report.diagnostics:
        if d.severity == "warning":
            _echo(_line(d), err=True)
    for deck in report.decks:
        _echo(f"{deck.name}: {len(deck.videos)} videos, {deck.card_count} cards")
    _echo(f"Preview → {report.index}")


@main.command()
@click.argument("directory", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--series", metavar="NAME", help="The series' name. Default: DIRECTORY's name, title-cased.")
def init(directory: Path, series: str | None) -> None:
    """Start a new series in DIRECTORY (default: here): a deck config and a template script.

    Writes decks/<series-slug>.yaml and decks/<series-slug>/01-first-video.md,
    a script with every section a video has, each explained in a comment, that
    builds to a small deck right away. Never overwrites a file.

    \b
    Examples:
      ankigen init --series "Staff Engineering"
      ankigen init my-course && cd my-course && ankigen build
    """
    from .errors import AnkigenError
    from .scaffold import init as run_init

    try:
        made = run_init(directory, series)
    except AnkigenError as e:
        _echo(f"ankigen: {e}", err=True)
        sys.exit(1)
    for path in (made.config, made.script):
        _echo(f"created {click.format_filename(path)}")
    where = "" if directory == Path(".") else f"cd {click.format_filename(directory)} && "
    _echo(f"Next: edit the script, then {where}ankigen check && ankigen preview && ankigen build")
