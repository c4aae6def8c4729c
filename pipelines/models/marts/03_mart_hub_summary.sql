-- Each hub in each academic year (grain: hub_id, year_start): its facts for the map, active LLMEs,
-- schools reached, state-funded schools in its area and Work Groups. Zeros, not gaps, where a hub
-- has nothing that year. The LLME target (50 per hub) is applied by the dashboard.
CREATE OR REPLACE VIEW mart_hub_summary AS
WITH llme AS (
    SELECT hub_id, year_start, count(*) AS active_llmes FROM mart_active_llmes GROUP BY ALL
), reach AS (
    SELECT hub_id, year_start, count(*) AS schools_reached FROM mart_schools_reached GROUP BY ALL
), wg AS (
    SELECT hub_id, year_start, count(*) AS work_groups FROM work_groups GROUP BY ALL
), area AS (
    SELECT hub_id, count(*) AS schools_in_area FROM schools WHERE hub_id IS NOT NULL GROUP BY ALL
)
SELECT h.hub_id, y.year_start, y.academic_year,
       h.name, h.region, h.lead_schools, h.town, h.website,
       h.map_latitude, h.map_longitude, h.map_point_source, h.confidence,
       coalesce(llme.active_llmes, 0) AS active_llmes,
       coalesce(area.schools_in_area, 0) AS schools_in_area,
       coalesce(reach.schools_reached, 0) AS schools_reached,
       coalesce(wg.work_groups, 0) AS work_groups
FROM hubs AS h
CROSS JOIN academic_years AS y
LEFT JOIN llme ON llme.hub_id = h.hub_id AND llme.year_start = y.year_start
LEFT JOIN reach ON reach.hub_id = h.hub_id AND reach.year_start = y.year_start
LEFT JOIN wg ON wg.hub_id = h.hub_id AND wg.year_start = y.year_start
LEFT JOIN area ON area.hub_id = h.hub_id;
