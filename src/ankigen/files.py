"""Reading sources and writing outputs so that a failure never costs a file.

Sources are read with a size limit, and a file that cannot be read is named
with what to do about it. Outputs (packages and locks) are written all or
nothing: every file is staged beside its target and flushed to disk first,
then all of them are renamed into place. If staging fails (a full disk, a
folder that cannot be written), the staged files are removed and every target
keeps its previous bytes.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import signal
import stat
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .errors import AnkigenError

# A video script is a few KB. A 20 MB one (177,000 recap bullets) builds in ~25 s and
# ~800 MB of memory; anything larger is refused before it is read.
MAX_SOURCE_BYTES = 20 * 1024 * 1024
# Some text (thousands of brackets, backticks or asterisks in one paragraph) takes
# Markdown and the extraction rules time that grows with the square of its length;
# a script still being read after this long is refused.
READ_SECONDS = 120

_READ_HINTS = {
    errno.EACCES: "give yourself read permission (chmod u+r) or remove it from the sources",
    errno.EPERM: "give yourself read permission (chmod u+r) or remove it from the sources",
    errno.ELOOP: "it is a symbolic link that leads back to itself; fix or remove the link",
    errno.ENOENT: "it is a broken symbolic link or was removed during the build; fix or remove it",
    errno.EISDIR: "it is a folder; name the Markdown files in it instead",
    errno.EIO: "the disk reported an error; check the disk and try again",
}
_WRITE_HINTS = {
    errno.ENOSPC: "the disk is full; free some space and build again",
    errno.EDQUOT: "the disk quota is used up; free some space and build again",
    errno.EACCES: "the folder is not writable; fix its permissions or choose another -o",
    errno.EPERM: "the folder is not writable; fix its permissions or choose another -o",
    errno.EROFS: "the disk is read-only; choose another -o",
    errno.ENOTDIR: "a file is in the way of a folder on this path; choose another -o",
    # a folder to make is a file already: -o named a file where a folder (or an .apkg) was meant
    errno.EEXIST: "a file is in the way of a folder on this path (-o takes a folder, or a "
                  "path ending in .apkg); choose another -o",
    errno.EISDIR: "a folder is in the way; choose another -o",
}


def cannot_read(e: OSError) -> str:
    """Why a file cannot be read and what to do, for a one-line message."""
    hint = _READ_HINTS.get(e.errno or 0, "check the file and try again")
    return f"cannot read it ({e.strerror or e}); {hint}"


def cannot_write(e: OSError) -> str:
    hint = _WRITE_HINTS.get(e.errno or 0, "check the disk and the folder, then build again")
    return f"cannot write ({e.strerror or e}): {hint}; nothing was written"


def read_source(path: Path, shown: str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """A source file's bytes; a folder, a pipe, a device or a file over ``limit`` is refused."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block
    except OSError as e:
        raise AnkigenError(cannot_read(e), shown) from None
    with os.fdopen(fd, "rb") as f:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise AnkigenError("not a regular file (a pipe or a device?); remove it from the "
                                   "sources", shown)
            data = f.read() if info.st_size <= limit else b""
        except OSError as e:
            raise AnkigenError(cannot_read(e), shown) from None
    if info.st_size > limit or len(data) > limit:
        raise AnkigenError(f"over {limit // 2**20} MB, too large to be a video script; "
                           "remove it from the sources or split it", shown)
    return data


class _Expired(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float, shown: str):
    """Refuse the file being read if the block runs longer than ``seconds`` (on the main
    thread of a system with SIGALRM; elsewhere there is no limit)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    outer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise AnkigenError(f"still being read after {seconds:g} s: text that defeats the parser "
                           "(thousands of brackets, backticks or asterisks in one paragraph?); "
                           "shorten its longest paragraphs", shown) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0]:
            signal.setitimer(signal.ITIMER_REAL, *outer)


def write_all(files: list[tuple[Path, bytes | Callable[[], bytes]]]) -> None:
    """Write every file or none: stage each beside its target, then rename them all, in
    the order given. Content still being made (a callable) is staged after the rest.

    A failure while staging (the usual ones: a full disk, a folder that cannot be
    written) removes the staged files and leaves every target as it was. A rename
    within one folder fails only when a folder is in the target's way, and that is
    checked before the first rename. Temporary files a killed build left beside a
    target are removed first."""
    staged: list[tuple[str, Path]] = []
    try:
        ready = sorted(range(len(files)), key=lambda i: callable(files[i][1]))
        tmps: dict[int, str] = {}
        for i in ready:
            path, data = Path(files[i][0]), files[i][1]
            _sweep(path)
            tmps[i] = _stage(path, data() if callable(data) else data)
            staged.append((tmps[i], path))
        staged = [(tmps[i], Path(files[i][0])) for i in range(len(files))]
        for _, path in staged:
            if path.is_dir():
                raise AnkigenError(cannot_write(OSError(errno.EISDIR, os.strerror(errno.EISDIR))),
                                   _shown(path))
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as e:
                raise AnkigenError(cannot_write(e), _shown(path)) from None
            pause_point("rename")
    finally:
        for tmp, _ in staged:
            _remove(tmp)
    for folder in {str(path.parent) for path, _ in files}:
        _sync_folder(folder)


def _stage(path: Path, data: bytes) -> str:
    """A temporary file beside ``path`` holding ``data``, flushed to disk."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise AnkigenError(cannot_write(e), _shown(path)) from None
    try:
        os.fchmod(fd, 0o644)
        half = len(data) // 2
        _write(fd, memoryview(data)[:half])
        pause_point("package" if path.suffix == ".apkg" else "lock")
        _write(fd, memoryview(data)[half:])
        os.fsync(fd)
    except OSError as e:
        os.close(fd)
        _remove(tmp)
        raise AnkigenError(cannot_write(e), _shown(path)) from None
    os.close(fd)
    return tmp


def _write(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view[: 1 << 20]):]


def _sweep(path: Path) -> None:
    """Remove what a build killed while writing ``path`` left beside it. Called under the
    deck's build lock, so no other build is writing these."""
    for stale in glob.glob(os.path.join(glob.escape(str(path.parent)), f".{glob.escape(path.name)}.*.tmp")):
        _remove(stale)


def _shown(path: Path) -> str:
    """The path as messages show it: relative to the working folder when inside it."""
    rel = os.path.relpath(os.path.abspath(path))
    return str(path) if rel.startswith("..") else Path(rel).as_posix()


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sync_folder(folder: str) -> None:
    """Make the renames themselves durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# Test-only crash points. tests/test_crash.py sets ANKIGEN_TEST_PAUSE_AT to one of
# parse, package, lock, rename: the build stops there for good (and touches the file
# ANKIGEN_TEST_PAUSED names) so the test can SIGKILL it at a known moment. Unset, which
# is always the case outside those tests, a pause point is one string comparison.
_PAUSE_AT = os.environ.get("ANKIGEN_TEST_PAUSE_AT", "")


def pause_point(name: str) -> None:
    if _PAUSE_AT != name:
        return
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)  # the reading time limit must not end the pause
    paused = os.environ.get("ANKIGEN_TEST_PAUSED")
    if paused:
        Path(paused).write_text(name, encoding="utf-8")
    while True:
        time.sleep(60)
