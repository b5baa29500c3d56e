"""Reads Table 1 of the regional template (the seed) into (number, title) pairs."""

import re
from pathlib import Path

SEED = Path(__file__).parent / "data" / "seed_template_2023_2024.md"

_JOINED = re.compile(
    r"^((?:[IVX]+\.)|(?:\d+(?:\.\d+)+\.?))\s+(\S.*)$"
)  # "I. Title", "3.4.14 Title"
_NUMBER = re.compile(r"^(?:[IVX]+\.|\d+(?:\.\d+)+\.?|\d+\.)$")


def seed_items() -> list[tuple[str, str]]:
    """Every numbered line of Table 1, in order: (number as printed, title or '')."""
    items = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        first = cells[0]
        if joined := _JOINED.match(first):
            items.append((joined[1], joined[2]))
        elif _NUMBER.match(first):
            title = cells[1] if len(cells) > 1 else ""
            items.append((first, "" if title in {"", "–"} else title))
    return items


def normalise(number: str) -> str:
    """The seed writes 3.4.13 and 3.4.13. alike; a plan prints the dotted form."""
    return number.rstrip(".") + "."
