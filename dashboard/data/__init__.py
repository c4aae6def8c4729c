"""Data access for the dashboard: every SQL query the pages run lives in this package."""
