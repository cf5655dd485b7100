#!/usr/bin/env bash
# make fuzz-ci: run every fuzz target of the module (go test -list '^Fuzz') for
# FUZZTIME each (default 10s). Fails if a target finds a failing input, if a package
# does not build, or if there is no fuzz target at all (a gate that checks nothing).
# A failing input is written to the package's testdata/fuzz/ by go test: commit it
# with the fix, so that it stays a regression test.
set -euo pipefail
cd "$(dirname "$0")/../.."

fuzztime=${FUZZTIME:-10s}

# Only the module's packages whose tests declare a fuzz target are listed: go test -list
# builds each package's test binary, and the others have nothing to give.
all=$(go list -f '{{.ImportPath}} {{.Dir}}' ./...)
pkgs=()
while read -r imp dir; do
  if grep -qs '^func Fuzz' "$dir"/*_test.go; then pkgs+=("$imp"); fi
done <<<"$all"

# go test -list prints a package's fuzz targets, then its "ok <import path>" line.
targets=()
pending=()
if ((${#pkgs[@]})); then
  list=$(go test -list '^Fuzz' "${pkgs[@]}")
  while IFS= read -r line; do
    case $line in
      Fuzz*) pending+=("$line") ;;
      "ok "*)
        pkg=$(awk '{print $2}' <<<"$line")
        for t in "${pending[@]}"; do targets+=("$pkg $t"); done
        pending=() ;;
    esac
  done <<<"$list"
fi

if ((${#targets[@]} == 0)); then
  echo "fuzz-ci: no fuzz target found (go test -list '^Fuzz')" >&2
  exit 1
fi

echo "fuzz-ci: ${#targets[@]} targets, $fuzztime each"
failed=()
for pt in "${targets[@]}"; do
  read -r pkg t <<<"$pt"
  echo "--- fuzz $t ($pkg)"
  if ! go test -run '^$' -fuzz "^$t\$" -fuzztime "$fuzztime" "$pkg"; then
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz-ci: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-ci: ${#targets[@]} passed, 0 failed"
