#!/usr/bin/env bash
# Pushes the image by digest, signs it with cosign and attaches the SBOM and the SLSA
# provenance as signed attestations.
#
# usage: sign.sh -l OCI_LAYOUT -d DIGEST_FILE -s SBOM -p PROVENANCE -o STATE_DIR
# Env: COSIGN, CRANE (tool paths); COSIGN_KEY (private key file or KMS URI) and
# COSIGN_PASSWORD, or COSIGN_KEYLESS=1 (below); REGISTRY (host[:port][/path]; empty: a local registry on 127.0.0.1
# that this script starts); IMAGE_NAME (default giropops-senhas); VERSION (tag).
# Writes STATE_DIR/ref, the signed reference REGISTRY/IMAGE_NAME@sha256:...
#
# Offline (no Rekor, Fulcio or TUF reachable) the signatures are not uploaded to a
# transparency log: COSIGN_TLOG=false (the default here). Online, set COSIGN_TLOG=true
# to upload them, or see docs/supply-chain.md for keyless signing.
#
# COSIGN_KEYLESS=1: no key. cosign signs with a short-lived Fulcio certificate for the
# OIDC identity it finds (in GitHub Actions, the workflow's, with id-token: write) and
# records every signature and attestation in Rekor; COSIGN_KEY is ignored. The release
# workflow (.github/workflows/release.yml, docs/release.md) signs this way.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
while getopts l:d:s:p:o: opt; do
  case $opt in
  l) layout=$OPTARG ;;
  d) digest_file=$OPTARG ;;
  s) sbom=$OPTARG ;;
  p) provenance=$OPTARG ;;
  o) state=$OPTARG ;;
  *) exit 2 ;;
  esac
done
: "${layout:?-l OCI_LAYOUT}" "${digest_file:?-d DIGEST_FILE}" "${sbom:?-s SBOM}" "${provenance:?-p PROVENANCE}" "${state:?-o STATE_DIR}"
: "${COSIGN:?set COSIGN}" "${CRANE:?set CRANE}"
if [[ ${COSIGN_KEYLESS:-} == 1 ]]; then
  key=()
else
  : "${COSIGN_KEY:?set COSIGN_KEY to the cosign private key, or COSIGN_KEYLESS=1}"
  key=(--key "$COSIGN_KEY")
fi
image_name=${IMAGE_NAME:-giropops-senhas}
mkdir -p "$state"

if [[ -z ${REGISTRY:-} ]]; then
  REGISTRY=$("$here/registry.sh" start "$state/registry")
  echo "registry: local, $REGISTRY (started by make sign; make registry-stop ends it)"
fi
repo=$REGISTRY/$image_name
want=$(tr -d '[:space:]' <"$digest_file")

# The layout's one entry is the multi-arch index; crane pushes that entry (with --index it
# would wrap it in a new index). The registry must hold exactly the digest we built.
"$CRANE" push "$layout" "$repo:${VERSION:-latest}" >/dev/null 2>"$state/push.log" || { cat "$state/push.log" >&2; exit 1; }
got=$("$CRANE" digest "$repo:${VERSION:-latest}")
if [[ $got != "$want" ]]; then
  echo "sign: registry holds $got, but the build's digest is $want" >&2
  exit 1
fi
ref=$repo@$want
echo "pushed: $ref"

tlog=(--tlog-upload=false --use-signing-config=false)
if [[ ${COSIGN_TLOG:-false} == true || ${COSIGN_KEYLESS:-} == 1 ]]; then tlog=(); fi

# --recursive also signs each platform's manifest, so a pull by platform digest verifies.
"$COSIGN" sign "${key[@]}" "${tlog[@]}" --recursive -y "$ref"
"$COSIGN" attest "${key[@]}" "${tlog[@]}" -y --type spdxjson --predicate "$sbom" "$ref"
"$COSIGN" attest "${key[@]}" "${tlog[@]}" -y --type slsaprovenance1 --predicate "$provenance" "$ref"
echo "$ref" >"$state/ref"
echo "signed: $ref (signature, SPDX SBOM attestation, SLSA v1 provenance attestation)"
