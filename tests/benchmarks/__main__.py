"""``python -m tests.benchmarks``: run every benchmark and write docs/benchmarks.md."""

from tests.benchmarks.run import main

raise SystemExit(main())
