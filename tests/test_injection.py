"""Injection: nothing a script, a config or a file in the project holds runs anywhere.

Raw HTML, ``javascript:`` and ``data:`` links, entity-encoded markup and quotes in
link titles reach no card as live markup (checked in real Anki, element by element);
YAML is only ever loaded safely; a parse-cache file that came with a checkout is
never unpickled.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import yaml

from anki_helpers import card_html, cards_of, imported, notes_of, visible_text
from markup import elements, live_markup, live_math

SRC = Path(__file__).parent.parent / "src" / "ankigen"

VECTORS = [
    "<script>alert('s')</script>", "<img src=x onerror=alert('i')>", "<svg onload=alert(1)>",
    "<iframe src=\"javascript:alert('f')\"></iframe>", "<style>.card{display:none}</style>",
    "<a href=\"javascript:alert('a')\" onclick=\"alert(2)\">click</a>", "<b onmouseover=alert(3)>b</b>",
    "<div style=\"position:fixed\">overlay</div>", "<object data=\"data:text/html,x\"></object>",
    "[js](javascript:alert('m'))", "[js2](  JaVaScRiPt:alert(1))", "[js3](jav&#x61;script:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))", "![pic](javascript:alert(1) \"t\")", "![x](https://e.com/x.png)",
    "&#x3C;script&#x3E;alert('e')&#x3C;/script&#x3E;", "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[title](https://example.com \"a\\\" onmouseover=\\\"alert(1)\")",
    "[title2](https://example.com 'b\" onfocus=\"alert(1)')", "<https://e.com\" onmouseover=\"alert(1)>",
    "<x@y.z>", "<!--><script>alert(1)</script>-->", "<scr<script>ipt>alert(1)</script>",
    "`<script>alert(1)</script>`", "{{c1::x}} and {{Front}} and {{FrontSide}}", "[sound:x.mp3]",
    # Anki's own markup and MathJax's delimiters
    "[sound:http://evil.example/t.mp3]", "[sound:../../../../etc/passwd]",
    "[anki:tts lang=en_US]read me[/anki:tts]", "[anki:play:q:0]", "[latex]\\input{/etc/passwd}[/latex]",
    "[$]x^2[/$]", "[$$]\\int x[/$$]", "[LaTeX]y[/LaTeX]", "\\\\(\\href{javascript:alert(1)}{m}\\\\)",
    "\\\\[\\style{position:fixed;top:0}{m}\\\\]", "`\\(\\href{javascript:alert(2)}{c}\\)`",
    "[m](https://e.com/[sound:y.mp3]\\(x\\))",
]


def hostile_script(n: int) -> str:
    a, b, c = (VECTORS[(n + k) % len(VECTORS)] for k in range(3))
    front = yaml.safe_dump({"title": f"Hostile {n} {a}", "tags": [b, "x y"]}, allow_unicode=True)
    return f"""---
{front}---

# Ignored title

## Quick Recap

- **Trap {a}:** Staying {b} in your lane.
- **{c}** keeps going.
- Plain {a} bullet.

## One-Liner to Remember

{b} Ownership {c} grows.

## Real-World Examples

**Example 1: {a}.** A page at 2 AM {b}. At L5: "{c} not mine." At L6: "Ours {a}."

| Level | Response |
| --- | --- |
| L5 | {b} waits |
| L6 | {c} acts |

## Let's Think Together

> "Whose problem {a}?"

Ours {b}. Then {c}.

## Another Way to See It

L5: you own {a} code. L6: you own {b} systems. Staff+: you own {c} direction.
"""


def test_a_hostile_corpus_renders_inert_in_anki(run, tmp_path):
    folder = tmp_path / "decks" / "hostile"
    folder.mkdir(parents=True)
    for n in range(len(VECTORS)):
        (folder / f"{n + 1:02d}-hostile-{n}.md").write_text(hostile_script(n), encoding="utf-8")
    # a file name reaches every card of its video, in the source line
    (folder / "99-[sound:name.mp3] \\(x\\).md").write_text(hostile_script(0), encoding="utf-8")
    (tmp_path / "decks" / "hostile.yaml").write_text(
        'name: "Hostile <img src=x onerror=alert(9)>"\nsources: [hostile/*.md]\n'
        'tags: ["<script>", "a b"]\n', encoding="utf-8")
    result = run("build", "decks/hostile.yaml", "-o", tmp_path / "hostile.apkg")
    assert result.exit_code == 0, result.output
    seen = []
    with imported(tmp_path, tmp_path / "hostile.apkg") as (col, log):
        assert log["new"] > 5 * len(VECTORS)
        for card in cards_of(col):
            for side in (card.question(), card.answer()):
                assert side.startswith("<style>"), side[:80]  # the note type's CSS, and only it
                body = card_html(side)
                tags = [tag for tag, _ in elements(body)]
                assert "script" not in tags and "style" not in tags, body
                assert not any(name.startswith("on") for _, attrs in elements(body) for name, _ in attrs), body
                assert live_markup(body) == [], (live_markup(body), body)
                assert live_math(body) == [], (live_math(body), body)
                assert "[anki:play" not in body and "LaTeX image" not in body, body  # no sound, no LaTeX
                seen.append(visible_text(body))
            assert card.question_av_tags() == [] and card.answer_av_tags() == [], card.answer()
        for note in notes_of(col):
            assert all(re.fullmatch(r"[^\s\x00-\x1f\"]+", tag) for tag in note.tags)
    text = " | ".join(seen)
    for shown in ("<script>alert('s')</script>", "<img src=x onerror=alert('i')>",
                  "<style>.card{display:none}</style>", "<script>alert('e')</script>",
                  "{{c1::x}} and {{Front}}", "Hostile <img src=x onerror=alert(9)>",
                  "[sound:http://evil.example/t.mp3]", "[sound:../../../../etc/passwd]",
                  "[anki:tts lang=en_US]read me[/anki:tts]", "[latex]\\input{/etc/passwd}[/latex]",
                  "[$$]\\int x[/$$]", "\\(\\href{javascript:alert(1)}{m}\\)",
                  "\\[\\style{position:fixed;top:0}{m}\\]", "[$]x^2[/$]", "[anki:play:q:0]",
                  "[sound:name.mp3] \\(x\\).md"):  # the Source field: the file, no line
        assert shown in text, f"{shown!r} is not shown as text"


def test_yaml_is_only_ever_loaded_safely():
    calls = []
    for module in SRC.glob("*.py"):
        for m in re.finditer(r"yaml\.(\w*load\w*)\(([^)]*)\)?", module.read_text(encoding="utf-8")):
            calls.append((module.name, m.group(1), m.group(2)))
    assert calls
    for name, function, args in calls:
        assert function == "safe_load" or (function == "load" and re.search(r"Safe|_Loader", args)), \
            (name, function, args)
    lock = (SRC / "lockfile.py").read_text(encoding="utf-8")  # the lock reader
    assert re.search(r'_Loader = getattr\(yaml, "CSafeLoader", yaml\.SafeLoader\)', lock)


class _Pwn:
    def __reduce__(self):
        return (Path.touch, (Path("pwned"),))


def test_a_parse_cache_file_from_a_checkout_is_never_unpickled(run, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "01-x.md").write_text(
        "# X\n\n## Quick Recap\n\n- **Trap:** Staying in your lane.\n", encoding="utf-8")
    assert run("build", "s", "-o", "a.apkg").exit_code == 0
    files = sorted((tmp_path / "dist" / ".cache").glob("*.pickle"))
    assert files
    signed = {path: path.read_bytes() for path in files}
    # as committed by a pull request: unsigned, or signed with another machine's key
    for forge in (lambda mac: pickle.dumps(_Pwn()), lambda mac: b"\0" * 32 + pickle.dumps(_Pwn()),
                  lambda mac: mac + pickle.dumps(_Pwn())):
        for path in files:
            path.write_bytes(forge(signed[path][:32]))
        assert run("build", "s", "-o", "a.apkg").exit_code == 0
        assert not (tmp_path / "pwned").exists()
    for path in files:  # rewritten, signed
        assert path.read_bytes()[:32] != signed[path][:32] or path.read_bytes() == signed[path]
