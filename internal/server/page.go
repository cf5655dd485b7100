package server

import (
	"embed"
	"errors"
	"encoding/base64"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/giropops/giropops-senhas/internal/password"
)

//go:embed assets
var assets embed.FS

// The page's slider: the generator's bounds, starting at a strong length.
const pageDefaultLength = 16

// flashCookie carries the password a form POST generated to the page its
// redirect shows (Post/Redirect/Get), once: the page deletes it on reading. It
// is sealed under the session's key, which only the session cookie carries.
const flashCookie = "giropops_nova"

// entry is a password as the page shows it.
type entry struct {
	ID       int
	Senha    string
	Bits     int
	Strength string
}

// newEntry shows r; a plain history entry's strength is estimated from the
// classes it uses.
func newEntry(id int, r record) entry {
	bits := r.bits
	if math.IsNaN(bits) {
		bits = password.EntropyOf(r.senha)
	}
	return entry{ID: id, Senha: r.senha, Bits: int(math.Floor(bits)), Strength: strength(bits)}
}

// strength names a password's entropy the way the page shows it.
func strength(bits float64) string {
	switch {
	case bits < 60:
		return "fraca"
	case bits < 80:
		return "razoável"
	case bits < 100:
		return "forte"
	}
	return "muito forte"
}

// pageData is what the page template shows.
type pageData struct {
	Length          int
	MinLength       int
	MaxLength       int
	Digits, Special bool
	Error           string
	New             *entry
	History         []entry
	HistoryOff      bool // HISTORY_SCOPE=off
	HistoryDown     bool // the store did not answer
	SessionScope    bool
	NewNotSaved     bool // the latest password could not be stored
	CanClear        bool // the "Limpar histórico" button is shown
}

// pageTemplate parses the embedded page once.
func pageTemplate() *template.Template {
	return template.Must(template.ParseFS(assets, "assets/index.html"))
}

// staticFiles serves the embedded CSS, JavaScript and icons.
func staticFiles() http.Handler {
	sub, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// handleIndex is GET /: the form and the latest passwords. After a form POST it
// also shows the new password, and the form keeps the options that made it.
func handleIndex(logger *slog.Logger, tmpl *template.Template, hist *observedHistory, s sessions, size int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := pageData{Length: pageDefaultLength, Digits: true, Special: true}
		q := r.URL.Query()
		if q.Has("tamanho") {
			if o, err := formOptions(q.Get("tamanho"), q["incluir_numeros"], q["incluir_caracteres_especiais"]); err == nil {
				d.Length, d.Digits, d.Special = o.Length, o.Digits, o.Special
			}
		}
		if c, err := r.Cookie(flashCookie); err == nil {
			s.setCookie(w, r, flashCookie, "", -1, http.SameSiteStrictMode)
			sess, ok := s.get(r)
			sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
			if ok && err == nil {
				if rec, err := open(sess.aead, flashCookie, string(sealed)); err == nil {
					e := newEntry(0, rec)
					d.New = &e
					d.NewNotSaved = q.Get("salva") == "0"
				}
			}
		}
		renderPage(w, r, logger, tmpl, hist, s, size, http.StatusOK, d)
	})
}

// handleForm is POST /: the page's form. It generates, stores and redirects
// back to / (303), so that reloading the page does not post the form again.
func handleForm(logger *slog.Logger, tmpl *template.Template, m *metrics, hist *observedHistory, s sessions, size int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		d := pageData{Length: pageDefaultLength, Digits: true, Special: true}
		if err := r.ParseForm(); err != nil {
			d.Error = "formulário inválido ou grande demais"
			renderPage(w, r, logger, tmpl, hist, s, size, http.StatusBadRequest, d)
			return
		}
		f := r.PostForm
		o, err := formOptions(f.Get("tamanho"), f["incluir_numeros"], f["incluir_caracteres_especiais"])
		if err == nil {
			var rec record
			if rec, err = generate(m, o); err == nil {
				saved := "1"
				l, sess, ok := s.write(w, r, fromForm)
				if ok && hist.add(r.Context(), l, rec) != nil {
					saved = "0"
				}
				flash := base64.RawURLEncoding.EncodeToString([]byte(seal(sess.aead, flashCookie, rec)))
				s.setCookie(w, r, flashCookie, flash, 60, http.SameSiteStrictMode)
				http.Redirect(w, r, "/?"+formQuery(o, saved), http.StatusSeeOther)
				return
			}
		}
		d.Error = err.Error()
		if n, lenErr := parseLength(f.Get("tamanho")); lenErr == nil {
			d.Length = n // keep a valid length the user chose
		}
		renderPage(w, r, logger, tmpl, hist, s, size, http.StatusBadRequest, d)
	})
}

// handleClearForm is POST /limpar: the page's "Limpar histórico" button. It
// erases the history as DELETE /api/senhas does and redirects back to / (303).
func handleClearForm(logger *slog.Logger, tmpl *template.Template, hist *observedHistory, s sessions, size int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := clearHistory(w, r, hist, s); err != nil {
			e, _ := errors.AsType[*apiError](err)
			d := pageData{Length: pageDefaultLength, Digits: true, Special: true, Error: e.msg}
			renderPage(w, r, logger, tmpl, hist, s, size, e.status, d)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

// formQuery is the redirect's query: the options, for the form to keep them.
func formQuery(o password.Options, saved string) string {
	v := url.Values{"tamanho": {strconv.Itoa(o.Length)}, "salva": {saved}}
	if o.Digits {
		v.Set("incluir_numeros", "on")
	}
	if o.Special {
		v.Set("incluir_caracteres_especiais", "on")
	}
	return v.Encode()
}

// renderPage fills in the history and writes the page. A store that does not
// answer leaves the history out with a notice; the page still works.
func renderPage(w http.ResponseWriter, r *http.Request, logger *slog.Logger, tmpl *template.Template,
	hist *observedHistory, s sessions, size int, status int, d pageData) {
	d.MinLength, d.MaxLength = password.MinLength, password.MaxLength
	d.HistoryOff = s.scope == ScopeOff
	d.SessionScope = s.scope == ScopeSession
	if l, ok := s.read(r); ok {
		rs, err := hist.latest(r.Context(), l, size)
		d.HistoryDown = err != nil
		for i, rec := range rs {
			d.History = append(d.History, newEntry(i+1, rec))
		}
	}
	d.CanClear = len(d.History) > 0 && s.canClear()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := tmpl.Execute(w, d); err != nil {
		logger.Error("render page", "err", err)
	}
}
