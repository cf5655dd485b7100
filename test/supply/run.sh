#!/usr/bin/env bash
# The supply-chain gates, shown passing on our image and failing where they must.
# `make test-supply` runs it after `make scan` passed on our image.
#
# Env: GOVULNCHECK OSV_SCANNER SYFT COSIGN CRANE (tool paths), MAKE, SUPPLY_DIR.
# Generates its key pairs in a temporary folder; stops the registry it had started.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
: "${GOVULNCHECK:?}" "${OSV_SCANNER:?}" "${SYFT:?}" "${COSIGN:?}" "${CRANE:?}"
MAKE=${MAKE:-make}
image_dist=${IMAGE_DIST:-dist}
supply_dir=${SUPPLY_DIR:-$image_dist/supply}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
tmp=$(mktemp -d)
started_registry=
cleanup() {
  if [[ -n $started_registry ]]; then scripts/supply/registry.sh stop "$supply_dir/registry"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

passed=0 failed=0
ok() { echo "--- PASS: $1"; passed=$((passed + 1)); }
bad() { echo "--- FAIL: $1"; failed=$((failed + 1)); }
# expect NAME CONDITION-COMMAND...: pass when the command succeeds.
expect() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
quiet() { "$@" >/dev/null 2>&1; }
field() { awk -F'\t' -v s="$2" -v c="$3" '$1 == s { print $c }' "$1"; }

# --- keys: two pairs, the second one is "the wrong key" ------------------------------
echo "=== keys (in $tmp)"
mkdir -p "$tmp/right" "$tmp/wrong"
export COSIGN_PASSWORD=test-only-password
(cd "$tmp/right" && "$COSIGN" generate-key-pair >/dev/null 2>&1) &&
  (cd "$tmp/wrong" && "$COSIGN" generate-key-pair >/dev/null 2>&1)
expect "cosign generates test key pairs" test -s "$tmp/right/cosign.key" -a -s "$tmp/wrong/cosign.pub"

# --- SBOM: one commit, one SBOM ---------------------------------------------------------
echo "=== SBOM determinism"
bin=$image_dist/bin/linux-$(go env GOHOSTARCH)/giropops-senhas
for i in 1 2; do
  scripts/supply/sbom.sh -i "$image_dist/image/giropops-senhas.tar" -b "$bin" -n giropops-senhas -o "$tmp/sbom$i.json" >/dev/null
done
expect "two SBOMs of one commit are identical" cmp -s "$tmp/sbom1.json" "$tmp/sbom2.json"
expect "the SBOM is SPDX 2.3 and names stdlib with its version" \
  jq -e '.spdxVersion == "SPDX-2.3" and ([.packages[] | select(.name == "stdlib" and (.versionInfo | test("^go1\\.[0-9]+\\.[0-9]+$")))] | length == 1)' "$tmp/sbom1.json"

# --- sign and verify our image with the test key ----------------------------------------
echo "=== sign and verify (make sign verify)"
if [[ -z ${REGISTRY:-} ]]; then started_registry=1; fi
if COSIGN_KEY=$tmp/right/cosign.key COSIGN_PUB=$tmp/right/cosign.pub $MAKE --no-print-directory sign verify; then
  ok "make sign and make verify pass with the right key"
else
  bad "make sign and make verify pass with the right key"
fi
ref=$(cat "$supply_dir/ref" 2>/dev/null || echo none@sha256:none)
repo=${ref%@*}
digest=${ref#*@}
export COSIGN_PUB=$tmp/right/cosign.pub

# Each platform manifest was signed too (--recursive): a pull by platform digest verifies.
platform=$("$CRANE" manifest "$ref" 2>/dev/null | jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest')
expect "the arm64 manifest's own signature verifies" \
  bash -c '"$COSIGN" verify --key "$COSIGN_PUB" --insecure-ignore-tlog=true "$1" >/dev/null 2>&1' _ "$repo@$platform"

echo "=== verification must fail"
out=$(COSIGN_PUB=$tmp/wrong/cosign.pub scripts/supply/verify.sh "$ref" 2>&1)
rc=$?
echo "$out" | tail -n 1
expect "verify fails with the wrong key" test "$rc" -ne 0
expect "verify with the wrong key names the signature as the failure" grep -q 'signature of .* does not verify' <<<"$out"
for t in spdxjson slsaprovenance1; do
  expect "verify-attestation $t fails with the wrong key" \
    bash -c '! "$COSIGN" verify-attestation --key "$1" --insecure-ignore-tlog=true --type "$2" "$3" >/dev/null 2>&1' _ "$tmp/wrong/cosign.pub" "$t" "$ref"
done

# An image that differs from the signed one by a label: another digest, never signed.
other=$("$CRANE" mutate "$ref" --label giropops.test=tampered -t "$repo:tampered" 2>/dev/null)
other_digest=${other#*@}
expect "the tampered image has another digest" test -n "$other_digest" -a "$other_digest" != "$digest"
out=$(scripts/supply/verify.sh "$repo@$other_digest" 2>&1)
rc=$?
echo "$out" | tail -n 1
expect "verify fails for an image whose digest differs from the signed one" test "$rc" -ne 0

# Worse: everything cosign attached to the signed digest (tags sha256-<hex>[.sig|.att],
# the referrers fallback) copied to the same tags of the other digest.
copied=0
for t in $("$CRANE" ls "$repo" 2>/dev/null | grep "^${digest/:/-}"); do
  "$CRANE" copy "$repo:$t" "$repo:${other_digest/:/-}${t#"${digest/:/-}"}" >/dev/null 2>&1 && copied=$((copied + 1))
done
expect "the signed digest's signature tags were copied to the other digest ($copied)" test "$copied" -gt 0
out=$(scripts/supply/verify.sh "$repo@$other_digest" 2>&1)
rc=$?
echo "$out" | tail -n 1
expect "verify fails for a signature copied from the signed digest to another" test "$rc" -ne 0
expect "verify still passes for the signed digest" quiet scripts/supply/verify.sh "$ref"

# --- the vulnerable fixture: every scanner and the freshness gate must fail ------------
echo "=== vulnerable fixture (golang.org/x/net v0.17.0, xxhash v2.1.1, go1.26.8)"
fx=$root/test/supply/fixtures/vulnerable
mkdir -p "$tmp/fx/rootfs/usr/local/bin"
# An old toolchain on purpose (go1.26.11 is the newest of its line).
(cd "$fx" && GOTOOLCHAIN=go1.26.8 GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath -o "$tmp/fx/rootfs/usr/local/bin/vulnerable" .)
tar -C "$tmp/fx/rootfs" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$tmp/fx/layer.tar" usr
"$CRANE" append --oci-empty-base -f "$tmp/fx/layer.tar" -t example.invalid/vulnerable:test -o "$tmp/fx/image.tar" >/dev/null
scripts/supply/sbom.sh -i "$tmp/fx/image.tar" -b "$tmp/fx/rootfs/usr/local/bin/vulnerable" -n vulnerable -o "$tmp/fx/vulnerable.spdx.json"

fixture_scan() { # OUT_DIR [env...]
  local out=$1
  shift
  env "$@" GOTOOLCHAIN=go1.26.8 scripts/supply/scan.sh -m "$fx" -b "$tmp/fx/rootfs/usr/local/bin/vulnerable" \
    -i "$tmp/fx/image.tar" -s "$tmp/fx/vulnerable.spdx.json" -o "$out"
}
fixture_scan "$tmp/fx/scan" VULNDB="${VULNDB:-}"
rc=$?
expect "the scan gate fails on the fixture (exit 1)" test "$rc" -eq 1
s=$tmp/fx/scan/summary.tsv
for sc in govulncheck-source govulncheck-binary osv-scanner-image osv-scanner-sbom; do
  n=$(field "$s" "$sc" 3)
  st=$(field "$s" "$sc" 4)
  expect "$sc reports the fixture ($st, $n findings)" test "$st" = vulnerable -a "${n:-0}" -gt 0
done
for id in GO-2024-3333; do
  expect "$id is named by govulncheck and by osv-scanner" \
    bash -c 'grep -q "$1" "$2/govulncheck-source.txt" && grep -q "$1" "$2/govulncheck-binary.txt" && grep -q "$1" "$2/osv-scanner-image.json" && grep -q "$1" "$2/osv-scanner-sbom.json"' _ "$id" "$tmp/fx/scan"
done
expect "the freshness gate fails on the fixture" test "$(field "$s" freshness 4)" = stale
expect "freshness names the old toolchain" grep -q 'toolchain go1.26.8, newest of its line is go1.26.' "$tmp/fx/scan/freshness.txt"
expect "freshness names the module with a newer patch" grep -q 'github.com/cespare/xxhash/v2 v2.1.1, newer patch release v2.1.' "$tmp/fx/scan/freshness.txt"

# --- VULNDB picks the database for every scanner -----------------------------------------
echo "=== VULNDB=/folder is used by every scanner"
mkdir -p "$tmp/onevuln"
cp "$(scripts/supply/vulndb.sh select | sed -nE "s/^VULNDB_DIR=(.*)$/\1/p")/GO-2024-3333.json" "$tmp/onevuln/" 2>/dev/null ||
  cp ../shared/vulndb/osv/GO-2024-3333.json "$tmp/onevuln/"
fixture_scan "$tmp/fx/one" VULNDB="$tmp/onevuln" >"$tmp/fx/one.log" 2>&1
grep -E '^vulnerability database|newest entry' "$tmp/fx/one.log"
s=$tmp/fx/one/summary.tsv
for sc in govulncheck-source govulncheck-binary osv-scanner-image osv-scanner-sbom; do
  expect "$sc with VULNDB=one entry finds exactly it" \
    test "$(field "$s" "$sc" 3)" = 1 -a "$(field "$s" "$sc" 5)" = "$tmp/onevuln"
done
expect "the scan names the chosen database and its date" grep -q "newest entry modified: $(jq -r .modified "$tmp/onevuln/GO-2024-3333.json")" "$tmp/fx/one.log"
fixture_scan "$tmp/fx/none" VULNDB="$tmp/does-not-exist" >"$tmp/fx/none.log" 2>&1
rc=$?
expect "a VULNDB that is not a database fails the scan, it does not pass it" test "$rc" -ne 0

echo
echo "supply: $passed passed, $failed failed"
((failed == 0))
