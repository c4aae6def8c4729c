"""Deterministic sample LLMEs, Work Groups and participations, written in the import templates.

Sample rows are clearly fictional (surnames are mathematical words, emails at example.org) and are
marked `is_sample` in the warehouse; pages say so on screen. The same seed and scale always give the
same rows. Volumes at scale 1 follow the national picture: 40 hubs, about 2,000 LLMEs active, about
2,000 Work Groups a year over five academic years, thinner Early Years and post-16 coverage, and
some hubs under the 50-LLME target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from pipelines import domain
from pipelines.contracts import llmes, participations, work_groups
from pipelines.warehouse.store import insert_frame

SEED = 20140701  # the Maths Hubs programme began in July 2014
# Work Groups start across the year, not all in September: a share starts in the spring term, so
# a teacher searching in December still finds groups to join.
SPRING_SHARE = 0.3
SAMPLE_BOOKING_BASE = "https://example.org/maths-hubs-atlas-sample/book/"  # sample Work Groups book here
FIRST_NAMES = (
    "Ada",
    "Amir",
    "Beth",
    "Chen",
    "Dev",
    "Ella",
    "Femi",
    "Gita",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Vik",
    "Wren",
    "Yara",
    "Zac",
)
SURNAMES = (
    "Abacus",
    "Vector",
    "Fraction",
    "Tangent",
    "Integer",
    "Parabola",
    "Quotient",
    "Radius",
    "Sigma",
    "Theorem",
    "Matrix",
    "Prime",
    "Hexagon",
    "Median",
    "Decimal",
    "Axiom",
    "Lemma",
    "Cosine",
    "Factor",
    "Ratio",
)
DELIVERY_LABEL = {"face_to_face": "Face-to-face", "online": "Online", "blended": "Blended"}
PHASE_LABEL = {
    "early_years": "Early Years",
    "primary": "Primary",
    "secondary": "Secondary",
    "post16": "Post-16",
}
SCHOOL_PHASE_MIX = (
    ("primary", 0.74),
    ("secondary", 0.16),
    ("early_years", 0.02),
    ("post16", 0.02),
    (None, 0.06),
)


@dataclass(frozen=True)
class SampleSet:
    work_groups: pl.DataFrame  # template columns, all text
    llmes: pl.DataFrame
    participations: pl.DataFrame


def academic_years(today: date, n: int = 5) -> list[int]:
    """The current academic year and the n-1 before it."""
    current = domain.current_year_start(today)
    return list(range(current - n + 1, current + 1))


def generate_schools(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, per_district: int = 68) -> int:
    """Sample schools spread over every district (used only when the DfE register is not loaded)."""
    areas = con.sql(
        "SELECT lad_code, lad_name, region_name, hub_id, centroid_lat, centroid_lon, postcode_district "
        "FROM hub_areas ORDER BY lad_code"
    ).pl()
    n = areas.height * per_district
    idx = np.repeat(np.arange(areas.height), per_district)
    codes, weights = zip(*SCHOOL_PHASE_MIX, strict=True)
    phases = rng.choice(np.array(codes, dtype=object), size=n, p=np.array(weights))
    kinds = {
        "primary": "Primary School",
        "secondary": "Academy",
        "early_years": "Nursery School",
        "post16": "Sixth Form College",
        None: "Special School",
    }
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    district = areas["postcode_district"].fill_null("ZZ99").to_numpy()[idx]
    inward = [
        f"{d} {rng.integers(1, 10)}{a}{b}"
        for d, a, b in zip(district, rng.choice(letters, n), rng.choice(letters, n), strict=True)
    ]
    frame = pl.DataFrame(
        {
            "urn": np.arange(900001, 900001 + n, dtype=np.int64),
            "name": [f"Sample {kinds[p]} {i + 1:05d}" for i, p in enumerate(phases)],
            "phase": list(phases),
            "town": areas["lad_name"].to_numpy()[idx],
            "postcode": inward,
            "lad_code": areas["lad_code"].to_numpy()[idx],
            "region_name": areas["region_name"].to_numpy()[idx],
            "hub_id": areas["hub_id"].to_numpy()[idx],
            "latitude": areas["centroid_lat"].fill_null(52.5).to_numpy()[idx] + rng.normal(0, 0.04, n),
            "longitude": areas["centroid_lon"].fill_null(-1.5).to_numpy()[idx] + rng.normal(0, 0.06, n),
            "pupils": rng.integers(60, 1600, n).astype(np.int32),
        },
        schema_overrides={"phase": pl.String},
    ).with_columns(source=pl.lit("sample"), is_sample=pl.lit(True), la_name=pl.col("town"))
    insert_frame(con, "schools", frame)
    return frame.height


def generate(
    con: duckdb.DuckDBPyConnection, scale: float = 1.0, today: date | None = None, seed: int = SEED
) -> SampleSet:
    """Generate sample rows from the hubs, programmes and schools already in `con`."""
    rng = np.random.default_rng(seed)
    years = academic_years(today or date.today())
    hubs = con.sql("SELECT hub_id, name, website FROM hubs ORDER BY hub_id").pl()
    programmes = con.sql(
        "SELECT programme_id, name, phases, delivery, typical_sessions, audience, cost_note FROM programmes "
        "WHERE len(phases) > 0 ORDER BY programme_id"
    ).pl()
    schools = con.sql(
        "SELECT urn, name, phase, postcode, town, hub_id FROM schools WHERE hub_id IS NOT NULL ORDER BY urn"
    ).pl()
    by_hub = {h: g for (h,), g in schools.group_by("hub_id", maintain_order=True)}
    hub_strength = dict(zip(hubs["hub_id"], rng.uniform(0.55, 1.45, hubs.height), strict=True))
    # The spring-term starts draw from their own stream: the main stream's draws, and so every other
    # sample figure, stay as they were before spring starts were added.
    spring = np.random.default_rng([seed, 2])
    wgs = _work_groups(
        rng, spring, hubs, programmes, by_hub, hub_strength, years, scale, today or date.today()
    )
    people = _llmes(rng, hubs, by_hub, hub_strength, years, scale)
    parts = _participations(rng, wgs, by_hub)
    return SampleSet(wgs, people, parts)


def _llmes(rng, hubs, by_hub, strength, years, scale) -> pl.DataFrame:
    rows = []
    phase_codes = np.array(["primary", "secondary", "early_years", "post16"], dtype=object)
    phase_p = np.array([0.56, 0.32, 0.07, 0.05])
    for hub_id in hubs["hub_id"]:
        # Around 50 active now, some hubs well under; churn over the years.
        n = max(4, round(scale * 58 * strength[hub_id] * rng.uniform(0.85, 1.15)))
        pool = by_hub.get(hub_id)
        for i in range(n):
            first = int(rng.choice(years, p=_early_weights(len(years))))
            last = "" if rng.random() < 0.72 else domain.year_label(int(rng.integers(first, years[-1] + 1)))
            main = rng.choice(phase_codes, p=phase_p)
            phases = {main} | ({rng.choice(phase_codes, p=phase_p)} if rng.random() < 0.18 else set())
            roles = ["maths_hub_lead"] if i == 0 else (["assistant_maths_hub_lead"] if i < 3 else [])
            roles += ["work_group_lead"] if (not roles or rng.random() < 0.3) else []
            if rng.random() < 0.15:
                roles.append("cohort_lead")
            if rng.random() < 0.08:
                roles.append("community_lead")
            # sorted: set order follows string hashing, which changes per process (PYTHONHASHSEED)
            accreditations = [
                f"{p}_mastery_specialist"
                for p in sorted(phases)
                if p != "early_years" and rng.random() < 0.45
            ]
            if rng.random() < 0.2:
                accreditations.append("pd_lead")
            if rng.random() < 0.07:
                accreditations.append("school_development_lead")
            school = (
                pool.row(int(rng.integers(pool.height)), named=True)
                if pool is not None and pool.height
                else None
            )
            first_name, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            rows.append(
                {
                    "llme_id": f"{hub_id}-L{i + 1:04d}",
                    "hub": hub_id,
                    "full_name": f"{first_name} {surname}",
                    "email": f"{first_name}.{surname}.{hub_id}{i + 1}@example.org".lower(),
                    "school_urn": str(school["urn"]) if school else "",
                    "school_name": school["name"] if school else "",
                    "roles": ";".join(roles),
                    "phases": ";".join(PHASE_LABEL[p] for p in sorted(phases)),
                    "accreditations": ";".join(accreditations),
                    "first_active_year": domain.year_label(first),
                    "last_active_year": last,
                }
            )
    return pl.DataFrame(rows, schema={c: pl.String for c in llmes.TEMPLATE})


def _early_weights(n: int) -> np.ndarray:
    w = np.linspace(2.0, 1.0, n)
    w[0] += 3.0  # many current LLMEs started before the five years shown
    return w / w.sum()


def _work_groups(rng, spring, hubs, programmes, by_hub, strength, years, scale, today) -> pl.DataFrame:
    rows = []
    prog = programmes.to_dicts()
    prog_weights = np.array(
        [3.0 if "early_years" in p["phases"] or "post16" in p["phases"] else 6.0 for p in prog]
    )
    prog_weights /= prog_weights.sum()
    for year in years:
        for hub in hubs.iter_rows(named=True):
            n = max(3, round(scale * 50 * (0.6 + 0.4 * strength[hub["hub_id"]]) * rng.uniform(0.9, 1.1)))
            pool = by_hub.get(hub["hub_id"])
            for i in range(n):
                p = prog[int(rng.choice(len(prog), p=prog_weights))]
                delivery = (
                    p["delivery"][int(rng.integers(len(p["delivery"])))] if p["delivery"] else "face_to_face"
                )
                if rng.random() < 0.2:
                    delivery = ("online", "blended", "face_to_face")[int(rng.integers(3))]
                venue = None
                if delivery != "online" and pool is not None and pool.height:
                    venue = pool.row(int(rng.integers(pool.height)), named=True)
                    if venue["postcode"] is None:
                        venue = None
                        delivery = "online"
                elif delivery != "online":
                    delivery = "online"
                sessions = p["typical_sessions"] or int(rng.integers(3, 8))
                dates = _session_dates(rng, year, min(max(sessions, 3), 7))
                capacity = int(rng.choice([12, 16, 20, 24, 30]))
                status, left = _status(rng, year, dates[0], capacity, today)
                if spring.random() < SPRING_SHARE:
                    dates = _session_dates(spring, year, len(dates), first_month=(year + 1, 1))
                    status, left = _status(spring, year, dates[0], capacity, today)
                wg_id = f"{hub['hub_id']}-{year % 100:02d}-{i + 1:04d}"
                town = venue["town"] if venue else "online"
                rows.append(
                    {
                        "work_group_id": wg_id,
                        "hub": hub["name"] if rng.random() < 0.3 else hub["hub_id"],
                        "academic_year": domain.year_label(year),
                        "project_code": f"NCP{year % 100:02d}-{prog.index(p) + 1:02d}",
                        "programme": p["name"],
                        "title": f"{p['name']} ({town}, group {i % 9 + 1})",
                        "phases": ";".join(PHASE_LABEL[x] for x in p["phases"]),
                        "delivery": DELIVERY_LABEL[delivery],
                        "venue_name": venue["name"] if venue else "",
                        "venue_postcode": venue["postcode"] if venue else "",
                        "session_dates": ";".join(
                            d.isoformat() if k % 2 else d.strftime("%d/%m/%Y") for k, d in enumerate(dates)
                        ),  # both accepted formats
                        "capacity": str(capacity),
                        "places_left": str(left),
                        "status": status,
                        # A clearly sample address (RFC 2606 reserves example.org), never an invented
                        # path on a real hub's website: the reference data has no hub's Work Groups page.
                        "booking_url": f"{SAMPLE_BOOKING_BASE}{wg_id}",
                        "cost_note": p["cost_note"] or "Fully funded",
                        "eligibility": p["audience"] or "",
                    }
                )
    return pl.DataFrame(rows, schema={c: pl.String for c in work_groups.TEMPLATE})


def _session_dates(rng, year: int, n: int, first_month: tuple[int, int] | None = None) -> list[date]:
    """n session dates from mid-September (autumn term) or from `first_month` (e.g. January)."""
    y, m = first_month or (year, 9)
    start = date(y, m, 15 if m == 9 else 8) + timedelta(days=int(rng.integers(0, 50)))
    gap = int(rng.integers(21, 42))
    out = []
    for k in range(n):
        d = start + timedelta(days=k * gap + int(rng.integers(0, 5)))
        d -= timedelta(days=max(0, d.weekday() - 4))  # move weekends back to Friday
        out.append(min(d, date(year + 1, 7, 20)))
    return sorted(set(out))


def _status(rng, year: int, first: date, capacity: int, today: date) -> tuple[str, int]:
    if first < today - timedelta(days=30):
        return "closed", int(rng.integers(0, max(1, capacity // 4)))
    if rng.random() < 0.15:
        return "full", 0
    return "open", int(rng.integers(1, capacity + 1))


def _participations(rng, wgs: pl.DataFrame, by_hub) -> pl.DataFrame:
    """4-12 schools per Work Group, from the hub's schools of the Work Group's phases."""
    label_to_code = {v: k for k, v in PHASE_LABEL.items()}
    urns_by_hub_phase: dict[tuple[str, str | None], np.ndarray] = {}
    for hub_id, pool in by_hub.items():
        for (phase,), g in pool.group_by("phase"):
            urns_by_hub_phase[(hub_id, phase)] = g["urn"].to_numpy()
    rows_wg, rows_urn, rows_t, rows_stage = [], [], [], []
    for wg_id, phases, programme in zip(wgs["work_group_id"], wgs["phases"], wgs["programme"], strict=True):
        hub_id = wg_id.rsplit("-", 2)[0]
        pools = [urns_by_hub_phase.get((hub_id, label_to_code[x])) for x in phases.split(";")]
        candidates = np.concatenate([u for u in pools if u is not None] or [np.array([], dtype=np.int64)])
        if not candidates.size:
            continue
        urns = np.unique(candidates[rng.integers(0, candidates.size, size=int(rng.integers(4, 13)))])
        stage = _stage(programme)
        for urn in urns:
            rows_wg.append(wg_id)
            rows_urn.append(str(int(urn)))
            rows_t.append(str(int(rng.integers(1, 3))))
            rows_stage.append(stage)
    return pl.DataFrame(
        {"work_group_id": rows_wg, "school_urn": rows_urn, "teachers": rows_t, "stage": rows_stage},
        schema={c: pl.String for c in participations.TEMPLATE},
    )


def _stage(programme: str) -> str | None:
    name = programme.lower()
    for stage in ("readiness", "development", "embedding", "sustaining"):
        if stage in name:
            return stage
    return None
