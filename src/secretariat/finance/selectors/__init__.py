"""Reads, one module per area."""
