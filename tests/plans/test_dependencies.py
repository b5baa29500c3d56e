"""monitoring depends on plans, never the reverse: one app, one direction, in the code
and in the templates."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.base import Lexer, TokenType

import plans


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_no_module_of_plans_imports_monitoring():
    root = Path(plans.__file__).parent
    offenders = [
        f"{path.relative_to(root.parent)}: {module}"
        for path in sorted(root.rglob("*.py"))
        for module in imported_modules(path)
        if module == "monitoring" or module.startswith("monitoring.")
    ]
    assert offenders == []


def test_accounts_does_not_import_the_plans_admin():
    """The admin's side of the access rule (RegionScoped) lives beside it in accounts/:
    accounts reads plans' models, never plans' admin."""
    import accounts

    root = Path(accounts.__file__).parent
    offenders = [
        f"{path.relative_to(root.parent)}: {module}"
        for path in sorted(root.rglob("*.py"))
        for module in imported_modules(path)
        if module == "plans.admin" or module.startswith("plans.admin.")
    ]
    assert offenders == []


def test_plans_models_are_split_by_subject_and_re_exported():
    """`from plans.models import Plan` keeps working whatever file a model lives in."""
    import plans.models
    from plans.models import documents, execution, geography, plan, template

    assert plans.models.Plan is plan.Plan
    assert plans.models.School is geography.School
    assert plans.models.TemplateItem is template.TemplateItem
    assert plans.models.Document is documents.Document
    assert plans.models.Evidence is execution.Evidence
    assert set(plans.models.__all__) >= {"Plan", "PlanRow", "Region", "RowExecution"}


# --- Templates: plans' pages show monitoring's parts only through profplan/fragments.py

TEMPLATES_ROOT = Path(settings.BASE_DIR) / "templates"
PLANS_TEMPLATES = ("plans", "admin/plans")


def monitoring_tag_libraries() -> set[str]:
    """The names `{% load %}` knows for monitoring's template tag libraries."""
    modules = engines["django"].engine.libraries  # {name: module path}
    return {name for name, module in modules.items() if module.split(".")[0] == "monitoring"}


def monitoring_uses(source: str, libraries: set[str]) -> list[str]:
    """What a template takes from monitoring: a tag library it loads, a template it
    includes or extends, a URL name it reverses."""
    found = []
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        bits = token.split_contents()
        tag, args = bits[0], [bit.strip("\"'") for bit in bits[1:]]
        if tag == "load":
            names = args[-1:] if "from" in args else args  # {% load tag from library %}
            found += [f"load {name}" for name in names if name in libraries]
        elif tag in ("include", "extends") and args and args[0].startswith("monitoring/"):
            found.append(f"{tag} {args[0]}")
        elif tag == "url" and args and args[0].startswith("monitoring:"):
            found.append(f"url {args[0]}")
    return found


def plans_templates():
    for folder in PLANS_TEMPLATES:
        yield from sorted((TEMPLATES_ROOT / folder).rglob("*.html"))


def test_monitorings_tag_library_is_known():
    assert "monitoring_tags" in monitoring_tag_libraries()


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("{% load static monitoring_tags %}", ["load monitoring_tags"]),
        ("{% load cell from monitoring_tags %}", ["load monitoring_tags"]),
        (
            '{% include "monitoring/_plan_indicators.html" %}',
            ["include monitoring/_plan_indicators.html"],
        ),
        ("{% extends 'monitoring/report.html' %}", ["extends monitoring/report.html"]),
        ("<a href=\"{% url 'monitoring:dashboard' %}#delivery\">", ["url monitoring:dashboard"]),
        ('{% url "monitoring:self-analysis" plan.pk as link %}', ["url monitoring:self-analysis"]),
        (
            '{% load plan_table fragments %}{% include "plans/_table.html" %}{% url "plans:edit" 1 %}',
            [],
        ),
        ("{# {% load monitoring_tags %} in a comment #}", []),
    ],
)
def test_the_template_check_finds_each_kind_of_use(source, found):
    assert monitoring_uses(source, monitoring_tag_libraries()) == found


def test_no_template_of_plans_uses_monitorings_tags_templates_or_urls():
    libraries = monitoring_tag_libraries()
    offenders = [
        f"{path.relative_to(TEMPLATES_ROOT)}: {use}"
        for path in plans_templates()
        for use in monitoring_uses(path.read_text(encoding="utf-8"), libraries)
    ]
    assert list(plans_templates())  # the folders are where this test looks
    assert offenders == []
