-- One row per ingest run (and one per build), with the file's hash and row accounting.
CREATE TABLE load_log (
    run_id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL,          -- ingest | build | reference
    entity VARCHAR,
    file_name VARCHAR,
    sha256 VARCHAR,
    started_at TIMESTAMP NOT NULL,
    duration_s DOUBLE NOT NULL,
    status VARCHAR NOT NULL,        -- loaded | rejected
    received BIGINT NOT NULL,
    loaded BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    extra_columns VARCHAR,
    message VARCHAR,
    snapshot VARCHAR,
    landed_file VARCHAR             -- the copy in landed/ that a rebuild replays (ingest only)
);
-- The quarantine queue: rows that failed a rule and are still waiting (file, row, column, rule,
-- plain reason, the raw values as typed). A row leaves it when its key is loaded later, when its
-- file is loaded again (the new load's rows replace it), or when a participation's Work Group
-- arrives and the retried row passes; it then moves to quarantine_resolved.
CREATE TABLE quarantine (
    run_id BIGINT NOT NULL,
    entity VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    hub_id VARCHAR,
    row_number BIGINT NOT NULL,
    column_name VARCHAR,
    rule VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    raw VARCHAR,
    record_key VARCHAR
);
CREATE TABLE quarantine_resolved AS SELECT *, NULL::BIGINT AS resolved_by_run FROM quarantine WHERE false;
-- Key facts about the build: sample scale, whether open data is loaded, built_at.
CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR);
