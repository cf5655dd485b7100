# The distroless image (issue 3): built by tools/ocibuild, no base image, no engine needed
# to build; the engine is used to load, run and test it. See docs/image.md.

IMAGE_DIST      ?= dist
IMAGE_ARCHES    := amd64 arm64
IMAGE_PKG       ?= ./cmd/$(BIN)
IMAGE_SOURCE    ?= https://github.com/giropops/giropops-senhas
IMAGE_LICENSES  ?= MIT
IMAGE_DESC      ?= Giropops Senhas: password generator of the LINUXtips PICK course, in Go
REDIS_LOCAL     := giropops-senhas-redis:local
# Debian's docker client: the one first on PATH may be a newer one without buildx.
DOCKER          ?= docker

image_dir  := $(IMAGE_DIST)/image
ocibuild   := $(abspath $(IMAGE_DIST))/tools/ocibuild
host_arch   = $(shell go env GOHOSTARCH)

.PHONY: image image-bins image-oci image-facts image-docker go-image redis-image up down test-image

# Cross-compiled the same way for every arch; GOAMD64/GOARM64 pinned so that a user's
# environment cannot change the bytes.
image-bins: ## Static binaries for linux/amd64 and linux/arm64 in dist/bin/.
	@for a in $(IMAGE_ARCHES); do \
	  echo "go build linux/$$a"; \
	  GOOS=linux GOARCH=$$a GOAMD64=v1 GOARM64=v8.0 $(GOBUILD) -o $(IMAGE_DIST)/bin/linux-$$a/$(BIN) $(IMAGE_PKG); \
	done

.PHONY: $(ocibuild)
$(ocibuild):
	@go -C tools/ocibuild build -trimpath -o $@ .

image-oci: image-bins $(ocibuild) ## The multi-arch OCI layout, docker-archive and digest, without an engine.
	$(ocibuild) build -out $(image_dir) -rootfs deploy/docker/rootfs -name $(BIN) \
	  $(foreach a,$(IMAGE_ARCHES),-bin linux/$(a)=$(IMAGE_DIST)/bin/linux-$(a)/$(BIN)) \
	  -load-platform linux/$(host_arch) -tag $(BIN):$(VERSION) -tag $(BIN):latest \
	  -source-date-epoch $(SOURCE_DATE_EPOCH) -version $(VERSION) -revision $(REVISION) -source $(IMAGE_SOURCE) \
	  -licenses '$(IMAGE_LICENSES)' -description '$(IMAGE_DESC)'

image: image-oci ## Build the image and load it into Docker as giropops-senhas:$(VERSION) and :latest.
	$(DOCKER) load -i $(image_dir)/$(BIN).tar

image-facts: image ## Size (unpacked, compressed, in Docker), layers, user and files of the image.
	$(ocibuild) facts -layout $(image_dir)/oci
	@echo
	@echo "docker: $$($(DOCKER) image inspect -f '{{.Id}} {{.Size}} bytes, user {{.Config.User}}, {{len .RootFS.Layers}} layer(s)' $(BIN):latest)"

# The Dockerfile's build stage runs on the official golang image; none can be pulled here,
# so it runs on this local one: go.mod's toolchain from the module cache on an empty base
# (scripts/image/go-image.sh). Named as local, one per toolchain version.
GO_VERSION := $(shell sed -n 's/^toolchain go//p' go.mod)
GO_LOCAL   := giropops-senhas-go:$(GO_VERSION)-local

go-image: ## The local Go image for the Dockerfile's build stage, as giropops-senhas-go:<go.mod's toolchain>-local.
	scripts/image/go-image.sh $(GO_LOCAL)

# `docker build` as the course runs it (the legacy builder), from the sources: modules come
# from the module proxy (`go env GOPROXY`), as they would for a user of the golang image.
image-docker: ## [cold 98 s, warm 2 s] Build the Dockerfile with docker build, from the sources, as giropops-senhas:docker.
	@$(DOCKER) image inspect $(GO_LOCAL) >/dev/null 2>&1 || scripts/image/go-image.sh $(GO_LOCAL)
	DOCKER_BUILDKIT=0 $(DOCKER) build -t $(BIN):docker --build-arg GO_IMAGE=$(GO_LOCAL) \
	  --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) \
	  --build-arg CREATED=$$(date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%dT%H:%M:%SZ) .

redis-image: ## The local Redis image (Debian's redis-server, FROM scratch) as giropops-senhas-redis:local.
	scripts/image/redis-image.sh $(REDIS_LOCAL)

up: image ## Run Redis and the app as the course does (PORT, REDIS_IMAGE to override).
	scripts/image/up.sh

down: ## Remove the containers and network of `make up` (the Redis volume stays; DOWN_VOLUME=1 removes it).
	scripts/image/down.sh

# E2E_FLAGS=-short skips TestReproducibleBuild's builds (one of them cold), for quick local runs;
# `make test` and CI run everything.
test-image: $(STATICCHECK) ## [warm 5 min, cold 9 min] ocibuild's checks and tests, then the end-to-end test against the Docker engine.
	go -C tools/ocibuild vet ./...
	cd tools/ocibuild && $(STATICCHECK) ./...
	go -C tools/ocibuild test -count=1 ./...
	go test -tags e2e -count=1 -v -timeout 75m $(E2E_FLAGS) ./test/e2e/

TEST_TARGETS += test-image

