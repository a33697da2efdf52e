"""Matching runs: every execution of a matching task, for coordinators to see."""
