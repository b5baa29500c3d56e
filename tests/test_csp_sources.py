"""The pages can live under `script-src 'self'`: no inline script, no inline event
handler, no `javascript:` link in our templates, and htmx never evaluates code from
attributes (its `allowEval` is off on every page). The browser tests
(tests/browser/test_csp.py) show the policy holds in Chromium; these say where a
new template broke it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
HTMX_CODE = re.compile(r"\bhx-on\b|hx-on:|hx-vars=|js:", re.IGNORECASE)


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_template_carries_no_inline_script(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "an inline <script>: move it to static/js/"
    assert not HANDLER.search(text), "an on…= handler: bind it in static/js/"
    assert "javascript:" not in text
    assert not HTMX_CODE.search(text), "htmx code in an attribute needs eval"


def test_the_checks_would_see_an_inline_script():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/x.js"></script>')
    assert HANDLER.search('<button class="b" onclick="go()">')
    assert not HANDLER.search('<button data-onclick="x">')


@pytest.mark.django_db
def test_htmx_may_not_evaluate_code_on_any_page(client, deputy, plan):
    client.force_login(deputy)
    for url in ("/", plan.get_absolute_url()):
        page = client.get(url).content.decode()
        (config,) = re.findall(r'<meta name="htmx-config" content=\'([^\']*)\'>', page)
        assert '"allowEval":false' in config and '"includeIndicatorStyles":false' in config
