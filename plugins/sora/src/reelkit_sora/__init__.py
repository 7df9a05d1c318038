"""reelkit provider plugin: OpenAI Sora over the OpenAI Videos API (``/v1/videos``).

Facts live in :mod:`reelkit_sora.catalogue`, the Sora-specific wire in :mod:`reelkit_sora.videos`;
the dialect it shares with the other OpenAI-style plugins is the ``reelkit-openai-videos``
distribution (:mod:`reelkit_openai_videos.dialect`). Importing this
package is cheap: those modules load on the first hook call.
"""

from reelkit_openai_videos.plugin import VideosPlugin

VideosPlugin(__name__).export(globals())
