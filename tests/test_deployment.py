"""The deployment descriptions stay true to the code: docker-compose.yml names only settings that
exist, checks every long-running service's health and starts the bot after what it needs; every
setting is in the README's table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
NOT_SETTINGS = {"POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD", "RASA_AUTH_TOKEN"}
"""Read by the postgres image and by Rasa's launcher, not by the bot."""


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def test_every_variable_the_compose_file_gives_the_bot_is_a_setting() -> None:
    for name, service in compose()["services"].items():
        for variable in service.get("environment", {}):
            assert variable in setting_names() | NOT_SETTINGS, f"{name}: {variable}"


def test_every_long_running_service_has_a_health_check_and_the_bot_waits_for_them() -> None:
    services = compose()["services"]
    for name, service in services.items():
        if name != "index":  # runs once and exits
            assert "healthcheck" in service, name
    bot = services["bot"]
    waits_for = {name: condition["condition"] for name, condition in bot["depends_on"].items()}
    assert waits_for == {
        "postgres": "service_healthy",
        "chroma": "service_healthy",
        "rasa-1": "service_healthy",
        "rasa-2": "service_healthy",
        "index": "service_completed_successfully",
    }
    assert "/readyz" in " ".join(bot["healthcheck"]["test"])


def test_the_bot_uses_postgresql_the_chroma_server_and_every_rasa_replica() -> None:
    services = compose()["services"]
    environment = services["bot"]["environment"]
    settings = Settings(
        _env_file=None,
        rasa_url=environment["RASA_URL"],
        database_url=environment["DATABASE_URL"],
    )
    replicas = {re.sub(r"^http://([^:]+):.*$", r"\1", url) for url in settings.rasa_urls}
    assert replicas == {name for name in services if name.startswith("rasa-")}
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://")
    assert environment["CHROMA_URL"].startswith("http://chroma:")
    assert int(environment["BOT_WORKERS"].split(":-")[1].rstrip("}")) > 1
    for service in services.values():
        if "build" in service:
            assert (PROJECT_ROOT / service["build"]["dockerfile"]).is_file()


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = {m.group(1) for m in re.finditer(r"^\| `([A-Z_]+)`", readme, re.MULTILINE)}
    table |= {n for row in re.findall(r"^\| `([A-Z_`, ]+)` \|", readme, re.MULTILINE)
              for n in re.findall(r"[A-Z_]+", row)}  # fmt: skip
    assert setting_names() - table == set()


def test_the_docs_name_every_command_of_operations() -> None:
    operations = (Path(PROJECT_ROOT) / "docs" / "operations.md").read_text(encoding="utf-8")
    for command in (
        "maintenance on",
        "maintenance off",
        "retention run",
        "python -m bot backup",
        "python -m bot restore",
        "/readyz",
        "/metrics",
    ):
        assert command in operations, command
