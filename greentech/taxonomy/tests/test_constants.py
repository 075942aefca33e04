"""The catalogue's scheme key is written once (taxonomy.constants.CATALOGUE_SCHEME), not as literals in the code."""

import ast

from greentech.config import PACKAGE_DIR
from greentech.taxonomy.constants import CATALOGUE_SCHEME
from greentech.taxonomy.models import Scheme


def test_the_catalogue_scheme_key_is_no_literal_outside_its_constant():
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative == "taxonomy/constants.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == CATALOGUE_SCHEME:
                found.append(f"{relative}:{node.lineno}")
    assert found == []


def test_the_constant_names_the_loaded_catalogue(db):
    assert Scheme.objects.filter(slug=CATALOGUE_SCHEME).exists()
