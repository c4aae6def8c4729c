-- Active LLMEs by hub x phase x academic year (an LLME counts once in each phase they lead).
CREATE OR REPLACE VIEW active_llmes_by_hub_phase AS
SELECT a.hub_id, a.academic_year, a.year_start, p.phase, count(DISTINCT a.llme_id) AS active_llmes
FROM llme_activity AS a, unnest(a.phases) AS p(phase)
GROUP BY ALL;
