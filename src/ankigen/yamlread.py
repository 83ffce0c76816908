"""Reading YAML the way ankigen's files need it (deck configs, front matter, a lock
edited by hand): a key given twice is refused, and PyYAML's complaints are said in plain
words at the line of the mistake."""

from __future__ import annotations

import re

from typing import Any, NamedTuple

import yaml


class UniqueKeys:
    """A PyYAML safe loader's mix-in that refuses a key given twice in one mapping (PyYAML
    keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # an unhashable key: the constructor says so
                    break
                if first is not key_node:
                    raise yaml.constructor.ConstructorError(
                        None, first.start_mark, f"'{key}' is given twice", key_node.start_mark)
        return super().construct_mapping(node, deep)


class UniqueKeysSafeLoader(UniqueKeys, yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice."""


_FOUND = {"']'": "a ']' that closes no '['", "'}'": "a '}' that closes no '{'",
          "'<block mapping start>'": "this line is indented more than the key above it",
          "'<block sequence start>'": "a list item ('- ') that does not line up under its key",
          "'-'": "a list item ('- ') where a key was expected",
          "'<scalar>'": "text after a value; put the whole value in quotes"}


def yaml_problem(e: yaml.YAMLError, text: str, offset: int = 0) -> tuple[str, int | None]:
    """PyYAML's complaint in plain words, and the line of the mistake (often not where
    PyYAML noticed it: an unclosed bracket or quote is noticed lines later). ``text``'s
    first line is line ``offset + 1`` of its file."""
    message, line = _yaml_problem(e, text, offset)
    return message, None if line is None else line + offset


class _Complaint(NamedTuple):
    """PyYAML's complaint, read: its wording, where it noticed it and where it started."""

    problem: str
    context: str
    mark: Any  # where PyYAML noticed the mistake
    line: int | None  # its line (1-based)
    where: int | None  # the line of what was opened there (a quote, a bracket), else ``line``
    shown: int  # ``where`` as the file counts it
    lines: list[str]


def _yaml_problem(e: yaml.YAMLError, text: str, offset: int) -> tuple[str, int | None]:
    mark, opened = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
    line = mark.line + 1 if mark else None
    where = opened.line + 1 if opened else line
    c = _Complaint(str(getattr(e, "problem", None) or str(e).splitlines()[0]),
                   str(getattr(e, "context", None) or ""), mark, line, where,
                   (where or 0) + offset, text.splitlines())
    for rule in _RULES:
        said = rule(c)
        if said is not None:
            return said
    return c.problem, c.line


def _twice_or_tab(c: _Complaint):
    if "is given twice" in c.problem:
        return f"{c.problem} (first at line {c.shown}); keep one", c.line
    if "'\\t'" in c.problem or "'\t'" in c.problem:
        return "a tab; indent with spaces", c.line
    return None


def _never_closed(c: _Complaint):
    if "quoted scalar" in c.context:
        return f"a quote opened at line {c.shown} is never closed", c.where
    if "flow sequence" in c.context or "flow mapping" in c.context:
        pair = "[]" if "sequence" in c.context else "{}"
        return f"a '{pair[0]}' opened at line {c.shown} is never closed with '{pair[1]}'", c.where
    return None


def _no_colon(c: _Complaint):
    if "could not find expected ':'" in c.problem:
        return "no ':' after the key", c.where
    if "mapping values are not allowed" not in c.problem or c.mark is None:
        return None
    lines, mark = c.lines, c.mark
    before = lines[mark.line][:mark.column] if mark.line < len(lines) else ""
    if ":" in before:
        return "a ': ' inside a value; put the value in quotes", c.line
    earlier = [n for n in range(mark.line - 1, -1, -1) if lines[n].strip() and not lines[n].lstrip().startswith("#")]
    if not earlier:
        return None
    above, here = lines[earlier[0]], lines[mark.line] if mark.line < len(lines) else ""
    if _KEY.match(above) and _indent(here) > _indent(above):  # ``name: X`` then ``  sources: …``
        return "indented more than the line above; keys of one mapping line up", mark.line + 1
    return "no ':' after the key", earlier[0] + 1


_KEY = re.compile(r"\s*[^\s:#][^:#]*:(\s|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _out_of_place(c: _Complaint):
    if "expected <block end>" in c.problem:
        found = c.problem.rsplit("but found ", 1)[-1]
        return _FOUND.get(found, f"unexpected {found}"), c.line
    if "<document start>" in c.problem:
        first = next((n for n, t in enumerate(c.lines, 1) if t.strip() and not t.lstrip().startswith("#")), c.line)
        return "a value with no key; every line is 'key: value' (or a list item under a key)", first
    if "another document" in c.problem:
        return "a second document ('---'); a config is one mapping of keys", c.line
    if "undefined alias" in c.problem:
        return "'*' starts a YAML alias; put the value in quotes", c.line
    return None


_RULES = (_twice_or_tab, _never_closed, _no_colon, _out_of_place)  # in this order
