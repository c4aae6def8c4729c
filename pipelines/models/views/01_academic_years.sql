-- Every academic year the data speaks of, as a start year and a label (2025 -> '2025/26').
CREATE OR REPLACE VIEW academic_years AS
SELECT y AS year_start, academic_year_label(y) AS academic_year
FROM (
    SELECT DISTINCT year_start AS y FROM work_groups
    UNION
    SELECT DISTINCT first_year_start FROM llmes
);
