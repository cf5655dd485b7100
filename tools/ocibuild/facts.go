package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// facts is what `ocibuild facts` measures for one platform's image.
type facts struct {
	platform     string
	digest       v1.Hash
	layers       int
	compressed   int64 // manifest + config + compressed layers: what a registry stores
	uncompressed int64 // layer tar bytes: what the engine unpacks and `docker images` shows
	binary       int64 // size of the entrypoint file
	user         string
	entrypoint   []string
	files        []fileInfo
}

func runFacts(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("facts", flag.ContinueOnError)
	dir := fs.String("layout", "dist/image/oci", "OCI layout written by `ocibuild build`")
	maxRatio := fs.Float64("max-ratio", 0, "fail when an image's unpacked size exceeds this many times its binary (0: no check)")
	maxLayers := fs.Int("max-layers", 0, "fail when an image has more layers than this (0: no check)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lp, err := layout.FromPath(*dir)
	if err != nil {
		return err
	}
	top, err := lp.ImageIndex()
	if err != nil {
		return err
	}
	tm, err := top.IndexManifest()
	if err != nil {
		return err
	}
	if len(tm.Manifests) != 1 {
		return fmt.Errorf("%s: index.json lists %d entries, want the one multi-arch index", *dir, len(tm.Manifests))
	}
	idx, err := top.ImageIndex(tm.Manifests[0].Digest)
	if err != nil {
		return err
	}
	all, err := imageFacts(idx)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "index   %s\n", tm.Manifests[0].Digest)
	var failed []string
	for _, f := range all {
		ratio := float64(f.uncompressed) / float64(f.binary)
		fmt.Fprintf(stdout, "\n%s  %s\n", f.platform, f.digest)
		fmt.Fprintf(stdout, "  layers        %d\n", f.layers)
		fmt.Fprintf(stdout, "  unpacked      %s (layer tar; what the engine stores)\n", size(f.uncompressed))
		fmt.Fprintf(stdout, "  compressed    %s (manifest + config + gzip layer; what a registry stores)\n", size(f.compressed))
		fmt.Fprintf(stdout, "  binary        %s, image/binary = %.4f\n", size(f.binary), ratio)
		fmt.Fprintf(stdout, "  user          %s\n", f.user)
		fmt.Fprintf(stdout, "  entrypoint    %s\n", strings.Join(f.entrypoint, " "))
		fmt.Fprintf(stdout, "  files\n")
		for _, fi := range f.files {
			fmt.Fprintf(stdout, "    %s\n", fi)
		}
		if *maxRatio > 0 && ratio > *maxRatio {
			failed = append(failed, fmt.Sprintf("%s: image/binary %.4f > %.2f", f.platform, ratio, *maxRatio))
		}
		if *maxLayers > 0 && f.layers > *maxLayers {
			failed = append(failed, fmt.Sprintf("%s: %d layers > %d", f.platform, f.layers, *maxLayers))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("image too large: %s", strings.Join(failed, "; "))
	}
	return nil
}

// imageFacts measures every image the index lists.
func imageFacts(idx v1.ImageIndex) ([]facts, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var all []facts
	for _, d := range im.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, err
		}
		// d.Size is the manifest's size; the config and the layers come next.
		f := facts{platform: d.Platform.String(), digest: d.Digest, compressed: d.Size}
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, err
		}
		f.compressed += m.Config.Size
		f.user, f.entrypoint = cf.Config.User, cf.Config.Entrypoint
		layers, err := img.Layers()
		if err != nil {
			return nil, err
		}
		f.layers = len(layers)
		for _, l := range layers {
			cs, err := l.Size()
			if err != nil {
				return nil, err
			}
			f.compressed += cs
			files, n, err := layerFiles(l)
			if err != nil {
				return nil, err
			}
			f.uncompressed += n
			f.files = append(f.files, files...)
		}
		for _, fi := range f.files {
			if len(f.entrypoint) > 0 && "/"+fi.Name == f.entrypoint[0] {
				f.binary = fi.Size
			}
		}
		if f.binary == 0 {
			return nil, fmt.Errorf("%s: entrypoint %v is not a file of the image", f.platform, f.entrypoint)
		}
		all = append(all, f)
	}
	return all, nil
}

// layerFiles lists a layer's files and counts its uncompressed bytes.
func layerFiles(l v1.Layer) ([]fileInfo, int64, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	files, err := listTar(cr)
	if err != nil {
		return nil, 0, err
	}
	// Count the tar's end-of-archive padding too.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return nil, 0, err
	}
	return files, cr.n, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// size prints bytes as MB (10^6, as Docker does) and exactly.
func size(n int64) string {
	return fmt.Sprintf("%.2f MB (%d bytes)", float64(n)/1e6, n)
}
