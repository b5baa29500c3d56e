"""Table 1 in the editor reads like the Word document: the screen's width shared in the
document's proportions, no clipped text, no word broken in the middle."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from plans.documents.formats.rows import COLUMN_SHARES
from plans.models import Plan
from tests.signin import sign_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = [(1366, 768), (1920, 1080)]

# For each cell, header and select of the editor: text wider than its box (clipped or
# running into the next column), and words laid out on more than one line without a
# hyphen (broken in the middle, as `word-break: break-all` or `overflow-wrap: anywhere`
# would break «обучающихс/я»).
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const boxes = document.querySelectorAll(
    "#plan-table th, #plan-table td, #levels-form select, #levels-form label, #check-panel *"
  );
  for (const box of boxes) {
    if (box.offsetParent === null || box.closest(".visually-hidden")) continue;
    if (box.scrollWidth > box.clientWidth + 1) {
      problems.push(`clipped: ${box.tagName} «${box.textContent.trim().slice(0, 60)}» ` +
                    `${box.scrollWidth} > ${box.clientWidth}`);
    }
  }
  for (const select of document.querySelectorAll("#levels-form select")) {
    const probe = document.createElement("span");
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
    probe.style.font = getComputedStyle(select).font;
    document.body.appendChild(probe);
    for (const option of select.options) {
      probe.textContent = option.text;
      // The text area of a select: its width less padding and the arrow.
      const style = getComputedStyle(select);
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (probe.offsetWidth > room + 1) {
        problems.push(`select cuts «${option.text}»: ${probe.offsetWidth} > ${room}`);
      }
    }
    probe.remove();
  }
  const cells = document.querySelectorAll("#plan-table th, #plan-table td:not(.links)");
  for (const cell of cells) {
    const style = getComputedStyle(cell);
    if (style.wordBreak === "break-all" || style.overflowWrap === "anywhere") {
      problems.push(`breaks words anywhere: ${cell.tagName} «${cell.textContent.trim().slice(0, 40)}»`);
    }
    if (!cell.closest("tr.editing") && !cell.classList.contains("line-number") &&
        !cell.closest("tr.line-section") && style.hyphens !== "auto") {
      problems.push(`not hyphenated: ${cell.tagName} «${cell.textContent.trim().slice(0, 40)}»`);
    }
    if (cell.closest("[lang]").lang !== "ru") problems.push(`not Russian: ${cell.tagName}`);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A word: letters and digits; «сентябрь–октябрь» may wrap after its dash.
      const re = /[\\p{L}\\p{N}]+/gu;
      let match;
      while ((match = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) problems.push(`word broken: «${match[0]}» in ${cell.tagName}`);
      }
    }
  }
  return problems;
}
"""


@pytest.fixture
def demo_plan(db):
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=open(os.devnull, "w"))
    # The deputy's draft (next year's): the editor as a school fills it in.
    return Plan.objects.get(school__short_name="МКОУ СОШ № 1", status="draft")


def screenshot_dir(tmp_path) -> Path:
    return Path(os.environ.get("PROFPLAN_SCREENSHOTS") or tmp_path)


@pytest.mark.parametrize("width,height", SCREENS)
def test_editor_table_fits_the_screen_without_clipped_or_broken_words(
    demo_plan, sign_in, live_server, page, tmp_path, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in("deputy")
    page.goto(f"{live_server.url}{demo_plan.get_absolute_url()}")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=screenshot_dir(tmp_path) / f"editor-{width}x{height}.png")
    page.locator("#plan-table").screenshot(
        path=screenshot_dir(tmp_path) / f"editor-table-{width}x{height}.png"
    )
    problems = page.evaluate(LAYOUT_PROBLEMS)
    assert not problems, "\n".join(problems)

    # The seven columns share the table as the Word document's columns share the page.
    widths = page.locator("#plan-table thead tr:first-child th").evaluate_all(
        "cells => cells.map(cell => cell.getBoundingClientRect().width)"
    )
    text_width = sum(widths[:7])
    for width, share in zip(widths[:7], COLUMN_SHARES, strict=True):
        assert width / text_width == pytest.approx(share / sum(COLUMN_SHARES), abs=0.01)
    assert widths[7] < 0.06 * width_of(page)  # the school's buttons take little room
    # The check of the профминимум is a bar above the table, not a third of the screen.
    check = page.locator("#check-panel").bounding_box()
    table = page.locator("#plan-table").bounding_box()
    assert check["y"] + check["height"] <= table["y"]
    assert table["width"] > 0.95 * width_of(page)


def width_of(page) -> int:
    return page.viewport_size["width"]


def test_admin_plan_list_fits_1366_without_horizontal_scrolling(
    demo_plan, live_server, page, tmp_path
):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/login/")
    sign_in_with_code(page, "reviewer")
    page.goto(f"{live_server.url}/admin/plans/plan/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=screenshot_dir(tmp_path) / "admin-plans-1366x768.png", full_page=True)
    overflow = page.evaluate(
        """() => [document.documentElement, ...document.querySelectorAll("#changelist *")]
             .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible")
             .map((e) => `${e.tagName}#${e.id}.${e.className} ${e.scrollWidth} > ${e.clientWidth}`)"""
    )
    assert overflow == []
