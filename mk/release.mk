# The release pipeline for forks (issue 15): .github/workflows/ci.yml and release.yml run
# nothing but make targets, so what they do can be run and tested here. docs/release.md.
#
#   make workflows        actionlint on .github/workflows, then test/workflows: every run:
#                         step is `make <existing target>`, every uses: is pinned to a
#                         commit SHA, permissions are least per job; also the keyless
#                         switch of make sign and the release notes
#   make release-notes    dist/release-notes.md for the digest make sign pushed (and, in
#                         GitHub Actions, the digest as the job's outputs)
#   make release-publish  the GitHub release of the tag, with those notes (gh; GH_TOKEN)

RELEASE_NOTES := $(IMAGE_DIST)/release-notes.md

# The release workflow sets RELEASE_GHCR_OWNER to the repository's owner: make sign then
# pushes to GHCR under it, lower-cased (OCI repository names are lower case, GitHub
# owners need not be). This file is read before mk/supply.mk, whose REGISTRY ?= keeps it.
ifdef RELEASE_GHCR_OWNER
REGISTRY := ghcr.io/$(shell echo '$(RELEASE_GHCR_OWNER)' | tr '[:upper:]' '[:lower:]')
endif
WORKFLOWS_CHECK := test/workflows

.PHONY: workflows release-notes release-publish

workflows: $(ACTIONLINT) $(STATICCHECK) ## [warm 2 s, cold 8 s] actionlint and the run-step, pinning and permissions checks of .github/workflows.
	$(ACTIONLINT)
	cd $(WORKFLOWS_CHECK) && go vet ./... && $(STATICCHECK) ./...
	@test -z "$$(gofmt -l $(WORKFLOWS_CHECK))" || { gofmt -l $(WORKFLOWS_CHECK); echo "gofmt: files above need formatting"; exit 1; }
	cd $(WORKFLOWS_CHECK) && go test -count=1 -v $(WORKFLOWS_FLAGS) ./...

release-notes: ## Release notes for the digest make sign pushed: the reference and the cosign verify commands.
	@VERSION=$(VERSION) scripts/release/notes.sh $(IMAGE_DIST)/supply/ref $(RELEASE_NOTES)

release-publish: release-notes ## Create (or update) the GitHub release of the tag VERSION with the notes (gh, GH_TOKEN).
	@if gh release view '$(VERSION)' >/dev/null 2>&1; then \
	  gh release edit '$(VERSION)' --notes-file $(RELEASE_NOTES); \
	else \
	  gh release create '$(VERSION)' --verify-tag --title '$(VERSION)' --notes-file $(RELEASE_NOTES); \
	fi

TEST_TARGETS += workflows
