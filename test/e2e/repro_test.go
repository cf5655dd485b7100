//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReproducibleBuild clones the commit twice, into two different paths, and builds the
// image in each, the first from a clean cache (a fresh GOCACHE), the second with the
// machine's warm one: the two index digests must be equal, and equal to the one `make
// image` wrote in the checkout when it is that commit, unmodified (as in CI). One cold
// build is enough to show that the cache does not leak into the bytes; a second cold one
// only cost minutes.
func TestReproducibleBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("a cold build of both architectures takes minutes")
	}
	head := run(t, nil, "git", "rev-parse", "HEAD")
	var digests []string
	var version string
	for _, n := range []string{"a", "b"} {
		dir := t.TempDir()
		src := filepath.Join(dir, "src-"+n)
		run(t, nil, "git", "clone", "--quiet", root, src)
		runIn(t, src, nil, "git", "checkout", "--quiet", "--detach", head)
		var env []string
		cache := "warm GOCACHE"
		if n == "a" {
			env, cache = []string{"GOCACHE=" + filepath.Join(dir, "gocache")}, "fresh GOCACHE"
		}
		runIn(t, src, env, "make", "--no-print-directory", "image-oci")
		digests = append(digests, readDigest(t, filepath.Join(src, "dist", "image", "digest")))
		version = layoutVersion(t, filepath.Join(src, "dist", "image", "oci"))
		t.Logf("build %s: %s, %s: %s", n, src, cache, digests[len(digests)-1])
	}
	if digests[0] != digests[1] {
		t.Fatalf("two builds of %s, cold and warm cache, two paths: %s != %s", head, digests[0], digests[1])
	}

	main := filepath.Join(root, "dist", "image")
	if v := layoutVersion(t, filepath.Join(main, "oci")); v != version {
		t.Logf("dist/image is version %s, the clones %s (the checkout is modified or moved): not compared", v, version)
		return
	}
	if d := readDigest(t, filepath.Join(main, "digest")); d != digests[0] {
		t.Errorf("make image in the checkout wrote %s, the clones %s", d, digests[0])
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

// layoutVersion is the version ocibuild recorded in the layout's index.json.
func layoutVersion(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Manifests []struct{ Annotations map[string]string }
	}
	if err := json.Unmarshal(b, &idx); err != nil || len(idx.Manifests) != 1 {
		t.Fatalf("%s/index.json: %v", dir, err)
	}
	return idx.Manifests[0].Annotations["org.opencontainers.image.ref.name"]
}
