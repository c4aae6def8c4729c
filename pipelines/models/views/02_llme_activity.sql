-- One row per LLME per academic year in which they were active (no names or emails).
-- Active in a year = first_active_year <= year and (no last_active_year or year <= it).
CREATE VIEW llme_activity AS
SELECT l.llme_id, l.hub_id, y.year_start, y.academic_year, l.roles, l.phases, l.accreditations, l.is_sample
FROM llmes AS l
JOIN academic_years AS y
  ON y.year_start >= l.first_year_start
 AND (l.last_year_start IS NULL OR y.year_start <= l.last_year_start);
