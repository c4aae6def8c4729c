-- Open geography when loaded: postcode district centroids and district boundaries (GeoJSON text).
CREATE TABLE postcode_districts (
    district VARCHAR PRIMARY KEY,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    country VARCHAR,
    lad_code VARCHAR,
    lad_name VARCHAR,
    region_name VARCHAR
);
CREATE TABLE lad_boundaries (
    lad_code VARCHAR PRIMARY KEY,
    lad_name VARCHAR NOT NULL,
    geometry VARCHAR NOT NULL
);
