"""reelkit against its peers, side by side: run on demand, never collected by pytest.

``uv run --group bench python -m tests.benchmarks`` runs everything and writes
``docs/benchmarks.md``. No file here is named ``test_*.py``, so the default ``uv run pytest``
never collects (or times) any of it.
"""
