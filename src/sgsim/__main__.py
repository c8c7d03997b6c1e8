"""Allow ``python -m sgsim``."""

from sgsim.cli import main

raise SystemExit(main())
