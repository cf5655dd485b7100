#!/usr/bin/env bash
# The vulnerability gate: govulncheck on the source and on the binary, osv-scanner on
# the image archive and on the SBOM, then the freshness gate. Every scanner runs (so
# one report shows all of them); the script fails if any of them found something or
# could not run.
#
# usage: scan.sh -m MODULE_DIR -b BINARY -i IMAGE_TAR -s SBOM -o OUT_DIR
# Tools come from GOVULNCHECK and OSV_SCANNER (absolute paths, see mk/tools.mk);
# the database from scripts/supply/vulndb.sh (VULNDB=/folder to choose it).
# Writes OUT_DIR/<scanner>.txt (what the scanner printed) and OUT_DIR/summary.tsv:
#   scanner  target  findings  status  database  database_date
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
while getopts m:b:i:s:o: opt; do
  case $opt in
  m) module=$OPTARG ;;
  b) binary=$OPTARG ;;
  i) image=$OPTARG ;;
  s) sbom=$OPTARG ;;
  o) out=$OPTARG ;;
  *) exit 2 ;;
  esac
done
: "${module:?-m MODULE_DIR}" "${binary:?-b BINARY}" "${image:?-i IMAGE_TAR}" "${sbom:?-s SBOM}" "${out:?-o OUT_DIR}"
: "${GOVULNCHECK:?set GOVULNCHECK to the govulncheck binary}" "${OSV_SCANNER:?set OSV_SCANNER to the osv-scanner binary}"
for f in "$binary" "$image" "$sbom"; do
  [[ -f $f ]] || { echo "scan: $f does not exist" >&2; exit 2; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

eval "$("$here/vulndb.sh" select)"
age_days=unknown
if [[ $VULNDB_DATE != unknown ]]; then
  age_days=$(( ($(date -u +%s) - $(date -u -d "$VULNDB_DATE" +%s)) / 86400 ))
fi
if [[ $VULNDB_MODE == folder ]]; then
  db_label="$VULNDB_DIR"
  govuln_db=(-db "file://$VULNDB_DIR")
  "$here/vulndb.sh" osv-local "$out/osv-db"
  osv_db=(--offline --local-db-path "$out/osv-db")
else
  db_label="live (vuln.go.dev, osv.dev)"
  govuln_db=()
  osv_db=()
fi
echo "vulnerability database: $db_label"
echo "  chosen by: $VULNDB_ORIGIN"
echo "  newest entry modified: $VULNDB_DATE ($age_days days old)"

printf 'scanner\ttarget\tfindings\tstatus\tdatabase\tdatabase_date\n' >"$out/summary.tsv"
failed=0
# record NAME TARGET FINDINGS STATUS
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$db_label" "$VULNDB_DATE" >>"$out/summary.tsv"
  printf '%-22s %-8s %s (%s)\n' "$1" "$4" "$2" "$3 findings"
  [[ $4 == pass ]] || failed=1
}

# govulncheck exits 0 when clean, 3 when it found vulnerabilities, anything else on error.
# It reports each vulnerability as "Vulnerability #N: GO-YYYY-NNNN".
govulncheck_run() {
  local name=$1 target=$2 rc=0 n
  shift 2
  "$@" >"$out/$name.txt" 2>&1 || rc=$?
  n=$(grep -cE '^Vulnerability #[0-9]+: ' "$out/$name.txt" || true)
  case $rc in
  0) record "$name" "$target" "$n" pass ;;
  3) record "$name" "$target" "$n" vulnerable ;;
  *) record "$name" "$target" "$n" "error($rc)"; tail -n 20 "$out/$name.txt" >&2 ;;
  esac
}

# osv-scanner exits 0 when clean, 1 when it found vulnerabilities, other codes on error.
# Its JSON lists each vulnerability group once per package; with --all-packages it lists
# the clean packages too, so a pass that found no package at all is caught.
osv_run() {
  local name=$1 target=$2 rc=0 n pk
  shift 2
  "$OSV_SCANNER" "$@" --all-packages "${osv_db[@]}" --format json --output-file "$out/$name.json" >"$out/$name.txt" 2>&1 || rc=$?
  n=$(jq '[.results[]?.packages[]?.groups[]?] | length' "$out/$name.json" 2>/dev/null || echo "?")
  pk=$(jq '[.results[]?.packages[]?] | length' "$out/$name.json" 2>/dev/null || echo 0)
  echo "osv-scanner saw $pk packages: $(jq -r '[.results[]?.packages[]? | .package.name + "@" + .package.version] | join(" ")' "$out/$name.json" 2>/dev/null)" >>"$out/$name.txt"
  if [[ $rc == 0 && $pk == 0 ]]; then rc=no-packages; fi
  case $rc in
  0) record "$name" "$target" "$n" pass ;;
  1) record "$name" "$target" "$n" vulnerable ;;
  *) record "$name" "$target" "$n" "error($rc)"; tail -n 20 "$out/$name.txt" >&2 ;;
  esac
}

govulncheck_run govulncheck-source "$module" \
  bash -c 'cd "$1" && shift && exec "$@"' _ "$module" "$GOVULNCHECK" "${govuln_db[@]}" ./...
govulncheck_run govulncheck-binary "$binary" "$GOVULNCHECK" "${govuln_db[@]}" -mode=binary "$binary"
osv_run osv-scanner-image "$image" scan image --archive "$image"
osv_run osv-scanner-sbom "$sbom" scan source -L "$sbom"

rc=0
"$here/freshness.sh" "$binary" >"$out/freshness.txt" 2>&1 || rc=$?
n=$(grep -c '^STALE' "$out/freshness.txt" || true)
case $rc in
0) record freshness "$binary" "$n" pass ;;
1) record freshness "$binary" "$n" stale; grep '^STALE' "$out/freshness.txt" ;;
*) record freshness "$binary" "$n" "error($rc)"; cat "$out/freshness.txt" >&2 ;;
esac

for f in "$out"/govulncheck-*.txt; do
  grep -qE '^Vulnerability #' "$f" && { echo "details from ${f##*/}:"; grep -E -A3 '^Vulnerability #' "$f"; }
done
if ((failed)); then
  echo "scan: FAILED (details in $out)"
  exit 1
fi
echo "scan: passed, 0 known vulnerabilities, toolchain and modules fresh"
