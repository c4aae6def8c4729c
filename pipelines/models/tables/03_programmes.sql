-- The Work Group / programme catalogue (data/reference/programmes.csv).
CREATE TABLE programmes (
    programme_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    phases VARCHAR[],
    typical_sessions INTEGER,
    delivery VARCHAR[],
    audience VARCHAR,
    pd_kind VARCHAR,
    cost_note VARCHAR,
    project_code_examples VARCHAR,
    description VARCHAR,
    source_urls VARCHAR,
    confidence VARCHAR
);
