"""Analysis: pure functions from event logs to metrics, summaries, comparisons, run length."""
