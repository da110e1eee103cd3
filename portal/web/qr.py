"""QR codes as inline SVG (no inline styles, so the CSP stays strict). qrcode loads at the first one drawn, not in
every worker at start."""
from __future__ import annotations

import io

from markupsafe import Markup


def qr_svg(data: str, *, box_size: int = 8) -> Markup:
    """An SVG QR code of `data`, safe to place in a page."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code" class="qr" ', 1))
