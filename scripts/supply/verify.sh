#!/usr/bin/env bash
# Verifies what sign.sh attached to an image: the signature, the SPDX SBOM attestation
# and the SLSA provenance attestation, each against COSIGN_PUB, and checks that each
# names the image's own digest (and, for the provenance, the expected source revision).
#
# usage: verify.sh IMAGE@sha256:DIGEST [STATE_FILE]
# Env: COSIGN, COSIGN_PUB (public key file or KMS URI); REVISION (expected source
# revision, optional); COSIGN_TLOG=true to require transparency-log entries (online).
# Exit 0 only when all three verify; STATE_FILE gets a short summary for the report.
set -euo pipefail

ref=${1:?usage: $0 IMAGE@sha256:DIGEST [STATE_FILE]}
state=${2:-}
: "${COSIGN:?set COSIGN}" "${COSIGN_PUB:?set COSIGN_PUB to the cosign public key}"
digest=${ref##*@}
if [[ $digest != sha256:* ]]; then
  echo "verify: give the image by digest (IMAGE@sha256:...), not by tag" >&2
  exit 2
fi

tlog=(--insecure-ignore-tlog=true)
if [[ ${COSIGN_TLOG:-false} == true ]]; then tlog=(); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "verify: FAILED: $*" >&2
  exit 1
}

# 1. The signature: cosign prints the verified payloads; each must name this digest.
"$COSIGN" verify --key "$COSIGN_PUB" "${tlog[@]}" "$ref" >"$work/sig.json" 2>"$work/sig.err" ||
  fail "signature of $ref does not verify with $COSIGN_PUB: $(tail -n 1 "$work/sig.err")"
signed=$(jq -r '.[].critical.image["docker-manifest-digest"]' "$work/sig.json" | sort -u)
[[ $signed == "$digest" ]] || fail "signature names $signed, not $digest"
echo "ok  signature        $ref"

# attestation TYPE: verify and print the decoded in-toto statements, one per line.
attestation() {
  "$COSIGN" verify-attestation --key "$COSIGN_PUB" "${tlog[@]}" --type "$1" "$ref" >"$work/$1.json" 2>"$work/$1.err" ||
    fail "$1 attestation of $ref does not verify with $COSIGN_PUB: $(tail -n 1 "$work/$1.err")"
  jq -c '.payload | @base64d | fromjson' "$work/$1.json"
}
subject_ok() { jq -e --arg d "${digest#sha256:}" '[.subject[].digest.sha256] | index($d) != null' >/dev/null; }

# 2. The SBOM: an SPDX 2.3 document that names the Go standard library.
attestation spdxjson >"$work/sbom.jsonl"
tail -n 1 "$work/sbom.jsonl" | subject_ok || fail "SBOM attestation is not about $digest"
stdlib=$(tail -n 1 "$work/sbom.jsonl" | jq -r '.predicate | select(.spdxVersion == "SPDX-2.3") | .packages[] | select(.name == "stdlib") | .versionInfo' | head -n 1)
[[ -n $stdlib ]] || fail "SBOM attestation is not SPDX 2.3 or names no stdlib"
packages=$(tail -n 1 "$work/sbom.jsonl" | jq '.predicate.packages | length')
echo "ok  SBOM attestation SPDX-2.3, $packages packages, stdlib $stdlib"

# 3. The provenance: SLSA v1, naming the revision we expect.
attestation slsaprovenance1 >"$work/prov.jsonl"
tail -n 1 "$work/prov.jsonl" | subject_ok || fail "provenance attestation is not about $digest"
rev=$(tail -n 1 "$work/prov.jsonl" | jq -r '.predicate.buildDefinition.externalParameters.source.revision')
builder=$(tail -n 1 "$work/prov.jsonl" | jq -r '.predicate.runDetails.builder.id')
toolchain=$(tail -n 1 "$work/prov.jsonl" | jq -r '.predicate.buildDefinition.internalParameters.toolchain')
if [[ -n ${REVISION:-} && $rev != "$REVISION" ]]; then
  fail "provenance names revision $rev, expected $REVISION"
fi
echo "ok  SLSA provenance  revision $rev, builder $builder, toolchain $toolchain"

if [[ -n $state ]]; then
  {
    echo "ref=$ref"
    echo "signature=verified"
    echo "sbom=SPDX-2.3, $packages packages, stdlib $stdlib"
    echo "provenance=SLSA v1, revision $rev"
    echo "tlog=${COSIGN_TLOG:-false}"
  } >"$state"
fi
echo "verify: passed"
