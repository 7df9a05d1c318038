"""Which field each upstream reads behind a new-api style gateway, as data.

new-api normalises one JSON request for many upstreams, but not the same way for each: Sora is
passed through (``seconds`` as a string, ``input_reference``), Kling, Veo, Vidu and Hailuo read
``duration`` as an integer, Seedance reads ``seconds``, and deployments add their own
compatibility fields. A :class:`Wire` records those choices; ``videos.build_body`` is the one
function that applies them.

Sources: ``docs/reference/openai-videos.md`` §3.2–§3.4 (stock new-api), the seed
seed 003 (docs/reference/seeds.md) (a new-api deployment's ``/v1/videos`` and its catalogue) and the
seed 004 (docs/reference/seeds.md) (the ``/v1/video/generations`` variant).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from attrs import field, frozen

from reelkit.capabilities import Mode


@frozen(kw_only=True)
class Wire:
    """How one family of upstream models is spoken to through the gateway."""

    name: str
    #: ``duration`` (an integer) or ``seconds`` (a string or, with ``duration_as="int"``, a number).
    duration_field: str = "duration"
    duration_as: Literal["int", "str"] = "int"
    #: Send no duration in these modes (seed 004: "视频续写不使用").
    no_duration_in: tuple[Mode, ...] = ()
    #: ``size`` as pixels (``1280x720``), as the resolution label (``1080p``), or not at all.
    size: Literal["pixels", "label", "none"] = "pixels"
    aspect_ratio_field: str | None = "aspect_ratio"
    #: Only text-to-video honours the aspect ratio (seed 004; Kling image-to-video).
    aspect_ratio_modes: tuple[Mode, ...] | None = None
    resolution_field: str | None = None
    resolution_upper: bool = False  # "720P" (seed 003's Grok example)
    #: Where aspect ratio and resolution go: the top level or the extras container.
    geometry_in_extras: bool = False
    #: The value of ``mode`` per reelkit mode; empty: no ``mode`` field.
    modes: Mapping[Mode, str] = field(factory=dict)
    first_frame: str | None = "image"
    last_frame: str | None = None
    references: str | None = "images"
    #: Kling's ``image_list`` wants ``[{"image": ...}]``; everything else a list of strings.
    reference_items: Literal["strings", "image_list"] = "strings"
    #: First and last frames as role-tagged ``content`` items in the extras (Seedance).
    frames_as_content: bool = False
    #: Local bytes as a ``data:`` URL, or as bare base64 (Kling's upstream, seed 003).
    base64: Literal["data_url", "bare"] = "data_url"
    #: Local first-frame bytes as a multipart upload (the Sora passthrough, ref §3.4, §6.1).
    upload_first_frame: bool = False
    video: str | None = None
    #: The field that names the source of an extension, and whether it carries the gateway's
    #: task id (Kling ``video_id``) or the source video's URL (seed 004 ``video``).
    extend_field: str | None = None
    extend_value: Literal["task_id", "video_url"] = "task_id"
    #: Where negative prompt, seed and audio go: top level, ``metadata`` (new-api's vendor
    #: extras, ref §3.2) or ``extra_body`` (seed 004).
    extras: Literal["top", "metadata", "extra_body"] = "metadata"
    audio_field: str | None = "generate_audio"
    audio_values: tuple[object, object] = (True, False)
    #: The wire ``model`` when it is not the reelkit model id (``kling-video``), and whether the
    #: reelkit id then travels as ``model_name``.
    wire_model: str | None = None
    model_name: bool = False


#: Sora is passed through to OpenAI unchanged (ref §3.4): OpenAI's own fields. new-api accepts
#: only a *string* ``input_reference`` in JSON (ref §3.2), and multipart for files (ref §6.1).
SORA = Wire(
    name="sora",
    duration_field="seconds",
    duration_as="str",
    aspect_ratio_field=None,
    first_frame="input_reference",
    references=None,
    upload_first_frame=True,
    extras="top",
    audio_field=None,
)

#: seed 003: "mode + image_url / reference_images" is the advice for Veo; the same core fields
#: (mode t2v/i2v/i2v_first_last/reference_images, image_url, end_image_url, video_url, size
#: mapped to resolution/aspect ratio, duration) serve the deployment's other families.
SEED003 = Wire(
    name="videos",
    modes={
        Mode.T2V: "t2v",
        Mode.I2V: "i2v",
        Mode.FIRST_LAST: "i2v_first_last",
        Mode.REFERENCE: "reference_images",
        Mode.EDIT: "edit",
    },
    first_frame="image_url",
    last_frame="end_image_url",
    references="reference_images",
    video="video_url",
)

#: seed 003 "Gemini Omni": mode t2v / r2v / edit; images in reference_images, video in video.
GEMINI_OMNI = Wire(
    name="gemini-omni",
    modes={Mode.T2V: "t2v", Mode.REFERENCE: "r2v", Mode.EDIT: "edit"},
    first_frame=None,
    references="reference_images",
    video="video",
)

#: Stock new-api's Doubao adaptor (ref §3.4): ``seconds`` becomes ``duration``; ``images`` become
#: content items; ``metadata`` supplies ratio, resolution, generate_audio, seed and role-tagged
#: ``content`` (first_frame / last_frame / reference_image).
SEEDANCE = Wire(
    name="seedance",
    duration_field="seconds",
    duration_as="str",
    size="none",
    aspect_ratio_field="ratio",
    resolution_field="resolution",
    geometry_in_extras=True,
    first_frame=None,
    references=None,
    frames_as_content=True,
)

#: seed 003 "Kling 影片主模型": model kling-video + model_name; mode t2v / i2v / multi_i2v /
#: extend; image, image_list, video_id; Kling's own extras (negative_prompt, sound) at the top.
KLING = Wire(
    name="kling",
    modes={Mode.T2V: "t2v", Mode.I2V: "i2v", Mode.REFERENCE: "multi_i2v", Mode.EXTEND: "extend"},
    no_duration_in=(Mode.EXTEND,),
    size="none",
    aspect_ratio_modes=(Mode.T2V, Mode.REFERENCE),  # image-to-video follows the image
    first_frame="image",
    references="image_list",
    reference_items="image_list",
    base64="bare",
    extend_field="video_id",
    extend_value="task_id",
    extras="top",
    audio_field="sound",
    audio_values=("on", "off"),
    wire_model="kling-video",
    model_name=True,
)

#: seed 003 "Grok 影片系列" example: reference_images, numeric seconds, aspect_ratio, "720P".
GROK = Wire(
    name="grok",
    duration_field="seconds",
    duration_as="int",
    size="none",
    resolution_field="resolution",
    resolution_upper=True,
    first_frame="image",
    references="reference_images",
    extras="top",
    audio_field=None,
)

#: seed 004: POST /v1/video/generations with image / images / last_image / video, size as the
#: tier's resolution label, aspect_ratio (not for an extension), integer duration (not for an
#: extension either) and extra_body.{generate_audio, negative_prompt, seed}.
GENERATIONS = Wire(
    name="generations",
    no_duration_in=(Mode.EXTEND,),
    size="label",
    # "文生视频允许 16:9 和 9:16;图生和续写不一定生效": the examples send it for images too.
    aspect_ratio_modes=(Mode.T2V, Mode.I2V, Mode.FIRST_LAST, Mode.REFERENCE),
    first_frame="image",
    last_frame="last_image",
    references="images",
    extend_field="video",
    extend_value="video_url",
    extras="extra_body",
)
