"""Every command explains itself: help text and at least one example (sqlite-utils' rule)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from ankigen.cli import main


def _commands():
    ctx = click.Context(main)
    yield "ankigen", main
    for name in main.list_commands(ctx):
        yield f"ankigen {name}", main.get_command(ctx, name)


@pytest.mark.parametrize("name,command", list(_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_command_has_help_and_an_example(name, command):
    assert (command.help or "").strip(), f"{name} has no help text"
    with click.Context(command, info_name=name) as ctx:
        text = command.get_help(ctx)
    assert "Example" in text, f"{name} --help has no example"
    examples = text.split("Example", 1)[1]
    assert "ankigen" in examples, f"{name}: the example does not show a command line"


def test_there_are_commands_to_check():
    assert {"build", "check", "preview", "init"} <= set(main.list_commands(click.Context(main)))


def test_the_heavy_modules_are_imported_only_when_needed():
    """``--help`` imports no build machinery; a build imports Python-Markdown only for a
    field that needs it (the shipped scripts have none: their Markdown is the simple kind)."""
    import subprocess
    import sys

    probe = ("import sys; from ankigen.cli import main; "
             "from click.testing import CliRunner; r = CliRunner().invoke(main, {args}); "
             "assert r.exit_code == 0, r.output; print(sorted(m for m in ('markdown', 'genanki', "
             "'ankigen.build', 'sqlite3') if m in sys.modules))")
    run = lambda args: subprocess.run([sys.executable, "-c", probe.format(args=args)], capture_output=True,
                                      text=True, cwd=Path(__file__).parent.parent)
    helped = run(["--help"])
    assert helped.returncode == 0 and helped.stdout.strip() == "[]", helped.stderr
    checked = run(["check"])
    assert checked.returncode == 0, checked.stderr
    assert "'markdown'" not in checked.stdout and "'ankigen.build'" in checked.stdout
