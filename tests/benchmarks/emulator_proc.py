"""The emulator as a separate process for the benchmarks (its CPU is never the client's).

    python -m tests.benchmarks.emulator_proc --polls 3 --hint-ms 500 --cache-dir DIR [--tiny-video]

Prints its base URL on the first stdout line, then serves until SIGINT. Only the ``sora`` fake
(the OpenAI Videos API every peer speaks) is served. ``--tiny-video`` pre-seeds the media cache
with a 72x128, 1 fps render under the name of the 720x1280 4 s video, so fan-out downloads stay
a few KB and the benchmark measures orchestration rather than disk and socket copies. The
500 MB download benchmark uses the emulator's own ``GET /_emulator/blob?bytes=N`` route.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

#: What every fan-out job asks for (the smallest Sora geometry); the tiny render takes its name.
SIZE = (720, 1280)
SECONDS = 4
FPS = 1


def seed_tiny_video(cache_dir: Path) -> Path:
    from reelkit_local.render import RenderSpec, render_mp4

    width, height = SIZE
    path = cache_dir / f"video-{width}x{height}-{SECONDS:g}s-{FPS}fps.mp4"
    if not path.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        spec = RenderSpec(
            prompt="reelkit benchmark", duration=SECONDS, fps=FPS, width=72, height=128, seed=0
        )
        render_mp4(path, spec)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polls", type=int, default=3)
    parser.add_argument("--hint-ms", type=int, default=500)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--tiny-video", action="store_true")
    args = parser.parse_args()

    from reelkit_emulator.app import create_app
    from reelkit_emulator.config import EmulatorConfig
    from reelkit_emulator.server import base_url_of, bind, make_server

    if args.tiny_video:
        seed_tiny_video(args.cache_dir)
    config = EmulatorConfig(
        polls_to_complete=args.polls,
        poll_hint_ms=args.hint_ms,
        video_fps=FPS,
        providers=("sora",),
        cache_dir=args.cache_dir,
    )
    app = create_app(config)
    sock = bind("127.0.0.1", 0)
    print(base_url_of(sock), flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # SIGINT is how the harness stops us
        make_server(app, log_level="error").run(sockets=[sock])


if __name__ == "__main__":
    main()
