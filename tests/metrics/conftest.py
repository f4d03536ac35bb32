"""Metric test fixtures: the vendored ``evaluate`` scripts are references, not tests."""

collect_ignore = ["evaluate_reference"]
