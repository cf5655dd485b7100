#!/usr/bin/env bash
# Writes the image's SPDX 2.3 JSON SBOM with syft, makes it deterministic, and checks
# that it names the Go standard library and every module compiled into the binary,
# with the versions the binary records.
#
# usage: sbom.sh -i IMAGE_TAR -b BINARY -n NAME -o OUT.spdx.json
# Env: SYFT (tool path), SOURCE_DATE_EPOCH, VERSION.
#
# syft stamps each document with the current time and a random namespace UUID. The
# same commit must give the same SBOM, so we replace the time by SOURCE_DATE_EPOCH
# (the commit time) and derive the namespace from the SBOM's own content. Nothing
# else is changed; the creators list says the document was normalized.
set -euo pipefail

while getopts i:b:n:o: opt; do
  case $opt in
  i) image=$OPTARG ;;
  b) binary=$OPTARG ;;
  n) name=$OPTARG ;;
  o) out=$OPTARG ;;
  *) exit 2 ;;
  esac
done
: "${image:?-i IMAGE_TAR}" "${binary:?-b BINARY}" "${name:?-n NAME}" "${out:?-o OUT}" "${SYFT:?set SYFT}"
epoch=${SOURCE_DATE_EPOCH:?set SOURCE_DATE_EPOCH}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$(dirname "$out")"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT

SYFT_CHECK_FOR_APP_UPDATE=false "$SYFT" scan "docker-archive:$image" -q \
  --source-name "$name" --source-version "${VERSION:-unknown}" -o "spdx-json=$raw"

# Everything but the stamped time and namespace, hashed, names the document.
content_id=$(jq -S 'del(.creationInfo.created, .documentNamespace)' "$raw" | sha256sum | cut -c1-64)
jq --arg created "$created" --arg ns "https://github.com/giropops/giropops-senhas/spdx/$name-$content_id" '
  .creationInfo.created = $created
  | .documentNamespace = $ns
  | .creationInfo.comment = "created set to SOURCE_DATE_EPOCH and documentNamespace derived from the content (scripts/supply/sbom.sh), so one commit gives one SBOM"
' "$raw" >"$out"

# Check: the SBOM names the toolchain's stdlib and every module the binary records.
info=$(go version -m "$binary")
want_std=$(awk 'NR == 1 {sub(/^go/, "", $2); print $2}' <<<"$info")
missing=0
check() {
  # Versions compare without their "v" or "go" prefix (syft writes stdlib as go1.N.P).
  if ! jq -e --arg n "$1" --arg v "$2" 'def norm: ltrimstr("go") | ltrimstr("v");
      [.packages[] | select(.name == $n and (.versionInfo // "" | norm) == ($v | norm))] | length > 0' "$out" >/dev/null; then
    echo "sbom: $1 $2 is in the binary but not in the SBOM" >&2
    missing=1
  fi
}
check stdlib "go$want_std"
mods=0
while read -r path ver; do
  check "$path" "$ver"
  mods=$((mods + 1))
done < <(awk '$1 == "dep" { if (p != "") print p; p = $2 " " $3; next } $1 == "=>" { p = $2 " " $3; next } END { if (p != "") print p }' <<<"$info")
((missing == 0)) || exit 1
echo "sbom: $out: $(jq '.packages | length' "$out") packages; names stdlib go$want_std and all $mods modules of the binary"
