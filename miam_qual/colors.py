"""Code colours that stay distinguishable: a code's colour is suggested in its theme's family
(near the theme's hue) yet as far as possible from its siblings' colours, and colours too close
to a neighbour's are reported.

Distances are CIEDE2000 colour differences (ΔE00, CIE 142-2001, as written out by Sharma, Wu and
Dalal, 2005) between sRGB colours converted to CIELAB under D65. About 2 is barely visible side
by side; below ``TOO_CLOSE`` two highlight colours are easily confused in the coding panel's
stripes and under a passage.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .codebook import Codebook

__all__ = ["delta_e", "hex_to_lab", "lab_to_hex", "suggest_color", "too_close", "TOO_CLOSE"]

#: Below this ΔE00, two codes shown side by side are hard to tell apart.
TOO_CLOSE = 12.0
#: A suggested colour this far from its neighbours is enough: then the nearest to the theme wins.
ENOUGH = 16.0
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_WHITE = (0.95047, 1.0, 1.08883)  # D65


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _gamma(channel: float) -> float:
    return 12.92 * channel if channel <= 0.0031308 else 1.055 * channel ** (1 / 2.4) - 0.055


def _parse(color: str) -> tuple[float, float, float]:
    found = _HEX.fullmatch(color.strip())
    if found is None:
        raise ValueError(f"couleur « {color} » invalide (forme attendue : #RRVVBB)")
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def hex_to_lab(color: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour written ``#RRGGBB`` (or ``#RGB``)."""
    r, g, b = (_linear(c) for c in _parse(color))
    xyz = (
        0.4124564 * r + 0.3575761 * g + 0.1804375 * b,
        0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
        0.0193339 * r + 0.1191920 * g + 0.9503041 * b,
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, _WHITE, strict=True))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def lab_to_hex(lab: tuple[float, float, float]) -> str | None:
    """``#rrggbb`` of a CIELAB colour, or ``None`` when it lies outside the sRGB gamut."""
    lightness, a, b = lab
    fy = (lightness + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def inverse(t: float) -> float:
        return t**3 if t > 6 / 29 else 3 * (6 / 29) ** 2 * (t - 4 / 29)

    x, y, z = (inverse(t) * w for t, w in zip((fx, fy, fz), _WHITE, strict=True))
    rgb = (
        3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
        -0.9692660 * x + 1.8760108 * y + 0.0415560 * z,
        0.0556434 * x - 0.2040259 * y + 1.0572252 * z,
    )
    if any(c < -1e-6 or c > 1 + 1e-6 for c in rgb):
        return None
    return "#" + "".join(f"{round(_gamma(min(1.0, max(0.0, c))) * 255):02x}" for c in rgb)


def delta_e(
    first: str | tuple[float, float, float], second: str | tuple[float, float, float]
) -> float:
    """CIEDE2000 difference between two colours (``#RRGGBB`` or CIELAB triples)."""
    l1, a1, b1 = hex_to_lab(first) if isinstance(first, str) else first
    l2, a2, b2 = hex_to_lab(second) if isinstance(second, str) else second
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    d_l, d_c = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        d_h = 0.0
    else:
        d_h = h2p - h1p
        if d_h > 180:
            d_h -= 360
        elif d_h < -180:
            d_h += 360
    d_hh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(d_h) / 2)
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    rotation = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    r_t = -r_c * math.sin(math.radians(2 * rotation))
    return math.sqrt(
        (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_hh / s_h) ** 2 + r_t * (d_c / s_c) * (d_hh / s_h)
    )


def _family(anchor: str) -> list[str]:
    """Colours of ``anchor``'s family: its hue ±24°, lighter and darker, about as vivid as it is
    (at least moderately), inside the sRGB gamut; stepped so that the list is small."""
    lightness, a, b = hex_to_lab(anchor)
    chroma = max(35.0, math.hypot(a, b))
    hue = math.degrees(math.atan2(b, a))
    found = []
    for d_hue in (-24, -16, -8, 0, 8, 16, 24):
        for light in (28, 36, 44, 52, 60, 68, 76, 84):
            for factor in (1.0, 0.7):
                h = math.radians(hue + d_hue)
                color = lab_to_hex(
                    (light, chroma * factor * math.cos(h), chroma * factor * math.sin(h))
                )
                if color is not None:
                    found.append(color)
    return list(dict.fromkeys(found)) or [anchor]


def _best(candidates: Iterable[str], taken: list[str], anchor: str) -> str:
    """The candidate farthest from every taken colour (ties: the nearest to ``anchor``)."""
    labs = [hex_to_lab(c) for c in taken]
    anchor_lab = hex_to_lab(anchor)

    def score(color: str) -> tuple[float, float]:
        lab = hex_to_lab(color)
        nearest = min((delta_e(lab, other) for other in labs), default=100.0)
        return min(nearest, ENOUGH), -delta_e(lab, anchor_lab)  # far enough: stay in the family

    return max(candidates, key=score)


def suggest_color(book: Codebook, parent: str | None, *, exclude: str | None = None) -> str:
    """A colour for a new code under ``parent``: in the family of its theme's colour, as far as
    possible from the colours of ``parent`` and of its other sub-codes (``exclude``: a code not to
    count, when recolouring it). A top-level code gets the colour farthest from every theme's."""
    codes = list(book)
    if parent is None or parent not in book:
        themes = [c.color for c in codes if c.parent is None and c.id != exclude]
        palette = [
            lab_to_hex((55, 60 * math.cos(math.radians(h)), 60 * math.sin(math.radians(h))))
            for h in range(0, 360, 15)
        ]
        return _best([p for p in palette if p], themes, themes[0] if themes else "#1565c0")
    anchor = book.get(parent).color
    siblings = [c.color for c in codes if c.parent == parent and c.id != exclude]
    return _best(_family(anchor), [anchor, *siblings], anchor)


def too_close(book: Codebook, limit: float = TOO_CLOSE) -> list[tuple[str, str, float]]:
    """Pairs of codes shown side by side — a code and its parent, two sub-codes of one parent —
    whose colours differ by less than ``limit`` (ΔE00): ``(code_id, other_id, difference)``."""
    codes = list(book)
    found = []
    for i, code in enumerate(codes):
        for other in codes[i + 1 :]:
            related = (
                code.parent == other.parent or other.parent == code.id or code.parent == other.id
            )
            if related and code.codable and other.codable:
                difference = delta_e(code.color, other.color)
                if difference < limit:
                    found.append((code.id, other.id, round(difference, 1)))
    return found
