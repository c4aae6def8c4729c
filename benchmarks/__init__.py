"""Benchmarks for Maths Hubs Atlas (`make bench` = `python -m benchmarks`).

One module per figure group: `ingest`, `build`, `pages`, `memory_concurrency`; shared pieces in
`common` (settings, figures, alternating runs), `data` (generated inputs), `profiling`
(pyinstrument on misses) and `report` (report.md and report.json in benchmarks/out/).
"""
