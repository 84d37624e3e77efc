"""Publishing: the first index generation, an amended law published behind the regression gate
(build with only changed units embedded, gate, switch), a recorded event, and a text held by the
gate. Runs on a throwaway data directory; the tests' own texts (tests/editing_support.py)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import markdown_table
from bot.runtime import opened_library
from bot.settings import Settings
from tests.editing_support import amended_law_text, truncated_law_text


async def measure(data_dir: Path) -> list[list[object]]:
    rows: list[list[object]] = []
    async with opened_library(Settings(data_dir=data_dir)) as library:
        started = time.perf_counter()
        generation, kb = await library.open_active()
        rows.append(
            [
                "first generation (parse, embed, write)",
                f"{time.perf_counter() - started:.1f} s",
                f"{kb.last_sync.embedded} units embedded",
            ]
        )

        draft = await library.import_file("luat.txt", amended_law_text().encode(), "bench")
        started = time.perf_counter()
        outcome = await library.publish_draft(draft.id, "bench")
        assert outcome.published and outcome.kb is not None and outcome.gate is not None
        sync = outcome.kb.last_sync
        rows.append(
            [
                "publish one amended clause: whole publish",
                f"{time.perf_counter() - started:.1f} s",
                f"generation {generation} → {outcome.generation}",
            ]
        )
        rows.append(
            [
                "… of which building the candidate",
                f"{outcome.kb.last_sync_seconds:.1f} s",
                f"{sync.embedded} embedded, {sync.added - sync.embedded} copied",
            ]
        )
        rows.append(
            [
                "… regression gate Recall@3 before → after",
                f"{outcome.gate.before:.3f} → {outcome.gate.after:.3f}",
                f"{len(outcome.gate.worse)} questions worse",
            ]
        )

        started = time.perf_counter()
        event = await library.record_event(
            "55/2024/NĐ-CP",
            "repealed",
            outcome.kb.corpus.documents["55/2024/NĐ-CP"].effective,
            "",
            "bench",
        )
        rows.append(
            [
                "record a repeal (new generation, no gate)",
                f"{time.perf_counter() - started:.1f} s",
                f"{event.kb.last_sync.embedded if event.kb else 0} embedded",
            ]
        )

        draft = await library.import_file("luat-cat.txt", truncated_law_text().encode(), "bench")
        started = time.perf_counter()
        held = await library.publish_draft(draft.id, "bench")
        assert not held.published and held.gate is not None
        rows.append(
            [
                "an incomplete text: held by the gate",
                f"{time.perf_counter() - started:.1f} s",
                f"Recall@3 {held.gate.before:.3f} → {held.gate.after:.3f}, "
                f"{len(held.gate.worse)} questions worse",
            ]
        )
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        rows = asyncio.run(measure(Path(work)))
    sys.stdout.write(markdown_table(["step", "time", "detail"], rows) + "\n")


if __name__ == "__main__":
    main()
