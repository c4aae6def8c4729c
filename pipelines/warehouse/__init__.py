"""The published warehouse: versioned DuckDB snapshot files behind an atomically flipped pointer."""
