"""Sphinx configuration: furo theme, MyST markdown, Google-style docstrings through napoleon."""

import importlib.metadata
import re
from pathlib import Path

from sphinx.application import Sphinx

project = "orderkit"
author = "orderkit developers"
copyright = "2026, orderkit developers"
release = importlib.metadata.version("orderkit")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
root_doc = "index"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

html_theme = "furo"
html_title = "orderkit"


# The index's toctree names every planned page in reading order. Pages that are
# not written yet are left out of the build (instead of failing it under -W),
# and any page that exists but is not named is appended, so adding
# docs/<capability>.md is enough for it to appear.
_HERE = Path(__file__).parent
_TOCTREE = re.compile(r"(```\{toctree\}\n(?::[^\n]*\n)*\n?)(.*?)(```)", re.DOTALL)


def _existing_pages() -> set[str]:
    pages = set()
    for path in _HERE.rglob("*"):
        if path.suffix in (".md", ".rst") and "_build" not in path.parts:
            pages.add(path.relative_to(_HERE).with_suffix("").as_posix())
    return pages - {"index"}


def _filter_toctree(app: Sphinx, docname: str, source: list[str]) -> None:
    if docname != "index":
        return
    existing = _existing_pages()

    def rewrite(match: re.Match[str]) -> str:
        planned = [line.strip() for line in match.group(2).splitlines() if line.strip()]
        kept = [page for page in planned if page in existing]
        extra = sorted(existing - set(planned))
        return match.group(1) + "".join(f"{page}\n" for page in [*kept, *extra]) + match.group(3)

    source[0] = _TOCTREE.sub(rewrite, source[0], count=1)


def _reread_index(*_: object) -> list[str]:
    # The filtered toctree depends on which pages exist, which Sphinx's cache does not track.
    return ["index"]


def setup(app: Sphinx) -> None:
    app.connect("source-read", _filter_toctree)
    app.connect("env-get-outdated", _reread_index)
