# The giropops-senhas image for those who build with Docker. `make image` is the
# reference build (tools/ocibuild: reproducible, multi-arch, one layer); this file gives
# the same files and configuration, and CI checks that it does (test/e2e).
#
# It copies a binary that is already built, because no Go image can be pulled where this
# project is built and tested. Build the binaries first, with the pinned toolchain:
#
#   make image-bins      # dist/bin/linux-amd64/giropops-senhas, dist/bin/linux-arm64/...
#   docker build --build-arg TARGETARCH=amd64 -t giropops-senhas .
#
# (BuildKit sets TARGETARCH by itself; the legacy builder needs the --build-arg.)
# Unlike `make image`, docker build stamps the build time, so its digest changes every build.
FROM scratch

ARG TARGETARCH
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z

# One user, 65532 "nonroot" (distroless's), for tools that look names up.
COPY deploy/docker/rootfs/ /
COPY dist/bin/linux-${TARGETARCH}/giropops-senhas /giropops-senhas

USER 65532:65532
EXPOSE 5000
ENTRYPOINT ["/giropops-senhas"]
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/giropops-senhas", "healthcheck"]

LABEL org.opencontainers.image.title="giropops-senhas" \
      org.opencontainers.image.description="Giropops Senhas: password generator of the LINUXtips PICK course, in Go" \
      org.opencontainers.image.source="https://github.com/giropops/giropops-senhas" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="scratch" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
