-- England in each academic year (grain: year_start): the national map's key figures. Hubs running
-- Work Groups, active LLMEs (each once), schools reached (each once, whichever hubs reached it),
-- all state-funded schools, and Work Groups.
CREATE OR REPLACE VIEW mart_national_summary AS
SELECT y.year_start, y.academic_year,
    (SELECT count(*) FROM hubs) AS hubs,
    (SELECT count(DISTINCT w.hub_id) FROM work_groups AS w WHERE w.year_start = y.year_start)
        AS hubs_reporting,
    (SELECT count(*) FROM mart_active_llmes AS a WHERE a.year_start = y.year_start) AS active_llmes,
    (SELECT count(DISTINCT r.school_urn) FROM mart_schools_reached AS r WHERE r.year_start = y.year_start)
        AS schools_reached,
    (SELECT count(*) FROM schools) AS schools,
    (SELECT count(*) FROM work_groups AS w WHERE w.year_start = y.year_start) AS work_groups
FROM academic_years AS y;
