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
    snapshot VARCHAR
);
-- Rows that failed a rule: file, row, column, rule, plain reason and the raw values as typed.
CREATE TABLE quarantine (
    run_id BIGINT NOT NULL,
    entity VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    hub_id VARCHAR,
    row_number BIGINT NOT NULL,
    column_name VARCHAR,
    rule VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    raw VARCHAR
);
-- Key facts about the build: sample scale, whether open data is loaded, built_at.
CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR);
