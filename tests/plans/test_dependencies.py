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
