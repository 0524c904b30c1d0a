"""Shared page machinery: the Jinja environment, inlined assets, JSON data islands and the CSP.

Pages are self-contained: scripts and styles are inlined, and a Content-Security-Policy allows
only those exact scripts (by hash), so no inline event handler and no outside fetch can run.
"""

import base64
import hashlib
import json
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dta_kg.core.files import write_atomic

ASSETS = Path(__file__).parent / "assets"

env = Environment(
    loader=FileSystemLoader(ASSETS),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def vis_dir() -> Path:
    """The vis-network build that ships inside the installed pyvis package."""
    # lazy: pyvis loads ~175 ms; the gap map and `views.source` import this package without drawing
    import pyvis

    return Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"


@cache
def asset(path: Path) -> str:
    """The text of an asset file, read once."""
    return path.read_text(encoding="utf-8")


def json_island(data: object) -> Markup:
    """JSON safe to place inside <script type="application/json">: no `<`, `>` or `&` survive."""
    return Markup(script_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":"))))


def script_safe(json_text: str) -> str:
    """JSON text with `<`, `>` and `&` written as \\u escapes, so no `</script>` can occur."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def csp(*scripts: str) -> Markup:
    """A policy that runs only the given inline scripts and loads nothing from anywhere (markup:
    its quotes and base64 hashes need no escaping inside a double-quoted attribute)."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )
    script_src = f"script-src {hashes}" if hashes else "script-src 'none'"
    return Markup(f"default-src 'none'; {script_src}; style-src 'unsafe-inline'; img-src data:")


def write_page(template: str, path: str | Path, **context: object) -> Path:
    """Render `template` with `context` to `path` (through the one writer) and return it."""
    out = Path(path)
    write_atomic(out, env.get_template(template).render(**context).encode("utf-8"))
    return out
