"""NLU intent classification by k-fold cross-validation: `rasa test nlu --cross-validation` on
rasa_project/data/nlu.yml, then the macro / weighted F1, accuracy and per-intent F1 from Rasa's
report. Writes Rasa's reports and `summary.json` to `<data_dir>/nlu-report` (default var/).

Run: `.venv/bin/python -m bench.nlu_cv [--folds 5]` (or `make nlu-eval`)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bot.nlu.model import RasaSetupError, rasa_executable, run_rasa, tail
from bot.settings import Settings

REPORT_DIR_NAME = "nlu-report"
# Keys of intent_report.json that are aggregates, not intents.
AGGREGATES = frozenset({"accuracy", "macro avg", "weighted avg", "micro avg"})


def run_cross_validation(project_dir: Path, rasa_venv: Path, out_dir: Path, folds: int) -> float:
    """Runs `rasa test nlu` with k-fold cross-validation; returns the wall time in seconds."""
    rasa = rasa_executable(rasa_venv)
    out_dir.mkdir(parents=True, exist_ok=True)
    log_file = out_dir / "rasa-test.log"
    command = [
        str(rasa), "test", "nlu", "--nlu", "data/nlu.yml", "--config", "config.yml",
        "--cross-validation", "--folds", str(folds), "--out", str(out_dir.absolute()),
    ]  # fmt: skip
    print(f"Cross-validating the NLU model ({folds} folds, several minutes); log: {log_file}")
    started = time.monotonic()
    returncode = run_rasa(command, project_dir, log_file)
    elapsed = time.monotonic() - started
    if returncode != 0 or not (out_dir / "intent_report.json").exists():
        raise RasaSetupError(
            f"rasa test nlu failed (exit code {returncode}); see {log_file}:\n" + tail(log_file)
        )
    return elapsed


def summarize(report: dict[str, Any], folds: int, elapsed_s: float) -> dict[str, Any]:
    """The figures worth keeping from Rasa's intent_report.json."""
    intents = {
        name: {"f1": round(row["f1-score"], 4), "support": int(row["support"])}
        for name, row in report.items()
        if name not in AGGREGATES and isinstance(row, dict)
    }
    accuracy = report.get("accuracy")
    if accuracy is None:  # Rasa writes micro avg instead of accuracy when not all labels occur
        accuracy = report["micro avg"]["f1-score"]
    return {
        "folds": folds,
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "accuracy": round(float(accuracy), 4),
        "intents": len(intents),
        "examples": sum(row["support"] for row in intents.values()),
        "seconds": round(elapsed_s, 1),
        "per_intent": dict(sorted(intents.items(), key=lambda item: item[1]["f1"])),
    }


def print_summary(summary: dict[str, Any], threshold: float = 0.85) -> None:
    print(
        f"\nNLU intents, {summary['folds']}-fold cross-validation "
        f"({summary['intents']} intents, {summary['examples']} examples, "
        f"{summary['seconds']:.0f} s)"
    )
    print(f"  macro F1     {summary['macro_f1']:.3f}")
    print(f"  weighted F1  {summary['weighted_f1']:.3f}")
    print(f"  accuracy     {summary['accuracy']:.3f}\n")
    print(f"  {'intent':<26} {'F1':>6} {'n':>4}")
    for name, row in summary["per_intent"].items():
        flag = "  <" if row["f1"] < threshold else ""
        print(f"  {name:<26} {row['f1']:>6.3f} {row['support']:>4}{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    settings = Settings()
    out_dir = settings.data_dir / REPORT_DIR_NAME
    try:
        elapsed = run_cross_validation(
            settings.rasa_project_dir, settings.rasa_venv, out_dir, args.folds
        )
    except RasaSetupError as error:
        print(error, file=sys.stderr)
        return 1
    report = json.loads((out_dir / "intent_report.json").read_text(encoding="utf-8"))
    summary = summarize(report, args.folds, elapsed)
    (out_dir / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print_summary(summary)
    print(f"\nReports: {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
