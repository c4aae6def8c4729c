-- Work Groups. venue_* coordinates are filled at publish time from the best location known
-- (the school register's exact postcode, else the postcode district centroid).
CREATE TABLE work_groups (
    work_group_id VARCHAR NOT NULL,
    hub_id VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,
    year_start INTEGER NOT NULL,
    project_code VARCHAR,
    programme_id VARCHAR,
    programme VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    phases VARCHAR[] NOT NULL,
    delivery VARCHAR NOT NULL,
    venue_name VARCHAR,
    venue_postcode VARCHAR,
    session_dates DATE[] NOT NULL,
    capacity INTEGER,
    places_left INTEGER,
    status VARCHAR NOT NULL,
    booking_url VARCHAR,
    cost_note VARCHAR,
    eligibility VARCHAR,
    venue_latitude DOUBLE,
    venue_longitude DOUBLE,
    venue_location_source VARCHAR,
    is_sample BOOLEAN NOT NULL,
    run_id BIGINT
);
-- No PRIMARY KEY (see participations): the key is enforced by the contract and the upsert.
