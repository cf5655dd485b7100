//go:build supply

package supply

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestSBOM makes the image's SBOM twice, as `make sbom` does: one commit, one SBOM.
func TestSBOM(t *testing.T) {
	tl := need(t)
	tar, bin := tl.image()
	dir := t.TempDir()
	var sboms [2][]byte
	for i := range sboms {
		out := filepath.Join(dir, fmt.Sprintf("sbom%d.json", i+1))
		mustRun(t, "", nil, "scripts/supply/sbom.sh", "-i", tar, "-b", bin, "-n", "giropops-senhas", "-o", out)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		sboms[i] = b
	}

	t.Run("two SBOMs of one commit are identical", func(t *testing.T) {
		if !bytes.Equal(sboms[0], sboms[1]) {
			t.Errorf("the two SBOMs in %s differ", dir)
		}
	})
	t.Run("the SBOM is SPDX 2.3 and names stdlib with its version", func(t *testing.T) {
		var doc struct {
			SPDXVersion string `json:"spdxVersion"`
			Packages    []struct {
				Name        string `json:"name"`
				VersionInfo string `json:"versionInfo"`
			} `json:"packages"`
		}
		if err := json.Unmarshal(sboms[0], &doc); err != nil {
			t.Fatal(err)
		}
		if doc.SPDXVersion != "SPDX-2.3" {
			t.Errorf("spdxVersion %q, want SPDX-2.3", doc.SPDXVersion)
		}
		release := regexp.MustCompile(`^go1\.[0-9]+\.[0-9]+$`)
		var stdlib []string
		for _, p := range doc.Packages {
			if p.Name == "stdlib" {
				stdlib = append(stdlib, p.VersionInfo)
			}
		}
		if len(stdlib) != 1 || !release.MatchString(stdlib[0]) {
			t.Errorf("stdlib packages %q, want one with a go1.N.P version", stdlib)
		}
	})
}
