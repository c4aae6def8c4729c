"""Sign-in end to end: a real local OpenID Connect provider (oidc-provider-mock on 127.0.0.1),
the real app with an [auth] secrets file, and Debian's chromium. A hub lead signs in, sees their
own roster, cannot open another hub's roster by URL, and signs out."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser.conftest import free_port, start_server, stop_server, wait_for_app
from tests.conftest import _build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(url + "/.well-known/openid-configuration", timeout=2):  # noqa: S310 - loopback
                break
        except OSError:
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def signed_app(provider, tmp_path_factory):
    # Its own warehouse: the coordinator test loads a file into it.
    warehouse = _build(tmp_path_factory.mktemp("signed_warehouse"), None)
    port = free_port()
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-not-for-production"\n'
        'client_id = "atlas-test"\n'
        'client_secret = "atlas-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    proc, url = start_server(warehouse.data_dir, ("--secrets.files", str(secrets)), port=port)
    yield url
    stop_server(proc)


def test_hub_lead_signs_in_sees_own_roster_not_another_and_signs_out(page, provider, signed_app, screenshot):
    page.goto(signed_app + "/")
    wait_for_app(page)
    assert page.get_by_role("link", name="LLME roster").count() == 0  # not in the menu before sign-in

    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name=sub]", timeout=30000)
    page.fill("input[name=sub]", "origin.lead@example.org")
    page.get_by_role("button", name="Authorize").click()
    wait_for_app(page)
    page.get_by_text("Signed in as").wait_for(timeout=30000)

    page.goto(signed_app + "/roster?hub=origin")
    wait_for_app(page)
    page.get_by_text("Active LLMEs this year").wait_for(timeout=30000)
    assert page.get_by_role("heading", name="Origin Maths Hub").count() == 1
    screenshot("sign_in_01_own_roster")

    page.goto(signed_app + "/roster?hub=boolean")
    wait_for_app(page)
    page.get_by_text("You need to sign in as the hub lead of Boolean Maths Hub").wait_for(timeout=30000)
    assert page.get_by_text("Active LLMEs this year").count() == 0
    screenshot("sign_in_02_other_hub_refused")

    page.get_by_role("button", name="Sign out").click()
    # The provider asks to confirm ending its session, then sends the browser back to the app.
    page.wait_for_url(lambda url: url.startswith(provider) or url.rstrip("/") == signed_app, timeout=30000)
    if page.url.startswith(provider):
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(lambda url: url.startswith(signed_app), timeout=30000)
    wait_for_app(page)
    page.goto(signed_app + "/roster?hub=origin")
    wait_for_app(page)
    page.get_by_text("You need to sign in as a hub lead or national coordinator").wait_for(timeout=30000)
    screenshot("sign_in_03_signed_out")


def sign_in(page, provider, app_url, email: str) -> None:
    page.goto(app_url + "/")
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name=sub]", timeout=30000)
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    wait_for_app(page)
    page.get_by_text("Signed in as").wait_for(timeout=30000)


def test_coordinator_loads_a_file_and_the_upload_limit_is_enforced(
    page, provider, signed_app, tmp_path, screenshot
):
    sign_in(page, provider, signed_app, "coordinator@example.org")
    page.goto(signed_app + "/load")
    wait_for_app(page)
    uploader = page.get_by_test_id("stFileUploaderDropzoneInput")

    big = tmp_path / "too_big.csv"
    big.write_bytes(b"work_group_id,school_urn,teachers\n" + b"x" * (21 * 1024 * 1024))
    uploader.set_input_files(str(big))
    page.get_by_text("File must be 20").first.wait_for(timeout=30000)  # Streamlit refuses it before upload
    screenshot("upload_limit_refused")

    small = tmp_path / "participations.csv"
    small.write_text("work_group_id,school_urn,teachers\nno-such-group,100000,1\n", encoding="utf-8")
    page.get_by_text("Participations", exact=True).click()
    wait_for_app(page)
    uploader.set_input_files(str(small))
    wait_for_app(page)
    page.get_by_role("button", name="Load", exact=True).click()
    wait_for_app(page)
    page.get_by_text("0 loaded, 1 quarantined").wait_for(timeout=30000)
    screenshot("upload_loaded_with_quarantine")
