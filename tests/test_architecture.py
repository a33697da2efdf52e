"""The dependency rules of architecture.md, checked by import-linter on every run."""

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def test_import_contracts_hold() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(CONTRACTS['contracts'])} kept, 0 broken" in result.stdout


def test_every_contract_catches_a_planted_violation(tmp_path: Path) -> None:
    # A copy of matching/ plus empty app/ and workers/, each with one forbidden import: proves that
    # the configuration really checks what the contract names promise (third-party imports included).
    shutil.copytree(ROOT / "matching", tmp_path / "matching", ignore=shutil.ignore_patterns("__pycache__"))
    for package in ("app", "workers"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "matching" / "planted.py").write_text("import flask\nimport app\n")
    (tmp_path / "app" / "planted.py").write_text("import workers\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert f"0 kept, {len(CONTRACTS['contracts'])} broken" in result.stdout, result.stdout + result.stderr


def test_matching_source_imports_no_framework() -> None:
    # Independent of pyproject.toml on purpose: shortening the contract must not weaken this check.
    forbidden = {"app", "workers", "flask", "flask_babel", "flask_login", "flask_wtf", "flask_mailman"}
    forbidden |= {"werkzeug", "jinja2", "sqlmodel", "sqlalchemy", "alembic", "psycopg"}
    forbidden |= {"celery", "kombu", "redis"}
    imported: set[str] = set()
    for path in (ROOT / "matching").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert not imported & forbidden, imported & forbidden


def test_every_setting_is_documented_in_env_example() -> None:
    # config.py is the only reader of the environment; production copies .env.example to .env.
    config = (ROOT / "app/config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'(?:environ\.get|getenv|_flag)\(\s*"([A-Z_]+)"', config))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))

    assert "SECRET_KEY" in names and not names - documented, names - documented
