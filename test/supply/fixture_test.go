//go:build supply

package supply

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

// TestVulnerableFixture builds test/supply/fixtures/vulnerable (golang.org/x/net
// v0.17.0, xxhash v2.1.1, go1.26.8), packs it into an image archive, makes its SBOM and
// scans it as `make scan` scans our image. With the database the scan chooses, every
// scanner and the freshness gate must fail; with VULNDB=/folder, every scanner must read
// that folder, and a VULNDB that is no database must fail the scan.
func TestVulnerableFixture(t *testing.T) {
	tl := need(t)
	dir := t.TempDir()
	fx := filepath.Join(root, "test", "supply", "fixtures", "vulnerable")
	rootfs := filepath.Join(dir, "rootfs")
	bin := filepath.Join(rootfs, "usr", "local", "bin", "vulnerable")
	layer, image, sbom := filepath.Join(dir, "layer.tar"), filepath.Join(dir, "image.tar"), filepath.Join(dir, "vulnerable.spdx.json")
	// An old toolchain on purpose (go1.26.11 is the newest of its line).
	mustRun(t, fx, []string{"GOTOOLCHAIN=go1.26.8", "GOFLAGS=-buildvcs=false", "CGO_ENABLED=0"}, "go", "build", "-trimpath", "-o", bin, ".")
	mustRun(t, "", nil, "tar", "-C", rootfs, "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", layer, "usr")
	mustRun(t, "", nil, tl.crane, "append", "--oci-empty-base", "-f", layer, "-t", "example.invalid/vulnerable:test", "-o", image)
	mustRun(t, "", nil, "scripts/supply/sbom.sh", "-i", image, "-b", bin, "-n", "vulnerable", "-o", sbom)

	// scan runs the gate on the fixture into out, with env added (VULNDB=...).
	scan := func(t *testing.T, out string, env ...string) (string, int) {
		t.Helper()
		return run(t, "", append(env, "GOTOOLCHAIN=go1.26.8"), "scripts/supply/scan.sh",
			"-m", fx, "-b", bin, "-i", image, "-s", sbom, "-o", out)
	}
	scanners := []string{"govulncheck-source", "govulncheck-binary", "osv-scanner-image", "osv-scanner-sbom"}

	t.Run("default database", func(t *testing.T) {
		out := filepath.Join(dir, "scan")
		log, code := scan(t, out)
		t.Log("scan.sh:\n" + log)
		t.Run("the scan gate fails on the fixture (exit 1)", func(t *testing.T) {
			if code != 1 {
				t.Errorf("scan.sh: exit %d, want 1", code)
			}
		})
		s := summary(t, filepath.Join(out, "summary.tsv"))
		for _, sc := range scanners {
			t.Run(sc+" reports the fixture", func(t *testing.T) {
				n, _ := strconv.Atoi(col(s, sc, 3))
				t.Logf("%s: %s, %d findings", sc, col(s, sc, 4), n)
				if col(s, sc, 4) != "vulnerable" || n <= 0 {
					t.Errorf("%s: status %q with %d findings, want vulnerable with some", sc, col(s, sc, 4), n)
				}
			})
		}
		for _, id := range []string{"GO-2024-3333"} {
			t.Run(id+" is named by govulncheck and by osv-scanner", func(t *testing.T) {
				for _, f := range []string{"govulncheck-source.txt", "govulncheck-binary.txt", "osv-scanner-image.json", "osv-scanner-sbom.json"} {
					if b, err := os.ReadFile(filepath.Join(out, f)); err != nil || !strings.Contains(string(b), id) {
						t.Errorf("%s does not name %s (%v)", f, id, err)
					}
				}
			})
		}
		t.Run("the freshness gate fails on the fixture", func(t *testing.T) {
			if st := col(s, "freshness", 4); st != "stale" {
				t.Errorf("freshness: status %q, want stale", st)
			}
		})
		fresh, err := os.ReadFile(filepath.Join(out, "freshness.txt"))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ name, want string }{
			{"freshness names the old toolchain", "toolchain go1.26.8, newest of its line is go1.26."},
			{"freshness names the module with a newer patch", "github.com/cespare/xxhash/v2 v2.1.1, newer patch release v2.1."},
		} {
			t.Run(c.name, func(t *testing.T) {
				if !strings.Contains(string(fresh), c.want) {
					t.Errorf("freshness.txt does not say %q:\n%s", c.want, fresh)
				}
			})
		}
	})

	t.Run("VULNDB", func(t *testing.T) {
		one := filepath.Join(dir, "onevuln")
		entry := oneEntry(t, "GO-2024-3333")
		if err := os.MkdirAll(one, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(one, "GO-2024-3333.json"), entry, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "one")
		log, _ := scan(t, out, "VULNDB="+one)
		for _, l := range strings.Split(log, "\n") {
			if strings.HasPrefix(l, "vulnerability database") || strings.Contains(l, "newest entry") {
				t.Log(l)
			}
		}
		s := summary(t, filepath.Join(out, "summary.tsv"))
		for _, sc := range scanners {
			t.Run(sc+" with VULNDB=one entry finds exactly it", func(t *testing.T) {
				if n, db := col(s, sc, 3), col(s, sc, 5); n != "1" || db != one {
					t.Errorf("%s: %q findings in database %q, want 1 in %s", sc, n, db, one)
				}
			})
		}
		t.Run("the scan names the chosen database and its date", func(t *testing.T) {
			var osv struct{ Modified string }
			if err := json.Unmarshal(entry, &osv); err != nil {
				t.Fatal(err)
			}
			if want := "newest entry modified: " + osv.Modified; osv.Modified == "" || !strings.Contains(log, want) {
				t.Errorf("the scan does not say %q:\n%s", want, log)
			}
		})
		t.Run("a VULNDB that is not a database fails the scan, it does not pass it", func(t *testing.T) {
			if log, code := scan(t, filepath.Join(dir, "none"), "VULNDB="+filepath.Join(dir, "does-not-exist")); code <= 0 {
				t.Errorf("scan.sh with a VULNDB that does not exist: exit %d, want a failure:\n%s", code, log)
			}
		})
	})
}

// oneEntry is the OSV entry id from the folder the scan would choose (VULNDB or the
// offline snapshot), else from the snapshot beside the repository.
func oneEntry(t *testing.T, id string) []byte {
	t.Helper()
	sel, _ := run(t, "", nil, "scripts/supply/vulndb.sh", "select")
	for _, l := range strings.Split(sel, "\n") {
		if d, ok := strings.CutPrefix(l, "VULNDB_DIR="); ok && d != "" && d != "''" {
			if b, err := os.ReadFile(filepath.Join(d, id+".json")); err == nil {
				return b
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(root, "..", "shared", "vulndb", "osv", id+".json"))
	if err != nil {
		testenv.Missing(t, "no vulnerability database with %s: %v", id, err)
	}
	return b
}
