"""`greentech bench classify`: fit (optional) and evaluate the classifier on the labelled evaluation set.

The evaluation set (data/classification-eval, see its SOURCE.md) is split in two: `dev` is used to fit the model
and its threshold and serves as the reference examples; every figure reported is measured on `test`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from datetime import date

import numpy as np

from greentech.bench import registry
from greentech.classification import services
from greentech.taxonomy import codes as codelib

LANGUAGES = ("zh", "en", "mixed")


def load_all() -> list[dict]:
    with services.EVALUATION_PATH.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _metrics(labels, predictions) -> dict:
    labels, predictions = np.asarray(labels, bool), np.asarray(predictions, bool)
    tp = int((labels & predictions).sum())
    fp = int((~labels & predictions).sum())
    fn = int((labels & ~predictions).sum())
    tn = int((~labels & ~predictions).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": int(len(labels)),
        "accuracy": round((tp + tn) / len(labels), 4) if len(labels) else 0.0,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def _calibration(labels, scores, bins: int = 5) -> dict:
    labels, scores = np.asarray(labels, float), np.asarray(scores, float)
    edges = np.linspace(0, 1, bins + 1)
    table, ece = [], 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        mask = (scores >= low) & ((scores < high) if high < 1 else (scores <= high))
        if mask.any():
            mean_score, observed = float(scores[mask].mean()), float(labels[mask].mean())
            ece += mask.mean() * abs(mean_score - observed)
            table.append(
                {
                    "bin": f"{low:.1f}-{high:.1f}",
                    "n": int(mask.sum()),
                    "mean_score": round(mean_score, 3),
                    "share_green": round(observed, 3),
                }
            )
    return {"ece": round(float(ece), 4), "brier": round(float(((scores - labels) ** 2).mean()), 4), "bins": table}


def _text_record(row: dict) -> services.Record:
    return services.Record(id=row["id"], title=row.get("title", ""), text=row.get("text", ""))


def _full_record(row: dict) -> services.Record:
    return services.Record(
        id=row["id"],
        title=row.get("title", ""),
        text=row.get("text", ""),
        ipc=row.get("ipc", []),
        cpc=row.get("cpc", []),
    )


def _codes_record(row: dict) -> services.Record:
    return services.Record(id=row["id"], ipc=row.get("ipc", []), cpc=row.get("cpc", []))


def fit(rows: list[dict], console) -> dict:
    """Fit the logistic model and the threshold on the dev split; write data/classification-model/model.json."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    provisional = services.Model({"coefficients": dict.fromkeys(services.FEATURES, 0.0), "intercept": 0.0})
    classifier = services.Classifier(model=provisional)
    dev = [row for row in rows if row["split"] == "dev" and (row.get("title") or row.get("text"))]
    contents = [_text_record(row).content for row in dev]
    # leave-one-out: a dev text is never its own reference example
    features, similarity, hits, bm25 = classifier.text_features(contents, exclude_examples=[r["id"] for r in dev])
    labels = np.array([row["green"] for row in dev])
    model = LogisticRegression(C=1.0, max_iter=1000)
    out_of_fold = cross_val_predict(model, features, labels, cv=5, method="predict_proba")[:, 1]
    thresholds = np.linspace(0.2, 0.8, 61)
    f1s = [_metrics(labels, out_of_fold >= t)["f1"] for t in thresholds]
    threshold = float(thresholds[int(np.argmax(f1s))])
    model.fit(features, labels)
    # category weights: best top-1 catalogue item on the dev split's green items
    best, best_weights = -1.0, None
    green_rows = [i for i, row in enumerate(dev) if row["green"] and row.get("gic")]
    for keyword_weight in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3):
        for bm25_weight in (0.0, 0.01, 0.02, 0.04):
            provisional.category_weights = {"semantic": 1.0, "keywords": keyword_weight, "bm25": bm25_weight}
            correct = sum(
                classifier.rank_categories(similarity[i], hits[i], bm25[i])[0].code in dev[i]["gic"] for i in green_rows
            )
            if correct > best:
                best, best_weights = correct, dict(provisional.category_weights)
    data = {
        "description": "Logistic model of P(green) over the text features, fitted by `greentech bench classify --fit`.",
        "fitted": date.today().isoformat(),
        "fitted_on": f"classification-eval dev split, {len(dev)} text items",
        "features": list(services.FEATURES),
        "coefficients": dict(zip(services.FEATURES, [round(float(c), 6) for c in model.coef_[0]], strict=True)),
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": round(threshold, 3),
        "threshold_rule": "maximises F1 of 5-fold out-of-fold probabilities on the dev split",
        "neighbours": provisional.neighbours,
        "category_weights": best_weights,
        "category_top1_dev": round(best / max(len(green_rows), 1), 4),
    }
    services.MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    services.MODEL_PATH.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(f"model written to {services.MODEL_PATH} (threshold {threshold:.2f})")
    return data


def evaluate(rows: list[dict], classifier: services.Classifier) -> dict:
    test = [row for row in rows if row["split"] == "test"]
    text_rows = [row for row in test if row.get("title") or row.get("text")]
    code_rows = [row for row in test if row.get("ipc") or row.get("cpc")]
    report: dict = {}
    # text only: codes removed, the text decides
    results = classifier.classify([_text_record(row) for row in text_rows])
    labels = [row["green"] for row in text_rows]
    report["text_only"] = {"all": _metrics(labels, [r.green for r in results])}
    for language in LANGUAGES:
        mask = [row["lang"] == language for row in text_rows]
        if any(mask):
            report["text_only"][language] = _metrics(
                [g for g, m in zip(labels, mask, strict=True) if m],
                [r.green for r, m in zip(results, mask, strict=True) if m],
            )
    report["calibration_text_only"] = _calibration(labels, [r.score for r in results])
    by_kind: dict = {}
    for row, result in zip(text_rows, results, strict=True):
        entry = by_kind.setdefault(f"{row['kind']}/{row['lang']}", {"n": 0, "correct": 0})
        entry["n"] += 1
        entry["correct"] += result.green == row["green"]
    report["text_only_accuracy_by_kind"] = {
        key: round(value["correct"] / value["n"], 4) for key, value in sorted(by_kind.items())
    }
    # categories: for green items labelled with catalogue items
    top1 = top3 = level1 = total = 0
    for row, result in zip(text_rows, results, strict=True):
        if row["green"] and row.get("gic"):
            ranked = [c.code for c in result.categories if c.scheme == services.CATALOGUE]
            total += 1
            top1 += bool(ranked[:1]) and ranked[0] in row["gic"]
            top3 += any(code in row["gic"] for code in ranked[:3])
            level1 += bool(ranked[:1]) and ranked[0].split(".")[0] in {g.split(".")[0] for g in row["gic"]}
    report["catalogue_categories"] = {
        "n": total,
        "top1": round(top1 / total, 4),
        "top3": round(top3 / total, 4),
        "level1_top1": round(level1 / total, 4),
    }
    # codes only: the decision must follow the code patterns exactly
    results = classifier.classify([_codes_record(row) for row in code_rows])
    patterns = _inventory_patterns()
    expected = [_green_by_rules(row, patterns) for row in code_rows]
    agreement = sum(r.green == e for r, e in zip(results, expected, strict=True))
    report["codes_only"] = {
        "n": len(code_rows),
        "agreement_with_code_rules": round(agreement / len(code_rows), 4) if code_rows else None,
        "vs_labels": _metrics([row["green"] for row in code_rows], [r.green for r in results]),
    }
    # combined: everything the record has
    results = classifier.classify([_full_record(row) for row in test])
    report["combined"] = {"all": _metrics([row["green"] for row in test], [r.green for r in results])}
    for language in LANGUAGES:
        subset = [(row, r) for row, r in zip(test, results, strict=True) if row["lang"] == language]
        if subset:
            report["combined"][language] = _metrics([row["green"] for row, _ in subset], [r.green for _, r in subset])
    report["decided_by_code"] = sum(r.decided_by == "code" for r in results)
    return report


def _inventory_patterns() -> codelib.PatternIndex:
    """The IPC Green Inventory patterns read straight from the data file, not through the service."""
    from greentech.core.reference import read_csv

    rows = read_csv("ipc-green-inventory-codes-partial/green_inventory_ipc_patterns.csv")
    return codelib.PatternIndex(codelib.CodePattern(r["level"], r["code"], r["range_end"] or None) for r in rows)


def _green_by_rules(row: dict, patterns: codelib.PatternIndex) -> bool:
    """The code rules applied directly, to check the service's code path against."""
    if any(codelib.is_cpc_green(codelib.normalize_symbol(raw)) for raw in row.get("cpc", [])):
        return True
    return any(patterns.match(codelib.normalize_symbol(raw)) for raw in row.get("ipc", []))


def speed(rows: list[dict], console) -> dict:
    texts = [_text_record(row).content for row in rows if row.get("title") or row.get("text")]
    texts = [t[:300] for t in texts]
    batch = (texts * (1000 // len(texts) + 1))[:1000]
    figures: dict = {"batch_texts": len(batch), "mean_chars": round(sum(map(len, batch)) / len(batch), 1)}
    classifier = services.get_classifier()
    classifier.classify([services.Record(id=0, text=batch[0])])  # warm
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        classifier.classify([services.Record(id=i, text=t) for i, t in enumerate(batch)])
        runs.append(len(batch) / (time.perf_counter() - started))
    figures["texts_per_second_median"] = round(float(np.median(runs)), 1)
    figures["texts_per_second_runs"] = [round(r, 1) for r in runs]
    # cold start: a new process, from start to the first result line
    line = json.dumps({"id": 1, "title": "一种光伏组件回收方法"}, ensure_ascii=False) + "\n"
    command = [sys.executable, "-m", "greentech", "classify"]
    colds = []
    for _ in range(3):
        started = time.perf_counter()
        process = subprocess.run(command, input=line, capture_output=True, text=True, env=dict(os.environ))
        colds.append(time.perf_counter() - started)
        if process.returncode != 0:
            raise RuntimeError(process.stderr[-2000:])
    figures["cold_start_first_result_seconds_median"] = round(float(np.median(colds)), 2)
    # peak memory of a batch run in a new process
    payload = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(batch))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    process = subprocess.run(command, input=payload, capture_output=True, text=True, env=dict(os.environ))
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["batch_process_peak_rss_mib"] = round(max(after, before) / 1024, 1)
    return figures


@registry.register("classify", "Green classification: quality on the evaluation set, speed and memory")
def run(options, console) -> dict:
    rows = load_all()
    report: dict = {
        "evaluation_set": str(services.EVALUATION_PATH.relative_to(services.PACKAGE_DIR)),
        "test_items": sum(row["split"] == "test" for row in rows),
    }
    if options.get("fit"):
        report["fit"] = fit(rows, console)
        services._classifier = None
    classifier = services.get_classifier()
    report["quality"] = evaluate(rows, classifier)
    if not options.get("skip_speed"):
        report["speed"] = speed(rows, console)
    _print(report, console)
    return report


def _print(report: dict, console) -> None:
    from rich.table import Table

    quality = report["quality"]
    table = Table(title="Green classification on the test split / 测试集")
    for column in ("mode", "subset", "n", "accuracy", "precision", "recall", "F1"):
        table.add_column(column)
    for mode in ("text_only", "combined"):
        for subset, m in quality[mode].items():
            table.add_row(
                mode,
                subset,
                str(m["n"]),
                f"{m['accuracy']:.3f}",
                f"{m['precision']:.3f}",
                f"{m['recall']:.3f}",
                f"{m['f1']:.3f}",
            )
    codes = quality["codes_only"]
    table.add_row(
        "codes_only",
        "all",
        str(codes["n"]),
        f"{codes['vs_labels']['accuracy']:.3f}",
        f"{codes['vs_labels']['precision']:.3f}",
        f"{codes['vs_labels']['recall']:.3f}",
        f"{codes['vs_labels']['f1']:.3f}",
    )
    console.print(table)
    console.print(f"code decisions agreeing with the code patterns: {codes['agreement_with_code_rules']:.1%}")
    calibration = quality["calibration_text_only"]
    console.print(f"calibration (text only): ECE {calibration['ece']:.3f}, Brier {calibration['brier']:.3f}")
    for row in calibration["bins"]:
        console.print(
            f"  score {row['bin']}: n={row['n']}, mean score {row['mean_score']:.2f}, "
            f"share green {row['share_green']:.2f}"
        )
    console.print(
        "accuracy by kind of text: "
        + ", ".join(f"{key} {value:.0%}" for key, value in quality["text_only_accuracy_by_kind"].items())
    )
    categories = quality["catalogue_categories"]
    console.print(
        f"catalogue item of green texts: top-1 {categories['top1']:.1%}, top-3 {categories['top3']:.1%}, "
        f"level-1 {categories['level1_top1']:.1%} (n={categories['n']})"
    )
    if "speed" in report:
        s = report["speed"]
        console.print(
            f"speed: {s['texts_per_second_median']} texts/s (batch of {s['batch_texts']}, "
            f"mean {s['mean_chars']} chars); cold start to first result "
            f"{s['cold_start_first_result_seconds_median']} s; batch process peak RSS "
            f"{s['batch_process_peak_rss_mib']} MiB"
        )
