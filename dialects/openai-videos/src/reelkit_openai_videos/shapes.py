"""``ListShape``, apart from the wire code: catalogues declare shapes at import time, and
importing them must not import the HTTP stack (``reelkit providers`` lists without one)."""

from __future__ import annotations

from attrs import frozen


@frozen
class ListShape:
    """What each item of a list-of-objects ``--param`` must look like.

    ``characters`` on Sora is ``[{"id": ...}]``, at most 2 (docs/reference/openai-videos.md
    §1.3): ``ListShape("id", 2)``.
    """

    key: str  # every item is an object with this (string) key
    max_items: int
    max_chars: int | None = None  # the longest the key's string may be
