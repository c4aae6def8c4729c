"""The production topology, with the real parts from Debian packages: two Streamlit replicas on one
data folder behind HAProxy (deploy/haproxy.cfg), the ops store on a throwaway PostgreSQL, the
loader process that takes uploads from the replicas, sign-in through a local OpenID Connect provider,
and Debian's chromium.

Sessions are pinned to a chosen replica the way HAProxy pins them: by its sticky cookie.
"""

# ruff: noqa: F811 - `provider` is a fixture imported from the sign-in tests, then used as an argument
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from http.cookies import SimpleCookie

import psycopg
import pytest

from pipelines.config import REPO_ROOT
from tests.browser.conftest import ARTIFACTS, wait_for_app
from tests.browser.test_sign_in import provider  # noqa: F401 - the local OIDC provider fixture
from tests.conftest import _build
from tests.hardening.corpus import WG_COLUMNS, csv_bytes, wg
from tests.service.topology import Topology

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("replicas")]
EMBEDDERS = "https://hub.example.org https://maths.example.net"
ZERO_RESULTS = "/finder?phase=post16&delivery=face_to_face&open=1&places=1&from=2027-08-20"


@pytest.fixture(scope="module")
def topo(provider, pg, tmp_path_factory):
    warehouse = _build(tmp_path_factory.mktemp("replicas_warehouse"), None)
    access = tmp_path_factory.mktemp("access") / "access.toml"
    access.write_text(
        (REPO_ROOT / "data" / "access.toml").read_text(encoding="utf-8")
        + '\n[[grant]]\ndomain = "granted.example.org"\nrole = "coordinator"\n',
        encoding="utf-8",
    )
    secrets = (
        "[auth]\n"
        'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-not-for-production"\n'
        'client_id = "atlas-test"\n'
        'client_secret = "atlas-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    with Topology(
        warehouse.data_dir,
        2,
        database_url=pg.create_database("replicas"),
        secrets=secrets,
        env={"ATLAS_ACCESS_FILE": str(access)},
        frame_ancestors=EMBEDDERS,
        logs_to=ARTIFACTS / "topology",
        loader=True,
    ) as t:
        t.warehouse = warehouse
        yield t


@pytest.fixture(scope="module")
def sticky(topo) -> dict[str, str]:
    """HAProxy's sticky-cookie value for each replica (locally, the replica's name), checked by
    asking as new visitors: HAProxy spreads them over both replicas and pins each with its cookie."""
    seen = set()
    for _ in range(20):
        with urllib.request.urlopen(topo.url + "/_stcore/health", timeout=10) as r:  # noqa: S310 - loopback
            jar = SimpleCookie()
            for header in r.headers.get_all("Set-Cookie") or ():
                jar.load(header)
            seen.add(jar["ATLAS_SRV"].value)
        if len(seen) == 2:
            break
    assert seen == {"r1", "r2"}, seen
    return {"r1": "r1", "r2": "r2"}


def pin(page, topo, sticky, replica: str) -> None:
    page.context.add_cookies([{"name": "ATLAS_SRV", "value": sticky[replica], "url": topo.url}])


def metric(page, label: str) -> str:
    label_el = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    tile = page.get_by_test_id("stMetric").filter(has=label_el).first
    return tile.get_by_test_id("stMetricValue").inner_text().strip()


def sign_in(page, provider, topo, email: str) -> None:
    page.goto(topo.url + "/")
    wait_for_app(page, timeout=90000)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name=sub]", timeout=30000)
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    wait_for_app(page, timeout=90000)
    page.get_by_text("Signed in as").wait_for(timeout=30000)


def ops_rows(topo, sql: str) -> list[tuple]:
    with psycopg.connect(topo.database_url) as con:
        return con.execute(sql).fetchall()


def test_every_answer_carries_the_security_headers_and_a_sticky_cookie(topo):
    with urllib.request.urlopen(topo.url + "/", timeout=10) as r:  # noqa: S310 - loopback
        headers = r.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert f"frame-ancestors 'self' {EMBEDDERS}" in csp  # the configured embedding origins
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    sticky = [c for c in headers.get_all("Set-Cookie") if c.startswith("ATLAS_SRV=")]
    assert sticky and "HttpOnly" in sticky[0]
    assert "Server" not in headers


def test_sessions_on_both_replicas_see_a_cli_load_and_log_demand_to_postgres(topo, sticky, browser):
    pages = {}
    for name in ("r1", "r2"):
        ctx = browser.new_context()
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        pin(page, topo, sticky, name)
        page.goto(topo.url + "/")
        wait_for_app(page, timeout=90000)
        pages[name] = (page, errors)
    before = {name: int(metric(p, "Work Groups").replace(",", "")) for name, (p, _) in pages.items()}
    assert before["r1"] == before["r2"]

    new = topo.root / "new_groups.csv"
    new.write_bytes(csv_bytes(WG_COLUMNS, [wg(i, work_group_id=f"replica-{i:03d}") for i in range(3)]))
    env = {**os.environ, "ATLAS_DATA_DIR": str(topo.data_dir), "ATLAS_DATABASE_URL": topo.database_url}
    run = subprocess.run(
        [sys.executable, "-m", "pipelines", "ingest", "work_groups", str(new), "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["loaded"] == 3

    for name, (page, errors) in pages.items():
        page.reload()
        wait_for_app(page, timeout=90000)
        assert int(metric(page, "Work Groups").replace(",", "")) == before[name] + 3, name
        page.goto(topo.url + ZERO_RESULTS)
        wait_for_app(page, timeout=90000)
        # The empty search is logged by the replica that served it (the page wording is the finder's).
        deadline = time.monotonic() + 60
        sql = f"SELECT count(*) FROM unmet_demand WHERE replica = '{name}'"  # noqa: S608 - test's own names
        while ops_rows(topo, sql)[0][0] == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [e for e in errors if "Content Security Policy" in e], errors
        page.context.close()

    # The CLI's run is in the journal the replicas read; each replica logged its empty search.
    assert ops_rows(topo, "SELECT count(*) FROM load_runs WHERE file = 'new_groups.csv'")[0][0] == 1
    replicas = {r[0] for r in ops_rows(topo, "SELECT DISTINCT replica FROM unmet_demand")}
    assert replicas == {"r1", "r2"}


def test_sign_in_upload_and_download_through_haproxy_on_either_replica(
    topo,
    sticky,
    provider,
    browser,
    tmp_path,
):
    for name in ("r2", "r1"):
        ctx = browser.new_context(accept_downloads=True)
        page = ctx.new_page()
        pin(page, topo, sticky, name)
        sign_in(page, provider, topo, "coordinator@example.org")

        page.goto(topo.url + "/load")
        wait_for_app(page, timeout=90000)
        small = tmp_path / f"participations_{name}.csv"
        # Different bytes per replica: the same file twice would rightly change nothing the second time.
        small.write_text(
            f"work_group_id,school_urn,teachers\nno-such-group-{name},100000,1\n", encoding="utf-8"
        )
        page.get_by_text("Participations", exact=True).click()
        wait_for_app(page)
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(small))
        wait_for_app(page)
        page.get_by_role("button", name="Load", exact=True).click()
        try:
            page.get_by_text("0 loaded, 1 quarantined").wait_for(timeout=240000)
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"replicas_upload_{name}.png"), full_page=True)

        page.goto(topo.url + "/roster?hub=origin")
        wait_for_app(page, timeout=90000)
        page.get_by_text("Active LLMEs this year").wait_for(timeout=30000)
        with page.expect_download(timeout=60000) as download:
            page.get_by_role("button", name="Download roster (CSV)").click()
        body = open(download.value.path(), encoding="utf-8-sig").read()  # CSV downloads carry a BOM
        assert body.startswith("llme_id,") and body.count("\n") > 1
        ctx.close()

    rows = ops_rows(topo, "SELECT replica, action FROM access_log WHERE what = 'llme_roster'")
    assert {r for r, a in rows if a == "view"} == {"r1", "r2"}
    assert {r for r, a in rows if a == "download"} == {"r1", "r2"}
    uploads = ops_rows(topo, "SELECT status, claimed_by FROM uploads WHERE file_name LIKE 'participations_%'")
    assert sorted(s for s, _ in uploads) == ["done", "done"]
    assert {c for _, c in uploads} == {"loader"}  # the loader process loaded them, not a web replica


def test_a_domain_grant_needs_a_verified_email(topo, provider, page):
    """granted.example.org is a coordinator domain: only a provider-verified address gets it."""
    for sub, verified in (("unverified@granted.example.org", False), ("verified@granted.example.org", True)):
        claims = json.dumps({"email": sub, "email_verified": verified}).encode()
        req = urllib.request.Request(
            f"{provider}/users/{sub}", data=claims, method="PUT", headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(req, timeout=10).close()  # noqa: S310 - loopback
    sign_in(page, provider, topo, "unverified@granted.example.org")
    page.get_by_text("(public)").first.wait_for(timeout=30000)
    page.goto(topo.url + "/ingest")
    wait_for_app(page, timeout=90000)
    page.get_by_text("You need to sign in as a national coordinator").wait_for(timeout=30000)

    page.context.clear_cookies()
    sign_in(page, provider, topo, "verified@granted.example.org")
    page.get_by_text("(national coordinator)").first.wait_for(timeout=30000)


def test_a_hostile_xlsx_upload_does_not_take_the_server_down(topo, provider, page, tmp_path):
    """A 5 KB workbook with one space in XFD1048576 (the reader would ask for 512 GiB): the load
    runs in a limited child, the page says what went wrong, and every replica keeps serving."""
    import xlsxwriter

    hostile = tmp_path / "work_groups_huge.xlsx"
    book = xlsxwriter.Workbook(str(hostile))
    sheet = book.add_worksheet()
    for col, name in enumerate(WG_COLUMNS):
        sheet.write(0, col, name)
    sheet.write(1048575, 16383, " ")
    book.close()
    sign_in(page, provider, topo, "coordinator@example.org")
    page.goto(topo.url + "/load")
    wait_for_app(page, timeout=90000)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(hostile))
    wait_for_app(page)
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_test_id("stAlertContentError").first.wait_for(timeout=180000)
    said = page.get_by_test_id("stAlertContentError").first.inner_text()
    assert "work_groups_huge.xlsx" in said and ("too large" in said or "could not be loaded" in said), said
    for r in topo.replicas:
        with urllib.request.urlopen(r.url + "/_stcore/health", timeout=10) as answer:  # noqa: S310
            assert answer.read() == b"ok"
    page.goto(topo.url + "/")
    wait_for_app(page, timeout=90000)
    assert metric(page, "Work Groups")


def test_stopping_one_replica_leaves_the_other_serving(topo, sticky, page):
    """Last in the module: it stops r1. HAProxy marks it down and its visitors land on r2."""
    pin(page, topo, sticky, "r1")
    topo.stop_replica(0)
    assert topo.wait_state("r1", "DOWN", timeout_s=30), topo.server_states()
    assert topo.server_states()["r2"].startswith("UP")
    page.goto(topo.url + "/")
    wait_for_app(page, timeout=90000)
    assert metric(page, "Work Groups")
    for _ in range(5):
        with urllib.request.urlopen(topo.url + "/_stcore/health", timeout=10) as r:  # noqa: S310
            assert r.read() == b"ok"
