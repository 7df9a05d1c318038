"""Time the local renderer: 5 s at 24 fps, 16:9, for each resolution and mode.

    uv run python plugins/local/scripts/bench_render.py [--repeat 3]

Prints a Markdown table for docs/providers/local.md: per cell the best wall-clock time of
``--repeat`` runs and, in brackets, the CPU time that run used (all threads). On a busy machine
the wall time grows but the CPU time barely moves, so both are worth reporting.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
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


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    first, last = picture(2000, 1500, (180, 60, 40)), picture(1600, 900, (40, 60, 180))
    modes = {"t2v": (None, None), "i2v": (first, None), "first_last": (first, last)}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"cores: {os.cpu_count()}; load {load:.1f}; {args.duration:g} s at 24 fps; best of {args.repeat}"
    )
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
                best, cpu = float("inf"), 0.0
                for _ in range(args.repeat):
                    before = _cpu()
                    started = time.perf_counter()
                    render_mp4(Path(tmp) / "bench.mp4", spec)
                    wall = time.perf_counter() - started
                    if wall < best:
                        best, cpu = wall, _cpu() - before
                cells.append(f"{best:.2f} s ({cpu:.1f} s CPU)")
            print(f"| {name} ({width}x{height}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
