"""The cold per-script work of a build: CPU time of a parse worker's job per script.

    python benchmarks/parse.py [--videos 1000] [--keep DIR] [--runs 5] [--top 0] [--sort tottime]
                               [--series shipped]

Writes the synthetic series (``generate.py``; ``--series shipped``: ``shipped.py``'s), builds it once (a subprocess) for
its lock, and, in this process, runs on every script the job a parse worker runs
when the build's cache holds nothing: ``load.read_job`` (decode, parse,
extract, each note's Markdown fields to HTML, ``cards.prepared``, both parts
pickled), first without the script's part of the lock ("parsed"), then with it,
as a cold build with a lock sends it ("parsed and settled": the video also
assembled against its part, ``settle.settle_alone``). Every ``lru_cache`` of
ankigen is cleared before each pass, so each pass sees the scripts as fresh
content (a second pass over the same text would be flattered by the caches).
Prints the CPU time per script, the best of ``--runs`` passes, and with
``--top N`` cProfile's top N functions of one more pass (parsed and settled), by
``--sort`` (``tottime``, or ``cumulative`` to see which step holds the time).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
import shipped  # noqa: E402

from ankigen import build, load, render  # noqa: E402
from ankigen.read import relative  # noqa: E402
from ankigen.config import load_config  # noqa: E402
from ankigen.lockfile import read_lock  # noqa: E402


def forget() -> None:
    """Every ankigen ``lru_cache`` emptied, and the HTML remembered from elsewhere."""
    for name, module in list(sys.modules.items()):
        if name == "ankigen" or name.startswith("ankigen."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    render._KNOWN.clear()


def read_all(jobs: list[tuple]) -> None:
    """Every script's worker job, from caches holding nothing."""
    forget()
    for job in jobs:
        load.read_job(job)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=0, help="then profile one pass")
    parser.add_argument("--sort", default="tottime", help="the profile's order (a pstats key)")
    parser.add_argument("--series", choices=("synthetic", "shipped"), default="synthetic")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="ankigen-parse-"))
    try:
        shutil.rmtree(root / "decks", ignore_errors=True)
        series = shipped if args.series == "shipped" else generate
        series.write_series(root, args.videos)
        subprocess.run([sys.executable, "-m", "ankigen", "build", "-q"], cwd=root, check=True)  # the lock
        config = load_config(root / "decks" / f"{series.DECK_SLUG}.yaml")
        context = (config.name, config.slug, config.tags)
        parts = read_lock(root / "decks" / f"{series.DECK_SLUG}.lock.yaml", "lock").parts()
        seconds = build.Options().read_seconds
        jobs = [(str(file), str(config.root), config.levels, context, (build.build_epoch(), False), seconds,
                 file.read_bytes(), f"key {i}", parts.get(relative(file, config.root)))
                for i, file in enumerate(config.sources)]
        for what, some in (("parsed", [job[:-1] + (None,) for job in jobs]), ("parsed and settled", jobs)):
            best = float("inf")
            for _ in range(args.runs):
                start = time.process_time()
                read_all(some)
                best = min(best, time.process_time() - start)
            print(f"{len(jobs)} scripts {what}: {best * 1000 / len(jobs):.3f} ms of CPU per script "
                  f"(best of {args.runs})")
        if args.top:
            profiler = cProfile.Profile()
            profiler.runcall(read_all, jobs)
            pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
