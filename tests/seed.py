"""Reads the regional template (the seed): Table 1 as (number, title) pairs, and the
whole document as paragraphs and table rows in order (`seed_document`)."""

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
            items.append((first, title))
    return items


def normalise(number: str) -> str:
    """The seed writes 3.4.13 and 3.4.13. alike; a plan prints the dotted form."""
    return number.rstrip(".") + "."


def _row_text(cells) -> str:
    return " ".join(cell for cell in cells if cell)


def seed_document() -> list[tuple[str, str]]:
    """The seed as it reads: ("p", paragraph) and ("row", the row's texts joined by a
    space), in order. Markdown is read as a document would show it: `**` marks bold,
    a line starting with "- " is a bulleted item (the bullet is not text); a table row
    counts when it has a number (the header rows too): the seed's unnumbered blank
    rows and the empty header rows of its page breaks are layout leftovers."""
    out: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            out.append(("p", " ".join(paragraph)))
            paragraph.clear()

    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.strip().replace("**", "")
        if not line:
            flush()
        elif line.startswith("|"):
            flush()
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if cells[0] and not set(cells[0]) <= set("-"):
                out.append(("row", _row_text(cells)))
        elif line.startswith("- "):
            flush()
            out.append(("p", line[2:]))
        else:
            paragraph.append(line)
    flush()
    # The seed is text taken from paged print: its footnote stands where the page
    # ended, inside the paragraph it annotates («… взаимодействие с родителями» /
    # footnote / «(законными представителями).»). The document prints the paragraph
    # whole and the footnote after it.
    for index, (kind, text) in enumerate(out):
        if kind == "p" and text.startswith("¹"):
            after = out[index + 1][1]
            if after[:1] == "(" or after[:1].islower():
                out[index - 1] = ("p", f"{out[index - 1][1]} {after}")
                del out[index + 1]
            break
    return out
