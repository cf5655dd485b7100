#!/usr/bin/env bash
# Writes a SLSA v1 provenance predicate (https://slsa.dev/provenance/v1) for the image,
# for `cosign attest --type slsaprovenance1`. cosign adds the subject (the image digest).
#
# usage: provenance.sh BINARY > provenance.json
# Reads REVISION, VERSION, SOURCE_DATE_EPOCH from the environment (the Makefile exports
# them), and optionally BUILD_COMMAND, BUILDER_ID, SOURCE_URI.
# Every field comes from the commit, the binary or the environment: the same commit
# built the same way gives the same document.
set -euo pipefail

bin=${1:?usage: $0 BINARY}
here=$(cd "$(dirname "$0")/../.." && pwd)

revision=${REVISION:-$(git -C "$here" rev-parse HEAD)}
version=${VERSION:-$(git -C "$here" describe --tags --always --dirty)}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$here" log -1 --format=%ct)}
build_command=${BUILD_COMMAND:-make image}
if [[ -z ${SOURCE_URI:-} ]]; then
  # The public repository: origin when it is one, else the module path (a clone's local
  # path would mean nothing to whoever verifies the provenance).
  SOURCE_URI=$(git -C "$here" config --get remote.origin.url 2>/dev/null || true)
  if [[ $SOURCE_URI != https://* ]]; then
    SOURCE_URI=$(sed -nE 's/^module[[:space:]]+(.*)$/https:\/\/\1/p' "$here/go.mod")
  fi
fi
if [[ -z ${BUILDER_ID:-} ]]; then
  if [[ ${CI:-} == true ]]; then BUILDER_ID="$SOURCE_URI/.ci/run"; else BUILDER_ID="$SOURCE_URI/Makefile@local"; fi
fi

# The toolchain that compiled the binary, and the checksum the Go checksum database
# vouches for when the go command fetched that toolchain through the module proxy.
toolchain=$(go version -m "$bin" | awk 'NR == 1 {print $2}')
goos_arch=$(go version -m "$bin" | awk '$2 ~ /^GO(OS|ARCH)=/ {split($2, a, "="); v[a[1]] = a[2]} END {print v["GOOS"] "-" v["GOARCH"]}')
host=$(go env GOHOSTOS)-$(go env GOHOSTARCH)
tc_mod="v0.0.1-$toolchain.$host"
tc_sum=$(cat "$(go env GOMODCACHE)/cache/download/golang.org/toolchain/@v/$tc_mod.ziphash" 2>/dev/null || true)
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

jq -n \
  --arg source "git+$SOURCE_URI" --arg revision "$revision" --arg version "$version" \
  --arg command "$build_command" --arg builder "$BUILDER_ID" --arg toolchain "$toolchain" \
  --arg tcmod "golang.org/toolchain@$tc_mod" --arg tcsum "$tc_sum" --arg target "$goos_arch" \
  --arg created "$created" --arg epoch "$epoch" \
  --arg ldflags "${LDFLAGS:-}" \
  '{
    buildDefinition: {
      buildType: "https://github.com/giropops/giropops-senhas/build/make@v1",
      externalParameters: {
        source: {uri: $source, revision: $revision},
        buildCommand: $command,
        version: $version
      },
      internalParameters: {
        toolchain: $toolchain,
        target: $target,
        env: {CGO_ENABLED: "0", GOFLAGS: "-trimpath", SOURCE_DATE_EPOCH: $epoch},
        ldflags: $ldflags
      },
      resolvedDependencies: [
        {uri: $source, digest: {gitCommit: $revision}},
        ({uri: ("pkg:golang/" + $tcmod), name: $toolchain}
          + (if $tcsum == "" then {} else {annotations: {goSum: $tcsum}} end))
      ]
    },
    runDetails: {
      builder: {id: $builder, version: {go: $toolchain}},
      metadata: {invocationId: ($revision + ":" + $command), startedOn: $created, finishedOn: $created}
    }
  }'
