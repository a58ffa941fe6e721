"""Import-time workaround shared by the runner's processes."""

from __future__ import annotations

import sys

__all__ = ["skip_slow_iri_format_checker"]


def skip_slow_iri_format_checker() -> bool:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax`` (about 2 s at import on this machine:
    it compiles ~35 Lark grammars; jsonschema#1428). nbformat, papermill and nbconvert import
    jsonschema, which imports that module only to check the ``iri``/``iri-reference`` formats, which
    no notebook schema uses. Effective only before jsonschema is imported; returns whether it was.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return False
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import raises ImportError
    return True
