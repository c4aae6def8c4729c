-- One row per LLME per academic year in which they were active (no names or emails), for every
-- year in academic_years. "Active" is the macro llme_active_in (models/macros/llme_active_in.sql).
CREATE OR REPLACE VIEW llme_activity AS
SELECT l.llme_id, l.hub_id, y.year_start, y.academic_year, l.roles, l.phases, l.accreditations, l.is_sample
FROM llmes AS l
JOIN academic_years AS y ON llme_active_in(l.first_year_start, l.last_year_start, y.year_start);
