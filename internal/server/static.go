package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// staticAsset is one embedded file under a name that holds a digest of its bytes.
type staticAsset struct {
	body        []byte
	contentType string
	etag        string
}

// static is the embedded CSS, JavaScript and icons, each served under a name with
// a digest of its content (app.css as /static/app.3f9a1c2b7d4e.css), so that a
// browser may keep it for a year: a deploy that changes a file changes its name,
// and the page it serves links the new one. The names are computed at start-up.
type static struct {
	byPath map[string]staticAsset // "/static/app.3f9a1c2b7d4e.css"
	paths  map[string]string      // "app.css" -> "/static/app.3f9a1c2b7d4e.css"
}

func newStatic() static {
	s := static{byPath: map[string]staticAsset{}, paths: map[string]string{}}
	err := fs.WalkDir(assets, "assets/static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assets.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		digest := hex.EncodeToString(sum[:6])
		rel := strings.TrimPrefix(name, "assets/static/")
		ext := path.Ext(rel)
		hashed := "/static/" + strings.TrimSuffix(rel, ext) + "." + digest + ext
		s.paths[rel] = hashed
		s.byPath[hashed] = staticAsset{body: body, contentType: mime.TypeByExtension(ext), etag: `"` + digest + `"`}
		return nil
	})
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return s
}

// path is the hashed path of the embedded file name ("app.css"), for the page's
// template; a name that is not embedded fails the template at start-up.
func (s static) path(name string) (string, error) {
	if p, ok := s.paths[name]; ok {
		return p, nil
	}
	return "", fs.ErrNotExist
}

// handler serves the hashed names; any other name, an old one included, is 404.
func (s static) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := s.byPath[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", a.etag)
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(a.body)))
		if r.Method != http.MethodHead {
			w.Write(a.body)
		}
	})
}
