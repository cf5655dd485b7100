#!/usr/bin/env bash
# The course's comparison table, measured on our image, with the course's two images as
# reference rows (their published figures, not measured here).
#
# usage: report.sh -l OCI_LAYOUT -d DIGEST_FILE -S SCAN_SUMMARY -v VERIFIED -s SBOM -p PROVENANCE -o REPORT.md
# Env: MAKE and IMAGE_DIST to rebuild the image once more and compare digests
# (REPRODUCIBLE_CHECK=0 skips the rebuild).
set -euo pipefail

while getopts l:d:S:v:s:p:o: opt; do
  case $opt in
  l) layout=$OPTARG ;;
  d) digest_file=$OPTARG ;;
  S) summary=$OPTARG ;;
  v) verified=$OPTARG ;;
  s) sbom=$OPTARG ;;
  p) provenance=$OPTARG ;;
  o) out=$OPTARG ;;
  *) exit 2 ;;
  esac
done
: "${layout:?}" "${digest_file:?}" "${summary:?}" "${verified:?}" "${sbom:?}" "${provenance:?}" "${out:?}"
arch=$(go env GOHOSTARCH)
digest=$(tr -d '[:space:]' <"$digest_file")
blob() { cat "$layout/blobs/sha256/${1#sha256:}"; }

# The host platform's manifest inside the index the layout holds.
top=$(jq -r '.manifests[0].digest' "$layout/index.json")
manifest=$(blob "$top" | jq -r --arg a "$arch" '.manifests[] | select(.platform.os == "linux" and .platform.architecture == $a) | .digest')
layers=$(blob "$manifest" | jq '.layers | length')
compressed=$(blob "$manifest" | jq '[.layers[].size] | add + 0')
config=$(blob "$manifest" | jq -r .config.digest)
user=$(blob "$config" | jq -r '.config.User // "root"')
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1000000 }'; }
size="$(mb "$compressed") compressed"
# Unpacked size: the sum of the files in the (gzip) layers.
unpacked=0
for l in $(blob "$manifest" | jq -r '.layers[].digest'); do
  n=$(blob "$l" | gzip -dc | tar -tvf - | awk '{ s += $3 } END { print s + 0 }')
  unpacked=$((unpacked + n))
done
size="$size, $(mb "$unpacked") unpacked"

# Vulnerabilities per scanner, from the last `make scan`.
if [[ -f $summary ]]; then
  vulns=$(awk -F'\t' 'NR > 1 && $1 != "freshness" {
      tool = $1; sub(/-[^-]+$/, "", tool); what = substr($1, length(tool) + 2)
      s = s (s ? "; " : "") tool " " what ": " ($4 == "pass" || $4 == "vulnerable" ? $3 : $4) }
    END { print s }' "$summary")
  dbdate=$(awk -F'\t' 'NR == 2 { print $6 }' "$summary")
  db=$(awk -F'\t' 'NR == 2 { print $5 }' "$summary")
  fresh=$(awk -F'\t' '$1 == "freshness" { print $4 }' "$summary")
  vulns="$vulns (DB ${dbdate%%T*}); freshness: $fresh"
else
  vulns="not scanned (make scan failed to run)"
  db=none
fi

signed=no sbom_cell=no prov=no
if [[ -f $verified ]] && grep -q "ref=.*@$digest\$" "$verified"; then
  signed="yes: cosign, verified ($(sed -n 's/^ref=//p' "$verified" | sed 's/@.*//'))"
  sbom_cell="$(sed -n 's/^sbom=//p' "$verified"), attested"
  prov="$(sed -n 's/^provenance=//p' "$verified" | cut -c1-40), attested"
elif [[ -f $sbom ]]; then
  sbom_cell="SPDX 2.3, $(jq '.packages | length' "$sbom") packages (not attested: verify failed)"
fi

# Reproducible: build the image again in a scratch folder and compare the index digest.
repro="not checked"
if [[ ${REPRODUCIBLE_CHECK:-1} != 0 && -n ${MAKE:-} ]]; then
  scratch=$(mktemp -d)
  if $MAKE --no-print-directory -s image-oci IMAGE_DIST="$scratch" >"$scratch.log" 2>&1; then
    again=$(tr -d '[:space:]' <"$scratch/image/digest")
    if [[ $again == "$digest" ]]; then repro="yes: a second build gives the same digest"; else
      repro="NO: second build gave $again"; fi
  else
    repro="not checked (rebuild failed, see $scratch.log)"
  fi
  rm -rf "$scratch"
fi

base="none (FROM scratch: static Go binary, /etc/passwd+group; user $user)"
{
  echo "# Giropops Senhas: supply-chain report"
  echo
  echo "Image: \`giropops-senhas@$digest\` (multi-arch index; sizes and layers of linux/$arch)."
  echo "Vulnerability database: $db, newest entry ${dbdate:-unknown}."
  echo
  echo "| image | base | vulnerabilities | layers | size | signed | SBOM | provenance | reproducible |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "| giropops-senhas (this repo, measured) | $base | $vulns | $layers | $size | $signed | $sbom_cell | $prov | $repro |"
  echo "| Chainguard Python (course, published figures) | Wolfi (Chainguard) | 0 | 6 | 26.42 MB | n/a | n/a | n/a | n/a |"
  echo "| python:3.9-slim (course, published figures) | Debian slim | 6 | 23 | 50.84 MB | n/a | n/a | n/a | n/a |"
  echo
  echo "The two reference rows are the figures the course published, not measured here (no"
  echo "image can be pulled on this machine). Our row is measured by \`make report\` from"
  echo "\`make scan\`, \`make verify\` and a second build of the image."
  echo "n/a: the published figures do not say. Sizes are compressed layer bytes (1 MB = 10^6 bytes)."
} >"$out"
cat "$out"
