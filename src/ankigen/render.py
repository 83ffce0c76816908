"""Markdown → the HTML stored in Anki fields: safe, cloze-proof, rendered once."""

from __future__ import annotations

import re
from functools import lru_cache
from xml.etree import ElementTree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN

_SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _SafeLinks(Treeprocessor):
    """Links keep only http(s)/mailto targets; images become their alt text."""

    def run(self, root: ElementTree.Element) -> None:
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


class _NoRawHtml(Extension):
    """Raw HTML in a script is shown as text, never passed through."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "ankigen-safe-links", 0)


_md = markdown.Markdown(extensions=[_NoRawHtml()])
_PLAIN = re.compile(r"^[^*_`\[\]<>&\\!#|{}\n\ue000-\ue002]*$")


@lru_cache(maxsize=65536)
def to_html(source: str) -> str:
    """Render Markdown; a single paragraph is returned without its ``<p>``."""
    if not source:
        return ""
    if _PLAIN.match(source) and not re.match(r"^\s*(\d+[.)]|[-+>=])(\s|$)", source):
        html = _escape(source.strip())
    else:
        html = _md.reset().convert(source)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
    return _cloze_syntax(html)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_html(text: str) -> str:
    """Plain text (a title, a path) as field HTML: escaped, cloze-proof."""
    return _cloze_syntax(_escape(text))


def _cloze_syntax(html: str) -> str:
    """Neutralise the author's braces and ``::``, then turn markers into ``{{cN::…}}``."""
    html = html.replace("{", "&#123;").replace("}", "&#125;").replace("::", ":&#58;")
    html = re.sub(f"{CLOZE_OPEN}(\\d+){CLOZE_MID}", r"{{c\1::", html)
    return html.replace(CLOZE_CLOSE, "}}")


def plain(source: str) -> str:
    """Markdown reduced to plain text, for reports and answer checks."""
    html = to_html(source)
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\{\{c\d+::|\}\}", "", text)
    return (text.replace("&#123;", "{").replace("&#125;", "}").replace("&#58;", ":")
            .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))
