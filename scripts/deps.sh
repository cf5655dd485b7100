#!/usr/bin/env bash
# Install and start what the tests need, idempotently: the Debian packages listed in
# .ci/apt/*.txt, the npm packages of internal/server/testdata/a11y (axe-core, for the
# browser tests' accessibility audit), then each service starter in .ci/start.d/ (dockerd, ...).
# `make test` runs it first, so the README's test command works on a fresh machine;
# CI runs the same through .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t pkgs < <(cat .ci/apt/*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages (run as root, or install them): ${missing[*]}" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# axe-core as its lockfile pins it; npm ci again only when the lockfile changed.
a11y=internal/server/testdata/a11y
# Not in .ci/apt: NodeSource's nodejs (this machine's) bundles npm and conflicts with Debian's.
if ! command -v npm >/dev/null && [ "$(id -u)" -eq 0 ]; then
  echo "deps: npm not found: installing Debian's npm for the accessibility audit in $a11y"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; }
fi
if ! command -v npm >/dev/null; then
  echo "deps: npm not found: install Node.js with npm (apt-get install npm) for the accessibility audit in $a11y;" \
    "the browser tests skip it locally and fail under CI (CI=true)" >&2
elif ! cmp -s "$a11y/package-lock.json" "$a11y/node_modules/.deps-lock.json" 2>/dev/null; then
  echo "deps: npm ci in $a11y"
  (cd "$a11y" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.deps-lock.json)
fi

for s in .ci/start.d/*.sh; do
  [ -e "$s" ] && bash "$s"
done
echo "deps: ready"
