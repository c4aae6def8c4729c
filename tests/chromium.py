"""How tests and benchmarks launch Debian's chromium through Playwright's `executable_path` (never a
downloaded browser): where it is, and the flags for a headless run in a container on 127.0.0.1."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No sandbox (containers run as root), no /dev/shm (small in containers), and nothing that calls out
# to Google's servers (component updates, sync, background networking).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
