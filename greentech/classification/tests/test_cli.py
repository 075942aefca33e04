"""`greentech classify`: JSON Lines on standard input, one JSON line (or table rows) out per line in, in order.

The command reads `sys.stdin` and writes `sys.stdout`/`sys.stderr` directly (not self.stdout), so the in-process
tests swap those for StringIO objects; one test runs the real console entry point in a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from greentech.classification.management.commands.classify import CHUNK

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[3]
PV_LINE = json.dumps({"id": 1, "title": "一种光伏组件回收方法"}, ensure_ascii=False) + "\n"


def run_classify(monkeypatch, lines: list[str], *args) -> tuple[list[str], str]:
    """Run the command on `lines` (each ending in a newline); return its output lines and its stderr."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(lines)))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    call_command("classify", *args)
    return out.getvalue().splitlines(), err.getvalue()


def line(**fields) -> str:
    return json.dumps(fields, ensure_ascii=False) + "\n"


def test_the_issue_example_is_green_with_a_clean_energy_category(monkeypatch):
    output, errors = run_classify(monkeypatch, [PV_LINE])
    assert errors == ""
    [answer] = [json.loads(text) for text in output]
    assert (answer["id"], answer["green"], answer["decided_by"]) == (1, True, "text")
    assert 0.5 <= answer["score"] <= 1.0
    catalogue = [c for c in answer["categories"] if c["scheme"] == "gic2019"]
    assert catalogue[0]["code"] == "3.1.2" or catalogue[0]["code"].startswith("3.")
    assert catalogue[0]["reason"]
    assert [node["code"] for node in catalogue[0]["path"]] == ["3", "3.1"]


def test_a_clearly_non_green_line_is_not_green(monkeypatch):
    output, _errors = run_classify(
        monkeypatch, [line(id="cake", title="Classic recipe for chocolate chip cookies, baked for twelve minutes")]
    )
    answer = json.loads(output[0])
    assert (answer["id"], answer["green"], answer["decided_by"]) == ("cake", False, "text")
    assert answer["score"] < 0.5


def test_output_follows_input_order_with_error_lines_in_place(monkeypatch):
    lines = [
        line(id="a", ipc=["C10L 5/44"]),  # 1
        "{not json\n",  # 2
        line(id="b", title="A multiplayer mobile game with in-app purchases"),  # 3
        line(id="c"),  # 4: nothing to classify
        line(id="d", title="光伏", abstract="unknown field"),  # 5
        '["a", "list"]\n',  # 6: not an object
        line(id="e", title="一种光伏组件回收方法", cpc=["G06F 16/00"]),  # 7
        line(id="f", title=42),  # 8: wrong type
        line(id="g", cpc="Y02E 10/50"),  # 9: codes as a string
    ]
    output, errors = run_classify(monkeypatch, lines)
    answers = [json.loads(text) for text in output]
    assert len(answers) == len(lines)
    assert [a["id"] for a in answers] == ["a", None, "b", "c", "d", None, "e", "f", "g"]
    error_lines = {a["line"]: a for a in answers if "error" in a}
    assert sorted(error_lines) == [2, 4, 5, 6, 8]
    assert error_lines[2]["error"].startswith("not valid JSON")
    assert "nothing to classify" in error_lines[4]["error"]
    assert "unknown field(s): abstract" in error_lines[5]["error"]
    assert "JSON object" in error_lines[6]["error"]
    assert "title must be a string" in error_lines[8]["error"]
    assert all(set(a) == {"line", "id", "error"} for a in error_lines.values())
    results = [a for a in answers if "error" not in a]
    assert [(a["id"], a["green"], a["decided_by"]) for a in results] == [
        ("a", True, "code"),
        ("b", False, "text"),
        ("e", True, "text"),
        ("g", True, "code"),
    ]
    assert "5 line(s) could not be classified" in errors


def test_blank_lines_are_skipped_but_counted_in_line_numbers(monkeypatch):
    lines = ["\n", line(id=1, ipc=["H01M 10/45"]), "   \n", "\n", "oops\n", line(id=2, cpc=["Y04S 10/123"]), "\n"]
    output, _errors = run_classify(monkeypatch, lines)
    answers = [json.loads(text) for text in output]
    assert len(answers) == 3
    assert (answers[0]["id"], answers[0]["green"]) == (1, True)
    assert (answers[1]["line"], answers[1]["id"]) == (5, None)
    assert (answers[2]["id"], answers[2]["green"]) == (2, True)


def test_empty_input_gives_empty_output(monkeypatch):
    output, errors = run_classify(monkeypatch, [])
    assert (output, errors) == ([], "")


def test_table_format_prints_readable_rows(monkeypatch):
    lines = [PV_LINE, "{bad\n", line(id="ipc", ipc=["C10L 5/44"]), line(id="other", cpc=["G06F 16/00"])]
    output, _errors = run_classify(monkeypatch, lines, "--format", "table")
    text = "\n".join(output)
    assert not any(row.startswith("{") for row in output)  # no JSON
    verdicts = [row for row in output if not row.startswith("\t") and not row.startswith("line ")]
    assert [row.split("\t")[0] for row in verdicts] == ["1", "ipc", "other"]
    first = verdicts[0].split("\t")
    assert first[1] == "GREEN 绿色" and first[2].startswith("score 0.") and first[3] == "decided by text"
    assert "GREEN" in verdicts[1] and "score 1.00" in verdicts[1] and "decided by code" in verdicts[1]
    assert "not green" in verdicts[2] and "score 0.00" in verdicts[2]
    category_rows = [row.split("\t") for row in output if row.startswith("\t")]
    assert ["", "gic2019", "3.1.2"] == category_rows[0][:3]
    assert "太阳能发电装备制造" in category_rows[0]
    assert any(row[1:3] == ["ipc-green-inventory", "C10L 5/40 … C10L 5/48"] for row in category_rows)
    assert "line 2: ERROR not valid JSON" in text
    # the error row sits between the first and the second record
    assert output.index(next(r for r in output if r.startswith("line 2"))) < output.index(verdicts[1])


def test_a_batch_longer_than_one_chunk_keeps_every_line_in_order(monkeypatch):
    assert CHUNK == 256
    titles = [
        "一种光伏组件回收方法",
        "Pitch control system for an onshore wind turbine",
        "一款多人在线角色扮演手机游戏",
        "Moisturizing face cream formulation",
    ]
    lines, expected = [], []
    for index in range(300):
        number = len(lines) + 1
        if index in (10, 255, 256, 290):  # error lines on both sides of the chunk boundary
            lines.append("{broken\n" if index % 2 else line(id=index, colour="green"))
            expected.append(("error", number, None if index % 2 else index))
        elif index % 3 == 0:
            symbol = "C10L 5/44" if index % 2 else "G06F 16/00"
            lines.append(line(id=index, ipc=[symbol]))
            expected.append(("code", index, index % 2 == 1))
        else:
            lines.append(line(id=index, title=titles[index % 4]))
            expected.append(("text", index, None))
        if index == 128:
            lines.append("\n")  # a blank line shifts the line numbers after it
    output, errors = run_classify(monkeypatch, lines)
    answers = [json.loads(text) for text in output]
    assert len(answers) == 300
    for answer, (kind, key, value) in zip(answers, expected, strict=True):
        if kind == "error":
            assert (answer["line"], answer["id"]) == (key, value), answer
        else:
            assert answer["id"] == key and "error" not in answer
            assert answer["decided_by"] == kind
            if kind == "code":
                assert answer["green"] is value
    assert [a["line"] for a in answers if "error" in a] == [11, 257, 258, 292]
    assert "4 line(s) could not be classified" in errors


def test_the_console_entry_point_classifies_standard_input(tmp_path):
    """`python -m greentech classify` in a fresh process, against a database of its own (initialised first),
    so the test does not depend on the project's var/ database existing."""
    env = dict(os.environ)
    env.pop("GREENTECH_DATABASE_URL", None)  # SQLite under the temporary var dir, whatever the suite uses
    env["GREENTECH_VAR_DIR"] = str(tmp_path / "var")
    init = subprocess.run(
        [sys.executable, "-m", "greentech", "init"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert init.returncode == 0, init.stderr[-3000:]
    process = subprocess.run(
        [sys.executable, "-m", "greentech", "classify"],
        cwd=PROJECT_DIR,
        env=env,
        input=PV_LINE + "{bad\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    first, second = (json.loads(text) for text in process.stdout.splitlines())
    assert (first["id"], first["green"], first["decided_by"]) == (1, True, "text")
    assert first["categories"][0]["code"].startswith("3.")
    assert (second["line"], second["id"]) == (2, None) and "not valid JSON" in second["error"]
    assert "1 line(s) could not be classified" in process.stderr
    assert (tmp_path / "var" / "greentech.sqlite3").exists()  # it used its own database
