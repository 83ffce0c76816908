"""Reading YAML the way ankigen's files need it (deck configs, front matter, a lock
edited by hand): a key given twice is refused, and PyYAML's complaints are said in plain
words at the line of the mistake."""

from __future__ import annotations

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


def _yaml_problem(e: yaml.YAMLError, text: str, offset: int) -> tuple[str, int | None]:
    problem = str(getattr(e, "problem", None) or str(e).splitlines()[0])
    context = str(getattr(e, "context", None) or "")
    mark, opened = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
    line = mark.line + 1 if mark else None
    where = opened.line + 1 if opened else line
    shown = (where or 0) + offset  # a line named in the message, as the file counts it
    lines = text.splitlines()
    if "is given twice" in problem:
        return f"{problem} (first at line {shown}); keep one", line
    if "'\\t'" in problem or "'\t'" in problem:
        return "a tab; indent with spaces", line
    if "quoted scalar" in context:
        return f"a quote opened at line {shown} is never closed", where
    if "flow sequence" in context or "flow mapping" in context:
        pair = "[]" if "sequence" in context else "{}"
        return f"a '{pair[0]}' opened at line {shown} is never closed with '{pair[1]}'", where
    if "could not find expected ':'" in problem:
        return "no ':' after the key", where
    if "mapping values are not allowed" in problem and mark is not None:
        before = lines[mark.line][:mark.column] if mark.line < len(lines) else ""
        if ":" in before:
            return "a ': ' inside a value; put the value in quotes", line
        earlier = [n for n in range(mark.line - 1, -1, -1) if lines[n].strip() and not lines[n].lstrip().startswith("#")]
        if earlier:
            return "no ':' after the key", earlier[0] + 1
    if "expected <block end>" in problem:
        found = problem.rsplit("but found ", 1)[-1]
        return _FOUND.get(found, f"unexpected {found}"), line
    if "<document start>" in problem:
        first = next((n for n, t in enumerate(lines, 1) if t.strip() and not t.lstrip().startswith("#")), line)
        return "a value with no key; every line is 'key: value' (or a list item under a key)", first
    if "another document" in problem:
        return "a second document ('---'); a config is one mapping of keys", line
    if "undefined alias" in problem:
        return "'*' starts a YAML alias; put the value in quotes", line
    return problem, line
