#!/usr/bin/env bash
# Writes the release notes of a signed image: its reference by digest and the cosign
# commands that verify its keyless signature and attestations against the identity of
# this repository's release workflow.
#
# usage: notes.sh REF_FILE NOTES_FILE
# REF_FILE holds REGISTRY/IMAGE@sha256:... (make sign writes dist/supply/ref).
# Env: GITHUB_REPOSITORY (owner/repo), GITHUB_SERVER_URL (default https://github.com),
# VERSION (the tag); GITHUB_OUTPUT, when set (GitHub Actions), gets ref= and digest=.
set -euo pipefail

ref_file=${1:?usage: $0 REF_FILE NOTES_FILE}
notes=${2:?usage: $0 REF_FILE NOTES_FILE}
: "${GITHUB_REPOSITORY:?set GITHUB_REPOSITORY to owner/repo (GitHub Actions sets it)}"
server=${GITHUB_SERVER_URL:-https://github.com}
ref=$(tr -d '[:space:]' <"$ref_file")
digest=${ref##*@}
if [[ $ref != *@sha256:* || ! $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "notes: $ref_file holds \"$ref\", not REGISTRY/IMAGE@sha256:<64 hex>" >&2
  exit 1
fi

# The certificate's identity is the workflow file at the tag that ran it:
# https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/tags/vX.Y.Z.
# Dots (and anything else special) in the names are escaped for the regexp.
quote() { sed -E 's/[][\.^$*+?(){}|\/]/\\&/g' <<<"$1"; }
identity="^$(quote "$server/$GITHUB_REPOSITORY/.github/workflows/release.yml@refs/tags/")v"
issuer=https://token.actions.githubusercontent.com
flags="--certificate-identity-regexp '$identity' --certificate-oidc-issuer $issuer"

mkdir -p "$(dirname "$notes")"
cat >"$notes" <<NOTES
## Image ${VERSION:-}

    $ref

Pull it by digest; the tag can move, the digest cannot. Multi-arch (linux/amd64, linux/arm64).

## Verify it

Signed keylessly with cosign by this repository's release workflow (Fulcio certificate,
recorded in the Rekor transparency log), with an SPDX SBOM and SLSA v1 provenance attached
as signed attestations:

    cosign verify $flags \\
      $ref
    cosign verify-attestation --type spdxjson $flags \\
      $ref
    cosign verify-attestation --type slsaprovenance1 $flags \\
      $ref

Trivy's scan of this digest is in the repository's Security tab (code scanning).
NOTES
echo "release notes: $notes ($ref)"
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  printf 'ref=%s\ndigest=%s\n' "$ref" "$digest" >>"$GITHUB_OUTPUT"
fi
