"""Bar charts of a choice question as PNG images, drawn with Pillow (no plotting library needed).

One horizontal bar per option and series (States, NGOs), the share written at the end of each bar, options top to
bottom in the table's order, the option labels wrapped beside them and a legend only when there are two series.
Text is drawn with DejaVu Sans where the system has it (every script the six languages use), else Pillow's own font.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
WIDTH = 1400
LABELS = 520  # the column of option labels, in px
MARGIN = 30
BAR = 30
GAP = 22
COLOURS = ((31, 78, 121), (224, 130, 20))  # States dark blue, NGOs orange: apart in colour and in lightness
TEXT = (33, 37, 41)
GRID = (206, 212, 218)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Series:
    name: str
    shares: Sequence[float | None]  # one per option, 0..1; None: nobody of this kind answered
    labels: Sequence[str]  # the text at each bar's end ("67%")


@functools.cache
def _font(size: int) -> Font:
    for path in FONT_FILES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int, lines: int = 3) -> list[str]:
    """The text in at most `lines` lines of at most `width` px, the last one cut with "…" when it does not fit."""
    words, result, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            result.append(line)
            line = word
    result.append(line)
    if len(result) > lines:
        result = result[:lines]
        result[-1] += " …"
    return [_cut(draw, r, font, width) for r in result]


def _cut(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    while draw.textlength(text, font=font) > width and len(text) > 2:
        text = text[:-2] + "…"
    return text


def bar_chart(title: str, options: Sequence[str], series: Sequence[Series]) -> bytes:
    """The chart as PNG bytes."""
    font, bold = _font(24), _font(28)
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    title_lines = _wrap(scratch, title, bold, WIDTH - 2 * MARGIN, lines=2)
    option_lines = [_wrap(scratch, option, font, LABELS - MARGIN) for option in options]
    group = [max(len(lines) * 30, len(series) * BAR) for lines in option_lines]
    top = MARGIN + len(title_lines) * 36 + (40 if len(series) > 1 else 10)
    height = top + sum(group) + GAP * len(options) + MARGIN + 30
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(title_lines):
        draw.text((MARGIN, MARGIN + index * 36), line, font=bold, fill=TEXT)
    if len(series) > 1:  # a legend only where there is something to tell apart
        x = MARGIN
        for number, s in enumerate(series):
            draw.rectangle((x, top - 34, x + 22, top - 12), fill=COLOURS[number % len(COLOURS)])
            draw.text((x + 30, top - 38), s.name, font=font, fill=TEXT)
            x += 60 + int(draw.textlength(s.name, font=font))
    left, right = LABELS + 10, WIDTH - MARGIN - 90
    span = right - left
    bottom = height - MARGIN - 30
    for tenth in range(0, 11, 5):  # 0%, 50%, 100%
        x = left + span * tenth // 10
        draw.line((x, top - 4, x, bottom), fill=GRID, width=2)
        draw.text((x, bottom + 4), f"{tenth * 10}%", font=_font(20), fill=TEXT, anchor="ma")
    y = top
    for option, (lines, size) in enumerate(zip(option_lines, group, strict=True)):
        for number, line in enumerate(lines):
            draw.text((MARGIN, y + number * 30), line, font=font, fill=TEXT)
        bar_y = y + (size - len(series) * BAR) // 2
        for number, s in enumerate(series):
            share = s.shares[option]
            if share is not None:
                end = left + round(span * max(0.0, min(share, 1.0)))
                draw.rectangle((left, bar_y, max(end, left + 2), bar_y + BAR - 4), fill=COLOURS[number % len(COLOURS)])
                draw.text((end + 8, bar_y - 1), s.labels[option], font=font, fill=TEXT)
            bar_y += BAR
        y += size + GAP
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
