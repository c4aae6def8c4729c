-- Every academic year the data speaks of, and the current one (recorded by the build from
-- pipelines/domain.py, so it is offered before any of its data is loaded), as a start year and a
-- label (2025 -> '2025/26').
CREATE OR REPLACE VIEW academic_years AS
SELECT y AS year_start, academic_year_label(y) AS academic_year
FROM (
    SELECT DISTINCT year_start AS y FROM work_groups
    UNION
    SELECT DISTINCT first_year_start FROM llmes
    UNION
    SELECT try_cast(value AS INTEGER) FROM build_info WHERE key = 'current_year_start'
)
WHERE y IS NOT NULL;
