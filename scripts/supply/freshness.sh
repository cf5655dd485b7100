#!/usr/bin/env bash
# Freshness gate: an offline vulnerability database ages, so we also refuse a binary
# whose Go toolchain is not the newest patch release of its line, or which holds a
# module that has a newer patch release, as the Go module proxy lists them.
#
# usage: freshness.sh BINARY...
# Exit 0 when every binary is fresh, 1 when something is stale, 2 on a usage or
# lookup error (a proxy that cannot be asked is not a pass).
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 BINARY..." >&2
  exit 2
fi

# Ask the proxy from outside any module so that go.mod cannot switch toolchains or
# change what is listed.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
golist() { (cd "$scratch" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go list -m -versions "$@"); }

# newest_patch PREFIX VERSION...: the highest stable version that starts with PREFIX
# (for example "v2.1." or "go1.27."), or nothing.
newest_patch() {
  local prefix=$1
  shift
  { printf '%s\n' "$@" | grep -E -- "^${prefix//./\\.}[0-9]+(\+incompatible)?$" || true; } | sort -V | tail -n 1
}

toolchains=$(golist golang.org/toolchain) || { echo "freshness: cannot list golang.org/toolchain from the proxy" >&2; exit 2; }
# v0.0.1-go1.27.4.linux-amd64 -> go1.27.4 (stable releases only).
mapfile -t goversions < <(tr ' ' '\n' <<<"$toolchains" | sed -nE 's/^v0\.0\.1-(go[0-9]+\.[0-9]+\.[0-9]+)\.[a-z0-9]+-[a-z0-9]+$/\1/p' | sort -uV)

stale=0
for bin in "$@"; do
  info=$(go version -m "$bin") || { echo "freshness: $bin is not a Go binary" >&2; exit 2; }
  gov=$(head -n 1 <<<"$info" | awk '{print $2}')
  line=$(sed -nE 's/^(go[0-9]+\.[0-9]+)\.[0-9]+$/\1/p' <<<"$gov")
  if [[ -z $line ]]; then
    echo "STALE   $bin: toolchain $gov is not a release (want go1.N.P)"
    stale=1
  else
    newest=$(newest_patch "$line." "${goversions[@]}")
    if [[ -z $newest ]]; then
      echo "freshness: the proxy lists no $line.x toolchain" >&2
      exit 2
    elif [[ $newest != "$gov" ]]; then
      echo "STALE   $bin: toolchain $gov, newest of its line is $newest"
      stale=1
    else
      echo "fresh   $bin: toolchain $gov is the newest of its line"
    fi
  fi

  # "dep PATH VERSION SUM" lines, each possibly followed by "=> PATH VERSION SUM":
  # the replacement is what was compiled, so it is what we check.
  mapfile -t mods < <(awk '
    $1 == "dep" { if (p != "") print p; p = $2 " " $3; next }
    $1 == "=>"  { p = $2 " " $3; next }
    END         { if (p != "") print p }' <<<"$info")
  # Ask the proxy about every module at once; each answer lands in versions/<path>.
  mkdir -p "$scratch/versions"
  for m in "${mods[@]}"; do
    path=${m% *}
    (golist "$path" >"$scratch/versions/${path//\//%}" 2>/dev/null || rm -f "$scratch/versions/${path//\//%}") &
  done
  wait
  for m in "${mods[@]}"; do
    path=${m% *}
    ver=${m#* }
    if [[ $ver == "(devel)" || $path == .* || $path == /* ]]; then
      echo "skip    $path $ver (local replacement)"
      continue
    fi
    if [[ ! $ver =~ ^v[0-9]+\.[0-9]+\.[0-9]+(\+incompatible)?$ ]]; then
      # Pseudo-versions and pre-releases have no patch line to compare against.
      echo "note    $path $ver is not a release version: not compared"
      continue
    fi
    base=${ver%+incompatible}
    prefix=${base%.*}.
    listed=$(cat "$scratch/versions/${path//\//%}") || { echo "freshness: cannot list $path from the proxy" >&2; exit 2; }
    # shellcheck disable=SC2086 # the list is space separated on purpose
    newest=$(newest_patch "$prefix" ${listed#* })
    if [[ -n $newest && $(printf '%s\n%s\n' "$ver" "$newest" | sort -V | tail -n 1) != "$ver" ]]; then
      echo "STALE   $path $ver, newer patch release $newest"
      stale=1
    else
      echo "fresh   $path $ver"
    fi
  done
done

if ((stale)); then
  echo "freshness gate: FAILED (update the toolchain line in go.mod or run: go get MODULE@PATCH)"
  exit 1
fi
echo "freshness gate: passed"
