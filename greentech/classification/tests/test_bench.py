"""`greentech bench classify --skip-speed --json`: the issue's quality bars, measured on the evaluation set's test
split only, and the committed model file."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from greentech.classification import services

pytestmark = pytest.mark.django_db


def eval_rows() -> list[dict]:
    with services.EVALUATION_PATH.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def report(django_db_blocker) -> dict:
    """One run of the benchmark for the whole module (it only reads the reference data)."""
    out, err = io.StringIO(), io.StringIO()
    with django_db_blocker.unblock():
        call_command("bench", "classify", "--skip-speed", "--json", stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    data["_console"] = err.getvalue()
    return data


@pytest.mark.parametrize("language", ["zh", "en"])
def test_text_only_f1_per_language(report, language):
    figures = report["quality"]["text_only"][language]
    assert figures["f1"] >= 0.88, figures
    assert figures["n"] > 50


def test_codes_only_decisions_agree_with_the_code_rules(report):
    codes = report["quality"]["codes_only"]
    assert codes["n"] > 0
    assert codes["agreement_with_code_rules"] == 1.0


def test_calibration_error_is_small(report):
    calibration = report["quality"]["calibration_text_only"]
    assert 0.0 <= calibration["ece"] < 0.15
    assert sum(row["n"] for row in calibration["bins"]) == report["quality"]["text_only"]["all"]["n"]


def test_catalogue_top3(report):
    categories = report["quality"]["catalogue_categories"]
    assert categories["n"] > 0
    assert categories["top3"] >= 0.8
    assert categories["top1"] <= categories["top3"]


def test_figures_are_computed_on_the_test_split_only(report):
    rows = eval_rows()
    test = [row for row in rows if row["split"] == "test"]
    assert 0 < len(test) < len(rows)  # there is a dev split the figures must leave out
    assert report["test_items"] == len(test)
    quality = report["quality"]
    with_text = [row for row in test if row.get("title") or row.get("text")]
    with_codes = [row for row in test if row.get("ipc") or row.get("cpc")]
    assert quality["text_only"]["all"]["n"] == len(with_text)
    for language in ("zh", "en"):
        assert quality["text_only"][language]["n"] == sum(row["lang"] == language for row in with_text)
    assert quality["codes_only"]["n"] == len(with_codes)
    assert quality["combined"]["all"]["n"] == len(test)
    green_with_items = [row for row in with_text if row["green"] and row.get("gic")]
    assert quality["catalogue_categories"]["n"] == len(green_with_items)
    # the confusion counts add up to the test split's labels
    text_all = quality["text_only"]["all"]
    assert text_all["tp"] + text_all["fn"] == sum(row["green"] for row in with_text)
    assert "speed" not in report  # --skip-speed


def test_the_console_summary_is_printed(report):
    assert "ECE" in report["_console"] and "test split" in report["_console"]


def test_the_committed_model_file():
    data = json.loads(services.MODEL_PATH.read_text(encoding="utf-8"))
    assert data["features"] == list(services.FEATURES)
    assert set(data["coefficients"]) == set(services.FEATURES)
    assert all(isinstance(value, int | float) for value in data["coefficients"].values())
    assert 0.0 < data["threshold"] < 1.0
    model = services.Model.load()
    assert model.threshold == data["threshold"]
    assert model.coefficients.shape == (len(services.FEATURES),)
    assert set(model.category_weights) == {"semantic", "keywords", "bm25"}
