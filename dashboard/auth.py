"""Who is looking: OpenID Connect sign-in (st.login) and the email -> role mapping.

Sign-in only happens when `.streamlit/secrets.toml` has an `[auth]` section (a real deployment
plugs in Microsoft Entra ID or Google there). Without it everyone is `public` and the sign-in
button says why: there is no other way in. Roles come from data/access.toml (or
$ATLAS_ACCESS_FILE): an email or a whole email domain -> coordinator or hub_lead (with hubs); a
domain grant applies only when the provider says the email is verified (`email_verified`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import streamlit as st

from pipelines.config import REPO_ROOT

ROLE_LABELS = {"public": "public", "hub_lead": "hub lead", "coordinator": "national coordinator"}


@dataclass(frozen=True)
class Viewer:
    role: str = "public"
    email: str | None = None
    hubs: tuple[str, ...] = ()

    @property
    def exact_numbers(self) -> bool:
        """Hub leads and coordinators see exact counts; the public sees suppressed ones."""
        return self.role in ("hub_lead", "coordinator")

    def may_see_roster(self, hub_id: str) -> bool:
        return self.role == "coordinator" or (self.role == "hub_lead" and hub_id in self.hubs)


def access_file() -> Path:
    return Path(os.environ.get("ATLAS_ACCESS_FILE") or REPO_ROOT / "data" / "access.toml")


@cache
def _grants(path: Path, mtime: float) -> tuple[dict, ...]:
    with open(path, "rb") as f:
        return tuple(tomllib.load(f).get("grant", []))


def role_for(email: str | None, path: Path | None = None, email_verified: bool = False) -> Viewer:
    """The most specific grant wins: an exact email before a domain.

    A domain grant needs the provider to vouch for the address (`email_verified` true): anyone can
    create an account at some providers with an address on a domain they do not control."""
    if not email:
        return Viewer()
    path = path or access_file()
    if not path.exists():
        return Viewer(email=email)
    grants = _grants(path, path.stat().st_mtime)
    email = email.strip().lower()
    domain = email.rpartition("@")[2]
    exact = [g for g in grants if str(g.get("email", "")).lower() == email]
    by_domain = [g for g in grants if email_verified and str(g.get("domain", "")).lower() == domain]
    for grant in exact or by_domain:
        role = grant.get("role")
        if role in ("hub_lead", "coordinator"):
            return Viewer(role, email, tuple(grant.get("hubs", ())))
    return Viewer(email=email)


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):
        return False
    except Exception:  # noqa: BLE001 - a malformed secrets file must not take the public site down
        return False


def viewer() -> Viewer:
    if not auth_configured() or not st.user.get("is_logged_in", False):
        return Viewer()
    # Only a boolean true counts: a missing claim (or anything else) is not a yes.
    return role_for(st.user.get("email"), email_verified=st.user.get("email_verified") is True)


def sign_in_controls(who: Viewer) -> None:
    """The sign-in / sign-out button, in the sidebar."""
    with st.sidebar:
        if not auth_configured():
            st.button(
                "Sign in (not configured: public view only)",
                disabled=True,
                help="This server has no sign-in set up ([auth] in secrets), "
                "so everyone sees the public view.",
            )
        elif st.user.get("is_logged_in", False):
            st.caption(f"Signed in as {who.email} ({ROLE_LABELS[who.role]})")
            st.button("Sign out", on_click=st.logout, icon=":material/logout:")
        else:
            st.button("Sign in", on_click=st.login, icon=":material/login:")


def require(*roles: str) -> Viewer:
    """Stop the page with a plain message unless the viewer has one of `roles`."""
    who = viewer()
    if who.role not in roles:
        needed = " or ".join(ROLE_LABELS[r] for r in roles)
        st.error(f"You need to sign in as a {needed} to see this page.", icon=":material/lock:")
        st.stop()
    return who
