-- Controlled vocabularies with their display labels (data/reference/vocabularies.csv).
CREATE TABLE vocabularies (
    vocabulary VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    aliases VARCHAR,
    sort_order INTEGER,
    description VARCHAR,
    PRIMARY KEY (vocabulary, code)
);
