"""A placeholder seal image: red ring, star, the office's name along the rim (Pillow).

Deployments put a scan of their real seal at CERT_SEAL_PATH; this draws the demo one:
`python -m portal.domain.certificates.seal static/img/seal.png`.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
RED = (200, 22, 29, 235)


def draw_seal(path: Path, rim_text: str = "示范区消防安全委员会办公室", centre_text: str = "培训专用章", size: int = 360) -> None:
    scale = 2  # draw large, shrink for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = big / 2
    width = 10 * scale
    draw.ellipse((width, width, big - width, big - width), outline=RED, width=width)
    star_r, inner = 52 * scale, 20 * scale
    points = [(c + (star_r if i % 2 == 0 else inner) * math.sin(math.pi * i / 5),
               c - (star_r if i % 2 == 0 else inner) * math.cos(math.pi * i / 5)) for i in range(10)]
    draw.polygon(points, fill=RED)
    rim_font = ImageFont.truetype(FONT, 36 * scale, index=0)
    radius = big / 2 - 52 * scale
    span = 240  # degrees of the arc the rim text covers, centred at the top
    for i, ch in enumerate(rim_text):
        angle = -span / 2 + span * (i + 0.5) / len(rim_text)
        glyph = Image.new("RGBA", (60 * scale, 60 * scale), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((30 * scale, 30 * scale), ch, font=rim_font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-angle, resample=Image.BICUBIC, expand=True)
        x = c + radius * math.sin(math.radians(angle)) - glyph.width / 2
        y = c - radius * math.cos(math.radians(angle)) - glyph.height / 2
        image.alpha_composite(glyph, (int(x), int(y)))
    centre_font = ImageFont.truetype(FONT, 34 * scale, index=0)
    draw.text((c, c + 95 * scale), centre_text, font=centre_font, fill=RED, anchor="mm")
    image = image.resize((size, size), Image.LANCZOS)
    image.save(path, optimize=True)


if __name__ == "__main__":
    target = Path(sys.argv[1])
    draw_seal(target)
    print(target, target.stat().st_size, "bytes")
