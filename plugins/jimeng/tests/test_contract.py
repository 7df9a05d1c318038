"""The core's contract suite (registration, translate for every mode, clamping properties).

``reference §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

from typing import Any, ClassVar

from reelkit.testing import ProviderContract


class TestJimengContract(ProviderContract):
    plugin = "reelkit_jimeng"
    mode_values: ClassVar[dict[tuple[str, str], dict[str, Any]]] = {
        # The camera-motion req_key needs its template and strength (reference §1.3).
        ("jimeng_i2v_recamera_v30", "i2v"): {
            "params": {"template_id": "crane_push", "camera_strength": "medium"}
        },
    }
