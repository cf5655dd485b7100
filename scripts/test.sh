#!/usr/bin/env bash
# make test: everything CI runs, each step timed into TIMES (printed at the end).
#   1. deps (apt, dockerd, npm) and the pinned tools, two builds at a time: on two cores
#      one build's downloads and single-threaded links leave room for the other;
#   2. meanwhile the cluster's binaries, the longest build and needed by test-k8s alone,
#      build in the background at the lowest CPU priority (nice 19): they take the CPU
#      that the tool builds and the tests leave idle, and never the tests' share;
#   3. the test targets in the order given (test-k8s last), test-k8s after its binaries.
# Usage: scripts/test.sh TIMES TARGET...
set -euo pipefail
cd "$(dirname "$0")/.."
times=$1
shift
make=("${MAKE:-make}" --no-print-directory)
out=$(dirname "$times")
mkdir -p "$out" && : >"$times"
record() { printf '%s\t%s\n' "$1" "$2" >>"$times"; }
report() {
  echo "make test: seconds per step ($times):"
  awk -F'\t' '{ printf "  %-28s %5d s\n", $1, $2 }' "$times"
  echo "  total                        $((SECONDS - start)) s ($(((SECONDS - start) / 60)) min)"
}

start=$SECONDS
# Its own process group (setsid), so that a failure below stops it and its children.
k8s_log=$out/k8s-build.log
rm -f "$k8s_log.rc"
# A new session is a new scheduler autogroup, which would share the CPU equally with ours
# whatever its processes' nice: the session lowers its group's own priority too.
setsid bash -c '{ echo 19 >/proc/self/autogroup; } 2>/dev/null; nice -n 19 "$@" >"$0" 2>&1; echo $? >"$0.rc"' \
  "$k8s_log" "${make[@]}" k8s-build &
k8s_pid=$!
trap 'kill -- -$k8s_pid 2>/dev/null || true' EXIT

t0=$SECONDS
"${make[@]}" -j2 --output-sync=line deps tools
record "deps and tools" $((SECONDS - t0))

for t in "$@"; do
  if [[ $t == test-k8s ]]; then
    t0=$SECONDS
    wait "$k8s_pid" || true
    cat "$k8s_log"
    [[ $(cat "$k8s_log.rc" 2>/dev/null) == 0 ]] || { echo "make test: k8s-build failed (log above)"; exit 1; }
    record "k8s-build (background)" $(($(stat -c %Y "$k8s_log.rc") - $(date +%s) + SECONDS - start))
    record "waiting for k8s-build" $((SECONDS - t0))
  fi
  t0=$SECONDS
  if ! "${make[@]}" "$t"; then
    echo "make test: $t failed after $((SECONDS - t0)) s"
    report
    exit 1
  fi
  record "$t" $((SECONDS - t0))
done
report
