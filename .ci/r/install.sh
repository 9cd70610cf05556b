#!/usr/bin/env bash
# Install R and the reference packages the cross-checks in tests/crosscheck/ compare against
# (Debian packages; root only). R 4.2 with survival 3.5, sandwich, geepack, lme4, mice, cmprsk.
set -euo pipefail
PACKAGES=(r-base-core r-cran-survival r-cran-sandwich r-cran-geepack r-cran-lme4 r-cran-mice r-cran-cmprsk)
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
Rscript -e 'for (p in c("survival", "sandwich", "geepack", "lme4", "mice", "cmprsk")) library(p, character.only = TRUE)'
