"""Item 4 of issue 22: the review's Markdown rendered into the site's pages. Attack: text that
carries its own markup, scripts, unsafe links or images, or the span markers themselves.
Expected: the review's text is escaped before Markdown renders it, so only the inline elements
Markdown makes (em, strong, code, br, a) reach the page, each link with an http(s) address."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from dta_kg.site.context import CLOSE, INLINE, OPEN, render_passage

ATTACKS = [
    "<script>alert(1)</script> the bond",
    "<img src=x onerror=alert(1)> the bond",
    "[the bond](javascript:alert(1))",
    "[the bond](JaVaScRiPt:alert(1))",
    "[the bond]( javascript:alert(1) )",
    "[the bond](data:text/html;base64,PHNjcmlwdD4=)",
    "[the bond](vbscript:msgbox)",
    '[the bond](https://example.org/" onmouseover="alert(1))',
    "![the bond](https://example.org/pixel.png)",
    "<https://example.org/> the bond",
    "&lt;script&gt; the bond &#60;script&#62;",
    "<a href='https://example.org'>the bond</a>",
    "<iframe src=https://example.org></iframe> the bond",
    "# the bond\n\n---\n\n> quoted\n\n- item",
    "`<b>code</b>` and *the* **bond** <!-- comment -->",
    f"the {OPEN}bond{CLOSE} with markers of its own",
    "<svg onload=alert(1)>the bond</svg>",
    "<style>body{display:none}</style> the bond",
    "[x](https://example.org/a) and [y](//example.org/b) and [z](#top)",
    "*the bond <em>* unclosed",
]


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Each start tag of `html` as a browser's parser reads it, with its attributes."""
    found: list[tuple[str, dict[str, str | None]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, dict(attrs)))

    Collect().feed(html)
    return found


@pytest.mark.parametrize("text", ATTACKS)
def test_only_inline_markup_and_http_links_reach_the_page(text):
    at = text.find("bond") if "bond" in text else 0
    html = str(render_passage(text, at, at + 4))
    for name, attributes in elements(html):
        assert name in INLINE | {"mark"}, html
        if attributes:
            assert name == "a" and set(attributes) == {"href", "rel"}, html
            assert (attributes["href"] or "").startswith(("http://", "https://")), html
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    assert OPEN not in html and CLOSE not in html


def test_the_span_is_marked_as_printed_across_italics():
    text = "Hocking et al used the *SMART* goals “framework”."
    html = str(render_passage(text, text.index("used"), text.index(".")))
    assert html == ("Hocking et al <mark>used the </mark><em><mark>SMART</mark></em><mark> goals "
                    "“framework”</mark>.")
