#!/usr/bin/env bash
# Start Debian's dockerd in the background unless an engine already answers, then wait for
# its socket. Idempotent: CI runs it on a machine that may or may not have an engine running.
set -euo pipefail

sock=/var/run/docker.sock
log=/var/log/dockerd-ci.log

answers() { [ -S "$sock" ] && /usr/bin/docker version >/dev/null 2>&1; }

# qemu-user-static registers its interpreters through binfmt_misc; mount it if the
# machine has not (harmless when already mounted or when the kernel lacks it).
if [ -d /proc/sys/fs/binfmt_misc ] && [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
fi
if command -v update-binfmts >/dev/null && [ -e /proc/sys/fs/binfmt_misc/register ]; then
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
fi

if answers; then
  echo "dockerd: already running"
  exit 0
fi

if ! command -v dockerd >/dev/null; then
  echo "dockerd: not installed (apt package docker.io, see .ci/apt/image.txt)" >&2
  exit 1
fi

# Another start may have left a pid file behind without a live daemon.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi

echo "dockerd: starting (log: $log)"
setsid nohup dockerd >>"$log" 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if answers; then
    echo "dockerd: ready"
    exit 0
  fi
  sleep 1
done
echo "dockerd: no answer on $sock after 60s; last log lines:" >&2
tail -n 30 "$log" >&2
exit 1
