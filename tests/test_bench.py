"""The benchmarks' figures stay documented, and CI runs every bench.

`make bench-smoke` (in .ci/run) runs each tests/bench module at a small size and
fails when one prints other names than its `FIGURES`; these tests, fast, hold the
other end: every declared figure is explained in docs/scaling.md.
"""

import importlib
import pkgutil
import re
from pathlib import Path

import tests.bench as package

ROOT = Path(__file__).resolve().parent.parent


def bench_modules():
    return [
        importlib.import_module(f"tests.bench.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("bench_")
    ]


def test_every_bench_module_declares_its_figures():
    modules = bench_modules()
    assert len(modules) >= 6
    for module in modules:
        assert module.FIGURES, module.__name__
        assert len(set(module.FIGURES)) == len(module.FIGURES), module.__name__
        for name in module.FIGURES:
            assert re.fullmatch(r"[a-z0-9_]+", name), name


def test_every_figure_is_documented_in_scaling_md():
    text = (ROOT / "docs" / "scaling.md").read_text()
    missing = [
        name for module in bench_modules() for name in module.FIGURES if f"`{name}`" not in text
    ]
    assert not missing, f"docs/scaling.md does not explain {missing}"


def test_ci_runs_the_bench_smoke():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^bench-smoke: install\n\t\$\(PY\) -m tests\.bench --smoke$", makefile, re.M)
    assert "bench-smoke" in re.search(r"^\.PHONY:.*$", makefile, re.M).group()
    assert re.search(r"^make bench-smoke$", (ROOT / ".ci" / "run").read_text(), re.M)
