"""Time the local renderer: 5 s at 24 fps, 16:9, for each resolution and mode.

    uv run python plugins/local/scripts/bench_render.py [--repeat 3]

Prints a Markdown table (best of ``--repeat`` runs, wall-clock seconds) for docs/providers/local.md.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

from reelkit_local.render import RenderSpec, render_mp4

SIZES = {"480p": (854, 480), "720p": (1280, 720), "1080p": (1920, 1080)}


def picture(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(image).ellipse((width // 4, height // 4, width // 2, height // 2), fill="white")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    first, last = picture(2000, 1500, (180, 60, 40)), picture(1600, 900, (40, 60, 180))
    modes = {"t2v": (None, None), "i2v": (first, None), "first_last": (first, last)}
    print(f"cores: {os.cpu_count()}; {args.duration:g} s at 24 fps; best of {args.repeat}")
    print()
    print("| resolution | " + " | ".join(modes) + " |")
    print("|---|" + "---|" * len(modes))
    with tempfile.TemporaryDirectory() as tmp:
        for name, (width, height) in SIZES.items():
            cells = []
            for first_frame, last_frame in modes.values():
                spec = RenderSpec(
                    "A robot walking through a city at night, neon lights on wet streets",
                    args.duration,
                    24,
                    width,
                    height,
                    first_frame,
                    last_frame,
                    1,
                )
                best = float("inf")
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    render_mp4(Path(tmp) / "bench.mp4", spec)
                    best = min(best, time.perf_counter() - started)
                cells.append(f"{best:.2f} s")
            print(f"| {name} ({width}x{height}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
