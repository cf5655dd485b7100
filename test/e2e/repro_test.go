//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReproducibleBuild builds the image twice from clean caches (a fresh GOCACHE each,
// the same commit and flags) into two directories and expects the same index digest, the
// one `make image` wrote too.
func TestReproducibleBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("two cold builds of both architectures take minutes")
	}
	var digests []string
	for _, n := range []string{"a", "b"} {
		dir := t.TempDir()
		dist := filepath.Join(dir, "dist")
		env := []string{"GOCACHE=" + filepath.Join(dir, "gocache"), "IMAGE_DIST=" + dist}
		run(t, env, "make", "--no-print-directory", "image-oci", "IMAGE_DIST="+dist)
		digests = append(digests, readDigest(t, filepath.Join(dist, "image", "digest")))
		t.Logf("build %s (GOCACHE %s/gocache): %s", n, dir, digests[len(digests)-1])
	}
	if digests[0] != digests[1] {
		t.Fatalf("two clean builds of one commit: %s != %s", digests[0], digests[1])
	}
	if main := readDigest(t, filepath.Join(root, "dist", "image", "digest")); main != digests[0] {
		t.Errorf("make image (warm cache) wrote %s, the clean builds %s", main, digests[0])
	}
}

func readDigest(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := strings.TrimSpace(string(b))
	if !strings.HasPrefix(d, "sha256:") {
		t.Fatalf("%s: %q is not a digest", path, d)
	}
	return d
}
