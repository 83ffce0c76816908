"""Worker processes for the read stage: the same function, run on chunks of jobs elsewhere.

The pool knows nothing of scripts: it is handed a module-level function of one chunk
of jobs and the jobs, in chunks as they are ready, and gives back the results in order.
A build killed or interrupted takes its workers with it (see ``_worker_start``).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Callable, Iterator


class Pool:
    """Jobs handed out in chunks as they come: the workers start on the first chunks while
    the main process makes the rest."""

    def __init__(self, work: Callable[[list], list], workers: int, total: int):
        from concurrent.futures import ProcessPoolExecutor

        import multiprocessing
        import sys

        # Forked on Linux whatever Python's default (3.14's is a fork server, whose workers
        # outlive a killed build): the kernel then ends them with it (see _worker_start).
        start = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=start, initializer=_worker_start,
                                        initargs=(os.getpid(), start.get_start_method() == "fork"))
        self.work = work
        self.total, self.workers = total, workers
        self.chunk = max(1, total // (workers * 8))
        self.futures: list = []
        self.sent = 0

    def _size(self) -> int:
        """The next chunk's size: smaller towards the end, so the workers finish together."""
        return max(1, self.chunk // 8, min(self.chunk, (self.total - self.sent) // (self.workers * 4)))

    def hand_out(self, pending: list, job: Callable, rest: bool = False) -> None:
        """Send each whole chunk of ``pending`` not sent yet (with ``rest``, all of them),
        each item as ``job(item)`` makes it."""
        while len(pending) - self.sent >= self._size() or (rest and self.sent < len(pending)):
            jobs = [job(item) for item in pending[self.sent:self.sent + self._size()]]
            self.futures.append(self.pool.submit(self.work, jobs))
            self.sent += len(jobs)

    def results(self, pending: list, job: Callable) -> Iterator:
        """Each job's result, in the order of ``pending``."""
        self.hand_out(pending, job, rest=True)
        for future in self.futures:
            yield from future.result()

    def close(self, abandon: bool = False) -> None:
        """Shut the workers down; with ``abandon``, end them without waiting for their chunks."""
        if abandon:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                with contextlib.suppress(OSError, ValueError):
                    process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _worker_start(build: int, forked: bool) -> None:
    """A worker's first act: let go of the build lock it was forked holding, and end with
    the build however the build ends (SIGKILL included). Forked on Linux, the kernel sends
    it SIGKILL then (PR_SET_PDEATHSIG), and a build already gone by now ends it at once;
    elsewhere (or started by a fork server) a thread checks twice a second that the build
    is still running."""
    from .buildlock import release_inherited

    release_inherited()
    if forked and _die_with_parent():
        if os.getppid() != build:
            os._exit(1)
        return
    threading.Thread(target=_watch_build, args=(build,), daemon=True, name="ankigen build").start()


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where it cannot."""
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _watch_build(build: int) -> None:
    while _running(build):
        time.sleep(0.5)
    os._exit(1)


def _running(pid: int) -> bool:
    if os.getppid() == pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists
        return True
    return True
