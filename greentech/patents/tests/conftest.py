from pathlib import Path

import pytest

from greentech.config import PACKAGE_DIR

PATENTSVIEW = PACKAGE_DIR / "data" / "patents-patentsview-sample"
CN_SAMPLE = PACKAGE_DIR / "data" / "patents-cn-sample" / "patents.jsonl"


@pytest.fixture
def write_jsonl(tmp_path):
    """write_jsonl([{...}, ...]) → a JSONL file of these records (strings are written as given lines)."""
    import json

    def write(rows, name="patents.jsonl") -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
        return path

    return write
