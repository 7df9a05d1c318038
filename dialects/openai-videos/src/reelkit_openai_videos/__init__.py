"""The OpenAI Videos wire dialect (``/v1/videos``), shared by reelkit's OpenAI-compatible plugins.

Not a provider (no entry point, nothing registered): a small library that ``reelkit-sora``,
``reelkit-qiniu`` and ``reelkit-newapi``, and any other plugin for a server that copied the
OpenAI Videos API, build on:

- :mod:`reelkit_openai_videos.dialect`: URLs, request builders, status vocabularies, error
  envelopes, Video object parsing and the :class:`~reelkit_openai_videos.dialect.VideosApi` job
  flow;
- :mod:`reelkit_openai_videos.plugin`: :class:`~reelkit_openai_videos.plugin.VideosPlugin`, the
  hook glue a plugin package exports in two lines;
- :mod:`reelkit_openai_videos.sora`: the Sora 2 models' sizes, modes and ``characters``, as
  OpenAI and the gateways that serve Sora take them;
- :mod:`reelkit_openai_videos.kling`: Kling's multi-shot ``--param`` values, as the gateways
  that relay Kling take them.

Importing this package loads nothing: import the module you need.
"""
