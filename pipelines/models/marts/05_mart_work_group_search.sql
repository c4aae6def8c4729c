-- What the Work Group finder and the hub profile search (grain: work_group_id): one row per Work
-- Group with its hub, programme and dates.
CREATE OR REPLACE VIEW mart_work_group_search AS
SELECT
    w.work_group_id, w.hub_id, h.name AS hub_name, h.website AS hub_website,
    w.academic_year, w.year_start, w.project_code, w.programme_id,
    coalesce(p.name, w.programme) AS programme_name, p.pd_kind,
    w.title, w.phases, w.delivery, w.venue_name, w.venue_postcode,
    w.venue_latitude, w.venue_longitude, w.venue_location_source,
    w.session_dates, len(w.session_dates) AS n_sessions,
    list_min(w.session_dates) AS first_session, list_max(w.session_dates) AS last_session,
    w.capacity, w.places_left, w.status, w.booking_url, w.cost_note, w.eligibility, w.is_sample
FROM work_groups AS w
JOIN hubs AS h USING (hub_id)
LEFT JOIN programmes AS p USING (programme_id);
