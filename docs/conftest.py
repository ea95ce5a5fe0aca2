"""pytest runs the ``>>>`` examples of these pages; the Sphinx files are not tests."""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*"]
