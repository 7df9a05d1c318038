"""The one orchestration behind ``Client`` and ``AsyncClient``.

``plan → claim(pending) → sign → submit → journal(submitted) → poll until terminal →
journal(succeeded) → download → verify → journal(downloaded)``

Every step that talks to the outside world or blocks is an effect (``reelkit.effects``) yielded
to a driver; everything else — choosing, clamping, claims, retry decisions, verification —
happens here, once, for both clients. The parts, by responsibility:

- ``selection``: arguments checked, provider and model chosen, request clamped and translated;
- ``submitting``: reuse, the atomic claim, the single submit, the task id kept at any cost;
- ``polling``: following a job to its end from whatever the journal says;
- ``downloads``: redirects, verification, the atomic rename;
- ``recovery``: cancel, ``adopt`` and ``reconcile`` for submits whose answer was lost;
- ``stepping``: ``record`` a job for a worker and ``advance`` any job by one step.
"""

from __future__ import annotations

from reelkit.arguments import ASK_FIELDS, Ask

from .recovery import Reconciled
from .selection import Prepared, Selection
from .stepping import Step, Stepping


class Engine(Selection, Stepping):
    """Planning, submitting, polling, downloading and recovering jobs, as effect flows."""


__all__ = ["ASK_FIELDS", "Ask", "Engine", "Prepared", "Reconciled", "Step"]
