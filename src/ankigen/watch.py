"""Rebuild when a script or config changes: polling, debounced, no extra dependency."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

WATCHED = (".md", ".markdown", ".yaml", ".yml")


def watched_files(sources: list[Path]) -> dict[str, tuple[int, int]]:
    """Every script and config the sources could read, with its (mtime, size).

    Lock files are left out: the build writes them.
    """
    roots = [Path(s) for s in sources] or [Path("decks")]
    out: dict[str, tuple[int, int]] = {}
    for root in roots:
        if root.is_file():
            root = root.parent if root.suffix in (".yaml", ".yml") else root
        if root.is_file():
            _add(out, root)
            continue
        for folder, _dirs, files in os.walk(root, followlinks=False):
            for name in files:
                if name.endswith(WATCHED) and not name.endswith((".lock.yaml", ".lock.yml")):
                    _add(out, Path(folder) / name)
    return out


def _add(out: dict, path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        return
    out[str(path)] = (st.st_mtime_ns, st.st_size)


def watch(sources: list[Path], rebuild: Callable[[list[str]], None],
          interval: float = 0.4, debounce: float = 0.3,
          should_stop: Callable[[], bool] = lambda: False) -> None:
    """Call ``rebuild(changed_paths)`` after files settle; return when ``should_stop()``."""
    seen = watched_files(sources)
    while not should_stop():
        time.sleep(interval)
        now = watched_files(sources)
        if now == seen:
            continue
        # debounce: wait until editors have finished writing
        while True:
            time.sleep(debounce)
            settled = watched_files(sources)
            if settled == now:
                break
            now = settled
        changed = sorted(set(now.items()) ^ set(seen.items()))
        seen = now
        rebuild(sorted({path for path, _ in changed}))
