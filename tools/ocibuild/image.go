package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// nonroot is the user the program runs as: distroless's "nonroot", 65532:65532.
const nonroot = "65532:65532"

// spec is everything an image is made of besides the binary of each platform.
type spec struct {
	name    string            // program name: the file /<name> and the image's title
	rootfs  string            // directory copied into the layer (/etc/passwd, /etc/group)
	port    string            // exposed port, e.g. "5000/tcp"
	created time.Time         // commit time: image Created, file times, label
	labels  map[string]string // OCI labels
}

// config is the runtime configuration shared by every platform.
func (s spec) config() v1.Config {
	bin := "/" + s.name
	return v1.Config{
		User:       nonroot,
		Entrypoint: []string{bin},
		// Docker adds this PATH to every Linux image it builds; set it too so that this
		// image and the Dockerfile's have the same configuration.
		Env:          []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		ExposedPorts: map[string]struct{}{s.port: {}},
		Labels:       s.labels,
		Healthcheck: &v1.HealthConfig{
			Test:        []string{"CMD", bin, "healthcheck"},
			Interval:    5 * time.Second,
			Timeout:     3 * time.Second,
			StartPeriod: 5 * time.Second,
			Retries:     3,
		},
	}
}

// image builds one platform's image: no base, one gzip layer, OCI media types.
func (s spec) image(p v1.Platform, binary string) (v1.Image, error) {
	entries, err := layerEntries(s.rootfs, binary, s.name)
	if err != nil {
		return nil, err
	}
	raw, err := tarLayer(entries, s.created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(
		func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil },
		tarball.WithCompressionLevel(gzip.BestCompression),
		tarball.WithMediaType(types.OCILayer),
	)
	if err != nil {
		return nil, err
	}

	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: s.created},
			CreatedBy: fmt.Sprintf("ocibuild: /%s, /etc/passwd, /etc/group", s.name),
			Comment:   "tools/ocibuild",
		},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: s.created}
	cf.Config = s.config()
	return mutate.ConfigFile(img, cf)
}

// platformImage is one entry of the multi-arch index.
type platformImage struct {
	platform v1.Platform
	image    v1.Image
}

// index builds each platform's image and the OCI index that lists them, in a fixed
// (sorted) order so that the index digest depends only on the inputs.
func (s spec) index(binaries map[string]string) (v1.ImageIndex, []platformImage, error) {
	names := make([]string, 0, len(binaries))
	for p := range binaries {
		names = append(names, p)
	}
	sort.Strings(names)

	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var imgs []platformImage
	for _, n := range names {
		p, err := v1.ParsePlatform(n)
		if err != nil {
			return nil, nil, err
		}
		if p.Architecture == "arm64" && p.Variant == "" {
			p.Variant = "v8" // what Docker and containerd call plain arm64
		}
		img, err := s.image(*p, binaries[n])
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", n, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: p},
		})
		imgs = append(imgs, platformImage{platform: *p, image: img})
	}
	return idx, imgs, nil
}
