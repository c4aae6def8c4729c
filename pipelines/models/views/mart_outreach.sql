-- Outreach for hub leads and coordinators (never a public page).
--
-- mart_school_outreach(hub, phase, this_year): every state-funded school of that phase in the hub's
-- area, with the last academic year it took part in any Work Group (of any hub), this year's nearest
-- face-to-face or blended Work Group of its phase (any hub: both meet at a venue), and whether an
-- online one of its phase runs this year. `this_year` is the current academic year's start year
-- (pipelines/domain.py current_year_start: the year containing the build's today). A table macro,
-- not a view: the schools are narrowed to one hub and phase before any distance is worked out
-- (~500 schools x ~1,000 venues, not all of England). Distances: the haversine_miles macro.
CREATE OR REPLACE MACRO mart_school_outreach(hub, phase_code, this_year) AS TABLE
WITH this AS (
    SELECT this_year AS year_start
),
picked AS (
    SELECT urn, name, phase, la_name, lad_code, pupils, postcode, latitude, longitude
    FROM schools
    WHERE hub_id = hub AND phase = phase_code
),
last_taken AS (
    SELECT pa.school_urn AS urn, max(w.year_start) AS last_year_start
    FROM participations AS pa
    JOIN work_groups AS w USING (work_group_id)
    WHERE pa.school_urn IN (SELECT urn FROM picked)
    GROUP BY ALL
),
venues AS (
    SELECT w.work_group_id, w.title, w.venue_latitude, w.venue_longitude
    FROM work_groups AS w, this AS t
    WHERE w.year_start = t.year_start AND w.delivery <> 'online' AND w.venue_latitude IS NOT NULL
      AND list_contains(w.phases, phase_code)
),
nearest AS (
    SELECT
        p.urn,
        min(haversine_miles(p.latitude, p.longitude, v.venue_latitude, v.venue_longitude)) AS nearest_miles,
        -- ties broken by Work Group id, so the same title comes back on every run
        arg_min(
            struct_pack(title := v.title, id := v.work_group_id),
            (haversine_miles(p.latitude, p.longitude, v.venue_latitude, v.venue_longitude), v.work_group_id)
        ) AS nearest
    FROM picked AS p, venues AS v
    WHERE p.latitude IS NOT NULL
    GROUP BY p.urn
)
SELECT
    hub AS hub_id, p.urn, p.name AS school, p.phase, p.la_name, p.lad_code, p.pupils, p.postcode,
    p.latitude, p.longitude, l.last_year_start,
    n.nearest_miles, n.nearest.title AS nearest_work_group, n.nearest.id AS nearest_work_group_id,
    EXISTS (
        SELECT 1 FROM work_groups AS w, this AS t
        WHERE w.year_start = t.year_start AND w.delivery = 'online' AND list_contains(w.phases, phase_code)
    ) AS online_available,
    this_year AS this_year_start
FROM picked AS p
LEFT JOIN last_taken AS l USING (urn)
LEFT JOIN nearest AS n USING (urn);
