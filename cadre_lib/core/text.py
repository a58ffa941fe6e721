"""Text as the reports need it: Unicode NFC (Vietnamese letters composed) and HTML-escaped."""

from __future__ import annotations

import html
import unicodedata


def nfc(text: object) -> str:
    """``str(text)`` in Unicode NFC."""
    return unicodedata.normalize("NFC", str(text))


def escape(text: object, quote: bool = True) -> str:
    """``text`` in NFC, escaped for HTML text and attribute values."""
    return html.escape(nfc(text), quote=quote)
