"""The hook hypothesis loads through its ``hypothesis`` entry point.

It lives apart from :mod:`orderkit.testing.strategies` and imports nothing at
module level, because hypothesis runs its entry points while it is itself
being imported: if the first import of hypothesis comes from our strategies
package, that package is only half built when the hook runs, and it then
registers its types itself at the end of its import.
"""

from __future__ import annotations

import sys


def _hypothesis_setup_hook() -> None:
    """Register every orderkit type with ``st.from_type`` (called by hypothesis)."""
    module = sys.modules.get("orderkit.testing.strategies")
    if module is not None and not hasattr(module, "register_type_strategies"):
        return  # half imported: it registers itself when its import finishes
    from orderkit.testing.strategies import register_type_strategies  # noqa: PLC0415

    register_type_strategies()
