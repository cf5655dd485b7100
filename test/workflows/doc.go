// Package workflows holds the checks of `make workflows` that actionlint does not
// make: in .github/workflows every run: step is `make` with targets the Makefile
// defines (what a workflow does can then be run and tested here), every uses: is
// pinned to a full commit SHA (a tag or a branch can be moved to other code), and
// permissions are granted per job, none at the top. Workflows are parsed with
// actionlint's own parser (github.com/rhysd/actionlint, the version tools/actionlint
// pins), so this module adds no dependency to the app's module. The tests also run the
// release job's scripts: make sign's keyless switch and the release notes.
package workflows
