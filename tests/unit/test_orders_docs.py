"""docs/orders.md shows the standard lifecycle exactly as ``to_mermaid()`` draws it."""

from __future__ import annotations

import re
from pathlib import Path

from orderkit.orders import STANDARD_LIFECYCLE

PAGE = Path(__file__).resolve().parents[2] / "docs" / "orders.md"


def _mermaid_blocks(text: str) -> list[str]:
    pattern = re.compile(
        r"^```(?:mermaid|\{code-block\} text)\n((?::[^\n]*\n)*)\n?(.*?)^```", re.M | re.S
    )
    return [
        body.rstrip("\n")
        for options, body in pattern.findall(text)
        if "mermaid" in options or body.startswith("stateDiagram")
    ]


def test_the_lifecycle_diagram_is_rendered_from_to_mermaid() -> None:
    blocks = _mermaid_blocks(PAGE.read_text(encoding="utf-8"))
    assert blocks == [STANDARD_LIFECYCLE.to_mermaid()]
