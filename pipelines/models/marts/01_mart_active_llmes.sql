-- Active LLMEs: one row per LLME per academic year in which they were active (grain: llme_id,
-- year_start), for every year in academic_years. No names or emails. "Active" is the macro
-- llme_active_in (models/macros/llme_active_in.sql). Every count of active LLMEs on any page is a
-- count of rows here.
CREATE OR REPLACE VIEW mart_active_llmes AS
SELECT l.llme_id, l.hub_id, h.region, y.year_start, y.academic_year,
       l.roles, l.phases, l.accreditations, l.is_sample
FROM llmes AS l
JOIN hubs AS h USING (hub_id)
JOIN academic_years AS y ON llme_active_in(l.first_year_start, l.last_year_start, y.year_start);
