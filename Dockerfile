# The giropops-senhas image, built the way the course builds images: a build stage with
# the Go toolchain, then an empty image with only the program and two small files.
#
#   docker build -t giropops-senhas .
#
# The result has the same files and configuration as `make image`, which builds the image
# without Docker, reproducible to the digest, for linux/amd64 and linux/arm64
# (docs/image.md). BuildKit and the legacy builder both build this file; with buildx,
# `docker buildx build --platform linux/amd64,linux/arm64 .` cross-compiles both.

# The official Go image at go.mod's toolchain version. NOT PINNED BY DIGEST YET: no public
# record of golang:1.27.4-trixie's digest could be read where this was written (offline).
# Look up its index digest and append it as @sha256:... (docs/image.md):
#   docker buildx imagetools inspect golang:1.27.4-trixie
ARG GO_IMAGE=golang:1.27.4-trixie

# Compile on the builder's own platform and cross-compile for the target: no emulation.
# BuildKit sets BUILDPLATFORM; the legacy builder leaves it empty, and plain "linux"
# then means its own platform.
FROM --platform=${BUILDPLATFORM:-linux} ${GO_IMAGE} AS build
WORKDIR /src

# The modules first: this layer stays cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY cmd/ cmd/
COPY internal/ internal/

# The same build as `make image-bins`: static, stripped, no paths, version-stamped.
# BuildKit sets TARGETOS and TARGETARCH; left empty (legacy builder), Go builds for the
# builder's own platform.
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ARG REVISION=unknown
ENV CGO_ENABLED=0 GOAMD64=v1 GOARM64=v8.0
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -buildvcs=false \
      -ldflags "-s -w -buildid= -X main.version=$VERSION -X main.revision=$REVISION" \
      -o /out/giropops-senhas ./cmd/giropops-senhas

# The image: nothing but what the program needs.
FROM scratch

# One user, 65532 "nonroot" (distroless's), for tools that look names up.
COPY deploy/docker/rootfs/ /
COPY --from=build /out/giropops-senhas /giropops-senhas

USER 65532:65532
EXPOSE 5000
ENTRYPOINT ["/giropops-senhas"]
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/giropops-senhas", "healthcheck"]

# The same labels as make image, which stamps the commit's version, revision and time
# (make image-docker passes them as build arguments).
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="giropops-senhas" \
      org.opencontainers.image.description="Giropops Senhas: password generator of the LINUXtips PICK course, in Go" \
      org.opencontainers.image.source="https://github.com/giropops/giropops-senhas" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="scratch" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
