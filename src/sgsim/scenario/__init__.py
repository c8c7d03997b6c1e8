"""Scenario files: the schema of a pathway, its loading and validation, distributions."""
