"""Write a series of video scripts that drift the way the real series drifts.

    python benchmarks/drift.py OUT [--videos 300] [--seed 1]

writes ``OUT/Topic_01_<Title>.md`` … ``OUT/Topic_300_<Title>.md`` and
``OUT.manifest.json`` beside the folder (never inside it, so the folder is a
series as an author keeps it). It stands in for the real series (~320 scripts,
not available here): the format of ``corpus/staff-engineering/01-ownership.md``
with the drift patterns of ``corpus/system-design`` (see its README):

- recap bullets in the bold shapes of CARDS.md and about 30% with no bold at
  all, in the shapes of the CARDS.md table (``X = def``, ``Label: a, b, c``,
  ``A x is …``, ``Use X for Y. Not for: Z.``, two definitions, numbers, an
  analogy, an arrow, plain advice), plus a bold-from-end-to-end bullet now and
  then and a recap ``**At L6:**`` label (one level is not a contrast);
- "Let's Think Together" quoted, curly-quoted, unquoted, bold, bold and
  quoted, mid-paragraph, after "Pause the video…", and as ``**Question:** …?
  Hint: …`` / ``**Answer:** …``; half the answers come after a stage
  direction (its own paragraph, or the answer's opening sentence);
- about 2% of diagrams opened with text on the fence line and never closed;
- ``## A Second Way to Think About It``, ``## The Big Analogy``, ``## Hook``,
  ``## Real Examples``; ``## Video Length: ~4-5 minutes | Level: X``;
- company examples (``**Netflix.** …``), some with a sentence that names one
  level (``Staff engineers there …``: not a contrast); level contrasts in prose,
  list and paragraph form for some Staff videos, ladders for others;
- em dashes, arrows, ellipses, curly quotes, ₹, ≈, ×; now and then a recap
  count that disagrees with its list, or no one-liner (real mistakes).

The manifest is the ground truth a careful human reads off each file: how many
notes of each kind, every recap bullet's line, shape, whether it has bold and
(where CARDS.md defines it) what its deletion should be; the think-together
question and the first sentence of its answer; contrasts, ladders, company
examples; the real mistakes a build should warn about. ``benchmarks/quality.py``
scores a build against it. The same seed and N give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drift_topics import COMPANIES, LEVEL_SETS, SYSTEMS, TOPICS  # noqa: E402

KINDS = ("recap", "one-liner", "think-together", "contrast", "ladder")

SUBTITLES = (
    "Saying Slow Down Politely", "The Part Everyone Skips", "Before It Bites", "A Field Guide",
    "What Interviewers Listen For", "The Cost Nobody Sees", "From One Box to Many",
    "Why It Breaks at 3 AM", "The Boring Answer That Works",
)
LEVEL_NAMES = ("Beginner", "Intermediate", "Advanced", "Staff")
LENGTHS = ("~4-5 minutes", "~4-5 minutes", "~4-5 minutes", "~5 minutes", "~4 minutes", "~5-6 minutes")
MORE = (
    "It is cheap to add and expensive to skip.", "Most outages start where this was skipped.",
    "Write it down where the next engineer will look.", "Measure before and after.",
    "The default settings are rarely right.", "Small systems get away without it; big ones don't.",
    "Ask what happens when it fails, not only when it works.",
)
PROGRESSIONS = (
    ("Notice", "Measure", "Fix"), ("One service", "One team", "The whole org"),
    ("Detect", "Contain", "Recover"), ("Prototype", "Load test", "Roll out"),
)
UNITS = ("requests a day", "rows", "events an hour", "users")
SCALES = (("one box", "a few replicas", "a sharded fleet"),
          ("fine", "needs a plan", "needs a team"),
          ("a laptop", "a cluster", "several regions"))
STAGE_PARAGRAPHS = (
    "Pause the video for a moment.", "Pause. Think.", "Pause and think.",
    "Got your answer? Let me walk through it.", "Take a moment before you read on.",
    "Ready? Here's how it plays out.", "Think about it for ten seconds.",
    "Okay. Let's work through it.",
)
STAGE_PREFIXES = ("Trick question.", "Got it?", "Let me walk through it.", "Pause.",
                  "Ready?", "Good question to sit with.")
EXAMPLE_TITLES = (
    "The launch-week shortcut", "The quiet dashboard", "The inherited config", "The new hire's question",
    "The incident review", "The copy-pasted setting", "The vendor deadline", "The weekend page",
)
HOOK_OPENERS = (
    "Black Friday. 9:00 AM.", "Monday morning, 2 AM in another time zone.", "Launch day.",
    "It's the night before a big sale.", "A regular Tuesday.", "Payday, lunchtime.",
)


class Doc:
    """Lines of a script; ``para`` returns the 1-based line a paragraph starts on."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> int:
        start = len(self.lines) + 1
        self.lines.extend(lines)
        return start

    def para(self, text: str) -> int:
        start = self.add(*text.split("\n"))
        self.lines.append("")
        return start

    def rule(self) -> None:
        self.lines.extend(["---", ""])

    def heading(self, text: str) -> int:
        return self.para(text)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _low(text: str) -> str:
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _titles(rng: random.Random) -> list[tuple[dict, str]]:
    """Every (topic, title) pair, shuffled; titles are distinct."""
    pairs = []
    for t in TOPICS:
        name = t["name"]
        for title in (f"What Is {name}?" if not name.endswith("s") else f"What Are {name}?",
                      f"{name}: {rng.choice(SUBTITLES)}", f"{name} at Scale", f"{name} in Practice",
                      f"Common {name} Mistakes", f"Designing {name} at Staff Level",
                      f"{name} Under Pressure", f"Debugging {name}", f"{name}: The Interview Answer"):
            pairs.append((t, title))
    rng.shuffle(pairs)
    return pairs


def _file_name(number: int, title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return f"Topic_{number:02d}_{'_'.join(w[:1].upper() + w[1:] for w in words)}.md"


# ---------------------------------------------------------------- recap bullets

BOLD_SHAPES = ("term-eq", "label", "prompt", "label-question", "terms-arrow", "term-colon",
               "inline-term", "bold-sentence", "level-label", "term-dash", "label-extra-bold")
PLAIN_SHAPES = ("plain-eq", "plain-list", "plain-is", "plain-use-for", "plain-two-defs",
                "plain-numbers", "plain-analogy", "plain-arrow", "plain-advice")
# What each shape says; an author does not say the same thing twice in one recap.
FAMILY = {"term-eq": "definition", "term-colon": "definition", "plain-eq": "definition",
          "plain-is": "is", "prompt": "prompt", "label-question": "prompt",
          "bold-sentence": "rule", "plain-advice": "rule", "bold-whole": "rule", "label": "trap",
          "plain-arrow": "trap", "inline-term": "uses", "plain-list": "uses",
          "plain-use-for": "uses", "plain-two-defs": "states", "plain-numbers": "numbers",
          "plain-analogy": "analogy", "terms-arrow": "progression", "level-label": "level",
          "term-dash": "definition", "label-extra-bold": "metric"}


# How often authors reach for each bold shape, roughly as counted in the two corpora
# (a label and a bold term most of all; an arrow of bold terms now and then).
BOLD_WEIGHTS = {"label": 5, "term-eq": 4, "bold-sentence": 3, "inline-term": 2, "term-dash": 1,
                "term-colon": 1.5, "prompt": 1.5, "label-question": 1, "terms-arrow": 1,
                "level-label": 1, "label-extra-bold": 1}


def _weighted_order(items: list[str], weights: dict, rng: random.Random) -> list[str]:
    """A random order where heavier items tend to come first (weighted sampling without
    replacement, Efraimidis–Spirakis keys)."""
    return sorted(items, key=lambda item: rng.random() ** (1 / weights[item]), reverse=True)


def _bullet(shape: str, t: dict, rng: random.Random, levels: tuple) -> tuple[str, list | None]:
    """(bullet text without its marker, expected deletions or None where CARDS leaves it open[,
    other deletions a careful human would accept as well])."""
    more = rng.choice(MORE)
    term, definition, rule = t["term"], t["definition"], t["rule"]
    a_name, a_def = (s.strip() for s in t["state_a"].split("=", 1))
    b_name, b_def = (s.strip() for s in t["state_b"].split("=", 1))
    if shape == "term-eq":
        return f"**{term}** = {definition}. {more}", [term]
    if shape == "label":
        label = rng.choice(("Trap", "Trap", "Common mistake", "Watch out"))
        sentence = _cap(t["trap"]) + "."
        return f"**{label}:** {sentence} {more}", [sentence]
    if shape == "prompt":
        return f"**{t['prompt']}?** {t['prompt_answer']}. {more}", [t["prompt_answer"] + "."]
    if shape == "label-question":
        label = rng.choice(("In practice", "Cross-team", "Under load", "On call"))
        return (f"**{label}:** {t['prompt']}? {t['prompt_answer']}. {more}",
                [t["prompt_answer"] + "."])
    if shape == "terms-arrow":
        steps = rng.choice(PROGRESSIONS)
        body = " → ".join(f"**{s}**" for s in steps)
        return f"{body}. Each step for {t['short']} costs more and saves more.", list(steps)
    if shape == "term-dash":
        return f"**{term}** — {definition}.", [term]
    if shape == "label-extra-bold":  # a label, and the author's emphasis inside the sentence too
        label = rng.choice(("Measure", "First step", "Signal"))
        sentence = f"Put {t['metric']} on a dashboard **before** you change anything."
        return f"**{label}:** {sentence} {more}", [sentence.replace("**", "")]
    if shape == "term-colon":  # a bold term, or a bold label with its colon outside: either reading
        return f"**{term}**: {definition}.", [term], [[definition + "."]]
    if shape == "inline-term":
        use = t["uses"][0]
        return f"Reach for {t['short']} for **{use}**, not for {t['anti']}.", [use]
    if shape == "bold-sentence":
        return f"**{rule}.** {more}", [rule + "."]
    if shape == "level-label":
        sentence = f"You make {t['short']} the default, not a per-team chore."
        return f"**At {levels[1]}:** {sentence} {more}", [sentence]
    if shape == "bold-whole":
        return f"**{rule}—{_low(more)}**", None
    if shape == "plain-eq":
        return f"{term} = {definition}. {more}", [definition]
    if shape == "plain-list":
        label = rng.choice(("Good fits", "Used for", "Common uses", "Where you'll see it"))
        return f"{label}: {', '.join(t['uses'][:3])}", [", ".join(t["uses"][:3])]
    if shape == "plain-is":
        rest = f"worth having only if someone watches {t['metric']}"
        return f"{_cap(_a(_low(term)))} is {rest}.", [rest]
    if shape == "plain-use-for":
        return f"Use {t['short']} for {t['uses'][1]}. Not for: {t['anti']}.", [t["short"]]
    if shape == "plain-two-defs":
        return f"{a_name} = {a_def}. {b_name} = {b_def}.", [a_def, b_def]
    if shape == "plain-numbers":
        unit, scale = rng.choice(UNITS), rng.choice(SCALES)
        return (f"1K {unit} = {scale[0]}. 1M {unit} = {scale[1]}. 1B {unit} = {scale[2]}.",
                list(scale))
    if shape == "plain-analogy":
        return f"Like {t['analogy']} — it {t['effect']}.", None
    if shape == "plain-arrow":
        return f"{_cap(t['trap'])} → {t['failure']}.", None
    if shape == "plain-advice":
        return f"Start small: {_low(rule)}, then watch {t['metric']}.", None
    raise ValueError(shape)


def _recap(doc: Doc, t: dict, rng: random.Random, levels: tuple, truth: dict) -> None:
    count = rng.choices((4, 5, 6, 7), (2, 6, 2, 1))[0]
    bold = [s for s in BOLD_SHAPES if s != "level-label" or truth["level"] == "Staff"]
    bold_pool = _weighted_order(bold, BOLD_WEIGHTS, rng)
    plain_pool = rng.sample(PLAIN_SHAPES, len(PLAIN_SHAPES))
    shapes: list[str] = []
    used: set[str] = set()
    for _ in range(count):
        pools = (plain_pool, bold_pool) if rng.random() < 0.32 else (bold_pool, plain_pool)
        for pool in pools:
            fresh = [s for s in pool if FAMILY[s] not in used]
            if fresh:
                pool.remove(fresh[0])
                shapes.append(fresh[0])
                used.add(FAMILY[fresh[0]])
                break
    if rng.random() < 0.04:
        swap = [i for i, shape in enumerate(shapes) if FAMILY[shape] == "rule"]
        if swap:
            shapes[swap[0]] = "bold-whole"
    count = len(shapes)
    form = rng.choices(("## Quick Recap ({} bullets)", "## Quick Recap", "## Quick recap:",
                        "### Quick Recap ({} bullets)"), (20, 2, 1, 1))[0]
    stated = count + rng.choice((-1, 1)) if "{}" in form and rng.random() < 0.03 else count
    line = doc.heading(form.format(stated))
    if stated != count:
        truth["mistakes"].append({"what": f"recap heading says {stated} bullets, the list has {count}",
                                  "line": line})
    marker = rng.choices(("-", "*", "1."), (20, 2, 1))[0]
    for i, shape in enumerate(shapes, 1):
        text, expect, *also = _bullet(shape, t, rng, levels)
        lead = f"{i}." if marker == "1." else marker
        line = doc.add(f"{lead} {text}")
        bullet = {"line": line, "shape": shape, "bold": "**" in text, "expect": expect}
        if also:
            bullet["also_ok"] = also[0]
        truth["recap"].append(bullet)
    doc.add("")


# ---------------------------------------------------------------- think-together

TT_VARIANTS = ("quoted", "curly-quoted", "unquoted", "bold", "bold-quoted", "mid-paragraph",
               "question-answer-labels", "pause-intro", "blockquote", "italic-quoted")


def _think_together(doc: Doc, t: dict, rng: random.Random, truth: dict) -> None:
    variant = rng.choice(TT_VARIANTS)
    q, first = t["question"], t["answer"]
    rest = " ".join(rng.sample((
        f"The fix is simple to say: {_low(t['rule'])}.", f"Watch {t['metric']} so you see it coming.",
        "Most teams learn this the expensive way.", f"That is why you need a plan for {t['short']}, not a default.",
        "Say this out loud in a design review and you'll save a week.",
    ), 3))
    heading = rng.choice(("## Let's Think Together", "## Let’s Think Together", "## Let's think together"))
    doc.heading(heading)
    stage = None
    if variant == "quoted":
        doc.para(f'"{q}"')
    elif variant == "curly-quoted":
        doc.para(f"“{q}”")
    elif variant == "unquoted":
        doc.para(q)
    elif variant == "bold":
        doc.para(f"**{q}**")
    elif variant == "bold-quoted":
        doc.para(f'**"{q}"**')
    elif variant == "mid-paragraph":
        doc.para(f"Here's a tricky one. {q} Don't answer too fast—the second half is where most people slip.")
    elif variant == "blockquote":
        doc.para(f'> "{q}"')
    elif variant == "italic-quoted":
        doc.para(f'*"{q}"*')
    elif variant == "pause-intro":
        stage = "Here's one for you. Pause the video for a moment."
        doc.para(stage)
        doc.para(f"**{q}**")
    if variant == "question-answer-labels":
        hint = f"think about {t['metric']}"
        doc.para(f"**Question:** {q} Hint: {hint}.")
        doc.para(f"**Answer:** {first} {rest}")
    else:
        answer = f"{first} {rest}"
        where = rng.random()
        if where < 0.3:
            stage = rng.choice(STAGE_PARAGRAPHS)
            doc.para(stage)
        elif where < 0.5:
            stage = rng.choice(STAGE_PREFIXES)
            answer = f"{stage} {answer}"
        doc.para(answer)
    truth["think_together"] = {"variant": variant, "question": q, "answer_first": first,
                               "stage_direction": stage}


# ---------------------------------------------------------------- examples

def _company_examples(doc: Doc, t: dict, rng: random.Random, levels: tuple, truth: dict) -> None:
    companies = rng.sample(COMPANIES, rng.choice((2, 2, 3)))
    traps = 0
    numbered = rng.random() < 0.1  # `**Example 1: Netflix.**`: the contrast's heading, a company's story
    if numbered:
        truth["patterns"].append("numbered-company-examples")
    firsts = rng.sample(range(3), len(companies))
    seconds = rng.sample(range(3), len(companies))
    uses_all = rng.sample(t["uses"], len(companies))
    for i, (co, first, second, uses) in enumerate(zip(companies, firsts, seconds, uses_all), 1):
        sentences = [
            (f"{co} has written about using {t['short']} for {uses}.",
             f"Engineers at {co} describe {t['short']} as the reason {uses} survive their busiest days.",
             f"At {co}, {uses} go through {_a(_low(t['term']))} before anything else touches them.")[first],
            (f"After {t['failure']}, the team's rule became: {_low(t['rule'])}.",
             f"Their dashboards put {t['metric']} on the first screen.",
             f"The lesson they share in talks: {_low(t['rule'])}.")[second],
        ]
        if rng.random() < 0.12:
            sentences.insert(1, rng.choice((
                f"{levels[2]} engineers there wrote the guideline every new service now follows.",
                f"{levels[1]} engineers there review every new {_low(t['term'])} before launch.")))
            traps += 1
        head = (f"**Example {i}: {co}.**" if numbered
                else rng.choices((f"**{co}.**", f"**{co}:**", f"**{co}** —"), (8, 1, 1))[0])
        doc.para(f"{head} {' '.join(sentences)}")
    truth["company_examples"] = len(companies)
    truth["single_level_mentions"] = traps


def _contrast_examples(doc: Doc, t: dict, rng: random.Random, levels: tuple, truth: dict) -> None:
    lo, hi, top = levels
    titles = rng.sample(EXAMPLE_TITLES, rng.choice((2, 3, 3)))
    system = rng.choice(SYSTEMS)
    scenarios = rng.sample((
        f"The {system} team is adding {t['short']} a week before a launch.",
        f"An incident review shows {t['failure']}.",
        f"A new hire asks why the {system} needs {t['short']} at all.",
        f"Product wants the {system} to skip {t['short']} to hit a date."), len(titles))
    lows = rng.sample(("Copy the settings from the last service and ship it.",
                       "Add a ticket to look at it after launch.",
                       "It worked in staging, so it's fine.",
                       "That's the platform team's problem, not ours."), len(titles))
    highs = rng.sample((f"Measure {t['metric']} first, set the numbers from real traffic, and name an owner.",
                        f"{t['rule']}. I'll write it into the design doc with the failure it prevents.",
                        f"The real risk is {t['trap']}. Let's test that case before launch."), len(titles))
    for i, (title, scenario, low, high) in enumerate(zip(titles, scenarios, lows, highs), 1):
        form = rng.choice(("quoted", "comma", "list", "paragraphs"))
        head = f"**Example {i}: {title}.** {scenario}"
        if form == "quoted":
            doc.para(f'{head} At {lo}: "{low}" At {hi}: "{high}" {hi} closes the gap {lo} leaves open.')
        elif form == "comma":
            doc.para(f'{head} At {lo}, you might say "{low}" At {hi}, you say: "{high}"')
        elif form == "list":
            doc.para(head)
            doc.para(f"- {lo}: \"{low}\"\n- {hi}: \"{high}\"\n- {top}: \"Make it the default in the shared template so no team has to remember.\"")
        else:
            doc.para(head)
            doc.para(f"At {lo}: {low}")
            doc.para(f"At {hi}: {high}")
    truth["contrasts"] = len(titles)


def _ladder(doc: Doc, t: dict, rng: random.Random, levels: tuple) -> None:
    lo, hi, top = levels
    rungs = (f"{lo}: you tune {_low(t['term'])} for your own service.",
             f"{hi}: you make the whole {rng.choice(SYSTEMS)} safe.",
             f"{top}: you make it the default for every team.")
    if rng.random() < 0.3:
        doc.para(" → ".join(r.rstrip(".") for r in rungs))
    else:
        doc.para(f"Think of it as a widening circle. {' '.join(rungs)} Each step closes more doors.")


# ---------------------------------------------------------------- the script

def _diagram(doc: Doc, t: dict, rng: random.Random, unclosed: bool, truth: dict) -> None:
    label = t["term"].upper()
    art = [f" CLIENTS ──► ┌{'─' * (len(label) + 4)}┐ ──► {rng.choice(SYSTEMS).upper()}",
           f"            │  {label}  │",
           f"            └{'─' * (len(label) + 4)}┘",
           "                 │",
           "                 ▼",
           f"        watch: {t['metric']}"]
    if unclosed:
        line = doc.add(f"```{label} FLOW", *art)
        truth["patterns"].append("unclosed-fence")
        truth["unclosed_fence_line"] = line
        doc.add("")
    else:
        opener = rng.choices(("```", f"```{label}", "```text"), (8, 1, 1))[0]
        doc.add(opener, *art, "```", "")
    doc.para(f"Start on the left. Requests arrive from clients and meet the {_low(t['term'])} first. "
             f"It decides what happens next, and the number to watch is {t['metric']}. "
             f"When that number moves, something upstream changed—usually before anyone notices.")


def script(number: int, topic: dict, title: str, next_title: str, rng: random.Random) -> tuple[str, dict]:
    """(text, truth) for one video."""
    t = topic
    level = rng.choices(LEVEL_NAMES, (35, 35, 10, 20))[0]
    levels = rng.choice(LEVEL_SETS)
    truth: dict = {"number": number, "title": title, "level": level, "recap": [], "mistakes": [],
                   "patterns": [], "contrasts": 0, "ladder": False, "company_examples": 0,
                   "single_level_mentions": 0, "one_liner": True, "think_together": None}
    early = rng.random() < 0.1
    unclosed = rng.random() < 0.02
    doc = Doc()
    doc.heading(f"# {title}")
    if rng.random() < 0.97:
        doc.heading(f"## Video Length: {rng.choice(LENGTHS)} | Level: {level}")
    else:
        truth["level"] = None
    doc.rule()
    opener = rng.choice(HOOK_OPENERS)
    doc.heading("## Hook" if early else "## The Hook (20-30 seconds)")
    hook_level = f" At {levels[1]}, this stops being a config detail and becomes a design decision." if level == "Staff" else ""
    doc.para(f"{opener} Everything is fine. Then {t['failure']}. Nobody changed the code that broke. "
             f"What was missing was a plan for {t['short']}—or rather, the thinking behind one.{hook_level} "
             f"Let me show you why.")
    doc.rule()
    doc.heading("## The Big Analogy" if early and rng.random() < 0.6 else "## The Story")
    doc.para(f"Picture {t['analogy']}. It {t['effect']}. Nobody thinks of it as engineering, "
             f"but it is: a small rule that keeps a busy place working.")
    doc.para(f"Now take it away. On a quiet day, nothing happens. On a busy one, everything piles up at once, "
             f"and the people in the middle pay for it. That is the gap {t['short']} fills in software.")
    doc.para(rng.choice((
        f"The owner didn't invent anything clever. She noticed where things went wrong on the worst day of the year "
        f"and put one simple rule there. Everyone else just followed it, without ever needing to know why.",
        f"Here's the part people miss: the rule only pays off on bad days. On good days it looks like overhead, "
        f"and someone always asks whether it can be removed. The honest answer is \"yes—until the day you need it.\"",
        f"Notice what did NOT change. Nobody got faster. Nobody worked harder. The difference is that the busy "
        f"moments stopped spilling into everything else.")))
    doc.rule()
    ladder = level == "Staff" and rng.random() < 0.6
    doc.heading("## Another Way to See It")
    if ladder:
        _ladder(doc, t, rng, levels)
        truth["ladder"] = True
    else:
        doc.para(f"Think of a {rng.choice(('library', 'train station', 'kitchen', 'post office', 'hospital'))}. "
                 f"The people who run it never say \"{t['short']}\", but they practise it every day: "
                 f"they {_low(t['rule'])}, because the alternative is chaos at the worst moment.")
    doc.rule()
    if rng.random() < 0.15:
        doc.heading("## A Second Way to Think About It")
        doc.para(f"Or picture a relay race. Each runner only has to hand the baton on cleanly. "
                 f"{_cap(t['term'])} is the handover zone: the part of the track where mistakes are cheapest to fix.")
        doc.rule()
        truth["patterns"].append("second-way")
    doc.heading("## Connecting to Software")
    article = _a(_low(t["term"])).split(" ")[0]
    doc.para(f"In software, {article} **{_low(t['term'])}** is {t['definition']}. You'll find it behind "
             f"{', '.join(t['uses'][:-1])} and {t['uses'][-1]}. You usually don't want it for {t['anti']}.")
    doc.para(f"Why does it matter? Because most systems fail at the edges, not in the middle. "
             f"A {rng.choice(SYSTEMS)} that works for a thousand users can fall over at a hundred thousand, "
             f"and the first thing that breaks is usually the part nobody designed on purpose. "
             f"That is where {t['short']} earns its place.")
    if rng.random() < 0.3:  # numbered steps with bold labels, outside the recap: context, not cards
        doc.para(f"Here's the loop most teams end up with:")
        doc.para(f"1. **Measure.** Put {t['metric']} on a dashboard before changing anything.\n"
                 f"2. **Decide.** {t['rule']}.\n"
                 f"3. **Rehearse.** Recreate the bad day on purpose, in staging, before it happens in production.")
        truth["patterns"].append("bold-steps-in-context")
    if rng.random() < 0.1 and not unclosed:  # a code block whose comment looks like a heading
        doc.add("```python", f"# {t['term']} settings live next to the code that uses them",
                f"{re.sub(r'[^a-z]+', '_', t['short'])}_limit = load_setting(\"{t['metric']}\")", "```", "")
        truth["patterns"].append("code-comment-hash")
    doc.para(f"Two ideas do most of the work. {t['state_a']}. {t['state_b']}. "
             f"Most of the decisions you'll make are about choosing between them—and about {t['metric']}.")
    doc.rule()
    doc.heading(rng.choice(("## Let's Walk Through the Diagram", "## Let’s Walk Through the Diagram")))
    _diagram(doc, t, rng, unclosed, truth)
    doc.rule()
    contrasts = level == "Staff" and rng.random() < 0.55
    doc.heading("## Real Examples" if early else rng.choices(("## Real-World Examples (2-3)", "## Real-World Examples"), (9, 1))[0])
    if contrasts:
        _contrast_examples(doc, t, rng, levels, truth)
    else:
        _company_examples(doc, t, rng, levels, truth)
    doc.rule()
    _think_together(doc, t, rng, truth)
    doc.rule()
    doc.heading("## What Could Go Wrong? (Mini Disaster Story)")
    amount = rng.choice(("₹4 lakh", "$80,000", "a weekend", "forty minutes of checkout", "a quarter's SLO budget"))
    doc.para(f"A mid-sized company runs its {rng.choice(SYSTEMS)} without much thought about {t['short']}. "
             f"For months, nothing happens. Then {t['failure']}. Traffic is {rng.choice(('3', '5', '8'))}× normal. "
             f"The on-call engineer sees alarms everywhere and the cause nowhere. The cost: {amount}. "
             f"The fix took ten lines—{_low(t['rule'])}. The lesson took much longer.")
    doc.para(rng.choice((
        f"The post-mortem found no villain. Every decision had made sense on its own. Together they left the "
        f"system with no answer for a busy day. The action items were small: an alert on {t['metric']}, a runbook, "
        f"and a test that recreates the bad day on purpose.",
        f"What stings is that the warning signs were there for weeks. {_cap(t['metric'])} had been creeping up. "
        f"Nobody was looking at it, because nobody owned it.")))
    doc.rule()
    doc.heading("## Surprising Truth / Fun Fact")
    doc.para(f"The idea behind {t['short']} is older than computers: {t['analogy']} worked the same way "
             f"long before software. Engineers keep rediscovering it… usually right after an outage. "
             f"Rough rule: it costs ≈ 1% of the effort of the incident it prevents.")
    doc.rule()
    _recap(doc, t, rng, levels, truth)
    doc.rule()
    if rng.random() < 0.99:
        doc.heading("## One-Liner to Remember")
        line = f"{t['rule']}—before {_low(t['failure'])} teaches you to."
        form = rng.choice(("quote", "quote-bold", "italic", "bold", "plain"))
        doc.para({"quote": f"> {line}", "quote-bold": f"> **{line}**", "italic": f"*{line}*",
                  "bold": f"**{line}**", "plain": line}[form])
        truth["one_liner_form"] = form
    else:
        truth["one_liner"] = False
        truth["mistakes"].append({"what": "no One-Liner to Remember section", "line": None})
    doc.rule()
    doc.heading("## Next Video")
    doc.add(f"Next: {next_title}. Same idea, different corner of the system.")
    text = "\n".join(doc.lines) + "\n"
    if rng.random() < 0.25:
        text = _curly(text)
        truth["patterns"].append("curly-quotes")
    if early:
        truth["patterns"].append("early-headings")
    truth["expected"] = {
        "recap": len(truth["recap"]), "one-liner": int(truth["one_liner"]),
        "think-together": 1, "contrast": truth["contrasts"], "ladder": int(truth["ladder"])}
    return text, truth


def _curly(text: str) -> str:
    """Straight quotes → curly in prose (never on a fence line), as some authors' editors do."""
    out = []
    for line in text.split("\n"):
        if not line.startswith("```"):
            line = re.sub(r'(^|[\s(*])"', "\\1“", line)
            line = line.replace('"', "”").replace("'", "’")
        out.append(line)
    return "\n".join(out)


def generate(out: Path, videos: int = 300, seed: int = 1) -> dict:
    """Write the series into ``out`` and return the manifest (also written beside ``out``)."""
    rng = random.Random(seed)
    pairs = _titles(rng)
    while len(pairs) < videos:
        pairs += [(t, f"{title}, Part {len(pairs) // len(TOPICS) + 1}") for t, title in pairs[:videos - len(pairs)]]
    pairs = pairs[:videos]
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for number, (topic, title) in enumerate(pairs, 1):
        next_title = pairs[number][1] if number < videos else "Wrapping up the series"
        vrng = random.Random(f"{seed}:{number}")
        text, truth = script(number, topic, title, next_title, vrng)
        name = _file_name(number, title)
        crlf = vrng.random() < 0.02
        if crlf:
            truth["patterns"].append("crlf")
        (out / name).write_bytes(text.replace("\n", "\r\n").encode() if crlf else text.encode())
        files[name] = truth
    manifest = {"generator": "benchmarks/drift.py", "seed": seed, "videos": videos,
                "kinds": list(KINDS), "files": files}
    manifest_path(out).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    return manifest


def manifest_path(out: Path) -> Path:
    return out.parent / f"{out.name}.manifest.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the scripts into")
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.videos, args.seed)
    bullets = [b for f in manifest["files"].values() for b in f["recap"]]
    plain = sum(not b["bold"] for b in bullets)
    print(f"{args.videos} scripts in {args.out}, manifest {manifest_path(args.out)}; "
          f"{len(bullets)} recap bullets, {plain} ({plain / max(len(bullets), 1):.0%}) with no bold")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
