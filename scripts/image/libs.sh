#!/usr/bin/env bash
# Copy the shared libraries and the dynamic loader that ldd lists for PROGRAMs into ROOT,
# each at the path ldd resolves (the loader's path is the one written in the programs), so
# that the programs run in an image built FROM scratch from ROOT.
# Usage: libs.sh ROOT PROGRAM...
set -euo pipefail
root=$1
shift
ldd "$@" |
  awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }' | sort -u |
  while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
