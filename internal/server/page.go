package server

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/giropops/giropops-senhas/internal/password"
)

//go:embed assets
var assets embed.FS

// flashCookie carries the passwords a form POST generated, and the options
// that made them, to the page its redirect shows (Post/Redirect/Get), once: the
// page deletes it on reading, and refuses it after flashLife. It is sealed
// under the session's key, which only the session cookie carries. The
// redirect's URL carries nothing: a link cannot pre-fill the form.
const flashCookie = "giropops_nova"

// flashLife is how long a flash opens after the POST that made it.
const flashLife = time.Minute

// flash is what the flash cookie carries, sealed under a key that takes both
// the session's secret and SESSION_KEY (a client that knows its secret cannot
// make the page show a password of its choosing), and padded like the
// history's entries.
type flash struct {
	At     int64    `json:"t"` // Unix milliseconds of the POST
	Senhas []string `json:"s"`
	Bits   float64  `json:"b"`
	Form   string   `json:"f"` // the request's options, as a query
	Saved  bool     `json:"ok"`
}

// json is f in JSON, with <, > and & as they are (not escaped to six bytes
// each: the size would tell how many a password holds).
func (f flash) json() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(f)
	return b.Bytes()
}

// maxFlash bounds the flash cookie, below the 4 KB browsers keep. A batch
// that does not fit (many long passwords) is shown by the POST's own answer.
const maxFlash = 3800

// page is what the page's handlers share.
type page struct {
	logger *slog.Logger
	tmpl   *template.Template
	m      *metrics
	gens   *password.Cache
	hist   *observedHistory
	s      *sessions
}

// entry is a password as the page shows it.
type entry struct {
	ID       string // of its elements: "nova-1" for the first new one, "1" for the newest kept
	Senha    string
	Bits     int
	Strength string
	Guess    string // time to guess it offline
}

// newEntry shows r; a plain history entry's strength is estimated from the
// classes it uses.
func newEntry(id string, r record) entry {
	bits := r.bits
	if math.IsNaN(bits) {
		bits = password.EntropyOf(r.senha)
	}
	return entry{ID: id, Senha: r.senha, Bits: int(math.Floor(bits)), Strength: strength(bits), Guess: timeToGuess(bits)}
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

// guessesPerSecond is an offline attack on a fast hash with many GPUs.
const guessesPerSecond = 1e10

// timeToGuess says how long an offline attack at guessesPerSecond takes, on
// average (half the space), to find a password of that entropy.
func timeToGuess(bits float64) string {
	s := math.Exp2(bits-1) / guessesPerSecond
	const minute, hour, day, year = 60, 3600, 86400, 365.25 * 86400
	units := []struct {
		secs        float64
		one, plural string
	}{{year, "ano", "anos"}, {30 * day, "mês", "meses"}, {day, "dia", "dias"}, {hour, "hora", "horas"}, {minute, "minuto", "minutos"}, {1, "segundo", "segundos"}}
	switch {
	case s < 1:
		return "menos de um segundo"
	case s >= 1000*year:
		return "milênios"
	case s >= 100*year:
		return "séculos"
	}
	for _, u := range units {
		if n := math.Floor(s / u.secs); n >= 1 {
			if n == 1 {
				return "1 " + u.one
			}
			return strconv.Itoa(int(n)) + " " + u.plural
		}
	}
	return "menos de um segundo"
}

// form is the state of the page's form.
type form struct {
	Kind                                      string
	Count, Length, Words                      int
	Lower, Upper, Digits, Special, Avoid      bool
	MinLower, MinUpper, MinDigits, MinSpecial string // "" at the default
	SpecialChars, Exclude, Rules              string
	Separator, Language                       string
	Capitalize                                bool
	Advanced                                  bool // open "Opções avançadas"
}

// pageDefaults is the form as the page first shows it: a strong password.
func pageDefaults() form {
	return form{Kind: password.KindPassword, Count: 1, Length: 16, Lower: true, Upper: true, Digits: true, Special: true,
		Words: password.DefaultWords, Separator: password.DefaultSeparator, Language: password.DefaultLanguage}
}

// formOf is the form that makes r, on top of the page's defaults.
func formOf(r password.Request) form {
	f := pageDefaults()
	f.Kind, f.Count = r.Kind, r.Count
	num := func(n, def int) string {
		if n == def {
			return ""
		}
		return strconv.Itoa(n)
	}
	switch {
	case r.Kind == password.KindPassphrase:
		f.Words, f.Separator, f.Capitalize, f.Digits, f.Language = r.Words, r.Separator, r.Capitalize, r.Digits, r.Language
	case r.Rules != "":
		f.Rules = r.Rules
	default:
		f.Length, f.Lower, f.Upper, f.Digits, f.Special, f.Avoid = r.Length, r.Lower, r.Upper, r.Digits, r.Special, r.AvoidAmbiguous
		f.MinLower, f.MinUpper = num(r.MinLower, 0), num(r.MinUpper, 0)
		f.MinDigits, f.MinSpecial = num(r.MinDigits, b2i(r.Digits)), num(r.MinSpecial, b2i(r.Special))
		f.SpecialChars, f.Exclude = r.SpecialChars, r.Exclude
	}
	f.Advanced = f.advanced()
	return f
}

// advanced reports whether an option of "Opções avançadas" is set, to open it.
func (f form) advanced() bool {
	return f.Kind != password.KindPassword || f.Count != 1 || !f.Lower || !f.Upper || f.Avoid ||
		f.MinLower+f.MinUpper+f.MinDigits+f.MinSpecial+f.SpecialChars+f.Exclude+f.Rules != ""
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pageData is what the page template shows.
type pageData struct {
	Form         form
	MinLength    int
	MaxLength    int
	Error        string
	New          []entry // what the last form POST generated
	History      []entry
	HistoryOff   bool // HISTORY_SCOPE=off
	HistoryDown  bool // the store did not answer
	SessionScope bool
	NewNotSaved  bool // the latest passwords could not be stored
	CanClear     bool // the "Limpar histórico" button is shown
}

// pageTemplate parses the embedded page once; {{static "app.css"}} is the file's
// hashed path.
func pageTemplate(st static) *template.Template {
	return template.Must(template.New("index.html").Funcs(template.FuncMap{"static": st.path}).ParseFS(assets, "assets/index.html"))
}

// openAPI serves the API's OpenAPI 3.1 description, assets/openapi.json.
func openAPI() http.Handler {
	spec, err := assets.ReadFile("assets/openapi.json")
	if err != nil {
		panic(err) // embedded
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(spec)
	})
}

// handleIndex is GET /: the form and the latest passwords. After a form POST it
// also shows the new passwords, and the form keeps the options that made them.
func handleIndex(p page) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := pageData{Form: pageDefaults()}
		if c, err := r.Cookie(p.s.cookieName(r, flashCookie)); err == nil {
			p.s.setCookie(w, r, flashCookie, "", -1, http.SameSiteStrictMode)
			if f, ok := p.openFlash(r, c.Value); ok {
				q, _ := url.ParseQuery(f.Form)
				get := func(name string) (string, bool) { return q.Get(name), q.Has(name) }
				if req, err := password.ParseRequest(get); err == nil {
					d.Form = formOf(req)
				}
				for i, senha := range f.Senhas {
					d.New = append(d.New, newEntry("nova-"+strconv.Itoa(i+1), record{senha: senha, bits: f.Bits}))
				}
				d.NewNotSaved = !f.Saved
			}
		}
		p.render(w, r, http.StatusOK, d)
	})
}

// handleForm is POST /: the page's form. It generates, stores and redirects
// back to / (303), so that reloading the page does not post the form again.
func handleForm(p page) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		d := pageData{Form: pageDefaults()}
		if err := r.ParseForm(); err != nil {
			d.Error = "formulário inválido ou grande demais"
			p.render(w, r, http.StatusBadRequest, d)
			return
		}
		req, err := password.ParseRequest(formFields(r.PostForm).get)
		if err != nil {
			d.Error = err.Error()
			d.Form = formKept(r.PostForm)
			p.render(w, r, http.StatusBadRequest, d)
			return
		}
		rs, err := generate(p.m, p.gens, req)
		if err != nil {
			d.Error = err.Error()
			p.render(w, r, http.StatusBadRequest, d)
			return
		}
		sess, err := p.s.save(w, r, fromForm, rs)
		f := flash{At: p.s.now().UnixMilli(), Bits: rs[0].bits, Form: req.Values().Encode(), Saved: err == nil}
		for _, rec := range rs {
			f.Senhas = append(f.Senhas, rec.senha)
		}
		sealed := base64.RawURLEncoding.EncodeToString([]byte(sealBytes(p.s.flashAEAD(sess), []byte(flashCookie), pad(f.json()))))
		if len(sealed) > maxFlash {
			// Too many to carry: show them in this answer instead of after a redirect.
			d.Form = formOf(req)
			for i, rec := range rs {
				d.New = append(d.New, newEntry("nova-"+strconv.Itoa(i+1), rec))
			}
			d.NewNotSaved = !f.Saved
			p.render(w, r, http.StatusOK, d)
			return
		}
		p.s.setCookie(w, r, flashCookie, sealed, int(flashLife.Seconds()), http.SameSiteStrictMode)
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

// openFlash opens a flash cookie's value under the request's session: one
// this session's POST made less than flashLife ago.
func (p page) openFlash(r *http.Request, v string) (flash, bool) {
	var f flash
	sess, ok := p.s.fromCookie(r)
	sealed, err := base64.RawURLEncoding.DecodeString(v)
	if !ok || err != nil {
		return f, false
	}
	plain, err := openBytes(p.s.flashAEAD(sess), []byte(flashCookie), string(sealed))
	if err != nil {
		return f, false
	}
	if plain, ok = unpad(plain); !ok || json.Unmarshal(plain, &f) != nil || len(f.Senhas) == 0 {
		return f, false
	}
	age := p.s.now().Sub(time.UnixMilli(f.At))
	return f, age >= -clockSkew && age < flashLife
}

// formKept is the form a refused POST shows again: what the user entered, so
// that only the field in error needs fixing.
func formKept(v url.Values) form {
	f := pageDefaults()
	if v.Get("tipo") == password.KindPassphrase {
		f.Kind = password.KindPassphrase
	}
	for _, n := range []struct {
		name string
		to   *int
	}{{"tamanho", &f.Length}, {"quantidade", &f.Count}, {"palavras", &f.Words}} {
		if i, err := strconv.Atoi(v.Get(n.name)); err == nil && i > 0 && i <= password.MaxLength {
			*n.to = i
		}
	}
	f.Lower, f.Upper, f.Digits, f.Special = v.Has("incluir_minusculas"), v.Has("incluir_maiusculas"), v.Has("incluir_numeros"), v.Has("incluir_caracteres_especiais")
	f.Avoid, f.Capitalize = v.Has("evitar_ambiguos"), v.Has("capitalizar")
	f.MinLower, f.MinUpper, f.MinDigits, f.MinSpecial = v.Get("minimo_minusculas"), v.Get("minimo_maiusculas"), v.Get("minimo_numeros"), v.Get("minimo_especiais")
	f.SpecialChars, f.Exclude, f.Rules = v.Get("caracteres_especiais"), v.Get("excluir"), v.Get("regras")
	if s := v.Get("separador"); s != "" {
		f.Separator = s
	}
	f.Advanced = f.advanced()
	return f
}

// handleClearForm is POST /limpar: the page's "Limpar histórico" button. It
// erases the history as DELETE /api/senhas does and redirects back to / (303).
func handleClearForm(p page) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := p.s.clear(w, r); err != nil {
			e, _ := errors.AsType[*apiError](err)
			p.render(w, r, e.status, pageData{Form: pageDefaults(), Error: e.msg})
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

// render fills in the history and writes the page. A store that does not
// answer leaves the history out with a notice; the page still works.
func (p page) render(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	d.MinLength, d.MaxLength = password.MinLength, password.MaxLength
	d.HistoryOff = p.s.scope == ScopeOff
	d.SessionScope = p.s.scope == ScopeSession
	rs, live, err := p.s.load(w, r)
	if !live {
		d.New = nil // a flash of a session that was revoked since
	}
	d.HistoryDown = err != nil
	for i, rec := range rs {
		d.History = append(d.History, newEntry(strconv.Itoa(i+1), rec))
	}
	d.CanClear = len(d.History) > 0 && p.s.canClear()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := p.tmpl.Execute(w, d); err != nil {
		p.logger.Error("render page", "err", err)
	}
}
