"""Write a synthetic video series in the real script format, for benchmarks.

    python benchmarks/generate.py OUT --videos 1000 [--seed 1]

writes ``OUT/decks/synthetic.yaml`` and ``OUT/decks/synthetic/0001-<slug>.md`` …
in the format of ``decks/staff-engineering/*.md`` (see CARDS.md): a Quick
Recap of 3–7 bullets in the four bullet shapes (bold terms, bold label ending
``:``, bold prompt ending ``?``, a label followed by a question), 1–3
Real-World Examples whose level contrast is in prose, a list or a table,
Another Way to See It with a ladder, Let's Think Together, a One-Liner, and the
context sections around them, with a little of the authors' drift (heading
case, ``*`` markers, front matter, CRLF).

The same seed and N give the same bytes; video k is the same in every series
with at least k videos, so the 100-video series is the start of the 1,000.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

DECK_NAME = "Synthetic Series"
DECK_SLUG = "synthetic"

ADJECTIVES = (
    "Quiet", "Shared", "Incremental", "Boring", "Hidden", "Explicit", "Small", "Reversible",
    "Expensive", "Async", "Cross-Team", "Long-Lived", "Unowned", "Gradual", "Written", "Measured",
    "Default", "Fragile", "Invisible", "Honest", "Staged", "Local", "Global", "Slow", "Fast",
    "Partial", "Stale", "Manual", "Automated", "Temporary",
)
NOUNS = (
    "Migrations", "Deadlines", "Dashboards", "Roadmaps", "Incidents", "Interfaces", "Reviews",
    "Estimates", "Rollouts", "Dependencies", "Runbooks", "Budgets", "Queues", "Caches",
    "Contracts", "Experiments", "Handoffs", "Launches", "Retries", "Schemas", "Feature Flags",
    "Postmortems", "On-Call Rotations", "Design Docs", "Platform Teams", "Service Boundaries",
    "Alerts", "Backlogs", "Deprecations", "Load Tests", "Meetings", "Decisions", "Prototypes",
    "Rewrites", "Standards", "Metrics", "Tickets", "Promotions", "Interviews", "Escalations",
)
SUBTITLES = (
    "What Changes at Staff", "Beyond Your Code", "Before They Bite", "Saying It Out Loud",
    "The Cost Nobody Sees", "Who Owns the Outcome", "Making Them Explicit", "A Field Guide",
)
SUBJECTS = (
    "the team", "your manager", "a new hire", "the platform group", "the on-call engineer",
    "product", "the director", "a senior teammate", "the customer", "the reviewer",
    "the tech lead", "security", "the data team", "support", "finance", "the author",
)
VERBS = (
    "ships", "postpones", "rewrites", "measures", "documents", "escalates", "questions",
    "owns", "ignores", "splits", "reviews", "rolls back", "estimates", "announces", "tests",
    "deprecates", "schedules", "simplifies", "hands off", "budgets for",
)
OBJECTS = (
    "the migration plan", "the rollout", "a dashboard", "the error budget", "the retry loop",
    "the schema change", "the launch checklist", "a design doc", "the quarterly roadmap",
    "the on-call runbook", "the load test", "a feature flag", "the public API", "the backlog",
    "the cache invalidation", "the incident review", "the vendor contract", "the cost report",
)
TAILS = (
    "before the deadline", "without telling anyone", "after the incident", "in the weekly sync",
    "for the third time this quarter", "on a Friday afternoon", "two weeks late",
    "with one paragraph of context", "while everyone watches", "before anyone asks", "",
)
LABELS = (
    "Trap", "Rule of thumb", "At L6", "Cross-team", "Default", "Signal", "Cost", "Habit",
    "Smell", "Tell", "Fix", "Goal", "Anti-pattern", "Red flag", "First move", "Test",
    "Payoff", "Scope", "Risk", "Owner",
)
TERMS = (
    "Code ownership", "System ownership", "Technical direction", "Local fix", "Shared fix",
    "Written decision", "Verbal agreement", "Explicit trade-off", "Hidden cost", "Smaller yes",
    "Later yes", "Flat no", "Error budget", "Rollback plan", "Canary", "Dark launch",
    "Runbook", "Dashboard", "Alert", "Postmortem", "Decision log", "Design review",
)
PROMPTS = (
    "2 AM page for a dependency", "Nobody replied to the doc", "Deadline moved up a week",
    "Two teams want the same engineer", "The fix is in someone else's repo",
    "A metric nobody trusts", "The estimate was wrong", "A flaky test blocks the release",
    "A VP asks for a demo", "The migration stalled at 80%", "Your idea lost the review",
)
QUESTIONS = (
    "Downstream causes your incidents", "Nobody owns the migration", "The review takes a week",
    "Product wants it by Friday", "The alert fires every night", "The doc has no comments",
    "A new hire is stuck", "The cache serves stale data",
)
EXAMPLE_TITLES = (
    "Downstream bottleneck", "The migration nobody wanted", "The on-call page",
    "The sales escalation", "The platform mandate", "The forty-page doc",
    "Silence after sharing", "The comment-thread war", "The new service launch",
    "The mystery p99", "The surprise bill", "The rubber stamp", "The first pull request",
    "The Friday deploy", "The quiet deprecation", "The borrowed engineer",
)
LEVEL_SETS = (
    ("L5", "L6"), ("L5", "L6"), ("L5", "L6", "Staff+"), ("Junior", "Senior"),
    ("Before", "After"), ("L6", "L7"),
)
METAPHORS = (
    "expanding circles", "a bouncer and a restaurant host", "a shop owner",
    "a relay race", "a city planner", "a ship's navigator",
)
INLINE = (
    "`retry_count`", "`SELECT *`", "*outcome*", "*before*", "[the runbook](https://example.com/runbook)",
    "“not my service”", "the p99 — not the mean", "`time.now()`",
)


class Writer:
    """Sentences from a word bank, deterministic for one video."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, options):
        return self.rng.choice(options)

    def sentence(self, markdown: float = 0.15) -> str:
        words = [self.pick(SUBJECTS), self.pick(VERBS), self.pick(OBJECTS), self.pick(TAILS)]
        if self.rng.random() < markdown:
            words.insert(3, f"with {self.pick(INLINE)}")
        text = " ".join(w for w in words if w)
        return text[0].upper() + text[1:] + "."

    def sentences(self, low: int, high: int, markdown: float = 0.15) -> str:
        return " ".join(self.sentence(markdown) for _ in range(self.rng.randint(low, high)))

    def question(self) -> str:
        return self.sentence(0)[:-1].replace(" the ", " your ", 1) + "?"

    def paragraphs(self, count: int, low: int = 3, high: int = 5) -> str:
        return "\n\n".join(self.sentences(low, high) for _ in range(count))


def title(index: int) -> str:
    """Titles are unique: a fixed walk through adjective × noun, then a part number."""
    combos = len(ADJECTIVES) * len(NOUNS)
    spread = (index * 7919) % combos  # 7919 is prime and coprime with 1200: a permutation
    adj, noun = ADJECTIVES[spread // len(NOUNS)], NOUNS[spread % len(NOUNS)]
    part = index // combos
    base = f"{adj} {noun}" + (f" Part {part + 1}" if part else "")
    return base


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def script(index: int, seed: int) -> tuple[str, str]:
    """(file name, Markdown) of video ``index`` (0-based)."""
    rng = random.Random(f"ankigen-bench:{seed}:{index}")
    w = Writer(rng)
    name = title(index)
    heading = f"{name}: {w.pick(SUBTITLES)}"
    drift = rng.random()
    parts = []
    if drift < 0.1:
        parts.append(f"---\ntags: [bench, {slug(w.pick(NOUNS))}]\n---\n")
    parts += [f"# {heading}", "## Video Length: ~4-5 minutes | Level: Staff", "---",
              "## The Hook (20-30 seconds)", w.paragraphs(1), "---",
              "## The Story", w.paragraphs(3), "---"]
    parts += ladder_section(w)
    parts += ["---", "## Connecting to Software", w.paragraphs(1), diagram(w), "---",
              "## Let's Walk Through the Diagram", w.paragraphs(2), "---"]
    parts += examples_section(w)
    parts += ["---"] + think_section(w)
    parts += ["---", "## What Could Go Wrong? (Mini Disaster Story)", w.paragraphs(2), "---",
              "## Surprising Truth / Fun Fact", w.paragraphs(1), "---"]
    parts += recap_section(w, drift)
    parts += ["---", "## One-Liner to Remember", f"**{w.sentence(0)}**", "---",
              "## Next Video", f"Next: {title(index + 1)}. {w.sentence(0)}"]
    text = "\n\n".join(parts) + "\n"
    if 0.1 <= drift < 0.15:
        text = text.replace("\n", "\r\n")
    return f"{index + 1:04d}-{slug(name)}.md", text


def diagram(w: Writer) -> str:
    rows = [f"  {w.pick(TERMS):<22} -> {w.pick(OBJECTS)}" for _ in range(w.rng.randint(3, 5))]
    return "```\n" + w.pick(NOUNS).upper() + "\n" + "\n".join(rows) + "\n```"


def ladder_section(w: Writer) -> list[str]:
    levels = w.pick((("L5", "L6", "Staff+"), ("L5", "L6"), ("Junior", "Senior", "Staff")))
    verb = w.pick(("you own", "you fix", "you measure", "you plan"))
    objects = w.rng.sample(OBJECTS, len(levels))
    opening = f"Think of it as {w.pick(METAPHORS)}."
    roll = w.rng.random()
    if roll < 0.7:
        rungs = " ".join(f"{lvl}: {verb} {obj}." for lvl, obj in zip(levels, objects))
        body = [f"{opening} {rungs} {w.sentences(1, 2)}"]
    elif roll < 0.85:
        body = [opening, "\n".join(f"- {lvl}: {verb} {obj}" for lvl, obj in zip(levels, objects))]
    else:
        body = [f"{opening} {w.sentences(2, 4)}"]  # no ladder: context only
    return ["## Another Way to See It", *body]


def examples_section(w: Writer) -> list[str]:
    out = ["## Real-World Examples (2-3)"]
    titles = w.rng.sample(EXAMPLE_TITLES, 3)
    for k, name in enumerate(titles[: w.rng.randint(1, 3)], 1):
        levels = w.pick(LEVEL_SETS)
        header = f"**Example {k}: {name}.** {w.sentences(1, 2)}"
        form = w.rng.random()
        if form < 0.6:
            out.append(header + " " + " ".join(prose_response(w, lvl, i)
                                               for i, lvl in enumerate(levels)))
        elif form < 0.8:
            out.append(header)
            out.append("\n".join(f"- {lvl}: {w.sentences(1, 2)}" for lvl in levels))
        else:
            out.append(header)
            rows = "\n".join(f"| {lvl} | {w.sentences(1, 2)} |" for lvl in levels)
            out.append(f"| Level | Response |\n| --- | --- |\n{rows}")
    out.append(w.paragraphs(1))
    return out


def prose_response(w: Writer, level: str, i: int) -> str:
    shape = w.rng.randrange(3)
    if shape == 0:
        return f'At {level}: "{w.sentences(1, 2, 0)}"'
    if shape == 1:
        return f'At {level}, you might say "{w.sentence(0)}" {w.sentence()}'
    return f"{level} says: {w.sentences(1, 3)}"


def think_section(w: Writer) -> list[str]:
    return ["## Let's Think Together", f'"{w.sentence(0)} {w.question()}"',
            w.sentences(3, 5), *([w.paragraphs(1)] if w.rng.random() < 0.5 else [])]


def recap_section(w: Writer, drift: float) -> list[str]:
    count = w.rng.randint(3, 7)
    labels = iter(w.rng.sample(LABELS, count))
    prompts = iter(w.rng.sample(PROMPTS, count))
    terms = iter(w.rng.sample(TERMS, 3 * count))
    bullets = []
    for _ in range(count):
        shape = w.rng.randrange(4)
        if shape == 0:
            chain = [next(terms) for _ in range(w.rng.randint(2, 3))]
            bullets.append(" → ".join(f"**{t}**" for t in chain[:-1])
                           + f" → **{chain[-1]}.** {w.sentence()}")
        elif shape == 1:
            bullets.append(f"**{next(labels)}:** {w.sentences(2, 3)}")
        elif shape == 2:
            bullets.append(f"**{next(prompts)}?** {w.sentences(2, 3)}")
        else:
            bullets.append(f"**{next(labels)}:** {w.pick(QUESTIONS)}? {w.sentences(2, 3)}")
    marker = "*" if 0.15 <= drift < 0.25 else "-"
    heading = "### Quick recap:" if 0.25 <= drift < 0.3 else f"## Quick Recap ({count} bullets)"
    return [heading, "\n".join(f"{marker} {b}" for b in bullets)]


def config() -> str:
    return f"# A synthetic series for benchmarks/bench.py.\nname: {DECK_NAME}\nsources:\n  - {DECK_SLUG}/*.md\n"


def write_series(out: Path, videos: int, seed: int = 1) -> Path:
    """Write the series under ``out/decks/``; return the config's path."""
    decks = out / "decks"
    folder = decks / DECK_SLUG
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(videos):
        name, text = script(index, seed)
        (folder / name).write_bytes(text.encode("utf-8"))
    path = decks / f"{DECK_SLUG}.yaml"
    path.write_text(config(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write decks/ into")
    parser.add_argument("--videos", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    path = write_series(args.out, args.videos, args.seed)
    print(f"{args.videos} scripts and {path}")


if __name__ == "__main__":
    main()
