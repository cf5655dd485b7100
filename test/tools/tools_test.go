//go:build tools

// Package tools checks the pinned developer tools that mk/tools.mk builds into
// ~/.cache/giropops-senhas/tools: each binary must run and report the version pinned in
// its tools/<name>/go.mod, both as the tool prints it and in the Go build info (which
// catches a stale or hand-placed cache entry).
//
// Run it with `make test-tools`, which builds the tools first and passes, for each
// variable VAR in TOOLS_VARS (STATICCHECK ...): VAR (the binary), VAR_MODULE and
// VAR_VERSION (the pin), and PROMTOOL_RELEASE. One tool:
//
//	make test-tools TOOLS_FLAGS='-run TestTools/cosign'
//
// Without them it skips, except under CI=true.
package tools

import (
	"cmp"
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

// versions says how each tool prints its version: the arguments, and what the output
// must contain for the pinned module version v.
var versions = map[string]struct {
	args []string
	want func(v string) string
}{
	"STATICCHECK": {[]string{"-version"}, func(v string) string { return "(" + strings.TrimPrefix(v, "v") + ")" }},
	"GOVULNCHECK": {[]string{"-version"}, func(v string) string { return "Scanner: govulncheck@" + v }},
	"HELM":        {[]string{"version"}, func(v string) string { return `Version:"` + v + `"` }},
	"CRANE":       {[]string{"version"}, func(v string) string { return v }},
	// Prometheus tags its Go module v0.316.0 for release 3.16.0, and promtool prints the
	// release; make works it out (PROMTOOL_RELEASE).
	"PROMTOOL": {[]string{"--version"}, func(string) string {
		return "version " + cmp.Or(os.Getenv("PROMTOOL_RELEASE"), "(PROMTOOL_RELEASE not set)")
	}},
	"OSV_SCANNER": {[]string{"--version"}, func(v string) string { return "osv-scanner version: " + strings.TrimPrefix(v, "v") }},
	"SYFT":        {[]string{"--version"}, func(v string) string { return "syft " + strings.TrimPrefix(v, "v") }},
	"COSIGN":      {[]string{"version"}, func(v string) string { return "GitVersion:    " + v }},
	"ACTIONLINT":  {[]string{"-version"}, func(v string) string { return strings.TrimPrefix(v, "v") + "\n" }},
}

// TestTools has one subtest per tool make knows (TOOLS_VARS), named for its binary.
func TestTools(t *testing.T) {
	vars := strings.Fields(os.Getenv("TOOLS_VARS"))
	if len(vars) == 0 {
		testenv.Missing(t, "TOOLS_VARS is not set: run `make test-tools`, which passes the tools and their pins")
	}
	for _, v := range vars {
		bin, module, version := os.Getenv(v), os.Getenv(v+"_MODULE"), os.Getenv(v+"_VERSION")
		t.Run(filepath.Base(bin), func(t *testing.T) {
			if bin == "" || module == "" || version == "" {
				t.Fatalf("make passed %s=%q %s_MODULE=%q %s_VERSION=%q", v, bin, v, module, v, version)
			}
			if _, err := os.Stat(bin); err != nil {
				testenv.Missing(t, "%s: %v (make tools builds it)", v, err)
			}
			t.Run("version", func(t *testing.T) {
				c, ok := versions[v]
				if !ok {
					t.Fatalf("no version check for %s: add how it prints its version to the table", v)
				}
				out, err := exec.Command(bin, c.args...).CombinedOutput()
				if err != nil {
					t.Errorf("%s %s: %v:\n%s", bin, strings.Join(c.args, " "), err, out)
				}
				if want := c.want(version); !strings.Contains(string(out), want) {
					t.Errorf("%s %s: want %q in:\n%s", bin, strings.Join(c.args, " "), want, out)
				} else {
					t.Logf("%s", want)
				}
			})
			t.Run("buildinfo", func(t *testing.T) {
				info, err := buildinfo.ReadFile(bin)
				if err != nil {
					t.Fatal(err)
				}
				got := ""
				for _, m := range append([]*debug.Module{&info.Main}, info.Deps...) {
					if m.Path == module {
						got = m.Version
					}
				}
				if got != version {
					t.Errorf("%s build info: %s %q, want %s", bin, module, got, version)
				} else {
					t.Logf("%s %s", module, got)
				}
			})
		})
	}
}
