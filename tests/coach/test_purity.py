"""coach/ is the product's core and must stay free of frameworks (STYLE: ports, not imports)."""

import ast
from pathlib import Path

import coach

FORBIDDEN = {
    *("telegram", "sqlalchemy", "jinja2", "apscheduler", "alembic", "aiohttp"),
    *("bot", "storage"),  # the layers around coach depend on it, never the other way
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_coach_imports_no_framework():
    package = Path(coach.__file__).parent
    files = sorted(package.rglob("*.py"))
    assert len(files) >= 5
    offenders = {
        str(path.relative_to(package)): sorted(imported_roots(path) & FORBIDDEN)
        for path in files
        if imported_roots(path) & FORBIDDEN
    }
    assert offenders == {}


def test_the_import_check_sees_imports(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text("import telegram.ext\nfrom sqlalchemy import select\nfrom . import x\n")
    assert imported_roots(sample) == {"telegram", "sqlalchemy"}
