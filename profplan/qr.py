"""A QR code as inline SVG, for the pages that show one: the second factor's enrolment
(accounts/second_factor.py) and a team member's printed sign-in sheet
(plans/team/member_views.py)."""

import re

import qrcode
import qrcode.image.svg
from django.utils.safestring import mark_safe


def qr_svg(text: str, *, css_class: str, label: str) -> str:
    """`text` as an inline SVG QR code, sized by the page (not in millimetres) and named
    for screen readers. Safe HTML: drawn here; the callers pass their own address, never
    what a user typed."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg)
    svg = svg.replace("<svg ", f'<svg class="{css_class}" role="img" aria-label="{label}" ', 1)
    return mark_safe(svg)
