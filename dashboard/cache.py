"""The dashboard's cache policies, each named once. Every cached query function uses one of them.

Results never outlive a snapshot: the connection in dashboard/data/db.py clears every cached
result when a load publishes a new one, so the time limits only bound memory and stale reads.
"""

from __future__ import annotations

REFERENCE = {"ttl": "1h", "max_entries": 4}  # facts that change only with a build: hubs, years, areas
QUERY = {"ttl": "1h", "max_entries": 64}  # a page's figures for its filters
SEARCH = {"ttl": "10m", "max_entries": 256}  # what people type: places, school names
SIGNED_IN = {"ttl": "10m", "max_entries": 64}  # rosters, quarantine and outreach behind sign-in
