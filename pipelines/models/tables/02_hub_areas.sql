-- Every English local authority district with exactly one hub (data/reference/hub_areas.csv).
CREATE TABLE hub_areas (
    lad_code VARCHAR PRIMARY KEY,
    lad_name VARCHAR NOT NULL,
    ctyua_code VARCHAR,
    ctyua_name VARCHAR,
    region_code VARCHAR,
    region_name VARCHAR,
    hub_id VARCHAR NOT NULL,
    provenance VARCHAR NOT NULL,
    rule VARCHAR,
    source_url VARCHAR,
    confidence VARCHAR,
    centroid_lat DOUBLE,
    centroid_lon DOUBLE,
    postcode_district VARCHAR
);
