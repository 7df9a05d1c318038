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

    def carried(self, setting: str, applied: Any, spec: Any, sent: set[str]) -> bool:
        # Jimeng's dialect: the length is a frame count at 24 fps plus the first frame (121 for
        # 5 s, 241 for 10 s; docs/reference/volcengine-kling.md §1), and the resolution is part
        # of the req_key (``..._1080p``/``..._1080`` for 1080p, none for 720p).
        if setting == "duration":
            return str(round(float(applied.duration) * 24) + 1) in sent
        if setting == "resolution" and not super().carried(setting, applied, spec, sent):
            keys = [s for s in sent if s.startswith("jimeng_")]
            return bool(keys) and all(
                ("1080" in k) == (applied.resolution == "1080p") for k in keys
            )
        return super().carried(setting, applied, spec, sent)
