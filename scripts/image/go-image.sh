#!/usr/bin/env bash
# Build the local Go image that `make image-docker` passes to the Dockerfile as GO_IMAGE,
# in place of the official golang image, which cannot be pulled here. It is laid out as
# the official image is (the toolchain in /usr/local/go, GOPATH=/go, GOTOOLCHAIN=local)
# and holds only what the Dockerfile's build stage uses:
#   - the toolchain go.mod names, from the module cache (the go command downloads it
#     through the module proxy when it is missing);
#   - Debian's dash as /bin/sh, with its libraries, for the RUN lines;
#   - this machine's CA certificates and GOPROXY, so that `go mod download` in the build
#     reaches the module proxy the way `go` on this machine does.
# Usage: go-image.sh TAG (make go-image: giropops-senhas-go:<version>-local).
set -euo pipefail
tag=$1
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=auto # go.mod's toolchain, not the machine's go

goroot=$(go env GOROOT)
version=$(go env GOVERSION)
proxy=$(go env GOPROXY)
[ "$(go env GOHOSTOS)" = linux ] || { echo "go-image: needs a Linux toolchain" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc/ssl/certs" "$root/usr/local" "$root/root" "$root/tmp" "$root/go/src" "$root/go/bin"
cp /usr/bin/dash "$root/bin/sh"
scripts/image/libs.sh "$root" /usr/bin/dash
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
chmod -R u=rwX,go=rX "$root"
chmod 1777 "$root/tmp" "$root/go" "$root/go/src" "$root/go/bin"

# One layer: the files above, and the toolchain renamed to usr/local/go on the way.
tc=$(basename "$goroot")
tar -c --numeric-owner --owner=0 --group=0 \
  -C "$root" . -C "$(dirname "$goroot")" --transform "s,^$tc,usr/local/go," "$tc" |
  docker import \
    --change "ENV GOLANG_VERSION=${version#go}" \
    --change "ENV GOTOOLCHAIN=local" \
    --change "ENV GOPATH=/go" \
    --change "ENV GOPROXY=$proxy" \
    --change "ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "WORKDIR /go" \
    --change "LABEL org.opencontainers.image.description=\"$version from the module cache on an empty base, built locally\"" \
    - "$tag" >/dev/null
echo "go-image: built $tag ($version, $(docker image inspect -f '{{.Size}}' "$tag") bytes)"
