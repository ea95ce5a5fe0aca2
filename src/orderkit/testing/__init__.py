"""Test kit for hosts and adapter authors: hypothesis strategies, contract suites, a pytest plugin.

Needs the ``testing`` extra (pytest and hypothesis); the runtime never imports it.
"""
