"""The build lock: one build of a deck at a time, so lock files never interleave.

An OS lock (flock) on the folder of each deck's lock file, which the kernel lets go of
when its holder ends, however it ends; worker processes forked while it is held drop
their copies at once (``release_inherited``).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Callable

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

from .errors import AnkigenError


_HELD: list[int] = []  # the descriptors of the build locks this process holds (see exclusive)
POLL_SECONDS = 0.1  # how often a waiting build looks at the lock again
ORPHAN_GRACE = 3.0  # seconds a lock may outlive the build that took it (its workers ending)


@contextlib.contextmanager
def exclusive(lock_paths: list[Path], wait: Callable[[Path, int | None], None] | None = None):
    """Hold every deck's build lock: a second build of the same deck waits for the first,
    so lock files never interleave. The lock is an OS lock (flock) on the lock file's
    folder: the kernel lets go of it when its holder ends, however it ends. ``wait`` is
    told the folder and the holder's process id (None if it cannot be known) when another
    build holds it, and again should the holder change.

    Worker processes forked while it is held close their copies of it at once
    (``release_inherited``): a copy would keep the lock held after the build is gone. A
    lock held on after the process that took it is gone (by processes it left behind,
    from an older ankigen) is waited for a few seconds, then refused, naming them."""
    if fcntl is None:  # pragma: no cover - not on POSIX: no concurrent-build protection
        yield
        return
    handles = []
    try:
        for folder in sorted({str(Path(p).resolve().parent) for p in lock_paths}):
            Path(folder).mkdir(parents=True, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY)
            handles.append(fd)
            _HELD.append(fd)
            _take(fd, Path(folder), wait)
    except OSError as e:
        _let_go(handles)
        raise AnkigenError(f"cannot lock the deck for building: {e.strerror or e}",
                           str(lock_paths[0]) if lock_paths else None) from None
    except BaseException:
        _let_go(handles)
        raise
    try:
        yield
    finally:
        _let_go(handles)


def _let_go(handles: list[int]) -> None:
    for fd in handles:
        if fd in _HELD:
            _HELD.remove(fd)
        os.close(fd)


def release_inherited() -> None:
    """In a process forked from a build (a worker): close its copies of the build lock.
    flock belongs to the open file, which a fork shares: a worker that outlived its build
    would hold the deck's lock for as long as it lives."""
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


def _take(fd: int, folder: Path, wait: Callable[[Path, int | None], None] | None) -> None:
    """flock ``fd``, waiting while a live build holds it; never for a holder that is gone."""
    told: object = ()
    gone_since = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = lock_holder(fd)
        gone = holder is not None and not (_alive(holder) and _has_open(holder, fd))  # its pid reused?
        if wait is not None and holder != told and not gone:
            wait(folder, holder)
            told = holder
        if gone:
            gone_since = gone_since or time.monotonic()
            if time.monotonic() - gone_since > ORPHAN_GRACE:
                left = [pid for pid in _holding(fd) if pid != os.getpid()]
                raise AnkigenError(
                    f"the build that locked this deck (process {holder}) is gone, but "
                    + (f"process{'es' if len(left) > 1 else ''} {', '.join(map(str, left))} it left "
                       f"behind still hold{'' if len(left) > 1 else 's'} the lock; end "
                       f"{'them' if len(left) > 1 else 'it'} (kill {' '.join(map(str, left))}) "
                       if left else "a process it left behind still holds the lock; end it ")
                    + "and build again", str(folder))
        else:
            gone_since = None
        time.sleep(POLL_SECONDS)


def lock_holder(fd: int) -> int | None:
    """The process id that took the flock on ``fd``'s file, from /proc/locks (Linux); None
    if it cannot be known (another system, another pid namespace, no lock)."""
    try:
        info = os.fstat(fd)
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    dev = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    ino = f":{info.st_ino}"
    by_inode = []
    for line in lines:
        parts = line.split()
        if len(parts) < 6 or parts[1] == "->" or parts[1] != "FLOCK":
            continue
        pid, where = parts[4], parts[5]
        if not pid.isdigit() or int(pid) <= 0:
            continue
        if where == dev:
            return int(pid)
        if where.endswith(ino):
            by_inode.append(int(pid))
    return by_inode[0] if len(by_inode) == 1 else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: it exists
        return True
    try:  # a zombie (ended, not yet reaped) holds nothing
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _has_open(pid: int, fd: int) -> bool:
    """Whether process ``pid`` has the file of ``fd`` open (True if that cannot be known)."""
    info = os.fstat(fd)
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:  # another system, someone else's process, or gone meanwhile
        return os.path.isdir(f"/proc/{pid}") or not os.path.isdir("/proc/self/fd")
    for name in names:
        try:
            st = os.stat(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (info.st_dev, info.st_ino):
            return True
    return False


def _holding(fd: int) -> list[int]:
    """The processes (of this user, on Linux) with the file of ``fd`` open."""
    info = os.fstat(fd)
    found = []
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []
    for pid in sorted(pids):
        try:
            for name in os.listdir(f"/proc/{pid}/fd"):
                st = os.stat(f"/proc/{pid}/fd/{name}")
                if (st.st_dev, st.st_ino) == (info.st_dev, info.st_ino):
                    found.append(pid)
                    break
        except OSError:  # gone meanwhile, or not ours to look at
            continue
    return found
