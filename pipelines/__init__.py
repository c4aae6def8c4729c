"""Maths Hubs Atlas pipelines: read export files, validate every row, publish DuckDB snapshots."""
