"""The deploy recipe as shipped: HAProxy accepts deploy/haproxy.cfg unchanged except for where the
certificate and the admin socket live, the image runs as non-root with a health check and only the
runtime dependencies, and compose wires replicas, HAProxy, PostgreSQL and the loader together."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipelines.config import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"


def _self_signed(path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "atlas.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def test_the_production_haproxy_config_is_valid(tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    _self_signed(certs / "atlas.pem")
    cfg = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    cfg = cfg.replace("/usr/local/etc/haproxy/certs/", f"{certs}/").replace(
        "/var/run/haproxy/admin.sock", str(tmp_path / "admin.sock")
    )
    (tmp_path / "haproxy.cfg").write_text(cfg, encoding="utf-8")
    env = {**os.environ, "ATLAS_COOKIE_KEY": "k", "ATLAS_FRAME_ANCESTORS": "https://hub.example.org"}
    check = subprocess.run(
        ["haproxy", "-c", "-f", str(tmp_path / "haproxy.cfg")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    for must in (
        "Content-Security-Policy",
        "frame-ancestors 'self' ${ATLAS_FRAME_ANCESTORS}",
        "Strict-Transport-Security",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "cookie ATLAS_SRV insert",
        "timeout tunnel",
        "httpchk GET /_stcore/health",
    ):
        assert must in cfg, must


def test_the_image_is_non_root_healthchecked_and_runtime_only():
    docker = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "\nUSER atlas\n" in docker and "HEALTHCHECK" in docker and "/_stcore/health" in docker
    assert "uv sync --frozen --no-dev" in docker and "--extra dev" not in docker
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for must in (
        "haproxy:",
        "postgres:",
        "loader:",
        "ATLAS_LOADER: external",
        "ATLAS_DATABASE_URL",
        "STREAMLIT_SERVER_COOKIE_SECRET",
        "atlas-data:/srv/atlas/data",
    ):
        assert must in compose, must
    secrets = (DEPLOY / "secrets.example.toml").read_text(encoding="utf-8")
    assert "[auth]" in secrets and "Entra" in secrets and "Google" in secrets


def test_every_way_of_starting_the_server_uses_the_same_malloc_arenas():
    """make run, the image and the tests' server start the app with the same allocator setting."""
    from tests.streamlit_server import SERVER_ENV

    want = SERVER_ENV["MALLOC_ARENA_MAX"]
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    docker = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert f"export MALLOC_ARENA_MAX ?= {want}" in makefile
    assert f"ENV MALLOC_ARENA_MAX={want}" in docker
