#!/usr/bin/env bash
# Install Debian's Chromium (and its ChromeDriver) for the browser tests of summary.html in
# tests/integration/test_summary_browser.py (Debian packages; root only).
set -euo pipefail
PACKAGES=(chromium chromium-driver)
if [[ $(id -u) -ne 0 ]]; then
    echo "install.sh: installing Debian packages needs root" >&2
    exit 2
fi
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
chromium --headless --no-sandbox --disable-gpu --version
