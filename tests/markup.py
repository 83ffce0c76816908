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
