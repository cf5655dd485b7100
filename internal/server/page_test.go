package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/giropops/giropops-senhas/internal/server"
)

func TestPage(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	r := do(t, client(t), "GET", ts.URL+"/", "", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", r.status, r.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="pt-BR">`, "Gerador de Senhas", "Últimas senhas criadas",
		`name="tamanho"`, `type="range"`, `min="4"`, `max="128"`,
		`name="incluir_numeros" value="on" checked`, `name="incluir_caracteres_especiais" value="on" checked`,
		`<label for="tamanho">`, `<label for="incluir_numeros">`, `<label for="incluir_caracteres_especiais">`,
		`>Gerar</button>`, `name="viewport"`, "Nenhuma senha gerada ainda",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// The page loads nothing from another origin and runs no inline code, and
// the CSP forbids both, so the browser enforces it too.
func TestPageIsSelfContained(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	c := client(t)
	page := do(t, c, "GET", ts.URL+"/", "", "")
	csp := page.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for _, tag := range regexp.MustCompile(`<script[^>]*>[^<]*</script>`).FindAllString(page.body, -1) {
		if !strings.Contains(tag, ` src="/static/`) || !strings.HasSuffix(tag, "></script>") {
			t.Errorf("inline script: %q", tag)
		}
	}
	inline := []*regexp.Regexp{
		regexp.MustCompile(`\son[a-z]+\s*=`), // onclick= and friends
		regexp.MustCompile(`\sstyle\s*=`),
		regexp.MustCompile(`<style`),
	}
	for _, re := range inline {
		if m := re.FindString(page.body); m != "" {
			t.Errorf("page has inline code or style: %q", m)
		}
	}
	assets := map[string]string{"app.css": "text/css", "app.js": "text/javascript", "favicon.svg": "image/svg+xml"}
	external := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	for name, ct := range assets {
		path := staticPath(t, page.body, name)
		a := do(t, c, "GET", ts.URL+path, "", "")
		if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), ct) {
			t.Errorf("%s: %d %q, want 200 %s", path, a.status, a.header.Get("Content-Type"), ct)
		}
		body := a.body
		if name == "favicon.svg" {
			body = strings.ReplaceAll(body, "http://www.w3.org/2000/svg", "") // a namespace, not a fetch
		}
		if m := external.FindString(body); m != "" {
			t.Errorf("%s refers to another origin: %q", path, m)
		}
	}
	if m := external.FindString(page.body); m != "" {
		t.Errorf("page refers to another origin: %q", m)
	}
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	c := client(t)
	for _, r := range []response{
		do(t, c, "GET", ts.URL+"/", "", ""),
		postJSON(t, c, ts.URL, `{}`),
		postJSON(t, c, ts.URL, `{"tamanho": 1}`),
		do(t, c, "GET", ts.URL+"/api/senhas", "", ""),
		do(t, c, "GET", ts.URL+"/metrics", "", ""),
		do(t, c, "GET", ts.URL+"/nada", "", ""),
	} {
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		} {
			if got := r.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q (status %d)", h, got, want, r.status)
			}
		}
		if r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("no CSP (status %d)", r.status)
		}
	}
}

// The form posts, then redirects (303) to a page that shows the new password
// once; reloading that page does not generate again.
func TestFormPostRedirectGet(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	c := client(t)
	form := url.Values{"tamanho": {"20"}, "incluir_numeros": {"on"}}
	r := do(t, c, "POST", ts.URL+"/", "application/x-www-form-urlencoded", form.Encode())
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST /: %d, want 303: %s", r.status, r.body)
	}
	// The options travel sealed in the flash cookie: the URL carries none, so a
	// link cannot pre-fill the form.
	loc := r.header.Get("Location")
	if loc != "/" {
		t.Fatalf("Location %q, want /", loc)
	}
	page := do(t, c, "GET", ts.URL+loc, "", "")
	m := regexp.MustCompile(`<code class="plain" id="senha-nova-1">([^<]+)</code>`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("the redirected page does not show the new password:\n%s", page.body)
	}
	p := html.UnescapeString(m[1])
	if strings.Contains(loc, url.QueryEscape(p)) || strings.Contains(loc, p) {
		t.Fatalf("the redirect's URL %q carries the password", loc)
	}
	if len(p) != 20 || !strings.ContainsAny(p, "0123456789") {
		t.Fatalf("new password %q: want 20 characters with a digit", p)
	}
	if !strings.Contains(page.body, `value="20"`) || strings.Contains(page.body, `name="incluir_caracteres_especiais" value="on" checked`) {
		t.Fatalf("the form did not keep the options that made the password")
	}
	if !strings.Contains(page.body, "Sua nova senha") || !strings.Contains(page.body, "bits") {
		t.Fatalf("no result card with strength")
	}
	if got := listOf(t, do(t, c, "GET", ts.URL+"/api/senhas", "", "")); len(got) != 1 || got[0] != p {
		t.Fatalf("history %q, want [%s]", got, p)
	}
	again := do(t, c, "GET", ts.URL+loc, "", "")
	if strings.Contains(again.body, "Sua nova senha") {
		t.Fatalf("reloading showed the new password again")
	}
	if got := listOf(t, do(t, c, "GET", ts.URL+"/api/senhas", "", "")); len(got) != 1 {
		t.Fatalf("reloading generated again: %q", got)
	}
	if !strings.Contains(again.body, `id="senha-1">`+m[1]+`<`) {
		t.Fatalf("the history card does not list the password")
	}
}

func TestFormRejects(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	for _, body := range []string{"tamanho=2", "tamanho=abc", "tamanho=8&incluir_numeros=talvez", strings.Repeat("x", 5000)} {
		r := do(t, client(t), "POST", ts.URL+"/", "application/x-www-form-urlencoded", body)
		if r.status != 400 || !strings.Contains(r.body, `class="error" role="alert"`) || !strings.Contains(r.body, "<form") {
			t.Errorf("POST / %.30q: %d, want 400 with the form and an error", body, r.status)
		}
	}
}

// A form posted from another site is refused, and nothing is generated.
func TestFormCrossOrigin(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	c := client(t)
	req, _ := http.NewRequest("POST", ts.URL+"/", strings.NewReader("tamanho=8"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site form POST: %d, want 403", resp.StatusCode)
	}
	if m := do(t, c, "GET", ts.URL+"/metrics", "", ""); !strings.Contains(m.body, "\nsenha_gerada_total 0\n") {
		t.Fatalf("a refused request generated a password")
	}
}

// The page's advanced options: closed until one is set, every input labelled,
// a passphrase, several passwords at once, and an error that keeps the form.
func TestPageAdvancedOptions(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	c := client(t)
	page := do(t, c, "GET", ts.URL+"/", "", "").body
	if !strings.Contains(page, `<details class="advanced">`) || !strings.Contains(page, "<summary>Opções avançadas</summary>") {
		t.Fatal("no closed Opções avançadas section")
	}
	for _, id := range regexp.MustCompile(`<input type="(?:checkbox|radio|number|text|range)" (?:class="[^"]*" )?id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, `<label for="`+id[1]+`"`) {
			t.Errorf("input %s has no label", id[1])
		}
	}
	for _, name := range []string{"tipo", "quantidade", "incluir_minusculas", "incluir_maiusculas", "minimo_minusculas", "minimo_maiusculas",
		"minimo_numeros", "minimo_especiais", "evitar_ambiguos", "caracteres_especiais", "excluir", "regras", "palavras", "separador", "capitalizar"} {
		if !strings.Contains(page, `name="`+name+`"`) {
			t.Errorf("the form has no field %s", name)
		}
	}

	post := func(form url.Values) (response, response) {
		t.Helper()
		form.Set("opcoes", "1")
		r := do(t, c, "POST", ts.URL+"/", "application/x-www-form-urlencoded", form.Encode())
		if r.status != http.StatusSeeOther {
			return r, response{}
		}
		return r, do(t, c, "GET", ts.URL+r.header.Get("Location"), "", "")
	}
	_, shown := post(url.Values{"tipo": {"frase"}, "palavras": {"4"}, "separador": {"_"}, "capitalizar": {"on"},
		"tamanho": {"16"}, "incluir_caracteres_especiais": {"on"}, "incluir_minusculas": {"on"}}) // the password inputs post too
	m := regexp.MustCompile(`id="senha-nova-1">([A-Z][a-z-]*_[A-Z][a-z-]*_[A-Z][a-z-]*_[A-Z][a-z-]*)</code>`).FindStringSubmatch(shown.body)
	if m == nil || !strings.Contains(shown.body, `<details class="advanced" open>`) || !strings.Contains(shown.body, `id="tipo-frase" name="tipo" value="frase" checked`) {
		t.Fatalf("passphrase: the page does not show 4 capitalized words, or lost the options:\n%s", shown.body)
	}
	if !strings.Contains(shown.body, "51 bits") || !strings.Contains(shown.body, "adivinhar: ") {
		t.Fatal("the passphrase's strength (4·log2 7776 = 51.7 bits) or its time to guess is not shown")
	}

	_, shown = post(url.Values{"quantidade": {"3"}, "tamanho": {"10"}, "incluir_minusculas": {"on"}, "incluir_maiusculas": {"on"}})
	if !strings.Contains(shown.body, "Suas 3 novas senhas") || !strings.Contains(shown.body, `id="senha-nova-3"`) {
		t.Fatalf("quantidade 3: the page does not list 3 new passwords")
	}

	r, _ := post(url.Values{"tamanho": {"12"}, "minimo_numeros": {"2"}, "incluir_minusculas": {"on"}, "excluir": {"xyz"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "minimo_numeros") || !strings.Contains(r.body, `<details class="advanced" open>`) ||
		!strings.Contains(r.body, `id="excluir" name="excluir" value="xyz"`) || !strings.Contains(r.body, `id="minimo_numeros" name="minimo_numeros" min="0" max="128" value="2"`) {
		t.Fatalf("a refused form: %d, want 400 naming minimo_numeros with the form as posted", r.status)
	}
}

// staticPath is the path the page links for the embedded file name ("app.css"):
// /static/app.<12 hex digits of its SHA-256>.css.
func staticPath(t *testing.T, page, name string) string {
	t.Helper()
	ext := path.Ext(name)
	re := regexp.MustCompile(`"(/static/` + regexp.QuoteMeta(strings.TrimSuffix(name, ext)) + `\.([0-9a-f]{12})` + regexp.QuoteMeta(ext) + `)"`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page links no hashed %s", name)
	}
	return m[1]
}

// Static files are named by their content and cached for a year; a deploy that
// changes one changes its name, so an old name is 404, never a stale file.
func TestStaticFilesHashed(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	c := client(t)
	page := do(t, c, "GET", ts.URL+"/", "", "")
	for _, name := range []string{"app.css", "app.js", "favicon.svg"} {
		p := staticPath(t, page.body, name)
		r := do(t, c, "GET", ts.URL+p, "", "")
		sum := sha256.Sum256([]byte(r.body))
		if r.status != 200 || !strings.Contains(p, hex.EncodeToString(sum[:6])) {
			t.Errorf("%s: %d, content digest %x, want 200 and the name to hold it", p, r.status, sum[:6])
		}
		if cc := r.header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
		etag := r.header.Get("ETag")
		req, _ := http.NewRequest("GET", ts.URL+p, nil)
		req.Header.Set("If-None-Match", etag)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-None-Match %s: %s, want 304", p, etag, resp.Status)
		}
		ext := path.Ext(name)
		other := "/static/" + strings.TrimSuffix(name, ext) + ".000000000000" + ext
		for _, old := range []string{"/static/" + name, other} {
			if r := do(t, c, "GET", ts.URL+old, "", ""); r.status != 404 {
				t.Errorf("%s: %d, want 404 (not this build's name)", old, r.status)
			}
		}
	}
}
