"""The command line: one module per command (``sgsim --help`` lists them)."""

from sgsim.cli.main import main

__all__ = ["main"]
