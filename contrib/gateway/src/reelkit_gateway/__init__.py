"""An OpenAI-compatible Videos API gateway in front of every installed reelkit provider.

``reelkit serve`` (docs/gateway.md): ``/v1/videos`` in OpenAI's wire shapes, the model as
``provider/model`` or any alias, jobs in the journal (any replica answers for any job), caller
keys with budgets and provider allow-lists, ``/healthz`` and Prometheus ``/metrics``.
"""

from __future__ import annotations

__all__: list[str] = []
