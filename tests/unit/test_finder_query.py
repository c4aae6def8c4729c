"""The finder's SQL on real DuckDB: an in-memory warehouse with the real schema (pipelines/models)
filled with known rows, plus checks on the built sample warehouse. No mocks.

Known points are real ONS postcode-district centroids (../shared/data/geo/postcode_districts.csv).
"""

from __future__ import annotations

import math
import threading
from dataclasses import replace
from datetime import date, datetime

import duckdb
import pytest

from dashboard.data import demand
from dashboard.data import finder as F
from dashboard.data.finder_params import ALL_YEARS, Filters, parse_params
from pipelines.config import paths
from pipelines.ops.store import open_store
from pipelines.warehouse.store import apply_models, current_snapshot

# district -> (lat, lon, country, lad_code), as published by ONS (May 2025)
CENTROIDS = {
    "GL55": (52.06179, -1.77146, "England", "E07000079"),
    "GL56": (51.99026, -1.70395, "England", "E07000079"),
    "GL50": (51.90147, -2.08147, "England", "E07000078"),
    "OX1": (51.74693, -1.26229, "England", "E07000178"),
    "B1": (52.47961, -1.90783, "England", "E08000025"),
    "NE1": (54.97251, -1.61303, "England", "E08000021"),
    "SW1A": (51.50197, -0.13386, "England", "E09000033"),
    "EH1": (55.95226, -3.19212, "Scotland", None),
}
HUBS = {  # hub -> (name, map point, districts it serves)
    "alpha": ("Alpha Maths Hub", CENTROIDS["GL50"][:2], {"E07000078": "Cheltenham", "E07000079": "Cotswold"}),
    "beta": ("Beta Maths Hub", CENTROIDS["OX1"][:2], {"E07000178": "Oxford"}),
    "gamma": ("Gamma Maths Hub", CENTROIDS["NE1"][:2], {"E08000021": "Newcastle upon Tyne"}),
    "delta": ("Delta Maths Hub", CENTROIDS["B1"][:2], {"E08000025": "Birmingham"}),
}


def wg(
    wg_id,
    hub,
    venue,
    phases=("secondary",),
    delivery="face_to_face",
    status="open",
    places=5,
    year=2026,
    first=date(2026, 12, 1),
    title=None,
    programme="prog-a",
):
    lat, lon = (None, None) if venue is None else CENTROIDS[venue][:2]
    return {
        "work_group_id": wg_id,
        "hub_id": hub,
        "academic_year": f"{year}/{(year + 1) % 100:02d}",
        "year_start": year,
        "project_code": "NCP26-01",
        "programme_id": programme,
        "programme": programme,
        "title": title or f"Work Group {wg_id}",
        "phases": list(phases),
        "delivery": delivery,
        "venue_name": None if venue is None else f"School in {venue}",
        "venue_postcode": None if venue is None else f"{venue} 1AA",
        "session_dates": [first, date(first.year + (first.month == 12), first.month % 12 + 1, 1)],
        "capacity": 20,
        "places_left": places,
        "status": status,
        "booking_url": f"https://hub.example/{wg_id}",
        "cost_note": "Free",
        "eligibility": "Teachers",
        "venue_latitude": lat,
        "venue_longitude": lon,
        "venue_location_source": None if venue is None else "test",
        "is_sample": False,
        "run_id": 1,
    }


WORK_GROUPS = [
    wg("near-gl55", "alpha", "GL56", first=date(2026, 12, 3), title="bravo group"),
    wg(
        "cheltenham",
        "alpha",
        "GL50",
        phases=("primary", "secondary"),
        first=date(2026, 11, 30),
        title="Alpha group",
    ),
    wg("oxford", "beta", "OX1", status="full", places=0, first=date(2027, 1, 10), title="charlie group"),
    wg("birmingham", "delta", "B1", delivery="blended", phases=("post16",), places=None, title="delta group"),
    wg("newcastle", "gamma", "NE1", status="closed", places=None, programme="prog-b", title="Echo group"),
    wg("online-alpha", "alpha", None, delivery="online", first=date(2027, 2, 1), title="Online alpha"),
    wg(
        "online-gamma",
        "gamma",
        None,
        delivery="online",
        phases=("early_years", "primary", "secondary", "post16"),
        title="Online gamma",
    ),
    wg("old-year", "alpha", "GL56", year=2025, first=date(2025, 10, 1), title="Last year's group"),
    wg("no-venue", "beta", None, title="Venue unknown"),
]


def haversine_miles(lat1, lon1, lat2, lon2) -> float:
    """The reference: Python's own great-circle distance (mean Earth radius 3,958.8 miles)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 3958.7613 * math.asin(math.sqrt(a))


def _fill(con, with_directory: bool = True) -> None:
    apply_models(con)
    for hub, (name, (lat, lon), lads) in HUBS.items():
        con.execute(
            "INSERT INTO hubs (hub_id, name, website, map_latitude, map_longitude) VALUES (?, ?, ?, ?, ?)",
            [hub, name, f"https://{hub}.example/", lat, lon],
        )
        for lad, lad_name in lads.items():
            district = next(d for d, v in CENTROIDS.items() if v[3] == lad)
            lat_c, lon_c = CENTROIDS[district][:2]
            con.execute(
                "INSERT INTO hub_areas (lad_code, lad_name, hub_id, provenance, centroid_lat, centroid_lon, "
                "postcode_district) VALUES (?, ?, ?, 'test', ?, ?, ?)",
                [lad, lad_name, hub, lat_c + 0.01, lon_c + 0.01, district],
            )
    if with_directory:
        for district, (lat, lon, country, lad) in CENTROIDS.items():
            con.execute(
                "INSERT INTO postcode_districts (district, latitude, longitude, country, lad_code) "
                "VALUES (?, ?, ?, ?, ?)",
                [district, lat, lon, country, lad],
            )
    con.execute(
        "INSERT INTO schools "
        "(urn, name, town, postcode, lad_code, latitude, longitude, source, is_sample) VALUES "
        "(1, 'Pittville School', 'Cheltenham', 'GL52 3JD', 'E07000078', 51.9135, -2.0598, 'test', false), "
        "(2, 'Balcarras School', 'Cheltenham', 'GL53 8QF', 'E07000078', 51.8786, -2.0423, 'test', false)"
    )
    con.execute(
        "INSERT INTO programmes (programme_id, name, pd_kind) VALUES "
        "('prog-a', 'Programme A', 'sustained_work_group'), ('prog-b', 'Programme B', 'research_group')"
    )
    con.execute(
        "INSERT INTO vocabularies (vocabulary, code, label, sort_order) VALUES "
        "('phase', 'early_years', 'Early Years', 1), ('phase', 'primary', 'Primary', 2), "
        "('phase', 'secondary', 'Secondary', 3), ('phase', 'post16', 'Post-16', 4), "
        "('delivery', 'face_to_face', 'Face-to-face', 1), ('delivery', 'online', 'Online', 2), "
        "('delivery', 'blended', 'Blended', 3), ('status', 'open', 'Open for booking', 1), "
        "('status', 'full', 'Full', 2), ('status', 'closed', 'Closed', 3)"
    )
    con.execute("INSERT INTO build_info VALUES ('today', '2026-11-23')")
    cols = list(WORK_GROUPS[0])
    con.executemany(
        f"INSERT INTO work_groups ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",  # noqa: S608 - test
        [[w[c] for c in cols] for w in WORK_GROUPS],
    )


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    _fill(c)
    yield c
    c.close()


@pytest.fixture(scope="module")
def con_bare():
    """The same rows without the ONS postcode directory (no open data loaded)."""
    c = duckdb.connect()
    _fill(c, with_directory=False)
    yield c
    c.close()


def place(con, text):
    found = F.resolve_place(con, text)
    assert isinstance(found, F.Place), found
    return found


def ids(frame) -> list[str]:
    return frame["work_group_id"].to_list()


# --- Distances ------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["GL55", "SW1A", "NE1", "EH1"])
def test_distances_match_a_python_haversine_reference_within_a_tenth_of_a_mile(con, origin):
    # The core function takes any radius; 10,000 miles reaches every venue in the test warehouse.
    found = F.search(con, Filters(year=ALL_YEARS, radius=10_000), place(con, origin))
    lat, lon = CENTROIDS[origin][:2]
    venues = found.filter(~found["is_online"] & found["venue_latitude"].is_not_null())
    assert venues.height == 6
    for row in venues.iter_rows(named=True):
        expected = haversine_miles(lat, lon, row["venue_latitude"], row["venue_longitude"])
        assert row["distance_miles"] == pytest.approx(expected, abs=0.1)


def test_cheltenham_to_oxford_agrees_with_the_spherical_law_of_cosines(con):
    found = F.search(con, Filters(radius=50), place(con, "GL50"))
    oxford = found.filter(found["work_group_id"] == "oxford").row(0, named=True)
    (la1, lo1), (la2, lo2) = (map(math.radians, CENTROIDS[d][:2]) for d in ("GL50", "OX1"))
    cosines = 3958.7613 * math.acos(
        math.sin(la1) * math.sin(la2) + math.cos(la1) * math.cos(la2) * math.cos(lo2 - lo1)
    )  # an independent formula for the same great circle
    assert oxford["distance_miles"] == pytest.approx(cosines, abs=0.1)
    assert 36 < oxford["distance_miles"] < 37.5  # Cheltenham to Oxford as the crow flies


@pytest.mark.parametrize("miles", [5, 20, 50])
def test_the_maps_radius_ring_lies_at_the_radius(miles):
    from dashboard.charts.finder import radius_ring

    lat, lon = CENTROIDS["GL55"][:2]
    for point in radius_ring(lat, lon, miles):
        assert haversine_miles(lat, lon, point["latitude"], point["longitude"]) == pytest.approx(
            miles, abs=0.1
        )


def test_radius_keeps_only_nearer_venues_and_counts_agree(con):
    where = place(con, "GL55")
    for radius in (5, 10, 20, 50):
        found = F.search(con, Filters(radius=radius), where)
        near = found.filter(~found["is_online"])
        assert all(d <= radius for d in near["distance_miles"])
        assert F.radius_counts(con, Filters(), where)[f"r{radius}"] == found.height
    counts = F.radius_counts(con, Filters(), where)
    assert counts["r5"] <= counts["r10"] <= counts["r20"] <= counts["r50"] <= counts["anywhere"]
    assert counts["unplaced"] == 1  # "no-venue": face-to-face with no known location


# --- Online and cross-phase ------------------------------------------------------------------------


@pytest.mark.parametrize("radius", [5, 10, 20, 50])
def test_online_groups_appear_at_any_radius_without_a_distance(con, radius):
    found = F.search(con, Filters(radius=radius), place(con, "EH1"))  # Edinburgh: nothing in-person near
    assert set(ids(found)) == {"online-alpha", "online-gamma"}
    assert found["distance_miles"].null_count() == found.height
    assert found["is_online"].all()


def test_online_groups_of_the_areas_hub_come_first_then_nearest_hub(con):
    found = F.search(con, Filters(radius=5), place(con, "GL55"))
    online = found.filter(found["is_online"])
    assert ids(online) == ["online-alpha", "online-gamma"]
    assert online["is_area_hub"].to_list() == [True, False]


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        (("primary",), {"cheltenham", "online-gamma"}),
        (
            ("secondary",),
            {"near-gl55", "cheltenham", "oxford", "newcastle", "online-alpha", "online-gamma", "no-venue"},
        ),
        (("post16",), {"birmingham", "online-gamma"}),
        (("early_years",), {"online-gamma"}),
        (("primary", "post16"), {"cheltenham", "birmingham", "online-gamma"}),
    ],
)
def test_cross_phase_groups_match_each_of_their_phases(con, phases, expected):
    assert set(ids(F.search(con, Filters(phases=phases), None))) == expected


# --- Each filter -----------------------------------------------------------------------------------


def test_default_year_is_the_current_one_from_the_builds_today(con):
    assert F.current_year_start(con) == 2026
    assert "old-year" not in ids(F.search(con, Filters(), None))
    assert ids(F.search(con, Filters(year=2025), None)) == ["old-year"]
    assert "old-year" in ids(F.search(con, Filters(year=ALL_YEARS, started=True), None))
    assert "old-year" not in ids(F.search(con, Filters(year=ALL_YEARS), None))  # started: listed when asked
    assert F.search(con, Filters(year=2031), None).is_empty()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(programmes=("prog-b",)), {"newcastle"}),
        (Filters(delivery=("online",)), {"online-alpha", "online-gamma"}),
        (Filters(delivery=("blended", "online")), {"birmingham", "online-alpha", "online-gamma"}),
        (Filters(hubs=("beta",)), {"oxford", "no-venue"}),
        (Filters(hubs=("beta", "gamma")), {"oxford", "no-venue", "newcastle", "online-gamma"}),
        (
            Filters(open_only=True, hubs=("alpha", "beta")),
            {"near-gl55", "cheltenham", "online-alpha", "no-venue"},
        ),
        # has places: open for booking AND places_left > 0 (issue 10 item 6): not the open group whose hub
        # publishes no count (birmingham), nor the full or closed ones
        (Filters(has_places=True, hubs=("delta", "gamma", "beta")), {"online-gamma", "no-venue"}),
        (Filters(date_from=date(2027, 1, 1)), {"oxford", "online-alpha"}),
        (Filters(date_to=date(2026, 11, 30)), {"cheltenham"}),
        (Filters(date_from=date(2026, 12, 1), date_to=date(2026, 12, 2), hubs=("delta",)), {"birmingham"}),
        (Filters(hubs=("no-such-hub",)), set()),
        (Filters(programmes=("x' OR 1=1 --",)), set()),
    ],
)
def test_each_filter(con, filters, expected):
    assert set(ids(F.search(con, filters, None))) == expected


def test_every_result_satisfies_the_filters_on_the_sample_warehouse(warehouse):
    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as c:
        f = Filters(
            phases=("secondary", "post16"), delivery=("face_to_face", "blended"), open_only=True, sort="title"
        )
        found = F.search(c, f, None)
        assert found.height > 0
        for row in found.iter_rows(named=True):
            assert set(row["phases"]) & {"secondary", "post16"}
            assert row["delivery"] in {"face_to_face", "blended"} and row["status"] == "open"
            assert row["year_start"] == F.current_year_start(c)
        assert found.height == F.count(c, f, None)


# --- Sort orders -----------------------------------------------------------------------------------


def test_sort_by_distance_is_the_default_with_a_place(con):
    found = F.search(con, Filters(radius=50), place(con, "GL55"))
    near = found.filter(~found["is_online"])
    assert near["distance_miles"].to_list() == sorted(near["distance_miles"].to_list())
    assert ids(found)[-2:] == ["online-alpha", "online-gamma"]  # online after every venue
    assert F.effective_sort(Filters(), place(con, "GL55")) == "distance"


def test_sort_by_start_date_is_the_default_without_a_place(con):
    found = F.search(con, Filters(), None)
    starts = found["first_session"].to_list()
    assert starts == sorted(starts)
    assert F.effective_sort(Filters(sort="distance"), None) == "start"  # no place: distance is meaningless


def test_sort_by_title_ignores_case(con):
    titles = F.search(con, Filters(sort="title"), None)["title"].to_list()
    assert titles == sorted(titles, key=str.lower)


@pytest.mark.parametrize("sort", ["title; DROP TABLE work_groups", "1", "random()", "", None])
def test_sort_keys_come_from_the_allow_list_only(con, sort):
    assert F.effective_sort(Filters(sort=sort), None) == "start"
    assert F.search(con, Filters(sort=sort), None).height == F.count(con, Filters(), None)


# --- Places ----------------------------------------------------------------------------------------


def test_full_postcode_of_a_school_is_exact(con):
    p = place(con, "gl52 3jd")
    assert (p.label, p.precision, p.district, p.area_hub_id) == ("GL52 3JD", "postcode", "GL52", "alpha")
    assert p.latitude == pytest.approx(51.9135)


def test_other_full_postcodes_use_the_district_centre_and_say_so(con):
    p = place(con, "GL55 6LH")
    assert (p.precision, p.district, p.latitude) == ("district", "GL55", CENTROIDS["GL55"][0])
    assert "few miles" in p.note and p.default_radius == 20


def test_city_postcodes_get_a_small_radius(con):
    assert place(con, "SW1A 1AA").default_radius == 5
    assert place(con, "SW1A").default_radius == 10
    assert place(con, "GL55").default_radius == 20


def test_town_is_placed_at_its_schools_and_logged_as_its_nearest_district(con):
    p = place(con, "cheltenham")
    assert (
        p.label == "Cheltenham" and p.precision == "town" and p.district in {"GL50", "GL52", "GL55", "GL56"}
    )


def test_scotland_is_placed_but_has_no_area_hub(con):
    p = place(con, "EH1")
    assert p.country == "Scotland" and p.area_hub_id is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ZZ99", "couldn't find the postcode district ZZ99"),
        ("ZZ99 9ZZ", "couldn't find the postcode district ZZ99"),
        ("12345", "doesn't look like a UK postcode"),
        ("GL5 5", "doesn't look like a UK postcode"),
        ("Atlantis", "couldn't find a town"),
        ("'; DROP TABLE hubs; --", "doesn't look like a UK postcode"),
        ("Robert'); DROP TABLE hubs", "couldn't find a town"),
    ],
)
def test_unknown_or_malformed_places_get_a_plain_message(con, text, message):
    found = F.resolve_place(con, text)
    assert isinstance(found, F.PlaceProblem)
    assert message in found.message
    assert F.resolve_place(con, "") is None
    assert con.execute("SELECT count(*) FROM hubs").fetchone()[0] == 4


def test_misspelt_towns_get_suggestions(con):
    found = F.resolve_place(con, "Cheltnham")
    assert isinstance(found, F.PlaceProblem) and found.suggestions[0] == "Cheltenham"


def test_without_the_postcode_directory_districts_fall_back_to_council_centres(con_bare):
    p = place(con_bare, "GL55")  # GL55 is the hub_areas district of Cotswold
    assert p.precision == "council" and p.default_radius == 20 and "approximate" in p.note
    problem = F.resolve_place(con_bare, "OX2")
    assert isinstance(problem, F.PlaceProblem) and "not loaded" in problem.message
    assert place(con_bare, "Oxford").precision == "council"  # a council name still works
    assert F.search(con_bare, Filters(), None).height > 0  # filters alone always work


# --- Empty-state helpers ---------------------------------------------------------------------------


def test_hubs_with_matches_are_nearest_first_and_skip_the_chosen_hub(con):
    f = Filters(phases=("post16",), delivery=("face_to_face", "blended"), hubs=("alpha",))
    hubs = F.hubs_with_matches(con, f, place(con, "GL55"))
    assert hubs["hub_id"].to_list() == ["delta"]
    everyone = F.hubs_with_matches(con, Filters(), place(con, "GL55"))
    assert everyone["hub_distance_miles"].to_list() == sorted(everyone["hub_distance_miles"].to_list())


def test_relaxations_count_what_dropping_each_filter_would_show(con):
    f = Filters(phases=("post16",), delivery=("face_to_face",), open_only=True)
    assert F.count(con, f, None) == 0
    relax = dict(F.relaxations(con, f, None))
    assert relax["delivery"] == 2  # birmingham (blended) and online-gamma
    assert relax["phases"] == F.count(con, replace(f, phases=()), None)
    assert "open_only" not in relax  # dropping it alone still finds nothing


def test_urls_feed_the_search_end_to_end(con):
    f = parse_params({"phase": "Secondary", "delivery": ["online"], "sort": "title", "page": "2"})
    assert ids(F.search(con, f, None)) == ["online-alpha", "online-gamma"]


# --- Unmet demand log ------------------------------------------------------------------------------


def test_zero_result_searches_are_logged_with_the_district_only(tmp_path):
    path = open_store(paths(tmp_path), url="")  # the embedded ops store
    f = Filters(phases=("post16",), open_only=True, place="GL55 6LH")
    assert demand.log_zero_result(f, 2026, "GL55", "glow", 5, when=datetime(2026, 11, 23, 9), store=path)
    with pytest.raises(ValueError, match="postcode district"):
        demand.log_zero_result(f, 2026, "GL55 6LH", "glow", 5, store=path)
    rows = demand.read_demand(path)
    assert rows.height == 1
    row = rows.row(0, named=True)
    assert row["postcode_district"] == "GL55" and row["phases"] == ["post16"] and row["open_only"]
    assert "6LH" not in str(rows.to_dicts())  # the full postcode is never stored
    summary = demand.summarise(rows)
    assert summary.row(0, named=True)["searches"] == 1


def test_demand_log_survives_concurrent_writers(tmp_path):
    path = open_store(paths(tmp_path), url="")
    threads = [
        threading.Thread(
            target=demand.log_zero_result, args=(Filters(), 2026, "B1", "delta", 10), kwargs={"store": path}
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert demand.read_demand(path).height == 8
    assert demand.read_demand(open_store(paths(tmp_path / "other"), url="")).is_empty()


# --- Towns that share a name, booking state, groups that have started (issue 16) -------------------


@pytest.fixture
def con_towns():
    """The known rows plus schools in two St Iveses (Cornwall, Cambridgeshire), a town whose schools
    straddle a county line (one place), and a group that has started but still takes bookings."""
    c = duckdb.connect()
    _fill(c)
    c.execute(
        "INSERT INTO schools (urn, name, town, postcode, la_name, lad_code, latitude, longitude, source, "
        "is_sample) VALUES "
        "(11, 'A', 'St Ives', 'TR26 1AA', 'Cornwall', 'E06000052', 50.208, -5.480, 'test', false), "
        "(12, 'B', 'St. Ives', 'TR26 2AA', 'Cornwall', 'E06000052', 50.200, -5.470, 'test', false), "
        "(13, 'C', 'St Ives', 'PE27 5AA', 'Cambridgeshire', 'E07000011', 52.333, -0.075, 'test', false), "
        "(14, 'D', 'Borderton', 'XX1 1AA', 'Northshire', 'E07000901', 52.000, -1.000, 'test', false), "
        "(15, 'E', 'Borderton', 'XX1 2AA', 'Southshire', 'E07000902', 52.050, -1.050, 'test', false)"
    )
    row = wg("started-open", "alpha", "GL56", first=date(2026, 10, 1), places=3, title="Already going")
    row["session_dates"] = [date(2026, 10, 1), date(2026, 11, 6), date(2027, 1, 15)]
    cols = list(row)
    c.execute(
        f"INSERT INTO work_groups ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",  # noqa: S608 - test
        [row[k] for k in cols],
    )
    yield c
    c.close()


def test_towns_that_share_a_name_are_never_averaged(con_towns):
    found = F.resolve_place(con_towns, "St Ives")
    assert isinstance(found, F.PlaceProblem) and found.ambiguous
    assert set(found.suggestions) == {"St Ives, Cornwall", "St Ives, Cambridgeshire"}
    assert "which one" in found.message
    cornwall = place(con_towns, "St Ives, Cornwall")
    assert 50.19 < cornwall.latitude < 50.21 and cornwall.label == "St Ives, Cornwall"  # both spellings
    cambs = place(con_towns, "st ives, cambridgeshire")
    assert abs(cambs.latitude - 52.333) < 1e-6
    # one town whose schools cross a county line (4 miles apart) is one place, not a question
    border = place(con_towns, "Borderton")
    assert abs(border.latitude - 52.025) < 1e-6


def test_sorted_by_start_only_groups_not_yet_started_unless_asked(con_towns):
    assert F.build_today(con_towns) == date(2026, 11, 23)
    assert "started-open" not in ids(F.search(con_towns, Filters(), None))  # "Starting soonest"
    asked = F.search(con_towns, Filters(started=True), None)
    assert "started-open" in ids(asked)
    row = asked.filter(asked["work_group_id"] == "started-open").row(0, named=True)
    assert row["has_started"] and row["sessions_held"] == 2
    assert "started-open" in ids(F.search(con_towns, Filters(sort="title"), None))  # other sorts list all
    assert dict(F.relaxations(con_towns, Filters(), None))["started"] == F.count(
        con_towns, Filters(started=True), None
    )
    # a started group that still takes bookings has places: the filter matches what its card says
    assert "started-open" in ids(F.search(con_towns, Filters(has_places=True, started=True), None))


def test_has_places_means_open_for_booking_with_places_left_on_the_sample(warehouse):
    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as c:
        found = F.search(c, Filters(has_places=True, year=ALL_YEARS, sort="title"), None)
        everything = F.search(c, Filters(year=ALL_YEARS, sort="title"), None)
    assert found.height > 0
    assert set(found["status"]) == {"open"} and found["places_left"].min() > 0
    bookable = everything.filter((everything["status"] == "open") & (everything["places_left"] > 0))
    assert found.height == bookable.height
    closed_with_places = everything.filter(
        (everything["status"] == "closed") & (everything["places_left"] > 0)
    )
    assert closed_with_places.height > 0  # the sample has them: they must not count as "has places"


def test_cached_results_follow_a_newly_published_snapshot(fresh_warehouse, monkeypatch):
    """The finder's cached searches are shared objects (cache_resource), which the snapshot switch in
    dashboard/data/db.py does not clear: they are keyed on the snapshot, so a load's Work Groups show
    at once, and another page of the same search is the same cached result."""
    import streamlit as st

    from pipelines.warehouse import store

    monkeypatch.setenv("ATLAS_DATA_DIR", str(fresh_warehouse.data_dir))
    st.cache_data.clear()
    st.cache_resource.clear()
    f = Filters(year=ALL_YEARS, started=True, sort="title")
    before, _, _ = F.cached_results(f, None)
    assert F.cached_results(replace(f, page=2), None)[0] is before  # pages share one search
    victim = before["work_group_id"][0]
    snap = store.start_snapshot(fresh_warehouse, fresh=False)
    with duckdb.connect(str(snap)) as con:
        con.execute("DELETE FROM work_groups WHERE work_group_id = ?", [victim])
    store.publish(fresh_warehouse, snap)
    from dashboard.data import db

    db.follow_current()  # what app.py does at the start of every run
    after, _, _ = F.cached_results(f, None)
    assert victim not in after["work_group_id"].to_list() and after.height == before.height - 1
    st.cache_data.clear()
    st.cache_resource.clear()
