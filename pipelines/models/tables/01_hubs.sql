-- The 40 Maths Hubs (reference facts, data/reference/hubs.csv). map_* is where the map draws the
-- hub: its lead school when known, otherwise the centre of its districts (marked 'estimated').
CREATE TABLE hubs (
    hub_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    former_names VARCHAR,
    lead_schools VARCHAR,
    lead_school_urns VARCHAR,
    lead_school_source VARCHAR,
    town VARCHAR,
    region VARCHAR,
    website VARCHAR,
    website_source VARCHAR,
    lead_school_postcode VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    location_source VARCHAR,
    areas_summary VARCHAR,
    status VARCHAR,
    confidence VARCHAR,
    source_urls VARCHAR,
    notes VARCHAR,
    map_latitude DOUBLE,
    map_longitude DOUBLE,
    map_point_source VARCHAR
);
