"""Benchmarks are never tests: pytest collects nothing here, even when pointed at bench/."""

collect_ignore_glob = ["*.py"]
