"""reelkit provider plugin: OpenAI Sora over the OpenAI Videos API (``/v1/videos``).

Facts live in :mod:`reelkit_sora.catalogue`, the Sora-specific wire in :mod:`reelkit_sora.videos`,
and the dialect other OpenAI-style plugins share in :mod:`reelkit_sora.dialect`. Importing this
package is cheap: those modules load on the first hook call.
"""

from .plugin import VideosPlugin

VideosPlugin(__name__).export(globals())
