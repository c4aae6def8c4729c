"""Open a page of the real app in AppTest, as a given viewer, with query parameters: the one bootstrap
every AppTest module uses (issue 11, item 6).

Sign-in is simulated the way Streamlit documents it: an [auth] secrets section plus AppTest.user.
"""

from __future__ import annotations

import io
import json

import polars as pl
import pyarrow as pa
from streamlit.testing.v1 import AppTest

APP = "../../dashboard/app.py"  # AppTest resolves this against this module's folder
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test",
    "client_id": "test",
    "client_secret": "test",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
USERS = {
    "public": None,
    "stranger": "someone@school.example.org",
    "hub_lead": "origin.lead@example.org",
    "coordinator": "coordinator@example.org",
}


def open_page(
    page: str = "national_map",
    who: str = "public",
    *,
    auth: bool | None = None,
    timeout: float = 60,
    check: bool = True,
    **query_params: str | list[str],
) -> AppTest:
    """The page `page` (a file in dashboard/app_pages/, without `.py`) after its first full run.

    `who` is a key of USERS; `auth` (default: signed in or not public) adds the [auth] secrets.
    Query parameters are set before the first run, and again after a page switch: AppTest hands a
    value carried over a switch to the script one run late, so a switched page runs twice (a
    browser opening /coverage?year=... gets the value at once; see the browser tests).
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    if auth if auth is not None else who != "public":
        at.secrets["auth"] = AUTH
    email = USERS[who]
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    for key, value in query_params.items():
        at.query_params[key] = value
    at.run()  # the home page: st.navigation registers the pages
    if page != "national_map":
        at.switch_page(f"app_pages/{page}.py")
        for key, value in query_params.items():
            at.query_params[key] = value
        at.run()
        at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


def vega_specs(at: AppTest) -> list[dict]:
    """Each chart's spec with its data: inline values, and the named datasets Streamlit sends as Arrow."""
    specs = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec["_datasets"] = {
            d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in chart.proto.datasets
        }
        specs.append(spec)
    return specs


def tables(at: AppTest) -> list[tuple[str, pl.DataFrame]]:
    """Every st.dataframe and st.table on the page, as polars frames."""
    out = [("dataframe", pl.from_pandas(d.value, include_index=False)) for d in at.dataframe]
    out += [("table", pl.from_pandas(t.value, include_index=False)) for t in at.table]
    return out


def csv_text(frame: pl.DataFrame) -> str:
    """A frame as CSV (lists joined with `;`), the readable form baselines store."""
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    frame = frame.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join(";") for c in lists)
    buffer = io.StringIO()
    frame.write_csv(buffer)
    return buffer.getvalue()
