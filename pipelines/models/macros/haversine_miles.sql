-- Great-circle distance in miles between two points given in degrees, on a sphere of radius
-- 3,958.7613 miles (pipelines/domain.py EARTH_RADIUS_MILES; a test checks they agree).
CREATE OR REPLACE MACRO haversine_miles(lat1, lon1, lat2, lon2) AS
    2 * 3958.7613 * asin(least(1, sqrt(
        sin(radians(lat2 - lat1) / 2) ** 2
        + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ** 2)));
