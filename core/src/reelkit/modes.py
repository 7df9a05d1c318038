"""Which mode a request asks for (t2v, i2v, first_last, reference, extend, remix, edit), inferred
from its inputs and checked against what the model offers."""

from __future__ import annotations

from .capabilities import Mode, ModelInfo, ModeSpec
from .errors import UnsupportedMode
from .models import VideoRequest

__all__ = ["infer_mode"]


def infer_mode(request: VideoRequest, model: ModelInfo) -> ModeSpec:
    """The mode the request's inputs ask for, checked against what ``model`` offers."""
    mode = _mode_from_inputs(request, model)
    spec = model.mode(mode)
    if spec is None:
        role = _role_of(mode)
        raise UnsupportedMode(
            role,
            f"{model.id} cannot do {mode.value} (given {role})",
            allowed=model.mode_names,
        )
    if request.reference_images and mode is not Mode.REFERENCE and spec.max_reference_images == 0:
        raise UnsupportedMode(
            "reference_images",
            f"{model.id} takes no reference images in {mode.value} mode",
            allowed=[
                f"{s.mode.value}: {s.max_reference_images}"
                for s in model.modes
                if s.max_reference_images
            ],
        )
    if request.first_frame is not None and mode in (
        Mode.REFERENCE,
        Mode.EXTEND,
        Mode.EDIT,
        Mode.REMIX,
    ):
        if not spec.accepts_first_frame:
            raise UnsupportedMode(
                "first_frame",
                f"{model.id} cannot combine a first frame with {_role_of(mode)}",
                allowed=["first_frame alone (i2v)", f"{_role_of(mode)} alone ({mode.value})"],
            )
    return spec


def _mode_from_inputs(request: VideoRequest, model: ModelInfo) -> Mode:
    sources = [
        name
        for name, value in (
            ("remix_of", request.remix_of),
            ("continue_from", request.continue_from),
            ("video", request.video),
        )
        if value is not None
    ]
    if len(sources) > 1:
        raise UnsupportedMode(
            sources[1],
            f"{' and '.join(sources)} are ambiguous together: give one",
            allowed=["remix_of (remix)", "continue_from (extend)", "video (edit)"],
        )
    if request.last_frame is not None and request.first_frame is None:
        raise UnsupportedMode(
            "last_frame", "a last frame needs a first frame", allowed=["first_frame + last_frame"]
        )
    if sources:
        mode = {"remix_of": Mode.REMIX, "continue_from": Mode.EXTEND, "video": Mode.EDIT}[
            sources[0]
        ]
        if request.last_frame is not None:
            raise UnsupportedMode(
                "last_frame", f"a last frame cannot be combined with {sources[0]}"
            )
        return mode
    if request.last_frame is not None:
        return Mode.FIRST_LAST
    if request.first_frame is not None:
        if request.reference_images:
            # A first frame plus references: the image-to-video mode if it takes references,
            # else the reference mode if it takes a first frame; otherwise it is ambiguous.
            i2v = model.mode(Mode.I2V)
            if i2v is not None and i2v.max_reference_images > 0:
                return Mode.I2V
            ref = model.mode(Mode.REFERENCE)
            if ref is not None and ref.accepts_first_frame:
                return Mode.REFERENCE
            raise UnsupportedMode(
                "reference_images",
                f"{model.id} cannot combine first_frame with reference_images",
                allowed=["first_frame (i2v)", "reference_images (reference)"],
            )
        return Mode.I2V
    if request.reference_images:
        return Mode.REFERENCE
    return Mode.T2V


def _role_of(mode: Mode) -> str:
    return {
        Mode.T2V: "prompt",
        Mode.I2V: "first_frame",
        Mode.FIRST_LAST: "last_frame",
        Mode.REFERENCE: "reference_images",
        Mode.EXTEND: "continue_from",
        Mode.REMIX: "remix_of",
        Mode.EDIT: "video",
    }[mode]


# --- clamping --------------------------------------------------------------------------------
