"""Derive `data/reference/hub_areas.csv` and refresh the lead-school locations in `hubs.csv`.

Which Maths Hub serves which part of England is known only from scattered public sources (collected in
the project's research notes, `hub_areas.md`). This script turns that research into one row per 2024
local authority district (296 in England), so that the dashboard can colour a district map and count
schools per hub.

Inputs (all read in place from the open-data folder, never copied into the repository):

- `<reference-dir>/geo/lad_to_region.csv`: the 296 districts with upper tier and region (ONS 2024);
- `<reference-dir>/geo/england_lad.geojson`: district polygons, for centroids, adjacency and area;
- `<reference-dir>/geo/postcode_districts.csv`: postcode outward codes with the district holding them;
- `<reference-dir>/schools/gias_open_schools.csv`: the DfE register, for lead-school postcodes;
- `data/reference/hubs.csv` (committed, written by hand from the research): the 40 hubs.

The hub of each area is NOT computed from data: it is the hand-made table `ASSIGNMENTS` below, one
entry per upper-tier authority or per district (for split counties), each with its provenance:

- `declared`: a source names that district or its upper-tier authority for that hub (its URL is kept);
- `estimated`: no source does, and a documented rule assigned it (the rule text says which).

Confidence follows from the provenance: `high` when declared by an NCETM hub page, `medium` for any
other declaration, `low` for every estimate. The geometric estimation rules (split counties, nearest
hub base) are re-checked against the geometry on every run, and the script stops if the table and the
rule disagree.

The script fails loudly (exit status 1, message on stderr) if any district is unassigned or assigned
twice, an area name is unknown, a hub_id is not in `hubs.csv`, a hub is left without a district, a
recorded lead-school URN is missing from the register, or a hub's `region` is not the region holding
most of its area.

Outputs:

- `hub_areas.csv`: lad_code, lad_name, ctyua_code, ctyua_name, region_code, region_name, hub_id,
  provenance, rule, source_url, confidence, centroid_lat, centroid_lon, postcode_district.
  `centroid_*` is the area-weighted centroid of the district's polygons (shoelace formula over every
  ring in the lon/lat plane, holes subtracted; 5 decimals). `postcode_district` is the outward code
  with the most postcode units whose centroid lies in the district, preferring codes still in use by
  at least one open school in the register (this drops terminated codes such as SO2 or L41).
- `hubs.csv` is rewritten with `lead_school_postcode`, `latitude`, `longitude` and `location_source`
  refreshed from the register for the first URN in `lead_school_urns` (emptied where there is none).
  Every other column is kept as written by hand.

Usage (Python 3.11+, standard library only):

    python -m pipelines.tools.derive_reference --reference-dir ../shared/data
    ATLAS_REFERENCE_DIR=../shared/data python pipelines/tools/derive_reference.py
    python -m pipelines.tools.derive_reference --check    # exit 1 if the committed files are stale

`--out-dir` (default: the repository's `data/reference`) is where `hubs.csv` is read and both files
are written.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = REPO_ROOT / "data" / "reference"

HUB_COLUMNS = [
    "hub_id",
    "name",
    "former_names",
    "lead_schools",
    "lead_school_urns",
    "town",
    "region",
    "website",
    "lead_school_postcode",
    "latitude",
    "longitude",
    "location_source",
    "areas_summary",
    "status",
    "confidence",
    "source_urls",
    "notes",
]
AREA_COLUMNS = [
    "lad_code",
    "lad_name",
    "ctyua_code",
    "ctyua_name",
    "region_code",
    "region_name",
    "hub_id",
    "provenance",
    "rule",
    "source_url",
    "confidence",
    "centroid_lat",
    "centroid_lon",
    "postcode_district",
]

# --------------------------------------------------------------------------------------------------
# Sources (URLs as cited in the research notes)
# --------------------------------------------------------------------------------------------------

NCETM_HUB = "https://www.ncetm.org.uk/hubs/"
NCETM_LONDON = "https://www.ncetm.org.uk/maths-hubs/find-your-hub/current-maths-hubs/"
NCETM_PREFIXES = (NCETM_HUB, NCETM_LONDON)  # declarations from these pages count as high confidence
QUOTED = "NCETM hub page (as read 1 Oct 2026, via a quotation in github.com/modernagecoder/frontend)"
DFE_CALL_2019 = "https://ncetm.org.uk/news/schools-sought-to-lead-three-new-maths-hubs/"
YH_PAGE = "https://www.dretteachingschoolhub.co.uk/Yorkshire-and-the-Humber-Maths-Hub/"
ARCHIMEDES = "https://carmelarchimedesmathshub.org.uk/about-us/introduction/"
CHESHIRE_WIRRAL = "http://cheshireandwirralmathshub.co.uk/index.php/about-us"
SUSSEX = "https://www.sussexmathshub.co.uk/about-us/"
ABACUS = "https://www.abacusnwmathshub.co.uk/faqs"
KENT = "https://kelsi.org.uk/news-and-events/directors-update/14-march-2025-weekly-update"
SOLENT_2014 = "http://www.portsmouth.co.uk/news/education/portsmouth-to-be-centre-of-new-maths-hub-in-link-with-china-1-6404815"
JURASSIC_2014 = "http://www.jctsa.org.uk/2014/06/national-math-hub/"
NORTH_MIDS = "https://sites.google.com/view/stokemaths/about"
MATRIX_2014 = "https://www.hertsforlearning.co.uk/news/matrix-maths-hub-launch"
GLOW_2015 = "http://www.mathshubs.org.uk/bespoke/june-2015/whats-in-a-name/"
TURING = "https://mathshubsturingnw.co.uk/about-us/what-is-the-role-of-a-maths-hub/"
SALOP_2017 = "http://mathshubs.org.uk/bespoke/february-2017/teaching-for-mastery-across-a-maths-hub-area/"
TELFORD_BULLETIN = "https://content.govdelivery.com/accounts/UKTW/bulletins/3e880cf"
SHAW_WOLVERHAMPTON = (
    "https://www.shawmathshub.co.uk/work-groups/2024-25-specialist-knowledge-for-teaching-mathematics-"
    "primary-early-career-teachers-first-two-years-of-teaching-phase-1-wolverhampton/452"
)
RIDINGS = "https://northyorkshirecoastoa.co.uk/our-priorities/priority-2-maths/"
RIDINGS_2014 = (
    "https://www.harrogategrammar.co.uk/news/nick-gibb-minister-state-dfe-speaks-maths-hub-conference/"
)
GREAT_NORTH = "https://www.greatnorthmathshub.co.uk/new-year-newsletter/"
PONTELAND = (
    "https://ncetm.org.uk/features/bridging-the-gap-ensuring-that-all-students-can-succeed-in-ks3-maths"
)
NNW_2015 = (
    "http://mathshubs.org.uk/news/two-new-maths-hub-lead-schools-appointed-covering-cumbria-and-north-"
    "lancashire-and-the-south-east-of-london/"
)
EME = "http://www.ememathshub.org/primary-mastery-readiness-work-groups.html"
ANGLES = "https://www.anglesmathshub.org/223/embedding-mastery-1"
EMS_NORTHANTS = (
    "https://emsmathshub.org.uk/professional-development/pd-2024-25/"
    "specialist-knowledge-for-teaching-maths-primary-teaching-assistants"
)
NEHS = "https://nehantsandsurreymathshub.co.uk/about-us/our-priorities/"
CODE_2017 = (
    "http://www.falmouthpacket.co.uk/news/truro/14572849.Education_Minister_visits_Chacewater_Primary_"
    "School_to_see_work_of_maths_hub/"
)


def ncetm(slug: str) -> str:
    return f"{NCETM_HUB}{slug}/"


# --------------------------------------------------------------------------------------------------
# The assignment table
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """One upper-tier authority (level "ctyua": all its districts) or one district (level "lad")."""

    level: str  # "ctyua" or "lad"
    area: str  # exactly as `ctyua_name` / `lad_name` in lad_to_region.csv
    hub_id: str
    provenance: str  # "declared" or "estimated"
    rule: str
    source_url: str


def _declared(level: str, areas: list[str], hub_id: str, rule: str, url: str) -> list[Assignment]:
    return [Assignment(level, a, hub_id, "declared", rule, url) for a in areas]


def _estimated(level: str, areas: list[str], hub_id: str, rule: str, url: str) -> list[Assignment]:
    return [Assignment(level, a, hub_id, "estimated", rule, url) for a in areas]


C, D = "ctyua", "lad"

# Split counties, decided district by district (rules re-checked in `check_rules`).
LANCS_RULE = (
    "split-county (Lancashire, 'parts of Lancashire' for Abacus NW; 'north Lancashire' in 2015 for the hub "
    "inferred to be North North West): each district goes to the hub whose lead school is nearer its "
    "centroid (Our Lady's Catholic High School, Preston, vs Lancaster Royal Grammar School, 2015 lead)"
)
HANTS_NE_RULE = (
    "split-county (Hampshire): Hampshire districts sharing a boundary with Surrey go to North-East Hants "
    "and Surrey (area derived from the hub's name; UNVERIFIED)"
)
HANTS_REST_RULE = (
    "split-county (Hampshire): 'most of Hampshire' was Solent's in 2014; the districts not bordering Surrey "
    "stay with Solent (UNVERIFIED)"
)
DEVON_CODE_RULE = (
    "split-county (Devon ceremonial county: Devon districts, Plymouth, Torbay): CODE's 'west Devon' "
    "(c.2016-17) read as West Devon district plus the authorities whose centroid lies west of West Devon's "
    "centroid (UNVERIFIED)"
)
DEVON_JURASSIC_RULE = (
    "split-county (Devon ceremonial county): the rest of Devon stays with Jurassic, a Dorset and Devon "
    "partnership in 2014 (UNVERIFIED)"
)

ASSIGNMENTS: list[Assignment] = [
    # ---------------------------------------------------------------- declared by NCETM hub pages
    *_declared(
        C,
        ["Coventry", "Solihull", "Warwickshire"],
        "origin",
        f"declared: {QUOTED}",
        ncetm("origin-maths-hub"),
    ),
    *_declared(
        C,
        ["Bury", "Manchester", "Oldham", "Rochdale", "Stockport"],
        "north-west-one",
        f"declared: {QUOTED}",
        ncetm("north-west-one-maths-hub"),
    ),
    *_declared(
        C,
        ["Knowsley", "Liverpool", "Sefton", "St. Helens", "Wigan"],
        "north-west-three",
        f"declared: {QUOTED}",
        ncetm("north-west-three-maths-hub"),
    ),
    *_declared(
        C, ["Birmingham", "Dudley", "Sandwell"], "central", f"declared: {QUOTED}", ncetm("central-maths-hub")
    ),
    *_declared(
        C,
        ["Bradford", "Calderdale", "Leeds"],
        "west-yorkshire",
        f"declared: {QUOTED}",
        ncetm("west-yorkshire-maths-hub"),
    ),
    *_declared(
        C,
        ["Barnsley", "Doncaster", "Rotherham", "Sheffield"],
        "south-yorkshire",
        f"declared: {QUOTED}",
        ncetm("south-yorkshire-maths-hub"),
    ),
    *_declared(
        C,
        ["Bracknell Forest", "Reading", "Swindon", "West Berkshire", "Wiltshire", "Wokingham"],
        "mobius",
        f"declared: {QUOTED}",
        ncetm("moebius-maths-hub"),
    ),
    *_declared(
        C,
        [
            "Bath and North East Somerset",
            "Bristol, City of",
            "North Somerset",
            "Somerset",
            "South Gloucestershire",
        ],
        "boolean",
        f"declared: {QUOTED}",
        ncetm("boolean-maths-hub"),
    ),
    *_declared(
        C,
        ["Derby", "Derbyshire", "Nottingham"],
        "east-midlands-west",
        f"declared: {QUOTED}",
        ncetm("east-midlands-west-maths-hub"),
    ),
    *_declared(
        D,
        ["Ashfield", "Broxtowe"],
        "east-midlands-west",
        f"declared: {QUOTED}; only these two Nottinghamshire districts are listed",
        ncetm("east-midlands-west-maths-hub"),
    ),
    *_declared(
        C,
        ["Leicester", "Leicestershire", "Rutland"],
        "east-midlands-south",
        f"declared: {QUOTED}",
        ncetm("east-midlands-south-maths-hub"),
    ),
    *_declared(
        C,
        ["North Northamptonshire"],
        "east-midlands-south",
        f"declared: {QUOTED}; listed by its former districts Corby, East Northamptonshire, "
        "Kettering, Wellingborough",
        ncetm("east-midlands-south-maths-hub"),
    ),
    *_declared(
        C,
        ["Buckinghamshire", "Oxfordshire", "Slough", "Windsor and Maidenhead"],
        "bucks-berks-oxon",
        f"declared: {QUOTED}; the list 'includes' these, so it may be incomplete",
        ncetm("bucks-berks-and-oxon-maths-hub"),
    ),
    *_declared(
        C,
        ["Bedford", "Central Bedfordshire", "Luton", "Milton Keynes"],
        "enigma",
        f"declared: {QUOTED}; the list 'includes' these",
        ncetm("enigma-maths-hub"),
    ),
    *_declared(
        C,
        ["Cambridgeshire", "Peterborough"],
        "cambridge",
        f"declared: {QUOTED}; the list 'includes' these",
        ncetm("cambridge-maths-hub"),
    ),
    *_declared(
        D,
        ["King's Lynn and West Norfolk", "West Suffolk"],
        "cambridge",
        f"declared: {QUOTED}; the only Norfolk/Suffolk districts listed (soft border with Angles)",
        ncetm("cambridge-maths-hub"),
    ),
    *_declared(
        C,
        ["Barnet", "Camden", "Enfield", "Haringey", "Islington", "Westminster"],
        "london-central-north-west",
        f"declared: {QUOTED.replace('hub page', 'London hub pages')}",
        NCETM_LONDON,
    ),
    *_declared(
        C,
        [
            "Brent",
            "Ealing",
            "Hammersmith and Fulham",
            "Harrow",
            "Hillingdon",
            "Hounslow",
            "Kensington and Chelsea",
        ],
        "london-central-west",
        f"declared: {QUOTED.replace('hub page', 'London hub pages')}",
        NCETM_LONDON,
    ),
    *_declared(
        C,
        ["Barking and Dagenham", "Hackney", "Havering", "Newham", "Redbridge", "Waltham Forest"],
        "london-north-east",
        f"declared: {QUOTED.replace('hub page', 'London hub pages')}",
        NCETM_LONDON,
    ),
    *_declared(
        C,
        ["Bexley", "City of London", "Greenwich", "Lewisham", "Southwark", "Tower Hamlets"],
        "london-south-east-plus",
        f"declared: {QUOTED.replace('hub page', 'London hub pages')}",
        NCETM_LONDON,
    ),
    *_declared(
        C,
        ["Kingston upon Thames", "Merton", "Richmond upon Thames", "Sutton", "Wandsworth"],
        "london-south-west",
        f"declared: {QUOTED.replace('hub page', 'London hub pages')}",
        NCETM_LONDON,
    ),
    *_declared(
        C,
        ["Bromley", "Croydon", "Lambeth"],
        "london-thames",
        f"declared: {QUOTED.replace('hub page', 'London hub pages')}",
        NCETM_LONDON,
    ),
    # ---------------------------------------------------------------- declared by other sources
    *_declared(
        C,
        [
            "Kirklees",
            "Wakefield",
            "Kingston upon Hull, City of",
            "North Lincolnshire",
            "North East Lincolnshire",
        ],
        "yorkshire-humber",
        "declared: hub page hosted by DRET Teaching School Hub (c.2025)",
        YH_PAGE,
    ),
    *_declared(
        C,
        ["County Durham"],
        "archimedes-ne",
        "declared: hub site ('the Durham and Tees Valley region')",
        ARCHIMEDES,
    ),
    *_declared(
        C,
        ["Darlington", "Hartlepool", "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees"],
        "archimedes-ne",
        "declared: hub site ('the Durham and Tees Valley region'); 'Tees Valley' read as its five "
        "boroughs, which the source does not list one by one",
        ARCHIMEDES,
    ),
    *_declared(
        C,
        ["Cheshire East", "Cheshire West and Chester", "Halton", "Wirral"],
        "cheshire-wirral",
        "declared: hub site (page date not stated)",
        CHESHIRE_WIRRAL,
    ),
    *_declared(
        C,
        ["West Sussex", "Brighton and Hove", "East Sussex"],
        "sussex",
        "declared: hub site ('network of 40' era)",
        SUSSEX,
    ),
    *_declared(
        C, ["Blackburn with Darwen", "Blackpool"], "abacus-nw", "declared: hub site (2020/21)", ABACUS
    ),
    *_declared(
        C, ["Kent", "Medway"], "kent-medway", "declared: Kent County Council bulletin, March 2025", KENT
    ),
    *_declared(
        C,
        ["Essex", "Southend-on-Sea", "Thurrock"],
        "venn-essex",
        "declared (dated 2019): area of the DfE call for the new hub's lead school",
        DFE_CALL_2019,
    ),
    *_declared(
        C,
        ["Portsmouth", "Southampton", "Isle of Wight"],
        "solent",
        "declared (dated 2014): local press on the new Solent hub",
        SOLENT_2014,
    ),
    *_declared(
        C, ["Dorset"], "jurassic", "declared (dated 2014): a Dorset and Devon partnership", JURASSIC_2014
    ),
    *_declared(
        C,
        ["Staffordshire", "Stoke-on-Trent"],
        "north-mids",
        "declared (dated 2014-2018): partner of the Stoke-on-Trent Maths Excellence Partnership",
        NORTH_MIDS,
    ),
    *_declared(
        C,
        ["Hertfordshire"],
        "matrix",
        "declared (dated 2014): Matrix Maths Hub Essex and Herts launch",
        MATRIX_2014,
    ),
    *_declared(
        C,
        ["Gloucestershire", "Worcestershire"],
        "glow",
        "declared (dated 2015): GLOW = Gloucestershire, Oxfordshire, Worcestershire (Oxfordshire now with "
        "Bucks, Berks and Oxon; Worcestershire may now be with SHaW: UNVERIFIED)",
        GLOW_2015,
    ),
    # ---------------------------------------------------------------- estimated: elimination
    *_estimated(
        C,
        ["Bolton", "Salford", "Tameside", "Trafford"],
        "turing-nw",
        "elimination: hub_areas.md infers Turing NW ('in and around Greater Manchester') from the "
        "North West One and Three lists (UNVERIFIED)",
        TURING,
    ),
    *_estimated(
        C,
        ["Warrington"],
        "turing-nw",
        "elimination: hub_areas.md lists Warrington under 'Turing NW?' (UNVERIFIED)",
        TURING,
    ),
    *_estimated(
        C,
        ["North Yorkshire", "York", "East Riding of Yorkshire"],
        "yorkshire-ridings",
        "elimination: hub_areas.md infers Yorkshire Ridings from the West, South and Yorkshire and the "
        "Humber lists; it works with the North Yorkshire Coast Opportunity Area (UNVERIFIED)",
        RIDINGS,
    ),
    *_estimated(
        C,
        ["Newcastle upon Tyne", "Northumberland"],
        "great-north",
        "elimination: hub_areas.md infers Great North from the Archimedes NE area; hub work is "
        "mentioned here (UNVERIFIED)",
        GREAT_NORTH,
    ),
    *_estimated(
        C,
        ["North Tyneside", "South Tyneside", "Gateshead", "Sunderland"],
        "great-north",
        "elimination: hub_areas.md infers Great North from the Archimedes NE area (UNVERIFIED)",
        GREAT_NORTH,
    ),
    *_estimated(
        C,
        ["Lincolnshire"],
        "east-midlands-east",
        "elimination: hub_areas.md infers East Midlands East (UNVERIFIED)",
        EME,
    ),
    *_estimated(
        D,
        ["Bassetlaw", "Gedling", "Mansfield", "Newark and Sherwood", "Rushcliffe"],
        "east-midlands-east",
        "rest-of-county + elimination: East Midlands West lists only Ashfield and Broxtowe; hub_areas.md "
        "infers East Midlands East for the rest of Nottinghamshire (UNVERIFIED)",
        EME,
    ),
    *_estimated(
        D,
        ["Breckland", "Broadland", "Great Yarmouth", "North Norfolk", "Norwich", "South Norfolk"],
        "angles",
        "rest-of-county + elimination: Cambridge lists only King's Lynn and West Norfolk; hub_areas.md "
        "infers Angles for the rest of Norfolk (UNVERIFIED)",
        ANGLES,
    ),
    *_estimated(
        D,
        ["Babergh", "Ipswich", "Mid Suffolk", "East Suffolk"],
        "angles",
        "rest-of-county + elimination: Cambridge lists only West Suffolk; hub_areas.md infers Angles for "
        "the rest of Suffolk (UNVERIFIED)",
        ANGLES,
    ),
    *_estimated(
        C,
        ["Bournemouth, Christchurch and Poole"],
        "jurassic",
        "elimination: hub_areas.md infers Jurassic (Dorset and Devon partnership) (UNVERIFIED)",
        JURASSIC_2014,
    ),
    # ---------------------------------------------------------------- estimated: inferred predecessor
    *_estimated(
        C,
        ["Shropshire", "Herefordshire, County of"],
        "shaw",
        "successor: area of the Salop and Herefordshire Maths Hub (2017), inferred predecessor of SHaW "
        "(UNVERIFIED)",
        SALOP_2017,
    ),
    *_estimated(
        C,
        ["Cumberland", "Westmorland and Furness"],
        "north-north-west",
        "successor: Cumbria, the area of the 2015 Cumbria and north Lancashire hub, inferred to be "
        "North North West (UNVERIFIED)",
        NNW_2015,
    ),
    *_estimated(
        C,
        ["Cornwall"],
        "code",
        "successor: Cornwall, the area of the Cornwall and West Devon Maths Hub (c.2016-17), inferred "
        "predecessor of CODE (UNVERIFIED)",
        CODE_2017,
    ),
    # ---------------------------------------------------------------- estimated: evidence of activity
    *_estimated(
        C,
        ["Telford and Wrekin"],
        "shaw",
        "evidence: the council's schools bulletin promotes SHaW funded opportunities (Jul 2025) (UNVERIFIED)",
        TELFORD_BULLETIN,
    ),
    *_estimated(
        C,
        ["Wolverhampton"],
        "shaw",
        "evidence: SHaW runs a Wolverhampton-based SKTM Work Group (2024/25) (UNVERIFIED)",
        SHAW_WOLVERHAMPTON,
    ),
    *_estimated(
        C,
        ["West Northamptonshire"],
        "east-midlands-south",
        "evidence: not listed by any hub; East Midlands South ran 2024/25 cohorts in Northamptonshire "
        "(UNVERIFIED)",
        EMS_NORTHANTS,
    ),
    # ---------------------------------------------------------------- estimated: from the hub's name
    *_estimated(
        C,
        ["Surrey"],
        "north-east-hants-surrey",
        "name-derived: the hub is named North-East Hants and Surrey; no LA list found (UNVERIFIED)",
        NEHS,
    ),
    # ---------------------------------------------------------------- estimated: split counties
    *_estimated(D, ["Lancaster"], "north-north-west", LANCS_RULE, NNW_2015),
    *_estimated(
        D,
        [
            "Burnley",
            "Chorley",
            "Fylde",
            "Hyndburn",
            "Pendle",
            "Preston",
            "Ribble Valley",
            "Rossendale",
            "South Ribble",
            "West Lancashire",
            "Wyre",
        ],
        "abacus-nw",
        LANCS_RULE,
        ABACUS,
    ),
    *_estimated(D, ["Hart", "Rushmoor", "East Hampshire"], "north-east-hants-surrey", HANTS_NE_RULE, NEHS),
    *_estimated(
        D,
        [
            "Basingstoke and Deane",
            "Eastleigh",
            "Fareham",
            "Gosport",
            "Havant",
            "New Forest",
            "Test Valley",
            "Winchester",
        ],
        "solent",
        HANTS_REST_RULE,
        SOLENT_2014,
    ),
    *_estimated(D, ["West Devon", "Torridge"], "code", DEVON_CODE_RULE, CODE_2017),
    *_estimated(C, ["Plymouth"], "code", DEVON_CODE_RULE, CODE_2017),
    *_estimated(
        D,
        ["East Devon", "Exeter", "Mid Devon", "North Devon", "South Hams", "Teignbridge"],
        "jurassic",
        DEVON_JURASSIC_RULE,
        JURASSIC_2014,
    ),
    *_estimated(C, ["Torbay"], "jurassic", DEVON_JURASSIC_RULE, JURASSIC_2014),
    # ---------------------------------------------------------------- estimated: nearest hub base
    *_estimated(
        C,
        ["Walsall"],
        "central",
        "nearest-hub-base: no source; the nearest district centroid with a declared hub is Sandwell "
        "(Central), and the nearest known lead school is Central's (UNVERIFIED)",
        ncetm("central-maths-hub"),
    ),
    *_estimated(
        C,
        ["Isles of Scilly"],
        "code",
        "nearest-hub-base: no source; the nearest assigned district is Cornwall (CODE, estimated) "
        "(UNVERIFIED)",
        CODE_2017,
    ),
]

# The computed checks behind the split-county and nearest-hub-base rules.
LANCS_HUBS = ("abacus-nw", "north-north-west")
DEVON_AREA = ("Devon", "Plymouth", "Torbay")  # upper-tier names making up the ceremonial county


class DerivationError(RuntimeError):
    """A check failed: the reference files must not be written."""


# --------------------------------------------------------------------------------------------------
# Geometry (plain Python)
# --------------------------------------------------------------------------------------------------


def _ring_terms(ring: list[list[float]]) -> tuple[float, float, float]:
    """Shoelace terms of one ring: twice the signed area and the centroid numerators."""
    a2 = cx = cy = 0.0
    n = len(ring)
    for i in range(n):
        x0, y0 = ring[i][0], ring[i][1]
        x1, y1 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        cross = x0 * y1 - x1 * y0
        a2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return a2, cx, cy


def centroid(multipolygon: list) -> tuple[float, float]:
    """Area-weighted centroid (lat, lon) of a GeoJSON MultiPolygon's coordinates.

    Every ring contributes its signed area, so holes (wound opposite to exterior rings) are subtracted.
    """
    a2 = cx = cy = 0.0
    for polygon in multipolygon:
        for ring in polygon:
            r_a2, r_cx, r_cy = _ring_terms(ring)
            a2 += r_a2
            cx += r_cx
            cy += r_cy
    if a2 == 0:
        raise DerivationError("degenerate polygon (zero area)")
    return cy / (3 * a2), cx / (3 * a2)


def area_km2(multipolygon: list) -> float:
    """Approximate area: shoelace on lon/lat scaled to km at each ring's mean latitude."""
    total = 0.0
    for polygon in multipolygon:
        for ring in polygon:
            lat0 = math.radians(sum(p[1] for p in ring) / len(ring))
            kx, ky = 111.32 * math.cos(lat0), 110.57
            total += _ring_terms([[p[0] * kx, p[1] * ky] for p in ring])[0] / 2
    return abs(total)


def vertices(multipolygon: list) -> set[tuple[float, float]]:
    return {(p[0], p[1]) for polygon in multipolygon for ring in polygon for p in ring}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise DerivationError(f"missing input file: {path}")
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_geometry(path: Path) -> dict[str, list]:
    if not path.is_file():
        raise DerivationError(f"missing input file: {path}")
    with path.open(encoding="utf-8") as f:
        collection = json.load(f)
    out: dict[str, list] = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        coords = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            coords = [coords]
        out[feature["properties"]["code"]] = coords
    return out


# --------------------------------------------------------------------------------------------------
# Derivation
# --------------------------------------------------------------------------------------------------


def confidence_for(provenance: str, source_url: str) -> str:
    if provenance == "estimated":
        return "low"
    if provenance == "declared":
        return "high" if source_url.startswith(NCETM_PREFIXES) else "medium"
    raise DerivationError(f"unknown provenance {provenance!r}")


def expand_assignments(lads: list[dict[str, str]], hub_ids: set[str]) -> dict[str, Assignment]:
    """Map every district code to its one assignment; fail on gaps, overlaps and unknown names/hubs."""
    by_ctyua: dict[str, list[str]] = defaultdict(list)
    by_lad: dict[str, str] = {}
    for row in lads:
        by_ctyua[row["ctyua_name"]].append(row["lad_code"])
        if row["lad_name"] in by_lad:
            raise DerivationError(f"district name {row['lad_name']!r} is not unique")
        by_lad[row["lad_name"]] = row["lad_code"]

    errors: list[str] = []
    result: dict[str, Assignment] = {}
    assigned_by: dict[str, list[str]] = defaultdict(list)
    for a in ASSIGNMENTS:
        if a.hub_id not in hub_ids:
            errors.append(f"unknown hub_id {a.hub_id!r} for {a.area!r}")
        if a.provenance not in ("declared", "estimated"):
            errors.append(f"bad provenance {a.provenance!r} for {a.area!r}")
        if not a.rule or not a.source_url:
            errors.append(f"assignment for {a.area!r} lacks a rule or a source_url")
        if a.level == "ctyua":
            codes = by_ctyua.get(a.area)
        elif a.level == "lad":
            codes = [by_lad[a.area]] if a.area in by_lad else None
        else:
            codes = None
            errors.append(f"bad level {a.level!r} for {a.area!r}")
        if not codes:
            errors.append(f"unknown {a.level} name {a.area!r}")
            continue
        for code in codes:
            assigned_by[code].append(f"{a.area} -> {a.hub_id}")
            result[code] = a

    for code, by in sorted(assigned_by.items()):
        if len(by) > 1:
            errors.append(f"district {code} assigned more than once: {by}")
    names = {row["lad_code"]: row["lad_name"] for row in lads}
    for code in sorted(set(names) - set(result)):
        errors.append(f"district {code} {names[code]} is not assigned to any hub")
    unused = sorted(hub_ids - {a.hub_id for a in result.values()})
    if unused:
        errors.append(f"hubs without any district: {unused}")
    if errors:
        raise DerivationError("hub assignment table is inconsistent:\n  " + "\n  ".join(errors))
    return result


def live_outward_codes(schools: list[dict[str, str]]) -> set[str]:
    return {row["postcode"].split()[0].upper() for row in schools if row.get("postcode", "").strip()}


def main_postcode_districts(rows: list[dict[str, str]], live: set[str]) -> dict[str, str]:
    """District code -> outward code with the most postcode units (codes in current use preferred)."""
    candidates: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for row in rows:
        if row.get("country") == "England" and row.get("lad_code"):
            candidates[row["lad_code"]].append((float(row["n_postcodes"] or 0), row["district"]))
    out = {}
    for lad, items in candidates.items():
        in_use = [item for item in items if item[1] in live] or items
        out[lad] = min(in_use, key=lambda item: (-item[0], item[1]))[1]
    return out


def check_rules(
    lads: list[dict[str, str]],
    assignment: dict[str, Assignment],
    cents: dict[str, tuple[float, float]],
    geometry: dict[str, list],
    hub_points: dict[str, tuple[float, float]],
) -> None:
    """Re-derive the geometric estimation rules and fail if the table disagrees with them."""
    errors: list[str] = []
    row_of = {row["lad_code"]: row for row in lads}
    by_name = {row["lad_name"]: row["lad_code"] for row in lads}

    # Lancashire: nearer lead school of the two hubs sharing the county.
    for hub in LANCS_HUBS:
        if hub not in hub_points:
            errors.append(f"Lancashire rule needs a lead-school location for {hub}")
    if not errors:
        for code, row in row_of.items():
            if row["ctyua_name"] == "Lancashire":
                want = min(LANCS_HUBS, key=lambda h: km(cents[code], hub_points[h]))
                if assignment[code].hub_id != want:
                    errors.append(f"Lancashire rule gives {row['lad_name']} -> {want}")

    # Hampshire: districts sharing a boundary (two or more vertices) with Surrey.
    surrey = set().union(*(vertices(geometry[c]) for c, r in row_of.items() if r["ctyua_name"] == "Surrey"))
    for code, row in row_of.items():
        if row["ctyua_name"] == "Hampshire":
            want = "north-east-hants-surrey" if len(vertices(geometry[code]) & surrey) >= 2 else "solent"
            if assignment[code].hub_id != want:
                errors.append(f"Hampshire rule gives {row['lad_name']} -> {want}")

    # Devon ceremonial county: West Devon and anything whose centroid lies further west go to CODE.
    west_devon_lon = cents[by_name["West Devon"]][1]
    for code, row in row_of.items():
        if row["ctyua_name"] in DEVON_AREA:
            want = "code" if cents[code][1] <= west_devon_lon else "jurassic"
            if assignment[code].hub_id != want:
                errors.append(f"Devon rule gives {row['lad_name']} -> {want}")

    # Nearest hub base.
    def nearest(code: str, pool: list[str]) -> str:
        return min(pool, key=lambda other: km(cents[code], cents[other]))

    walsall = by_name["Walsall"]
    declared = [c for c, a in assignment.items() if a.provenance == "declared"]
    near = nearest(walsall, declared)
    if assignment[near].hub_id != assignment[walsall].hub_id:
        errors.append(
            f"nearest declared district to Walsall is {row_of[near]['lad_name']} ({assignment[near].hub_id})"
        )
    near_lead = min(hub_points, key=lambda h: km(cents[walsall], hub_points[h]))
    if near_lead != assignment[walsall].hub_id:
        errors.append(f"nearest lead school to Walsall is {near_lead}'s")
    scilly = by_name["Isles of Scilly"]
    near = nearest(scilly, [c for c in assignment if c != scilly])
    if assignment[near].hub_id != assignment[scilly].hub_id:
        errors.append(f"nearest district to the Isles of Scilly is {row_of[near]['lad_name']}")

    if errors:
        raise DerivationError("estimation rules disagree with the table:\n  " + "\n  ".join(errors))


def refresh_hubs(hubs: list[dict[str, str]], schools: list[dict[str, str]]) -> list[dict[str, str]]:
    """Fill postcode/lat/lon/location_source from the register for each hub's first lead-school URN."""
    by_urn = {row["urn"].strip(): row for row in schools}
    errors = []
    out = []
    for hub in hubs:
        hub = dict(hub)
        urns = [u.strip() for u in hub["lead_school_urns"].split(";") if u.strip()]
        for urn in urns:
            if urn not in by_urn:
                errors.append(f"{hub['hub_id']}: URN {urn} is not in the GIAS register file")
        if urns and urns[0] in by_urn:
            school = by_urn[urns[0]]
            hub["lead_school_postcode"] = school["postcode"]
            hub["latitude"] = f"{float(school['latitude']):.5f}"
            hub["longitude"] = f"{float(school['longitude']):.5f}"
            hub["location_source"] = f"DfE GIAS URN {urns[0]}"
        elif not urns:
            for column in ("lead_school_postcode", "latitude", "longitude", "location_source"):
                hub[column] = ""
        out.append(hub)
    if errors:
        raise DerivationError("lead-school URNs not found:\n  " + "\n  ".join(errors))
    return out


def check_hubs(hubs: list[dict[str, str]], header: list[str], regions: set[str]) -> None:
    errors = []
    if header != HUB_COLUMNS:
        errors.append(f"hubs.csv header differs from {HUB_COLUMNS}")
    ids = [h["hub_id"] for h in hubs]
    if len(ids) != 40 or len(set(ids)) != 40:
        errors.append(f"hubs.csv must hold 40 unique hub_ids (has {len(ids)}, {len(set(ids))} unique)")
    for h in hubs:
        if h["region"] not in regions:
            errors.append(f"{h['hub_id']}: unknown region {h['region']!r}")
        if h["status"] not in ("confirmed", "dated", "inferred", "not_found"):
            errors.append(f"{h['hub_id']}: bad status {h['status']!r}")
        if h["confidence"] not in ("high", "medium", "low"):
            errors.append(f"{h['hub_id']}: bad confidence {h['confidence']!r}")
        if not h["source_urls"]:
            errors.append(f"{h['hub_id']}: no source_urls")
    if errors:
        raise DerivationError("hubs.csv is invalid:\n  " + "\n  ".join(errors))


def check_regions(hubs: list[dict[str, str]], rows: list[dict[str, str]], areas: dict[str, float]) -> None:
    """Each hub's `region` must be the region holding most of its (assigned) area."""
    by_hub: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        by_hub[row["hub_id"]][row["region_name"]] += areas[row["lad_code"]]
    errors = []
    for hub in hubs:
        top = by_hub[hub["hub_id"]].most_common(1)[0][0]
        if hub["region"] != top:
            errors.append(f"{hub['hub_id']}: region {hub['region']!r}, but most of its area is in {top!r}")
    if errors:
        raise DerivationError("hub regions disagree with the district assignment:\n  " + "\n  ".join(errors))


def to_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def derive(reference_dir: Path, out_dir: Path) -> dict[str, str]:
    """Return {file name: new CSV text} for hub_areas.csv and hubs.csv (nothing is written here)."""
    lads = read_csv(reference_dir / "geo" / "lad_to_region.csv")
    geometry = read_geometry(reference_dir / "geo" / "england_lad.geojson")
    postcodes = read_csv(reference_dir / "geo" / "postcode_districts.csv")
    schools = read_csv(reference_dir / "schools" / "gias_open_schools.csv")

    hubs_path = out_dir / "hubs.csv"
    if not hubs_path.is_file():
        raise DerivationError(f"missing {hubs_path} (written by hand from the research)")
    with hubs_path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        hubs = list(reader)

    if len(lads) != 296 or len({r["lad_code"] for r in lads}) != 296:
        raise DerivationError(f"expected 296 unique districts in lad_to_region.csv, found {len(lads)}")
    missing_geo = sorted({r["lad_code"] for r in lads} - set(geometry))
    if missing_geo:
        raise DerivationError(f"districts without a polygon: {missing_geo}")
    regions = {r["region_name"] for r in lads}
    check_hubs(hubs, header, regions)
    hubs = refresh_hubs(hubs, schools)

    assignment = expand_assignments(lads, {h["hub_id"] for h in hubs})
    cents = {code: centroid(geometry[code]) for code in geometry}
    areas = {code: area_km2(geometry[code]) for code in geometry}
    hub_points = {
        h["hub_id"]: (float(h["latitude"]), float(h["longitude"]))
        for h in hubs
        if h["latitude"] and h["longitude"]
    }
    check_rules(lads, assignment, cents, geometry, hub_points)
    outward = main_postcode_districts(postcodes, live_outward_codes(schools))

    rows = []
    for lad in sorted(lads, key=lambda r: r["lad_code"]):
        a = assignment[lad["lad_code"]]
        lat, lon = cents[lad["lad_code"]]
        rows.append(
            {
                "lad_code": lad["lad_code"],
                "lad_name": lad["lad_name"],
                "ctyua_code": lad["ctyua_code"],
                "ctyua_name": lad["ctyua_name"],
                "region_code": lad["region_code"],
                "region_name": lad["region_name"],
                "hub_id": a.hub_id,
                "provenance": a.provenance,
                "rule": a.rule,
                "source_url": a.source_url,
                "confidence": confidence_for(a.provenance, a.source_url),
                "centroid_lat": f"{lat:.5f}",
                "centroid_lon": f"{lon:.5f}",
                "postcode_district": outward.get(lad["lad_code"], ""),
            }
        )
    check_regions(hubs, rows, areas)
    return {"hub_areas.csv": to_csv(AREA_COLUMNS, rows), "hubs.csv": to_csv(HUB_COLUMNS, hubs)}


def summary(text: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    prov = Counter(r["provenance"] for r in rows)
    conf = Counter(r["confidence"] for r in rows)
    hubs = len({r["hub_id"] for r in rows})
    return (
        f"{len(rows)} districts, {hubs} hubs; provenance {dict(sorted(prov.items()))}; "
        f"confidence {dict(sorted(conf.items()))}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference-dir",
        type=Path,
        default=os.environ.get("ATLAS_REFERENCE_DIR") or None,
        help="folder laid out like the shared open data (geo/, schools/); default $ATLAS_REFERENCE_DIR",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"folder holding hubs.csv and receiving hub_areas.csv (default {DEFAULT_OUT_DIR})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the files on disk differ from a fresh derivation",
    )
    args = parser.parse_args(argv)
    if not args.reference_dir:
        parser.error("give --reference-dir or set ATLAS_REFERENCE_DIR")
    reference_dir = Path(args.reference_dir).resolve()
    out_dir = Path(args.out_dir).resolve()
    try:
        outputs = derive(reference_dir, out_dir)
    except DerivationError as exc:
        print(f"derive_reference: ERROR: {exc}", file=sys.stderr)
        return 1

    stale = []
    for name, text in outputs.items():
        path = out_dir / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            stale.append(name)
            if not args.check:
                path.write_text(text, encoding="utf-8", newline="")
    print(summary(outputs["hub_areas.csv"]))
    if args.check:
        if stale:
            print(f"derive_reference: stale: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("up to date")
    else:
        print(f"wrote {', '.join(stale) or 'nothing (already up to date)'} in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
