"""The registry of secret values in use, and the one function that masks them anywhere.

Kept free of imports so that errors (imported everywhere) can scrub their own messages.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

MASK = "***"
_lock = threading.Lock()
_known: set[str] = set()


def remember(secrets: Iterable[str]) -> None:
    """Register secret values so every error message, log line and journal entry masks them."""
    with _lock:
        _known.update(s for s in secrets if s and len(s) >= 4)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    with _lock:
        values = _known | {s for s in secrets if s and len(s) >= 4}
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


def any_known() -> bool:
    return bool(_known)
