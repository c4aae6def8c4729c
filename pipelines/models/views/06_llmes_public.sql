-- LLMEs without personal data (no name, no email): what any aggregate page may read.
CREATE OR REPLACE VIEW llmes_public AS
SELECT llme_id, hub_id, school_urn, roles, phases, accreditations,
       first_active_year, last_active_year, first_year_start, last_year_start, is_sample
FROM llmes;
