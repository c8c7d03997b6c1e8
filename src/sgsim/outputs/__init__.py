"""Outputs: tables, files, figures, the HTML report, describe, STRESS: formatting only."""
