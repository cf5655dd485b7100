#!/usr/bin/env bash
# Chooses the vulnerability database every scanner uses, and says how old it is.
#
#   vulndb.sh select            prints shell assignments:
#                                 VULNDB_MODE   live | folder
#                                 VULNDB_DIR    absolute folder of OSV JSON files (folder mode)
#                                 VULNDB_DATE   newest "modified" in the database
#                                 VULNDB_ORIGIN where the choice came from
#   vulndb.sh govulncheck-flag  prints "-db file:///ABS" in folder mode, nothing when live
#   vulndb.sh osv-local DIR     writes the folder as DIR/osv-scalibr/Go/all.zip, the layout
#                               osv-scanner reads with --offline --local-db-path DIR
#
# Choice: VULNDB=/folder when set (any folder of OSV JSON files, for every scanner);
# else the live databases when both answer; else VULNDB_FALLBACK, by default
# ../shared/vulndb/osv beside the repository.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
fallback=${VULNDB_FALLBACK:-$here/../shared/vulndb/osv}
live_go=${VULNDB_LIVE_GO:-https://vuln.go.dev/index/db.json}
live_osv=${VULNDB_LIVE_OSV:-https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip}

# newest_modified DIR: the newest "modified" date among the folder's entries.
newest_modified() {
  find "$1" -maxdepth 1 -name '*.json' -print0 |
    xargs -0 sed -nE 's/^[[:space:]]*"modified":[[:space:]]*"([^"]+)".*/\1/p' | sort | tail -n 1
}

check_folder() {
  local d=$1
  if [[ ! -d $d ]]; then
    echo "vulndb: $d is not a folder" >&2
    exit 2
  fi
  if ! find "$d" -maxdepth 1 -name '*.json' -print -quit | grep -q .; then
    echo "vulndb: $d holds no OSV *.json files" >&2
    exit 2
  fi
}

select_db() {
  local mode dir date origin
  if [[ -n ${VULNDB:-} ]]; then
    check_folder "$VULNDB"
    mode=folder dir=$(cd "$VULNDB" && pwd) origin="VULNDB=$VULNDB"
  elif go_meta=$(curl -fsS --max-time 5 "$live_go" 2>/dev/null) &&
    curl -fsSI --max-time 5 -o /dev/null "$live_osv" 2>/dev/null; then
    mode=live dir= origin="live (reachable)"
    date=$(sed -nE 's/.*"modified":[[:space:]]*"([^"]+)".*/\1/p' <<<"$go_meta")
  else
    check_folder "$fallback"
    mode=folder dir=$(cd "$fallback" && pwd) origin="offline snapshot (live databases unreachable)"
  fi
  if [[ $mode == folder ]]; then
    date=$(newest_modified "$dir")
  fi
  printf 'VULNDB_MODE=%q\nVULNDB_DIR=%q\nVULNDB_DATE=%q\nVULNDB_ORIGIN=%q\n' \
    "$mode" "$dir" "${date:-unknown}" "$origin"
}

case ${1:-} in
select) select_db ;;
govulncheck-flag)
  eval "$(select_db)"
  if [[ $VULNDB_MODE == folder ]]; then echo "-db file://$VULNDB_DIR"; fi
  ;;
osv-local)
  out=${2:?usage: $0 osv-local OUTDIR}
  eval "$(select_db)"
  [[ $VULNDB_MODE == folder ]] || { echo "vulndb: live mode needs no local copy" >&2; exit 2; }
  mkdir -p "$out/osv-scalibr/Go"
  rm -f "$out/osv-scalibr/Go/all.zip"
  (cd "$VULNDB_DIR" && find . -maxdepth 1 -name '*.json' -printf '%f\n' | sort |
    zip -q -X -@ "$out/osv-scalibr/Go/all.zip")
  ;;
*)
  echo "usage: $0 select | govulncheck-flag | osv-local OUTDIR" >&2
  exit 2
  ;;
esac
