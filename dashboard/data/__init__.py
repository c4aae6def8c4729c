"""Data access for the dashboard: every SQL query the pages run lives in this package, one module
per page (national_map, coverage, hub_profile, about, finder, outreach, restricted) plus `common`
(build facts, hubs, years, vocabularies). Queries select from the published models in
pipelines/models/marts (one hop from a query function to the SQL that defines each figure);
display helpers live on the UI side (dashboard/present.py).

Every SQL statement takes its inputs as parameters; no user text is ever formatted into SQL.
LLMEs are only read through `mart_active_llmes` and `llmes_public` (never the names or emails in
`llmes`), except by the signed-in roster (restricted.py). Every count of people or schools leaves
through `privacy.public_view()` (the one small-number suppression rule), with `exact` (the
viewer's `exact_numbers`) a parameter of each cached function so that the cache keeps public and
exact results apart. Counts of Work Groups (public events) and of schools in an area (the public
GIAS register) are not suppressed. Cache policies are named once in dashboard/cache.py.
"""
