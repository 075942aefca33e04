"""The benchmark at tiny scale: structure and correctness of the figures, not timing."""

import pytest

from greentech.bench import patents as benchmarks
from greentech.bench.synthetic import patents as synthetic
from greentech.patents.models import Patent

pytestmark = pytest.mark.django_db


def test_synthetic_records_are_valid_realistic_and_repeatable():
    vocabulary = synthetic.Vocabulary()
    first = list(synthetic.records(300, vocabulary=vocabulary))
    assert first == list(synthetic.records(300, vocabulary=vocabulary))  # same seed, same records
    offices = {record["number"][:2] for record in first}
    assert {"CN", "US"} <= offices
    assert any(record.get("language") == "en" for record in first) and any("title_translation" in r for r in first)
    assert any(not record.get("ipc") for record in first)  # some carry no code: the text labeller's work
    from greentech.patents import records

    context = records.Context()
    prepared = [records.prepare(record, context) for record in first]  # raises on any invalid record
    assert 0.05 < sum(1 for p in prepared if p.labels) / len(prepared) < 0.8


def test_measure_at_tiny_scale(tmp_path):
    report = benchmarks.measure(120, workdir=tmp_path, label_sample=5, repeat=1)
    assert report["import"]["created"] == 120 and Patent.objects.count() == 120
    assert report["import"]["records_per_second"] > 0 and report["import"]["peak_rss_mib"] > 0
    assert report["text_labels"]["patents"] == 5
    for name in ("keyword_search", "keyword_search_newest", "code_prefix_search", "facets"):
        assert report[name]["n"] > 0 and report[name]["p95_ms"] >= report[name]["p50_ms"] > 0
    assert report["database_bytes"] > 0


def test_patents_generate_writes_the_synthetic_records(tmp_path):
    """`greentech patents generate` reaches the generator in its new place (imported when the command runs)."""
    import io
    import json

    from django.core.management import call_command

    path = tmp_path / "p.jsonl"
    call_command("patents", "generate", str(path), "--n", "7", "--seed", "3", stdout=io.StringIO())
    written = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert written == list(synthetic.records(7, seed=3))
