-- Schools reached: one row per hub, academic year and school (grain: hub_id, year_start,
-- school_urn). A school is reached by a hub in a year when it took part in at least one of that
-- hub's Work Groups that year. England's count for a year is count(DISTINCT school_urn): a school
-- reached by two hubs counts once. area_hub_id is the hub whose area the school is in (it may
-- differ: schools may work with any hub).
CREATE OR REPLACE VIEW mart_schools_reached AS
SELECT DISTINCT w.hub_id, w.year_start, w.academic_year, pa.school_urn,
       s.hub_id AS area_hub_id, s.phase, s.la_name
FROM participations AS pa
JOIN work_groups AS w USING (work_group_id)
LEFT JOIN schools AS s ON s.urn = pa.school_urn;
