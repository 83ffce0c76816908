"""Which files a deck reads: globs that never loop, links that never leave the project.

``glob.glob(…, recursive=True)`` follows symbolic links to folders, so a link
loop under a ``**`` never ends. The glob here walks ``**`` without following
links to folders (a link to a file is read like the file). A link that leads
nowhere, or back to itself, is kept so that reading it names the problem: a
script silently left out would retire every note of its video.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path

MARKDOWN = (".md", ".markdown")


def glob_files(base: Path, pattern: str) -> list[str]:
    """``glob.glob(base/pattern, recursive=True)``, but ``**`` follows no link to a folder."""
    full = os.path.join(str(base), pattern)
    if "**" not in pattern:
        return glob.glob(full)
    parts = full.replace(os.sep, "/").split("/")
    literal = next(i for i, p in enumerate(parts) if glob.has_magic(p))
    root = "/".join(parts[:literal]) or ("/" if full.startswith("/") else ".")
    wanted = parts[literal:]
    found = []
    for folder, dirs, names in os.walk(root):  # followlinks=False: a link loop is not entered
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = os.path.relpath(folder, root)
        prefix = [] if rel == "." else rel.replace(os.sep, "/").split("/")
        for name in names:
            if _match(prefix + [name], wanted):
                found.append(os.path.join(folder, name))
    return found


def _match(parts: list[str], pattern: list[str]) -> bool:
    """Path components against pattern components, as glob matches them (hidden names
    only by a pattern that starts with a dot)."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_match(parts[k:], pattern[1:]) for k in range(len(parts) + 1)
                   if not any(p.startswith(".") for p in parts[:k]))
    return (bool(parts) and (not parts[0].startswith(".") or pattern[0].startswith("."))
            and fnmatch.fnmatch(parts[0], pattern[0]) and _match(parts[1:], pattern[1:]))


def real_path(path: Path, seen: dict[str, str]) -> str:
    """``os.path.realpath(path)``, resolving each folder once (``seen``) for a folder of files."""
    if os.path.islink(path):
        return os.path.realpath(path)
    # realpath, not abspath, for the folder: 'link/..' is where the link leads, then up
    return os.path.join(_real_folder(os.path.dirname(path) or ".", seen), os.path.basename(path))


def _real_folder(folder: str, seen: dict[str, str]) -> str:
    if folder not in seen:
        seen[folder] = os.path.realpath(folder)
    return seen[folder]


def is_script(path: Path) -> bool:
    """A Markdown file, or a link named like one that leads nowhere (reported when read)."""
    if path.suffix.lower() not in MARKDOWN:
        return False
    return path.is_file() or (path.is_symlink() and not path.exists())


def outside(path: Path, project: Path, seen: dict[str, str] | None = None) -> str | None:
    """Where ``path`` really is (links followed) when that is outside ``project``, else None.
    ``seen`` keeps the real path of each folder across the calls of one check."""
    seen = {} if seen is None else seen
    real = real_path(path, seen)
    return None if within(real, project, seen) else real


def within(real: str, project: Path, seen: dict[str, str]) -> bool:
    """Is the real path ``real`` inside ``project`` (``seen`` as for ``outside``)?"""
    top = _real_folder(str(project), seen)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)
