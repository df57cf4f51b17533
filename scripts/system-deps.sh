#!/usr/bin/env bash
# What `make test` needs from the system, installed when missing (Debian/Ubuntu packages).
#
#   scripts/system-deps.sh          check, and install what is missing (as root)
#   scripts/system-deps.sh --check  only check: exit 1 naming what is missing
#
# - Java 17 and Maven: build and run the suite's own Neo4j 5.26 (scripts/neo4j.sh);
# - R with `sna`: the reference the brokerage tests compare with, live;
# - Chromium and a Thai font: the browser tests (Playwright drives Debian's Chromium; it
#   never downloads a browser) and the PNG/SVG pictures' labels;
# - python3 with venv: the project's own virtual environment.
#
# As root it installs with apt-get; as another user it stops at once with the one command to
# run, so nothing half-installs.
set -euo pipefail

missing=()
command -v java >/dev/null && command -v mvn >/dev/null || missing+=(openjdk-17-jdk-headless maven)
Rscript -e 'library(sna)' >/dev/null 2>&1 || missing+=(r-base-core r-cran-sna)
command -v chromium >/dev/null || missing+=(chromium)
{ command -v fc-list >/dev/null && fc-list | grep -qi 'tlwg\|noto sans thai'; } ||
  missing+=(fonts-thai-tlwg fontconfig)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)

if ((${#missing[@]} == 0)); then
  exit 0
fi
command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ ${1:-} == --check ]]; then
  echo "system-deps: missing: ${missing[*]}; install with: sudo sh -c '$command'" >&2
  exit 1
fi
if [[ $(id -u) != 0 ]]; then
  echo "system-deps: make test needs these Debian packages: ${missing[*]}" >&2
  echo "system-deps: run once, then make test again:  sudo sh -c '$command'" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
