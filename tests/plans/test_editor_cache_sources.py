"""The editor's cached page carries the digest of everything that shapes it: its
templates (every one `_editor_main.html` includes), the code that computes what they
show (the профминимум check, the hours, the numbers) and what other apps show inside
it. A new release that changes any of them never serves a page the old one drew."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.urls import reverse

from plans.editor import cache

EDITOR_TEMPLATE = "templates/plans/_editor_main.html"


def included_templates(path: str) -> set[str]:
    """The templates `path` includes, recursively, as paths from the project root."""
    found = set()
    source = (Path(settings.BASE_DIR) / path).read_text(encoding="utf-8")
    for token in Lexer(source).tokenize():
        bits = token.split_contents() if token.token_type == TokenType.BLOCK else []
        if bits and bits[0] == "include" and bits[1][0] in "\"'":
            name = f"templates/{bits[1][1:-1]}"
            found |= {name} | included_templates(name)
    return found


def test_every_template_the_cached_part_includes_is_in_its_digest():
    sources = set(cache.editor_sources())
    assert EDITOR_TEMPLATE in sources
    assert included_templates(EDITOR_TEMPLATE) <= sources
    assert "templates/plans/_open_comments.html" in included_templates(EDITOR_TEMPLATE)


def test_the_sections_other_apps_show_inside_the_cached_part_are_in_its_digest():
    sources = set(cache.editor_sources())
    assert {
        "templates/monitoring/_plan_section_ii.html",
        "templates/monitoring/_plan_indicators.html",
    } <= sources


def test_every_source_of_the_digest_exists():
    """A file moved or renamed would silently drop out of the digest."""
    base = Path(settings.BASE_DIR)
    assert [source for source in cache.editor_sources() if not (base / source).exists()] == []


@pytest.mark.parametrize(
    "changed",
    [
        "templates/plans/_open_comments.html",
        "templates/plans/_check.html",
        "plans/profminimum.py",
        "plans/hours.py",
        "plans/numbering.py",
        "templates/monitoring/_plan_section_ii.html",
        "templates/monitoring/_plan_indicators.html",
    ],
)
def test_changing_what_shapes_the_cached_part_changes_its_key(
    changed, tmp_path, settings, monkeypatch
):
    """A release is simulated in a copy of the sources: one file edited, the digest
    the key carries must move."""
    base = Path(settings.BASE_DIR)
    for source in set(cache.editor_sources()) | {changed}:
        target = tmp_path / source
        target.parent.mkdir(parents=True, exist_ok=True)
        if (base / source).is_dir():
            shutil.copytree(base / source, target, dirs_exist_ok=True)
        else:
            shutil.copy(base / source, target)
    settings.BASE_DIR = tmp_path
    cache.editor_code.cache_clear()
    try:
        before = cache.editor_code()
        edited = tmp_path / changed
        edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        cache.editor_code.cache_clear()
        assert cache.editor_code() != before
    finally:
        cache.editor_code.cache_clear()


@pytest.mark.django_db
def test_the_page_is_cached_under_the_digest(client, deputy, plan, monkeypatch):
    """The key the page is cached under carries `editor_code()`: the same digest reads
    the cache, a new one renders the page anew."""
    client.force_login(deputy)
    url = reverse("plans:edit", args=[plan.pk])
    rendered = []
    real = cache.render_to_string
    monkeypatch.setattr(
        cache,
        "render_to_string",
        lambda name, *a, **k: rendered.append(name) or real(name, *a, **k),
    )
    for _ in range(2):
        assert client.get(url).status_code == 200
    assert rendered == ["plans/_editor_main.html"]
    monkeypatch.setattr(cache, "editor_code", lambda: "another-release")
    assert client.get(url).status_code == 200
    assert rendered == ["plans/_editor_main.html"] * 2
