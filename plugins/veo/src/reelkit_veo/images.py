"""Image inputs on the wire: ``{"bytesBase64Encoded", "mimeType"}`` and nothing else.

The Gemini API's own REST examples wrap images in ``inlineData``, which ``predictLongRunning``
rejects ("inlineData isn't supported by this model"); google-genai sends the Vertex-style
object used here [veo-grok §0.1, §1.2]. There is no URL form on the Gemini API [veo-grok §1.2].
"""

from __future__ import annotations

from typing import Any

from reelkit.errors import InvalidRequest
from reelkit.models import Media


def image_object(medium: Media, field: str) -> dict[str, Any]:
    """The wire form of one image input; ``field`` names the request argument in errors."""
    if medium.data is None:
        raise InvalidRequest(
            field,
            f"the Gemini API takes image bytes only, not a URL ({medium.url}); "
            "pass a local file or bytes",
            allowed="a local path or bytes (PNG or JPEG)",
        )
    from reelkit.media import sniff

    mime = medium.mime_type or sniff(medium.data)[0]
    if mime is None:
        raise InvalidRequest(
            field, "cannot tell the image type; give its MIME type", allowed="image/png, image/jpeg"
        )
    return {"bytesBase64Encoded": medium.base64(), "mimeType": mime}
