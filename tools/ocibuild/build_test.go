package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// fixture writes a rootfs with /etc/passwd and /etc/group and two fake "binaries" of
// size bytes (incompressible, so the size gate sees real sizes).
func fixture(t *testing.T, size int) (rootfs string, bins map[string]string) {
	t.Helper()
	dir := t.TempDir()
	rootfs = filepath.Join(dir, "rootfs")
	write(t, filepath.Join(rootfs, "etc", "passwd"), []byte("nonroot:x:65532:65532:nonroot:/:/sbin/nologin\n"), 0o644)
	write(t, filepath.Join(rootfs, "etc", "group"), []byte("nonroot:x:65532:\n"), 0o644)
	bins = map[string]string{}
	for i, p := range []string{"linux/amd64", "linux/arm64"} {
		data := make([]byte, size)
		r := rand.New(rand.NewPCG(uint64(i), 1))
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		f := filepath.Join(dir, strings.ReplaceAll(p, "/", "-"))
		write(t, f, data, 0o755)
		bins[p] = f
	}
	return rootfs, bins
}

func write(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

// build runs `ocibuild build` and returns the output directory.
func build(t *testing.T, rootfs string, bins map[string]string, epoch string) string {
	t.Helper()
	out := t.TempDir()
	args := []string{"build", "-out", out, "-rootfs", rootfs, "-source-date-epoch", epoch,
		"-tag", "giropops-senhas:v1.2.3", "-tag", "giropops-senhas:latest", "-load-platform", "linux/amd64",
		"-version", "v1.2.3", "-revision", "abc123", "-source", "https://example.com/repo", "-licenses", "MIT"}
	for p, b := range bins {
		args = append(args, "-bin", p+"="+b)
	}
	var stdout bytes.Buffer
	if err := run(args, &stdout); err != nil {
		t.Fatalf("build: %v", err)
	}
	return out
}

func digestFile(t *testing.T, out string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "digest"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestBuildIsReproducible(t *testing.T) {
	rootfs, bins := fixture(t, 4096)
	a := digestFile(t, build(t, rootfs, bins, "1700000000"))
	b := digestFile(t, build(t, rootfs, bins, "1700000000"))
	if a != b {
		t.Fatalf("two builds of the same inputs: %s != %s", a, b)
	}
	// The digest must depend on the commit time, or the check above proves nothing.
	if c := digestFile(t, build(t, rootfs, bins, "1700000001")); c == a {
		t.Fatalf("another SOURCE_DATE_EPOCH gave the same digest %s", c)
	}
}

func TestImageContentsAndConfig(t *testing.T) {
	rootfs, bins := fixture(t, 4096)
	out := build(t, rootfs, bins, "1700000000")
	idx, err := layout.ImageIndexFromPath(filepath.Join(out, "oci"))
	if err != nil {
		t.Fatal(err)
	}
	top, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Manifests) != 1 || top.Manifests[0].Digest.String() != digestFile(t, out) {
		t.Fatalf("index.json = %+v, want one entry with the digest file's digest", top.Manifests)
	}
	multi, err := idx.ImageIndex(top.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	all, err := imageFacts(multi)
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, f := range all {
		platforms = append(platforms, f.platform)
		want := []fileInfo{
			{Name: "etc", Mode: os.ModeDir | 0o755},
			{Name: "etc/group", Mode: 0o644, Size: 17},
			{Name: "etc/passwd", Mode: 0o644, Size: 46},
			{Name: "giropops-senhas", Mode: 0o755, Size: 4096},
		}
		if !reflect.DeepEqual(f.files, want) {
			t.Errorf("%s files:\n got %v\nwant %v", f.platform, f.files, want)
		}
		if f.layers != 1 {
			t.Errorf("%s: %d layers, want 1", f.platform, f.layers)
		}
	}
	if want := []string{"linux/amd64", "linux/arm64/v8"}; !reflect.DeepEqual(platforms, want) {
		t.Errorf("platforms %v, want %v", platforms, want)
	}

	im, err := multi.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := multi.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	created := time.Unix(1700000000, 0).UTC()
	c := cf.Config
	switch {
	case !cf.Created.Time.Equal(created):
		t.Errorf("created %v, want %v", cf.Created, created)
	case c.User != "65532:65532":
		t.Errorf("user %q", c.User)
	case !reflect.DeepEqual(c.Entrypoint, []string{"/giropops-senhas"}) || c.Cmd != nil:
		t.Errorf("entrypoint %q cmd %q", c.Entrypoint, c.Cmd)
	case !reflect.DeepEqual(c.ExposedPorts, map[string]struct{}{"5000/tcp": {}}):
		t.Errorf("ports %v", c.ExposedPorts)
	case c.Healthcheck == nil || !reflect.DeepEqual(c.Healthcheck.Test, []string{"CMD", "/giropops-senhas", "healthcheck"}):
		t.Errorf("healthcheck %+v", c.Healthcheck)
	case c.Labels["org.opencontainers.image.created"] != "2023-11-14T22:13:20Z",
		c.Labels["org.opencontainers.image.revision"] != "abc123",
		c.Labels["org.opencontainers.image.version"] != "v1.2.3",
		c.Labels["org.opencontainers.image.base.name"] != "scratch",
		c.Labels["org.opencontainers.image.licenses"] != "MIT":
		t.Errorf("labels %v", c.Labels)
	}
}

func TestDockerArchiveHoldsHostImageWithBothTags(t *testing.T) {
	rootfs, bins := fixture(t, 4096)
	out := build(t, rootfs, bins, "1700000000")
	for _, tag := range []string{"giropops-senhas:v1.2.3", "giropops-senhas:latest"} {
		ref, err := name.NewTag(tag)
		if err != nil {
			t.Fatal(err)
		}
		img, err := tarball.ImageFromPath(filepath.Join(out, "giropops-senhas.tar"), &ref)
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.Architecture != "amd64" {
			t.Errorf("%s: architecture %s, want amd64", tag, cf.Architecture)
		}
	}
}

func TestLayerTimesAreTheCommitTime(t *testing.T) {
	rootfs, bins := fixture(t, 16)
	entries, err := layerEntries(rootfs, bins["linux/amd64"], "giropops-senhas")
	if err != nil {
		t.Fatal(err)
	}
	mtime := time.Unix(1700000000, 0)
	a, err := tarLayer(entries, mtime)
	if err != nil {
		t.Fatal(err)
	}
	// Touch every input: the layer must not change.
	later := time.Now().Add(time.Hour)
	for _, p := range []string{filepath.Join(rootfs, "etc", "passwd"), bins["linux/amd64"]} {
		if err := os.Chtimes(p, later, later); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ = layerEntries(rootfs, bins["linux/amd64"], "giropops-senhas")
	b, _ := tarLayer(entries, mtime)
	if !bytes.Equal(a, b) {
		t.Fatal("the layer changed with the files' times")
	}
}

func TestFactsSizeGate(t *testing.T) {
	// A 1 MB binary: passwd, group and tar headers add well under 10%.
	rootfs, bins := fixture(t, 1<<20)
	out := build(t, rootfs, bins, "1700000000")
	var stdout bytes.Buffer
	if err := run([]string{"facts", "-layout", filepath.Join(out, "oci"), "-max-ratio", "1.1", "-max-layers", "1"}, &stdout); err != nil {
		t.Fatalf("facts on a 1 MB binary: %v\n%s", err, stdout.String())
	}
	for _, want := range []string{"layers        1", "user          65532:65532", "/etc/passwd", "/giropops-senhas"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("facts output lacks %q:\n%s", want, stdout.String())
		}
	}

	// A 1 KB binary: the other files and headers are more than 10% of it, so the gate fails.
	rootfs, bins = fixture(t, 1024)
	out = build(t, rootfs, bins, "1700000000")
	err := run([]string{"facts", "-layout", filepath.Join(out, "oci"), "-max-ratio", "1.1"}, &stdout)
	if err == nil || !strings.Contains(err.Error(), "image/binary") {
		t.Fatalf("facts on a 1 KB binary: err = %v, want the size gate to fail", err)
	}
}

func TestPlatformForDocker(t *testing.T) {
	p := v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	if _, err := pick([]platformImage{{platform: p}}, "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	if _, err := pick([]platformImage{{platform: p}}, "linux/amd64"); err == nil {
		t.Fatal("picked arm64 for linux/amd64")
	}
}
