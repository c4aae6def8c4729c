-- The operational store: everything the running app and the loaders write (never the warehouse).
-- Portable SQL: the same file runs on SQLite (embedded default) and PostgreSQL (ATLAS_DATABASE_URL).
-- Lists are JSON text; timestamps are UTC without a zone.

-- Every view or download of named LLME data: who, what, when, and which replica served it.
CREATE TABLE IF NOT EXISTS access_log (
    accessed_at TIMESTAMP NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    what TEXT NOT NULL,
    hub_ids TEXT NOT NULL,
    rows BIGINT NOT NULL,
    replica TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_at ON access_log (accessed_at);

-- Finder searches that found nothing: filters and a postcode district only, never a person.
CREATE TABLE IF NOT EXISTS unmet_demand (
    logged_at TIMESTAMP NOT NULL,
    phases TEXT NOT NULL,
    programmes TEXT NOT NULL,
    delivery TEXT NOT NULL,
    hubs TEXT NOT NULL,
    year_start INTEGER,
    date_from DATE,
    date_to DATE,
    open_only BOOLEAN NOT NULL,
    has_places BOOLEAN NOT NULL,
    postcode_district TEXT,
    area_hub_id TEXT,
    radius_miles INTEGER,
    replica TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unmet_demand_at ON unmet_demand (logged_at);

-- The journal of every load attempt (CLI, loader or build), rejected ones included: a rejected
-- load never reaches a snapshot, so this is the only place it is kept.
CREATE TABLE IF NOT EXISTS load_runs (
    finished_at TIMESTAMP NOT NULL,
    entity TEXT NOT NULL,
    file TEXT NOT NULL,
    status TEXT NOT NULL,
    received BIGINT NOT NULL,
    loaded BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    message TEXT NOT NULL,
    snapshot TEXT,
    unchanged BOOLEAN NOT NULL,
    duration_s DOUBLE PRECISION NOT NULL,
    upload_id TEXT,
    host TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS load_runs_at ON load_runs (finished_at);

-- Files uploaded on the "Load a file" page, handed to the loader: queued -> running -> done | failed.
CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by TEXT NOT NULL,
    entity TEXT NOT NULL,
    file_name TEXT NOT NULL,
    stored_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    strict BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    claimed_by TEXT,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    message TEXT,
    result TEXT
);
CREATE INDEX IF NOT EXISTS uploads_status ON uploads (status, uploaded_at);
