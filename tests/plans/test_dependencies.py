"""monitoring depends on plans, never the reverse: one app, one direction."""

import ast
from pathlib import Path

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
