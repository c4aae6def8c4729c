-- LLMEs. full_name and email are personal data: public views never select them.
CREATE TABLE llmes (
    llme_id VARCHAR NOT NULL,
    hub_id VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    email VARCHAR,
    school_urn BIGINT,
    school_name VARCHAR,
    roles VARCHAR[] NOT NULL,
    phases VARCHAR[] NOT NULL,
    accreditations VARCHAR[] NOT NULL,
    first_active_year VARCHAR NOT NULL,
    last_active_year VARCHAR,
    first_year_start INTEGER NOT NULL,
    last_year_start INTEGER,
    is_sample BOOLEAN NOT NULL,
    run_id BIGINT
);
-- No PRIMARY KEY (see participations): the key is enforced by the contract and the upsert.
