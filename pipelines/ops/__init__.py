"""Operational data: what the running app and the loaders write (see `store` for the two backends)."""
