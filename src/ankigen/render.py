"""Markdown → the HTML stored in Anki fields: safe, cloze-proof, rendered once."""

from __future__ import annotations

import re
from functools import lru_cache

from .text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN

_SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _new_markdown():
    """Python-Markdown as every field gets it: raw HTML shown as text, only safe links.
    Imported on first use: a build whose fields need none (most rebuilds) is spared it."""
    from xml.etree import ElementTree

    import markdown
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class SafeLinks(Treeprocessor):
        """Links keep only http(s)/mailto targets; images become their alt text."""

        def run(self, root) -> None:  # an ElementTree.Element
            for parent in root.iter():
                for i, el in enumerate(list(parent)):
                    if el.tag == "a":
                        href = (el.get("href") or "").strip()
                        scheme = re.match(r"^[a-zA-Z][\w+.-]*:", re.sub(r"[\x00-\x20]", "", href))
                        if not scheme or scheme.group(0).lower() not in _SAFE_SCHEMES:
                            el.attrib.pop("href", None)
                        for attr in list(el.attrib):
                            if attr not in ("href", "title"):
                                el.attrib.pop(attr)
                    elif el.tag == "img":
                        span = ElementTree.Element("span")
                        span.text = el.get("alt") or ""
                        span.tail = el.tail
                        parent[i] = span

    class NoRawHtml(Extension):
        """Raw HTML in a script is shown as text, never passed through. So is a reference
        definition (``[r]: url``): a field is one bullet or paragraph, so it could define
        a link for nothing but would make a one-line field, and its card, empty."""

        def extendMarkdown(self, md: markdown.Markdown) -> None:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
            md.parser.blockprocessors.deregister("reference")
            md.treeprocessors.register(SafeLinks(md), "ankigen-safe-links", 0)

    return markdown.Markdown(extensions=[NoRawHtml()])


_md = None  # made by the first field that needs Python-Markdown
_PLAIN = re.compile(r"^[^*_`\[\]<>&\\!#|{}\n\ue000-\ue002]*$")
_LEADS_BLOCK = re.compile(r"^\s*(\d+[.)]|[-+>=])(\s|$)")


_KNOWN: dict[str, str] = {}  # HTML rendered earlier (by the parse cache or a worker process)


def remember(rendered: dict[str, str]) -> None:
    """Reuse HTML rendered by this same code elsewhere: a cache entry, a worker process."""
    _KNOWN.update(rendered)


def render_all(sources) -> dict[str, str]:
    """Render each source once; the pairs can be ``remember``-ed by another process."""
    return {src: to_html(src) for src in sources if src}


@lru_cache(maxsize=65536)
def to_html(source: str) -> str:
    known = _KNOWN.get(source)
    if known is not None:
        return known
    return _to_html(source)


def _to_html(source: str) -> str:
    """Render Markdown; a single paragraph is returned without its ``<p>``."""
    if not source:
        return ""
    if _PLAIN.match(source) and not _LEADS_BLOCK.match(source):
        # No & < > to escape, no braces or markers: _cloze_syntax would only do this.
        return source.strip().replace("::", ":&#58;")
    html = simple_html(source)
    if html is None and source.count("[") + source.count("\\") > 64:
        html = _escape(source.strip())  # Python-Markdown takes quadratic time on these
    elif html is None:
        html = markdown_html(source)
    return _cloze_syntax(html)


# Lists or quotes nested this deep are shown as the text typed: whether Python-Markdown
# recurses past Python's limit on them depends on its release, and no script needs them.
MAX_NESTING = 32
_DEEP_MARKERS = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*){%d}" % MAX_NESTING, re.M)
_DEEP_INDENT = re.compile(r"^[ \t]{%d}" % (4 * MAX_NESTING), re.M)


def too_deep(source: str) -> bool:
    """Whether a line opens more than ``MAX_NESTING`` lists or quotes, by markers or indent."""
    return bool(_DEEP_MARKERS.search(source) or _DEEP_INDENT.search(source))


def markdown_html(source: str) -> str:
    """Python-Markdown's HTML, a lone paragraph unwrapped: what every field would get."""
    global _md
    if too_deep(source):
        return _escape(source.strip())
    if _md is None:
        _md = _new_markdown()
    try:
        html = _md.reset().convert(source)
    except RecursionError:  # lists or quotes nested hundreds deep: shown as the text typed
        _md = _new_markdown()  # reset() cannot undo a half run
        return _escape(source.strip())
    except BaseException:  # interrupted (the time limit on reading a script)
        _md = _new_markdown()
        raise
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


# The Markdown most fields use, rendered without Python-Markdown (~200 µs a call):
# one-line paragraphs and tight "- " lists whose text is words with **strong**,
# *em*, `code` and [links](https://…). Anything else returns None and goes to
# Python-Markdown.
# tests/test_render_subset.py holds its output equal to markdown_html's.
_ONLY_ITSELF = r"*_`\[\]<>&\\\x00-\x1f"  # what a word character is not
_WORD_CHAR = f"[^{_ONLY_ITSELF}]"  # text that is only itself
# What **strong**, *em* and a link's text hold: words, with no space at either end. (A
# span holding anything else matches no alternative, so the text goes to Python-Markdown.)
_SPAN_WORDS = rf"[^{_ONLY_ITSELF}\s](?:{_WORD_CHAR}*[^{_ONLY_ITSELF}\s])?"
_SPANS = re.compile(
    r"(?=[*`\[])(?:"  # (a quick start: only these characters can open a span)
    rf"(?<!\*)\*\*(?P<strong>{_SPAN_WORDS})\*\*(?!\*)"
    rf"|(?<!\*)\*(?P<em>{_SPAN_WORDS})\*(?!\*)"
    r"|(?<!`)`(?P<code>[^`\s\\](?:[^`\\\x00-\x1f]*[^`\s\\])?)`(?!`)"
    rf"|(?<![!\\])\[(?P<link>{_SPAN_WORDS})\]\((?P<href>https?://[A-Za-z0-9_./%~:?=#@+-]+)\))")
# Words, then a span or the end (*+: words never give back a character).
_WORDS_THEN_SPAN = re.compile(f"(?P<words>{_WORD_CHAR}*+)(?:{_SPANS.pattern}|(?P<end>\\Z))")
_BLOCK_START = re.compile(r"[#>=+\-]|\*\s|\d+[.)]")


def simple_html(source: str) -> str | None:
    """HTML for the common subset, equal to ``markdown_html``; None for anything else."""
    if "\n" not in source and not source.startswith("- "):  # one paragraph, shown without <p>
        return _simple_inline(source)
    out = []
    list_before = False
    for block in source.split("\n\n"):
        lines = block.split("\n") if block.startswith("- ") else None
        if lines and all(line.startswith("- ") for line in lines):
            if list_before:  # two lists a blank line apart are one loose list
                return None
            items = [_simple_inline(line[2:]) for line in lines]
            if None in items:
                return None
            out.append("<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>")
            list_before = True
        elif "\n" not in block:
            text = _simple_inline(block)
            if text is None:
                return None
            out.append(f"<p>{text}</p>")
            list_before = False
        else:
            return None
    if len(out) == 1 and out[0].startswith("<p>"):
        return out[0][3:-4]
    return "\n".join(out)


def _simple_inline(text: str) -> str | None:
    """Words and spans, each span starting where the words before it end."""
    if not text or text[0].isspace() or text[-1].isspace() or _BLOCK_START.match(text):
        return None
    out, pos = [], 0
    while m := _WORDS_THEN_SPAN.match(text, pos):
        words, strong, em, code, link, href, end = m.groups()
        out.append(words)
        if end is not None:
            return "".join(out)
        if strong or em or link:
            out.append(f"<strong>{strong}</strong>" if strong else f"<em>{em}</em>" if em
                       else f'<a href="{href}">{link}</a>')
        else:
            out.append(f"<code>{_escape(code)}</code>")
        pos = m.end()
    return None  # a character that opens no span


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=4096)
def text_html(text: str) -> str:
    """Plain text (a title, a path) as field HTML: escaped, cloze-proof."""
    return _cloze_syntax(_escape(text))


_CLOZE_START = re.compile(f"{CLOZE_OPEN}(\\d+){CLOZE_MID}")


# Anki's own markup, which it acts on in a card's HTML whatever the note type: ``[sound:…]``
# and ``[anki:tts …]…[/anki:tts]`` become auto-playing ``[anki:play:…]`` tags (a fetch from
# any server, at review time); ``[latex]``, ``[$]`` and ``[$$]`` (any case) become LaTeX
# images; MathJax typesets ``\(…\)`` and ``\[…\]`` in the page (its html extension, with
# \href and \style, loads on demand). Anki matches the first three in the HTML source, so an
# entity for the ``[`` ends them; MathJax matches the text of the page, entities decoded,
# but never across an element (only <br>, <wbr> and comments join its strings), so an
# empty <span> between the backslash and the bracket ends it, and the text reads the same.
_ANKI_MARKUP = re.compile(r"<[^>]*>|\[(?=sound:|anki:|latex\]|\$\$?\])|\\(?=[(\[])", re.I)


def _inert(m: re.Match) -> str:
    found = m.group()
    if found == "[":
        return "&#91;"
    if found == "\\":
        return "\\<span></span>"
    if "[" not in found and "\\" not in found:  # a tag
        return found
    return found.replace("[", "&#91;").replace("\\", "&#92;")  # in an attribute (a link's URL)


def _anki_markup(html: str) -> str:
    """Anki's markup and MathJax's delimiters shown as text (see ``_ANKI_MARKUP``)."""
    if "[" not in html and "\\" not in html:
        return html
    return _ANKI_MARKUP.sub(_inert, html)


def _cloze_syntax(html: str) -> str:
    """Neutralise the author's braces, ``::`` and Anki's markup (``_ANKI_MARKUP``), then
    turn markers into ``{{cN::…}}``."""
    html = _anki_markup(html.replace("{", "&#123;").replace("}", "&#125;").replace("::", ":&#58;"))
    if CLOZE_OPEN in html:  # a colon at either end of a deletion would make '::' with its marker
        html = html.replace(CLOZE_MID + ":", CLOZE_MID + "&#58;").replace(":" + CLOZE_CLOSE, "&#58;" + CLOZE_CLOSE)
        html = _CLOZE_START.sub(_anki_cloze_start, html)
    return html.replace(CLOZE_CLOSE, "}}")


def _anki_cloze_start(m: re.Match) -> str:
    return "{{c" + m.group(1) + "::"  # a function: quicker than a template in Python 3.11


def plain(source: str) -> str:
    """Markdown reduced to plain text, for reports and answer checks."""
    html = to_html(source)
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\{\{c\d+::|\}\}", "", text)
    return (text.replace("&#123;", "{").replace("&#91;", "[").replace("&#92;", "\\").replace("&#125;", "}").replace("&#58;", ":")
            .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))
