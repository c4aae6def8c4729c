-- Schools taking part in Work Groups.
CREATE TABLE participations (
    work_group_id VARCHAR NOT NULL,
    school_urn BIGINT NOT NULL,
    teachers INTEGER NOT NULL,
    stage VARCHAR,
    is_sample BOOLEAN NOT NULL,
    run_id BIGINT,
    PRIMARY KEY (work_group_id, school_urn)
);
