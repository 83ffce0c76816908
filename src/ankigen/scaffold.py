"""``ankigen init``: a new series that builds right away — a deck config and a template script."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .config import display_path
from .errors import AnkigenError
from .text import slugify

FIRST_SCRIPT = "01-first-video.md"

CONFIG = """\
# An ankigen deck: `ankigen build` turns this series into dist/{slug}.apkg.
# Commit {slug}.lock.yaml (written by the first build) with the scripts:
# it keeps every learner's review history from build to build.
name: {name}
# Script files, relative to this file, built in this order (01-, 02-, … sort naturally).
sources:
  - {slug}/*.md
# Tags added to every note (each note also gets {slug}::<video> and its kind).
tags: []
# Labels that count as levels in examples and ladders, lowest first. The default:
# levels: [Junior, Mid-level, L3, L4, Senior, L5, L6, Staff, L7, Staff+, Senior Staff, L8, Principal, Before, After]
"""

SCRIPT = """\
<!--
  A video script for ankigen. Sections marked CARD become Anki notes; every other
  section is context for the narration and never becomes a card. Headings may vary
  in case and punctuation. Run `ankigen check` after editing and `ankigen preview`
  to see every card. Optional YAML front matter at the very top (between two ---
  lines) can set `id:` to keep this video's identity when the file is renamed.
-->

# Ownership: Beyond Your Code

## Video Length: ~4-5 minutes | Level: Staff

---

## The Hook (20-30 seconds)

<!-- Context: the opening question that makes the viewer stay. -->

The system goes down at 2 AM. It's not your service. Do you go back to sleep, or do you help?

---

## The Story

<!-- Context: an everyday analogy for the idea. -->

A shop owner doesn't just stand at the counter. They notice the leaking roof and the fading sign too.

---

## Another Way to See It

<!-- CARD (ladder): one cloze, a deletion per rung. Write two or more rungs, each
     starting with a level label and a colon, in one paragraph; the part that differs
     between the rungs is what the learner recalls. -->

L5: you own your code. L6: you own your system. Staff+: you own technical direction.

---

## Connecting to Software

<!-- Context: the idea in engineering terms. -->

Code ownership means "this is my module." System ownership means "this system succeeds or fails, and I care about both."

---

## Let's Walk Through the Diagram

<!-- Context: a fenced diagram and its walk-through. -->

```
L5: "My code"  ->  L6: "My system"  ->  Staff+: "Tech direction"
```

From left to right, the circle of "my problem" grows.

---

## Real-World Examples (2-3)

<!-- CARD (contrast), one per example: a bold title, the scenario, then what each
     level says or does. The front asks for the highest level's response. -->

**Example 1: Downstream bottleneck.** A downstream team's service causes 30% of your incidents. At L5: "Theirs. We need them to fix it." At L6: "Ours. I'll work with them on better contracts and circuit breakers."

**Example 2: On-call.** A page comes in for a dependency. At L5, you might say "not our service, escalate." At L6, you check whether you can help, then write a post-mortem that improves both teams.

---

## Let's Think Together

<!-- CARD (question/answer): a quoted question, then its answer in the next
     paragraph. The answer's first sentences are what the learner recalls. -->

"A downstream team's service causes 30% of your incidents. Whose problem is it?"

At L5, it's theirs. At L6, it's ours. You might not own their code, but you own the outcome your users see.

---

## What Could Go Wrong? (Mini Disaster Story)

<!-- Context: a short story of the idea ignored. -->

The same outage happens twice in six months because everyone stayed in their lane.

---

## Surprising Truth / Fun Fact

<!-- Context. -->

Some companies write "act like an owner" into their engineering values.

---

## Quick Recap (3 bullets)

<!-- CARD (cloze), one per bullet; the count in the heading must match the list.
     The bold phrase decides what is hidden: bold terms are each hidden; a bold
     label ending in a colon hides the sentence after it; a bold question hides
     the sentence that answers it. With no bold, the bullet's shape decides
     (X = definition hides the definition); bold the key phrase to be sure. -->

- **Code ownership** → **System ownership** → **Technical direction ownership.** Each level expands.
- **Trap:** Staying in your lane. At L6, you expand the lane.
- **2 AM page for a dependency?** If you can help, you help. "Not my service" is an L5 mindset.

---

## One-Liner to Remember

**At L6, you own the system's outcome, not just your code.**

<!-- CARD (question/answer): the first line of this section is the answer to
     "What is the one-liner to remember from <title>?". -->

---

## Next Video

<!-- Context: what comes next. -->

Next: trade-offs, and how to make them explicit.
"""


@dataclass(frozen=True)
class Scaffold:
    name: str
    config: Path
    script: Path


def series_name(folder: Path, series: str | None) -> str:
    """The series' name: as given, else the project folder's name in title case."""
    if series and series.strip():
        return " ".join(series.split())
    words = re.sub(r"[-_]+", " ", folder.resolve().name).strip()
    return words.title() if words else "My Series"


def plan_scaffold(folder: Path, series: str | None = None) -> Scaffold:
    """Where ``init`` would write; refuses (writing nothing) if either file exists."""
    name = series_name(folder, series)
    slug = slugify(name)
    if not slug:
        raise AnkigenError(f"series name '{name}' has no letters or digits to name its files")
    decks = folder / "decks"
    plan = Scaffold(name, decks / f"{slug}.yaml", decks / slug / FIRST_SCRIPT)
    for path in (plan.config, plan.script):
        if path.exists():
            raise AnkigenError("already exists; nothing was written", display_path(path))
    return plan


def init(folder: Path, series: str | None = None) -> Scaffold:
    """Write ``decks/<slug>.yaml`` and ``decks/<slug>/01-first-video.md``."""
    plan = plan_scaffold(folder, series)
    slug = plan.config.stem
    try:
        plan.script.parent.mkdir(parents=True, exist_ok=True)
        with plan.config.open("x", encoding="utf-8") as f:
            f.write(CONFIG.format(name=_yaml_string(plan.name), slug=slug))
        try:
            with plan.script.open("x", encoding="utf-8") as f:
                f.write(SCRIPT)
        except OSError:
            plan.config.unlink()
            raise
    except FileExistsError as e:
        raise AnkigenError("already exists; nothing was written", display_path(Path(e.filename))) from None
    except OSError as e:
        raise AnkigenError(f"cannot write: {e.strerror or e}", display_path(plan.config)) from None
    return plan


def _yaml_string(text: str) -> str:
    """A YAML scalar that reads back as ``text`` (a JSON string is one; ``Yes`` or ``2024`` alone are not)."""
    return json.dumps(text, ensure_ascii=False)
