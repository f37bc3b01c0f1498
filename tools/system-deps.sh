#!/usr/bin/env bash
# System packages `make test` needs beyond Python: Chromium renders the role's HTML report in the tests.
# Installs with apt-get when missing and we are root (CI, fresh machines); otherwise says what to run.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium (Debian package) for the HTML report checks ..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
else
    echo "ERROR: Chromium is missing; install it (Debian/Ubuntu: sudo apt-get install -y chromium) and rerun make test" >&2
    exit 1
fi
