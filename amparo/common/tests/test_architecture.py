"""House rules that keep need-to-know and the layering true as the code grows."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SOURCE = Path(settings.BASE_DIR) / "amparo"
PROTECTED = ("Person", "Household", "IdentityDocument", "Contact", "Address", "HouseholdMembership")
DIRECT_FETCH = re.compile(rf"\b({'|'.join(PROTECTED)})\.objects\.(get|filter|all|exclude)\(")


def _interface_modules() -> list[Path]:
    names = ("views", "api")
    modules = []
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if path.stem in names or any(part in names for part in path.relative_to(SOURCE).parts[:-1]):
            modules.append(path)
    return modules


def test_views_and_api_never_query_protected_models_directly():
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in _interface_modules()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if DIRECT_FETCH.search(line)
    ]

    assert offenders == []


def test_import_contracts_hold():
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert executable is not None

    result = subprocess.run([executable], cwd=settings.BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603

    assert result.returncode == 0, result.stdout[-3000:]
