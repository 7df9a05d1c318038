"""reelkit provider plugin: Kling and Sora models on Qiniu's OpenAI-compatible ``/v1/videos``.

Facts live in :mod:`reelkit_qiniu.catalogue` and Qiniu's wire quirks in
:mod:`reelkit_qiniu.videos`; the OpenAI Videos dialect itself comes from ``reelkit_openai_videos.dialect``.
"""

from reelkit_openai_videos.plugin import VideosPlugin

VideosPlugin(__name__).export(globals())
