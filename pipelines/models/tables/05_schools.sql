-- State-funded schools: the DfE register when loaded (source = 'dfe_gias'), generated sample
-- schools otherwise (is_sample). hub_id is the hub of the school's district.
CREATE TABLE schools (
    urn BIGINT PRIMARY KEY,
    name VARCHAR NOT NULL,
    phase VARCHAR,            -- our vocabulary: early_years, primary, secondary, post16; NULL = other
    gias_phase VARCHAR,
    school_type_group VARCHAR,
    town VARCHAR,
    postcode VARCHAR,
    la_name VARCHAR,
    lad_code VARCHAR,
    region_name VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    pupils INTEGER,
    hub_id VARCHAR,
    source VARCHAR NOT NULL,
    is_sample BOOLEAN NOT NULL
);
