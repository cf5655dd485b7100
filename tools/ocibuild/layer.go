package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// entry is one file or directory of the image's single layer.
type entry struct {
	name string // slash-separated, relative to /, no trailing slash
	dir  bool
	mode int64
	data []byte
}

// layerEntries lists what the layer holds: every file and directory under rootfs (for
// /etc/passwd and /etc/group), then the program itself as /<name>. Modes are normalised
// the way git stores them (0755 for directories and executables, 0644 otherwise), so
// the result does not depend on the umask of the checkout.
func layerEntries(rootfs, binary, name string) ([]entry, error) {
	var entries []entry
	if rootfs != "" {
		err := filepath.WalkDir(rootfs, func(p string, d fs.DirEntry, err error) error {
			if err != nil || p == rootfs {
				return err
			}
			rel, err := filepath.Rel(rootfs, p)
			if err != nil {
				return err
			}
			e := entry{name: filepath.ToSlash(rel), dir: d.IsDir(), mode: 0o755}
			if !d.IsDir() {
				if !d.Type().IsRegular() {
					return fmt.Errorf("%s: only regular files and directories are supported", p)
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				if info.Mode()&0o111 == 0 {
					e.mode = 0o644
				}
				if e.data, err = os.ReadFile(p); err != nil {
					return err
				}
			}
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	entries = append(entries, entry{name: name, mode: 0o755, data: data})
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	for i := 1; i < len(entries); i++ {
		if entries[i].name == entries[i-1].name {
			return nil, fmt.Errorf("%s is in the layer twice", entries[i].name)
		}
	}
	return entries, nil
}

// tarLayer writes the entries as an uncompressed tar stream. Owner root, no user or group
// names, and every time set to mtime: the same inputs always give the same bytes.
func tarLayer(entries []entry, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{
			Name:    e.name,
			Mode:    e.mode,
			ModTime: mtime,
			Format:  tar.FormatPAX,
		}
		if e.dir {
			hdr.Typeflag = tar.TypeDir
			hdr.Name = e.name + "/"
		} else {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fileInfo is one line of a layer's file list, as `facts` prints it and tests compare it.
type fileInfo struct {
	Name string
	Mode fs.FileMode
	UID  int
	GID  int
	Size int64
}

func (f fileInfo) String() string {
	return fmt.Sprintf("%s %5d:%-5d %10d /%s", f.Mode, f.UID, f.GID, f.Size, f.Name)
}

// listTar reads a tar stream and returns its entries in order.
func listTar(r io.Reader) ([]fileInfo, error) {
	var files []fileInfo
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		files = append(files, fileInfo{
			Name: path.Clean(hdr.Name),
			Mode: hdr.FileInfo().Mode(),
			UID:  hdr.Uid,
			GID:  hdr.Gid,
			Size: hdr.Size,
		})
	}
}
