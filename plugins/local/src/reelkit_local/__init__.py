"""reelkit's offline default provider: ``local`` renders a real H.264 MP4 on this machine.

No keys, no network. The hooks below translate a request into a call to a tiny render API
that ``reelkit_local.transport.LocalTransport`` serves in-process, so ``local`` runs through
the same translate → submit → poll → download pipeline as every remote provider.

Importing this package is cheap: PyAV, numpy and Pillow load only when something renders.
"""

from __future__ import annotations

from .hooks import (
    reelkit_cancel_request,
    reelkit_parse_poll,
    reelkit_parse_submit,
    reelkit_poll_request,
    reelkit_register_providers,
    reelkit_translate,
    reelkit_transport,
)

__all__ = [
    "reelkit_cancel_request",
    "reelkit_parse_poll",
    "reelkit_parse_submit",
    "reelkit_poll_request",
    "reelkit_register_providers",
    "reelkit_translate",
    "reelkit_transport",
]
