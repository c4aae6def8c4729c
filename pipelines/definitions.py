"""What each released column means (the open-data export's data dictionary and the notes sheet of
every XLSX download) and the attributions the open data requires (the About page and the export's
metadata). Pure Python, no Streamlit."""

from __future__ import annotations

# The phase of schools outside the four phases (as the hub profile labels it).
OTHER_PHASE = "Other (special, AP, all-through)"

# column name (as released or shown) -> meaning. Names are matched case-insensitively.
DEFINITIONS: dict[str, str] = {
    "hub_id": "The Maths Hub's short identifier (e.g. origin).",
    "hub": "The Maths Hub's name.",
    "hub_name": "The Maths Hub's name.",
    "region": "The region of England the hub belongs to.",
    "academic_year": "Academic year, 1 September to 31 August, written 2025/26.",
    "year_start": "The calendar year the academic year starts in (2025 for 2025/26).",
    "phase": "School phase: Early Years, Primary, Secondary or Post-16.",
    "programme": "The national programme the Work Group belongs to.",
    "programme_id": "The programme's identifier in the national programme catalogue.",
    "la_name": "The local authority of the school (DfE Get Information about Schools).",
    "la": "The local authority of the school (DfE Get Information about Schools).",
    "active_llmes": (
        "LLMEs (local leaders of mathematics education) active in the year: first active year on or "
        "before it and no last active year before it. Counted once per phase they work in."
    ),
    "active_llmes_shown": "active_llmes as published: the number, or the suppression symbol.",
    "work_groups": (
        "Work Groups the hub runs in the year (any delivery mode). A Work Group for several phases counts "
        "once in each."
    ),
    "work_groups_shown": "work_groups as published.",
    "schools_reached": "Distinct schools that took part in at least one of the hub's Work Groups that year.",
    "schools_reached_shown": "schools_reached as published: the number, or the suppression symbol.",
    "suppressed": "True when the count is hidden (fewer than 5, or hidden so it cannot be worked out).",
    "urn": "The school's unique reference number in Get Information about Schools.",
    "school": "The school's name.",
    "school_name": "The school's name.",
    "pupils": "Number of pupils on roll (Get Information about Schools).",
    "nearest_miles": (
        "Great-circle distance in miles from the school to the nearest face-to-face or blended Work "
        "Group of the same phase this academic year (any hub)."
    ),
    "nearest_work_group": "The title of that nearest Work Group.",
    "online_available": "Whether an online Work Group of the same phase runs this academic year.",
    "title": "The Work Group's title.",
    "delivery": "Face-to-face, online or blended.",
    "status": "Open, full or closed for booking.",
}


def definition(column: str) -> str:
    key = column.strip().lower().replace(" ", "_")
    if key.endswith("_suppressed") and key.removesuffix("_suppressed") in DEFINITIONS:
        return (
            f"True when {key.removesuffix('_suppressed')} is hidden "
            "(fewer than 5, or hidden so it cannot be worked out)."
        )
    return DEFINITIONS.get(key, "")


ONS_BOUNDARIES = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2024."
)
ONS_POSTCODES = (
    "Contains OS data © Crown copyright and database right 2025. "
    "Contains Royal Mail data © Royal Mail copyright and database right 2025. "
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0."
)
DFE_SCHOOLS = (
    "Contains public sector information from the Department for Education (Get Information about Schools; "
    "school performance tables) licensed under the Open Government Licence v3.0."
)
