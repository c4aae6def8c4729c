-- Schools reached by hub x school phase x academic year: distinct schools that took part in at
-- least one of the hub's Work Groups that year. The denominator is schools_by_hub_phase.
CREATE OR REPLACE VIEW schools_reached AS
SELECT w.hub_id, w.academic_year, w.year_start, s.phase, count(DISTINCT pa.school_urn) AS schools_reached
FROM participations AS pa
JOIN work_groups AS w USING (work_group_id)
JOIN schools AS s ON s.urn = pa.school_urn
GROUP BY ALL;

CREATE OR REPLACE VIEW schools_by_hub_phase AS
SELECT hub_id, phase, count(*) AS schools
FROM schools
WHERE hub_id IS NOT NULL
GROUP BY ALL;
