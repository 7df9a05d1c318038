"""Kling's multi-shot extras, as the OpenAI-dialect gateways that relay Kling take them.

Qiniu (kling-v3-omni) and new-api (kling-v3) both pass Kling's own ``multi_shot``,
``shot_type`` and ``multi_prompt`` through; the declarations and the item limits live here once.
Sources: docs/reference/openai-videos.md §2.2 (Qiniu's Kling page,
https://developer.qiniu.com/aitokenapi/13217) and the Kling API's option list as vercel/ai
ships it (packages/klingai/src/klingai-video-model-options.ts): customize | intelligence.
"""

from __future__ import annotations

from reelkit.capabilities import Param

from .shapes import ListShape

MULTI_SHOT = (
    Param(name="multi_shot", type="bool", description="Render several shots (multi_prompt)."),
    Param(
        name="shot_type",
        type="str",
        choices=("customize", "intelligence"),
        description="customize (your multi_prompt) or intelligence (Kling splits the prompt).",
    ),
    Param(
        name="multi_prompt",
        type="list",
        description='Shots: [{"index": 1, "prompt": "...", "duration": "5"}], 1–6 items.',
    ),
)
#: At most 6 shots, each prompt at most 512 characters.
MULTI_PROMPT_SHAPE = ListShape("prompt", 6, 512)
