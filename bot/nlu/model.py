"""The Rasa NLU model: trained once per content of the Rasa project, keyed by a content hash."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

Log = Callable[[str], None]

MODEL_PREFIX = "nlu-"
MODEL_SUFFIX = ".tar.gz"
TRAIN_LOG = "train.log"


class RasaSetupError(RuntimeError):
    """Rasa cannot be used: missing virtualenv, failed training or a server that will not start."""


def rasa_executable(rasa_venv: Path) -> Path:
    """`<venv>/bin/rasa`, or a RasaSetupError that says how to install it."""
    rasa = rasa_venv.absolute() / "bin" / "rasa"
    if not os.access(rasa, os.X_OK):
        raise RasaSetupError(
            f"Rasa is not installed: {rasa} is missing. Run `make rasa-venv` (Rasa Open Source 3.6 "
            "on Python 3.10) or point RASA_VENV at an existing Rasa virtualenv."
        )
    return rasa


def rasa_env() -> dict[str, str]:
    """Environment for Rasa processes: no telemetry (no network), less TensorFlow noise."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def run_rasa(command: list[str], project_dir: Path, log_file: Path) -> int:
    """Run a Rasa command in the project, its output into ``log_file``; the exit code."""
    with log_file.open("w", encoding="utf-8") as output:
        done = subprocess.run(
            command,
            cwd=project_dir,
            env=rasa_env(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    return done.returncode


def training_fingerprint(project_dir: Path) -> str:
    """sha256 over config.yml, domain.yml and every file under data/ (sorted by path), 16 hex."""
    data_files = sorted(path for path in (project_dir / "data").rglob("*") if path.is_file())
    digest = hashlib.sha256()
    for path in [project_dir / "config.yml", project_dir / "domain.yml", *data_files]:
        digest.update(path.relative_to(project_dir).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def model_path(project_dir: Path) -> Path:
    return (
        project_dir / "models" / f"{MODEL_PREFIX}{training_fingerprint(project_dir)}{MODEL_SUFFIX}"
    )


def ensure_model(project_dir: Path, rasa_venv: Path, log: Log) -> Path:
    """The model for the current project content; trains it first if it does not exist yet."""
    project_dir = project_dir.absolute()
    target = model_path(project_dir)
    if target.exists():
        return target
    rasa = rasa_executable(rasa_venv)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.parent / ".train.lock"):
        if not target.exists():  # another process may have trained it while we waited
            _train(rasa, project_dir, target, log)
            _remove_older_models(target)
    return target


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _train(rasa: Path, project_dir: Path, target: Path, log: Log) -> None:
    models_dir = target.parent
    log_file = models_dir / TRAIN_LOG
    name = target.name.removesuffix(MODEL_SUFFIX)
    log(f"Training the Rasa NLU model {name} (1-2 minutes); Rasa's output: {log_file}")
    # Train into a scratch folder and rename: a reader never sees a half-written model file.
    scratch = Path(tempfile.mkdtemp(prefix=".train-", dir=models_dir))
    try:
        command = [
            str(rasa), "train", "nlu", "--config", "config.yml", "--domain", "domain.yml",
            "--nlu", "data", "--out", str(scratch), "--fixed-model-name", name,
        ]  # fmt: skip
        returncode = run_rasa(command, project_dir, log_file)
        trained = scratch / target.name
        if returncode != 0 or not trained.exists():
            raise RasaSetupError(
                f"Rasa training failed (exit code {returncode}); see {log_file}:\n" + tail(log_file)
            )
        os.replace(trained, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log(f"Rasa NLU model ready: {target}")


def _remove_older_models(current: Path) -> None:
    for path in current.parent.glob(f"{MODEL_PREFIX}*{MODEL_SUFFIX}"):
        if path != current:
            path.unlink(missing_ok=True)


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file (empty when it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    # splitlines also splits on "\r", which progress bars use to redraw a line
    return "\n".join(text.splitlines()[-lines:])


_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def training_examples(project_dir: Path) -> list[str]:
    """Every NLU training example of the project, entity annotations removed."""
    examples = []
    for path in sorted((project_dir / "data").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    text = line.strip()[2:]
                    examples.append(_ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text))
    return examples
