"""Jinja templates kept as data under ``cadre_lib/render/templates/`` (as nbconvert keeps its own):
the portal page (``portal/``) and the PDF page header and footer (``pdf/``).

Every value a template prints is NFC-normalised and HTML-escaped by :func:`cadre_lib.core.text.escape`
(the one escaping of the project; autoescape is on, so nothing is ever printed unescaped); values
marked safe (:class:`markupsafe.Markup`, e.g. a macro's output) are only normalised.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from cadre_lib.core.text import escape, nfc

__all__ = ["TEMPLATES_DIR", "environment", "render_template"]

#: nbconvert templates (``cadre_report``) and the templates of this module.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _finalize(value: Any) -> Any:
    """Runs before autoescaping: what it returns as Markup is not escaped again."""
    if isinstance(value, Markup):
        return Markup(nfc(value))
    if isinstance(value, str):
        return Markup(escape(value))
    return value


def raw(name: str) -> Markup:
    """The text of a data file under :data:`TEMPLATES_DIR` (a stylesheet), inserted as it is."""
    return Markup((TEMPLATES_DIR / name).read_text(encoding="utf-8"))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["raw"] = raw
    return env


def render_template(name: str, **context: Any) -> str:
    """Render ``name`` (relative to :data:`TEMPLATES_DIR`, e.g. ``portal/index.html.j2``)."""
    return environment().get_template(name).render(**context)
