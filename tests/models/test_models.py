"""The published models (pipelines/models/views and marts) checked on a real build, as declared in
pipelines/models/schema.toml: grain, not null, accepted values, and each model's figures against an
independent query on the base tables. Also: which models each page reads, and no model unread."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import duckdb
import pytest

from pipelines.config import REPO_ROOT
from pipelines.vocab import vocab
from pipelines.warehouse.store import MODELS, current_snapshot

SCHEMA = tomllib.loads((MODELS / "schema.toml").read_text(encoding="utf-8"))
CREATE = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(VIEW|MACRO)\s+(\w+)", re.IGNORECASE)
DASHBOARD = REPO_ROOT / "dashboard"

# Every model each page reads, through the data modules it imports (one hop: page -> query
# function -> model). Kept by hand so that a new read shows up in review; the test computes it.
PAGE_MODELS = {
    "about_data": {"academic_years", "llmes_public"},
    "hub_profile": {
        "academic_years",
        "mart_active_llmes",
        "mart_hub_summary",
        "mart_national_summary",
        "mart_schools_reached",
        "mart_work_group_search",
    },
    "hub_roster": {"academic_years"},
    "ingest_report": set(),
    "llme_coverage": {"academic_years", "mart_active_llmes"},
    "load_file": set(),
    "national_map": {"academic_years", "mart_hub_summary", "mart_national_summary"},
    "outreach": {"academic_years", "mart_school_outreach"},
    "unmet_demand": {"academic_years", "mart_work_group_search"},
    "work_group_finder": {"academic_years", "mart_work_group_search"},
}


def model_files() -> dict[str, Path]:
    """Each view, table macro or macro defined under pipelines/models -> its file."""
    out = {}
    for folder in ("macros", "views", "marts"):
        for path in sorted((MODELS / folder).glob("*.sql")):
            for _, name in CREATE.findall(path.read_text(encoding="utf-8")):
                out[name] = path
    return out


def published() -> set[str]:
    """The models pages may read: views and table macros (not the scalar macros they use)."""
    return {n for n, p in model_files().items() if p.parent.name != "macros"}


@pytest.fixture(scope="module")
def con(warehouse):
    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as c:
        yield c


def _rows(con, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def _is_list(con, model: str, column: str) -> bool:
    kind = _rows(con, f"SELECT typeof({column}) FROM {model} LIMIT 1")  # noqa: S608 - declared names
    return bool(kind) and kind[0][0].endswith("[]")


KINDS = ("grain", "not_null", "accepted_values", "figures")
CASES = [(m, k) for m, spec in SCHEMA.items() for k in KINDS if k in spec]


def test_every_published_model_has_declared_tests():
    assert set(SCHEMA) >= published() - {"mart_school_outreach"}, "declare tests in schema.toml"
    assert set(SCHEMA) <= published(), "schema.toml names a model that does not exist"


@pytest.mark.parametrize(("model", "kind"), CASES, ids=[f"{m}-{k}" for m, k in CASES])
def test_model(con, model, kind):
    spec = SCHEMA[model]
    total = _rows(con, f"SELECT count(*) FROM {model}")[0][0]  # noqa: S608 - declared names
    assert total > 0, f"{model} is empty on the sample build: the checks below would prove nothing"
    if kind == "grain":
        keys = ", ".join(spec["grain"])
        repeated = f"SELECT {keys}, count(*) FROM {model} GROUP BY ALL HAVING count(*) > 1 LIMIT 5"  # noqa: S608
        dupes = _rows(con, repeated)
        assert not dupes, f"{model}: the grain ({keys}) repeats: {dupes}"
        nulls = " OR ".join(f"{k} IS NULL" for k in spec["grain"])
        assert _rows(con, f"SELECT count(*) FROM {model} WHERE {nulls}")[0][0] == 0  # noqa: S608
    elif kind == "not_null":
        for column in spec["not_null"]:
            n = _rows(con, f"SELECT count(*) FROM {model} WHERE {column} IS NULL")[0][0]  # noqa: S608
            assert n == 0, f"{model}.{column}: {n} nulls"
    elif kind == "accepted_values":
        for column, rule in spec["accepted_values"].items():
            if rule.startswith("vocabulary:"):
                allowed = set(vocab(rule.removeprefix("vocabulary:")).codes)
            else:
                allowed = {r[0] for r in _rows(con, rule)}
            source = f"unnest({column})" if _is_list(con, model, column) else column
            seen = {r[0] for r in _rows(con, f"SELECT DISTINCT {source} FROM {model}")}  # noqa: S608
            assert seen - {None} <= allowed, f"{model}.{column}: unexpected {sorted(seen - allowed)[:5]}"
    else:
        columns = list(dict.fromkeys([*spec["grain"], *spec["figures"]]))
        got = sorted(_rows(con, f"SELECT {', '.join(columns)} FROM {model}"))  # noqa: S608
        want = sorted(_rows(con, f"SELECT {', '.join(columns)} FROM ({spec['independent']})"))  # noqa: S608
        assert len(got) == len(want) and got == want, f"{model}: figures differ from the independent query"


def _imports(path: Path, seen: set[Path]) -> set[Path]:
    """The dashboard modules a file imports, followed transitively."""
    text = path.read_text(encoding="utf-8")
    found = set()
    pattern = r"^from (dashboard[\w.]*) import (?:\(([^)]*)\)|([^\n]+))"
    for package, group, line in re.findall(pattern, text, re.M):
        names = group or line
        base = DASHBOARD.parent / package.replace(".", "/")
        for name in re.split(r"[,\s]+", names):
            name = name.strip()
            if not name or name == "as":
                continue
            for candidate in (base / f"{name}.py", base.with_suffix(".py")):
                if candidate.exists():
                    found.add(candidate)
    for module in found - seen:
        seen.add(module)
        found |= _imports(module, seen)
    return found


def test_every_page_reads_the_models_listed():
    models = published()
    pages = {p.stem: p for p in (DASHBOARD / "app_pages").glob("*.py")}
    reads = {}
    for name, page in pages.items():
        text = " ".join(m.read_text(encoding="utf-8") for m in _imports(page, set()))
        reads[name] = {m for m in models if re.search(rf"\b{m}\b", text)}
    assert reads == PAGE_MODELS


def test_every_model_is_read():
    """A model no page (dashboard/), pipeline or test reads is dead: delete it (or read it)."""
    files = model_files()
    sources = [p for p in REPO_ROOT.glob("dashboard/**/*.py")]
    sources += [p for p in REPO_ROOT.glob("pipelines/**/*.py")]
    sources += [p for p in REPO_ROOT.glob("tests/**/*.py") if p.parent.name != "models"]
    sources += [p for p in files.values()]
    texts = {p: p.read_text(encoding="utf-8") for p in set(sources)}
    unread = [
        name
        for name, own in files.items()
        if not any(re.search(rf"\b{name}\b", t) for p, t in texts.items() if p != own)
    ]
    assert not unread, f"models nothing reads: {unread}"
