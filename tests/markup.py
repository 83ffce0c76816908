"""What in a piece of HTML is live: real elements and attributes as a browser parses
them (html.parser), not substrings of text. Shared by the fuzz and injection tests."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Elements that run code, load something, or restyle the card; never from a script.
DANGEROUS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
             "img", "svg", "math", "link", "meta", "base", "form", "input", "button", "textarea",
             "select", "video", "audio", "source", "track", "picture", "template", "noscript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster",
                  "data", "srcset", "cite", "ping"}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def elements(fragment: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag in ``fragment`` with its attributes, as a browser would see them."""
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser.found


def live_markup(fragment: str, allowed: set[str] | None = None) -> list[str]:
    """Each element or attribute in ``fragment`` that could run code, load something or
    restyle the page; empty when the fragment is inert."""
    problems = []
    for tag, attrs in elements(fragment):
        if tag in DANGEROUS and (allowed is None or tag not in allowed):
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style" or name == "srcdoc":
                problems.append(f"<{tag} {name}=…>")
            elif name in URL_ATTRIBUTES and value:
                url = re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower()
                scheme = re.match(r"^[a-z][a-z0-9+.-]*:", url)
                if scheme and scheme.group(0) not in SAFE_SCHEMES:
                    problems.append(f"<{tag} {name}={value!r}>")
    return problems


# MathJax (3, as Anki configures it) looks for its delimiters in the strings of a page's
# text: text nodes joined across <br>, <wbr> and comments only, never across another
# element, nor inside the elements it skips (HTMLDomStrings).
_JOINS = {"br", "wbr"}
_SKIPS = {"script", "noscript", "style", "textarea", "pre", "code", "annotation", "annotation-xml"}
MATHJAX_OPENERS = ("\\(", "\\[")  # Anki's inline and display delimiters


class _Strings(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.strings, self.current, self.skipping = [], "", 0

    def _push(self):
        if self.current.strip():
            self.strings.append(self.current)
        self.current = ""

    def handle_starttag(self, tag, attrs):
        if tag in _JOINS:
            self.current += "\n" if tag == "br" else ""
            return
        self._push()
        if tag in _SKIPS:
            self.skipping += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _SKIPS:
            self.skipping -= 1

    def handle_endtag(self, tag):
        if tag in _JOINS:
            return
        self._push()
        if tag in _SKIPS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.current += data


def mathjax_strings(fragment: str) -> list[str]:
    """The strings of ``fragment`` in which MathJax would look for math."""
    parser = _Strings()
    parser.feed(fragment)
    parser.close()
    parser._push()
    return parser.strings


def live_math(fragment: str) -> list[str]:
    """Each string MathJax would typeset math from (one holding an opening delimiter)."""
    return [s for s in mathjax_strings(fragment) if any(d in s for d in MATHJAX_OPENERS)]
