"""The two note types learners receive. FROZEN: see ANKI-FACTS "Note types must be frozen".

Model ids, field names and ids, template names and ids never change. CSS and
template HTML may change (the build moves the note type's ``mod`` forward);
a field or template added, removed or renamed forks every learner's note type
and is refused by the build's fingerprint check.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

CLOZE_MODEL_ID = 1094166082
QA_MODEL_ID = 1750312575


@dataclass(frozen=True)
class NoteType:
    model_id: int
    name: str
    fields: tuple[tuple[str, int], ...]  # (name, fixed field id)
    templates: tuple[tuple[str, int, str, str], ...]  # (name, id, front, back)
    css: str
    cloze: bool

    def __hash__(self) -> int:
        # Its values' hash, made once: a note type keys caches looked up for every note.
        try:
            return self.__dict__["_hash"]
        except KeyError:
            h = hash((self.model_id, self.name, self.fields, self.templates, self.css, self.cloze))
            object.__setattr__(self, "_hash", h)
            return h

    def __getstate__(self) -> dict:
        # never the hash: another process hashes strings otherwise
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)

    @lru_cache(maxsize=None)  # noqa: B019 - two note types, alive as long as the module
    def shape(self) -> str:
        """Fingerprint of what must never change: ids, field and template names."""
        data = [self.model_id, self.name, self.fields, [(t[0], t[1]) for t in self.templates]]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]

    @lru_cache(maxsize=None)  # noqa: B019
    def look(self) -> str:
        """Fingerprint of what may change with a newer ``mod``: CSS and template HTML."""
        data = [self.css, [(t[2], t[3]) for t in self.templates]]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


CSS = """\
.card {
  --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --rule: #d1d9e0;
  --accent: #0550ae; --cloze-fg: #0550ae; --cloze-bg: #ddf4ff; --code-bg: #eff2f5;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Noto Sans",
    Helvetica, Arial, sans-serif;
  font-size: 20px;
  line-height: 1.5;
  color: var(--fg);
  background-color: var(--bg);
  text-align: left;
  margin: 0;
  padding: 0;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  --fg: #e6edf3; --bg: #1f1f1f; --muted: #9198a1; --rule: #3d444d;
  --accent: #6cb6ff; --cloze-fg: #ffd866; --cloze-bg: #3a3420; --code-bg: #2d333b;
}
.ankigen {
  max-width: 40em;
  margin: 0 auto;
  padding: 16px;
  box-sizing: border-box;
  overflow-wrap: anywhere;
  word-break: normal;
}
.ankigen .context {
  font-size: 0.7em;
  color: var(--muted);
  margin-bottom: 0.8em;
  letter-spacing: 0.01em;
}
.ankigen .main p:first-child, .ankigen .back p:first-child { margin-top: 0; }
.ankigen hr#answer { border: 0; border-top: 1px solid var(--rule); margin: 1em 0; }
.ankigen .back { font-weight: 500; }
.ankigen .extra {
  margin-top: 1em;
  font-size: 0.85em;
  color: var(--muted);
  border-left: 3px solid var(--rule);
  padding-left: 0.8em;
}
.ankigen .source, .ankigen .link {
  display: block;
  margin-top: 1.2em;
  font-size: 0.6em;
  color: var(--muted);
}
.ankigen a { color: var(--accent); }
.ankigen ul, .ankigen ol { padding-left: 1.3em; }
.ankigen code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.85em;
  background: var(--code-bg);
  padding: 0.1em 0.3em;
  border-radius: 4px;
}
.ankigen pre { white-space: pre-wrap; background: var(--code-bg); padding: 0.6em; border-radius: 6px; }
.ankigen pre code { background: none; padding: 0; }
.ankigen table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; }
.ankigen td, .ankigen th { border: 1px solid var(--rule); padding: 0.2em 0.5em; }
.ankigen img { max-width: 100%; height: auto; }
.cloze {
  font-weight: bold;
  color: var(--cloze-fg);
  background-color: var(--cloze-bg);
  border-radius: 4px;
  padding: 0 0.15em;
}
@media (max-width: 480px) {
  .card { font-size: 18px; }
  .ankigen { padding: 10px; }
}
"""

_CONTEXT = '<div class="context">{{Context}}</div>'
_TAIL = (
    '{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}'
    '{{#Link}}<a class="link" href="{{Link}}">Watch the video</a>{{/Link}}'
    '<div class="source">{{Source}}</div>'
)

CLOZE_TYPE = NoteType(
    model_id=CLOZE_MODEL_ID,
    name="ankigen Cloze",
    fields=(("Text", 2045831195), ("Context", 1599745252), ("Extra", 1153167928),
            ("Source", 1925675398), ("Link", 1463639914)),
    templates=((
        "Cloze", 2104079338,
        f'<div class="ankigen">{_CONTEXT}<div class="main">{{{{cloze:Text}}}}</div></div>',
        f'<div class="ankigen">{_CONTEXT}<div class="main">{{{{cloze:Text}}}}</div>{_TAIL}</div>',
    ),),
    css=CSS,
    cloze=True,
)

QA_TYPE = NoteType(
    model_id=QA_MODEL_ID,
    name="ankigen Q/A",
    fields=(("Front", 1338833542), ("Back", 1712238133), ("Context", 2045568052),
            ("Extra", 1189826966), ("Source", 1276319470), ("Link", 1831164390)),
    templates=((
        "Card 1", 1986044718,
        f'<div class="ankigen">{_CONTEXT}<div class="main">{{{{Front}}}}</div></div>',
        f'<div class="ankigen">{_CONTEXT}<div class="main">{{{{Front}}}}</div>'
        f'<hr id="answer"><div class="back">{{{{Back}}}}</div>{_TAIL}</div>',
    ),),
    css=CSS,
    cloze=False,
)

NOTE_TYPES = (CLOZE_TYPE, QA_TYPE)
