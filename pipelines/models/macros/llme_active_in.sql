-- The definition of an active LLME: active in academic year y (a start year) when their first
-- active year is on or before it and they have no last active year or it is on or after y.
CREATE OR REPLACE MACRO llme_active_in(first_year_start, last_year_start, y) AS
    first_year_start <= y AND (last_year_start IS NULL OR y <= last_year_start);
