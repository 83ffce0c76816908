"""Every command explains itself: help text and at least one example (sqlite-utils' rule)."""

from __future__ import annotations

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
