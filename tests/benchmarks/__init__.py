"""reelkit against its peers, side by side: run on demand, never timed by pytest.

``uv run --group bench python -m tests.benchmarks`` runs everything and writes
``docs/benchmarks.md``. The one test module here, ``test_report.py``, checks the page's
arithmetic on results written out by hand; pytest never runs (or times) a benchmark.
"""
