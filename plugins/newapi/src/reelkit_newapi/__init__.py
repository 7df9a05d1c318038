"""reelkit provider plugin: any new-api style OpenAI-compatible video gateway.

Facts live in :mod:`reelkit_newapi.catalogue`, the field each upstream reads in
:mod:`reelkit_newapi.wires`, the gateway's quirks in :mod:`reelkit_newapi.videos`; the OpenAI
Videos dialect itself comes from ``reelkit_openai_videos.dialect``.
"""

from reelkit_openai_videos.plugin import VideosPlugin

VideosPlugin(__name__).export(globals())
