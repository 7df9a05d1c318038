"""``BearerAuth``: ``Authorization: Bearer <token>`` as an ``httpx.Auth``.

Apart from ``reelkit._builtin`` so that registering the core's hooks imports no HTTP stack.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``; the token never appears in ``repr``."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request
