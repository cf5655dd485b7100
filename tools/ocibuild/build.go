package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func runBuild(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	var bins, tags listFlag
	fs.Var(&bins, "bin", "PLATFORM=PATH of a static binary, e.g. linux/amd64=dist/bin/linux-amd64/giropops-senhas (repeat)")
	fs.Var(&tags, "tag", "tag of the docker-archive, e.g. giropops-senhas:latest (repeat)")
	out := fs.String("out", "dist/image", "output directory")
	prog := fs.String("name", "giropops-senhas", "program name, installed as /NAME")
	rootfs := fs.String("rootfs", "", "directory whose files go into the layer as they are (passwd, group)")
	port := fs.String("port", "5000/tcp", "exposed port")
	load := fs.String("load-platform", "linux/"+runtime.GOARCH, "platform written to the docker-archive")
	epoch := fs.String("source-date-epoch", os.Getenv("SOURCE_DATE_EPOCH"), "commit time, seconds since 1970 (default $SOURCE_DATE_EPOCH)")
	source := fs.String("source", "", "label org.opencontainers.image.source")
	revision := fs.String("revision", "", "label org.opencontainers.image.revision")
	version := fs.String("version", "", "label org.opencontainers.image.version")
	licenses := fs.String("licenses", "", "label org.opencontainers.image.licenses (SPDX expression)")
	description := fs.String("description", "", "label org.opencontainers.image.description")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(bins) == 0 || len(tags) == 0 {
		return fmt.Errorf("build: at least one -bin and one -tag are required")
	}
	secs, err := strconv.ParseInt(*epoch, 10, 64)
	if err != nil {
		return fmt.Errorf("build: SOURCE_DATE_EPOCH %q: want the commit time in seconds", *epoch)
	}
	created := time.Unix(secs, 0).UTC()

	binaries := map[string]string{}
	for _, b := range bins {
		p, path, ok := strings.Cut(b, "=")
		if !ok {
			return fmt.Errorf("build: -bin %q: want PLATFORM=PATH", b)
		}
		binaries[p] = path
	}

	s := spec{
		name:    *prog,
		rootfs:  *rootfs,
		port:    *port,
		created: created,
		labels: map[string]string{
			"org.opencontainers.image.title":       *prog,
			"org.opencontainers.image.description": *description,
			"org.opencontainers.image.source":      *source,
			"org.opencontainers.image.revision":    *revision,
			"org.opencontainers.image.version":     *version,
			"org.opencontainers.image.created":     created.Format(time.RFC3339),
			"org.opencontainers.image.licenses":    *licenses,
			"org.opencontainers.image.base.name":   "scratch",
		},
	}
	idx, imgs, err := s.index(binaries)
	if err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}

	// A fresh layout each time: appending to an old index.json would list stale images.
	ociDir := filepath.Join(*out, "oci")
	if err := os.RemoveAll(ociDir); err != nil {
		return err
	}
	lp, err := layout.Write(ociDir, empty.Index)
	if err != nil {
		return err
	}
	ref := map[string]string{"org.opencontainers.image.ref.name": *version}
	if *version == "" {
		ref = nil
	}
	if err := lp.AppendIndex(idx, layout.WithAnnotations(ref)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "digest"), []byte(digest.String()+"\n"), 0o644); err != nil {
		return err
	}

	loadImg, err := pick(imgs, *load)
	if err != nil {
		return err
	}
	refs := map[name.Reference]v1.Image{}
	for _, t := range tags {
		tag, err := name.NewTag(t)
		if err != nil {
			return err
		}
		refs[tag] = loadImg
	}
	archive := filepath.Join(*out, *prog+".tar")
	if err := tarball.MultiRefWriteToFile(archive, refs); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "index %s\n", digest)
	for _, pi := range imgs {
		d, err := pi.image.Digest()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %-14s %s\n", pi.platform.String(), d)
	}
	fmt.Fprintf(stdout, "wrote %s, %s (%s)\n", ociDir, archive, *load)
	return nil
}

// pick returns the image built for platform (OS/ARCH, any variant).
func pick(imgs []platformImage, platform string) (v1.Image, error) {
	want, err := v1.ParsePlatform(platform)
	if err != nil {
		return nil, err
	}
	for _, pi := range imgs {
		if pi.platform.OS == want.OS && pi.platform.Architecture == want.Architecture {
			return pi.image, nil
		}
	}
	return nil, fmt.Errorf("no image was built for %s (give it a -bin)", platform)
}
