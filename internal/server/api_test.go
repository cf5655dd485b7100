package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/password"
	"github.com/giropops/giropops-senhas/internal/server"
)

func TestGenerateAPI(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	tests := []struct {
		name            string
		body            string
		length          int
		digits, special bool
	}{
		{"defaults are the original's", `{}`, 8, false, false},
		{"all options", `{"tamanho": 16, "incluir_numeros": true, "incluir_caracteres_especiais": true}`, 16, true, true},
		{"length as a string", `{"tamanho": "12"}`, 12, false, false},
		{"form strings", `{"tamanho": 10, "incluir_numeros": "on", "incluir_caracteres_especiais": "1"}`, 10, true, true},
		{"string false is false", `{"incluir_numeros": "false", "incluir_caracteres_especiais": "0"}`, 8, false, false},
		{"nulls take the defaults", `{"tamanho": null, "incluir_numeros": null}`, 8, false, false},
		{"unknown fields are ignored", `{"tamanho": 4, "cor": "azul"}`, 4, false, false},
		{"bounds", `{"tamanho": 128, "incluir_numeros": true}`, 128, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postJSON(t, client(t), ts.URL, tt.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var got struct{ Senha string }
			if err := json.Unmarshal([]byte(r.body), &got); err != nil {
				t.Fatal(err)
			}
			p := got.Senha
			if len(p) != tt.length {
				t.Fatalf("len(%q) = %d, want %d", p, len(p), tt.length)
			}
			if strings.ContainsAny(p, password.Digits) != tt.digits {
				t.Fatalf("%q: digits present = %v, want %v", p, !tt.digits, tt.digits)
			}
			if strings.ContainsAny(p, password.Punctuation) != tt.special {
				t.Fatalf("%q: punctuation present = %v, want %v", p, !tt.special, tt.special)
			}
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

// The new options over the API: several at once (each in the history), their
// exact strength, passphrases and site rules; a request with only the
// original's fields answers what it answered, plus senhas and entropia_bits.
func TestGenerateOptionsAPI(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	type answer struct {
		Senha        string
		Senhas       []string
		EntropiaBits float64 `json:"entropia_bits"`
	}
	gen := func(t *testing.T, c *http.Client, body string) answer {
		t.Helper()
		r := postJSON(t, c, ts.URL, body)
		var a answer
		if err := json.Unmarshal([]byte(r.body), &a); r.status != 200 || err != nil || len(a.Senhas) == 0 || a.Senha != a.Senhas[0] {
			t.Fatalf("%s: %d %s", body, r.status, r.body)
		}
		return a
	}
	if a := gen(t, client(t), `{}`); a.EntropiaBits != 45.6 || len(a.Senhas) != 1 {
		t.Fatalf("default answer %+v: want one password and entropia_bits 45.6 (8·log2 52)", a)
	}
	c := client(t)
	a := gen(t, c, `{"quantidade": 5, "tamanho": 12, "incluir_numeros": true, "minimo_numeros": 3, "evitar_ambiguos": true}`)
	if len(a.Senhas) != 5 {
		t.Fatalf("quantidade 5 gave %d", len(a.Senhas))
	}
	for _, p := range a.Senhas {
		if len(p) != 12 || strings.ContainsAny(p, password.Ambiguous) || len(regexp.MustCompile(`[0-9]`).FindAllString(p, -1)) < 3 {
			t.Fatalf("%q: want 12 characters, 3 digits or more, no look-alikes", p)
		}
	}
	// Newest first: the last of the batch heads the history.
	want := slices.Clone(a.Senhas)
	slices.Reverse(want)
	if got := listOf(t, do(t, c, "GET", ts.URL+"/api/senhas", "", "")); !slices.Equal(got, want) {
		t.Fatalf("history %q, want the batch newest first %q", got, want)
	}
	if a := gen(t, client(t), `{"tipo": "frase", "palavras": 4, "separador": ".", "capitalizar": true}`); len(strings.Split(a.Senha, ".")) != 4 ||
		a.EntropiaBits != 51.7 {
		t.Fatalf("passphrase %+v: want 4 capitalized words and entropia_bits 51.7 (4·log2 7776)", a)
	}
	if a := gen(t, client(t), `{"regras": "minlength: 10; maxlength: 10; required: digit"}`); len(a.Senha) != 10 ||
		!regexp.MustCompile(`^[0-9]{10}$`).MatchString(a.Senha) || a.EntropiaBits != 33.22 {
		t.Fatalf("regras %+v: want 10 digits and entropia_bits 33.22", a)
	}
}

// Every bad input gets its status and a clear message in Portuguese, as JSON.
func TestGenerateAPIRejects(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	tests := []struct {
		name, contentType, body string
		status                  int
		msg                     string
	}{
		{"length too small", "application/json", `{"tamanho": 3}`, 400, "entre 4 e 128"},
		{"length too large", "application/json", `{"tamanho": 129}`, 400, "entre 4 e 128"},
		{"negative length", "application/json", `{"tamanho": -8}`, 400, "entre 4 e 128"},
		{"huge length", "application/json", `{"tamanho": 99999999999999999999999}`, 400, "entre 4 e 128"},
		{"fractional length", "application/json", `{"tamanho": 12.5}`, 400, "número inteiro"},
		{"exponent length", "application/json", `{"tamanho": 1e2}`, 400, "número inteiro"},
		{"text length", "application/json", `{"tamanho": "doze"}`, 400, "número inteiro"},
		{"boolean length", "application/json", `{"tamanho": true}`, 400, "número inteiro"},
		{"list length", "application/json", `{"tamanho": [8]}`, 400, "valor simples"},
		{"unknown boolean", "application/json", `{"incluir_numeros": "sim"}`, 400, "incluir_numeros deve ser true ou false"},
		{"object boolean", "application/json", `{"incluir_caracteres_especiais": {}}`, 400, "incluir_caracteres_especiais"},
		{"null body", "application/json", `null`, 400, "objeto JSON"},
		{"array body", "application/json", `[{"tamanho": 8}]`, 400, "objeto JSON"},
		{"empty body", "application/json", ``, 400, "objeto JSON"},
		{"malformed", "application/json", `{"tamanho": 8`, 400, "JSON inválido"},
		{"two objects", "application/json", `{"tamanho": 8} {"tamanho": 9}`, 400, "depois do objeto"},
		// encoding/json stops at 10,000 levels, more than a 4 KiB body can hold.
		{"deeply nested, unclosed", "application/json", `{"x":` + strings.Repeat("[", 4000) + `}`, 400, "JSON inválido"},
		{"form content type", "application/x-www-form-urlencoded", `tamanho=8`, 415, "application/json"},
		{"no content type", "", `{}`, 415, "application/json"},
		{"oversized body", "application/json", `{"tamanho": 8, "x": "` + strings.Repeat("a", 5000) + `"}`, 413, "no máximo 4096 bytes"},
		{"minimum of an unselected class", "application/json", `{"minimo_numeros": 2}`, 400, "minimo_numeros"},
		{"minimums above the length", "application/json", `{"tamanho": 4, "incluir_numeros": true, "minimo_numeros": 3, "minimo_maiusculas": 3}`, 400, "tamanho"},
		{"no class", "application/json", `{"incluir_minusculas": false, "incluir_maiusculas": false}`, 400, "ao menos uma classe"},
		{"special outside the 32", "application/json", `{"incluir_caracteres_especiais": true, "caracteres_especiais": "é"}`, 400, "caracteres_especiais"},
		{"class excluded away", "application/json", `{"incluir_numeros": true, "excluir": "0123456789"}`, 400, "excluir"},
		{"too many", "application/json", `{"quantidade": 101}`, 400, "quantidade deve ser um número inteiro entre 1 e 100"},
		{"rules with tamanho", "application/json", `{"regras": "required: upper", "tamanho": 12}`, 400, "regras"},
		{"rules parse error", "application/json", `{"regras": "required: [abc"}`, 400, "posição"},
		{"unicode rules", "application/json", `{"regras": "allowed: unicode"}`, 400, "unicode"},
		{"words out of range", "application/json", `{"tipo": "frase", "palavras": 2}`, 400, "palavras deve ser um número inteiro entre 3 e 20"},
		{"password field in a passphrase", "application/json", `{"tipo": "frase", "tamanho": 12}`, 400, "tamanho"},
		{"unknown kind", "application/json", `{"tipo": "pin"}`, 400, "tipo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, client(t), "POST", ts.URL+"/api/gerar-senha", tt.contentType, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			var e struct{ Erro string }
			if err := json.Unmarshal([]byte(r.body), &e); err != nil || !strings.Contains(e.Erro, tt.msg) {
				t.Fatalf("body %s: want erro containing %q", r.body, tt.msg)
			}
		})
	}
	// Nothing bad was counted as a password.
	if m := do(t, client(t), "GET", ts.URL+"/metrics", "", ""); !strings.Contains(m.body, "\nsenha_gerada_total 0\n") {
		t.Fatalf("rejected requests counted as generated:\n%s", grep(m.body, "senha_gerada_total"))
	}
}

func TestWrongMethods(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	tests := []struct{ method, path, allow string }{
		{"GET", "/api/gerar-senha", "POST"},
		{"PUT", "/api/gerar-senha", "POST"},
		{"PUT", "/api/senhas", "GET, HEAD, DELETE"},
		{"DELETE", "/", "GET, HEAD, POST"},
		{"POST", "/metrics", "GET, HEAD"},
	}
	for _, tt := range tests {
		r := do(t, client(t), tt.method, ts.URL+tt.path, "", "")
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: status %d, Allow %q; want 405, %q", tt.method, tt.path, r.status, r.header.Get("Allow"), tt.allow)
		}
	}
	if r := do(t, client(t), "GET", ts.URL+"/api/nada", "", ""); r.status != 404 || !strings.Contains(r.body, `"erro"`) {
		t.Errorf("unknown API route: %d %s", r.status, r.body)
	}
}

func listOf(t *testing.T, r response) []string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/senhas: %d %s", r.status, r.body)
	}
	var items []struct {
		ID    int    `json:"id"`
		Senha string `json:"senha"`
	}
	if err := json.Unmarshal([]byte(r.body), &items); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	var ps []string
	for i, it := range items {
		if it.ID != i+1 {
			t.Fatalf("item %d has id %d, want %d", i, it.ID, i+1)
		}
		ps = append(ps, it.Senha)
	}
	return ps
}

func generated(t *testing.T, r response) string {
	t.Helper()
	var got struct{ Senha string }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &got) != nil {
		t.Fatalf("generate: %d %s", r.status, r.body)
	}
	return got.Senha
}

// testScopes checks whose passwords each client sees, on the store newStore makes.
func testScopes(t *testing.T, newStore func(t *testing.T) server.History) {
	t.Run("session", func(t *testing.T) {
		ts := newServer(t, server.ScopeSession, newStore(t))
		a, b, anon := client(t), client(t), client(t)
		a1 := generated(t, postJSON(t, a, ts.URL, `{}`))
		b1 := generated(t, postJSON(t, b, ts.URL, `{}`))
		a2 := generated(t, postJSON(t, a, ts.URL, `{}`))
		if got := listOf(t, do(t, a, "GET", ts.URL+"/api/senhas", "", "")); len(got) != 2 || got[0] != a2 || got[1] != a1 {
			t.Fatalf("a sees %q, want [%s %s]", got, a2, a1)
		}
		if got := listOf(t, do(t, b, "GET", ts.URL+"/api/senhas", "", "")); len(got) != 1 || got[0] != b1 {
			t.Fatalf("b sees %q, want [%s]", got, b1)
		}
		if got := listOf(t, do(t, anon, "GET", ts.URL+"/api/senhas", "", "")); len(got) != 0 {
			t.Fatalf("a client without a session sees %q", got)
		}
	})
	t.Run("global", func(t *testing.T) {
		ts := newServer(t, server.ScopeGlobal, newStore(t))
		p1 := generated(t, postJSON(t, client(t), ts.URL, `{}`))
		p2 := generated(t, postJSON(t, client(t), ts.URL, `{}`))
		if got := listOf(t, do(t, client(t), "GET", ts.URL+"/api/senhas", "", "")); len(got) != 2 || got[0] != p2 || got[1] != p1 {
			t.Fatalf("everyone sees %q, want [%s %s]", got, p2, p1)
		}
	})
	t.Run("off", func(t *testing.T) {
		ts := newServer(t, server.ScopeOff, newStore(t))
		c := client(t)
		generated(t, postJSON(t, c, ts.URL, `{}`))
		if got := listOf(t, do(t, c, "GET", ts.URL+"/api/senhas", "", "")); len(got) != 0 {
			t.Fatalf("HISTORY_SCOPE=off listed %q", got)
		}
	})
	t.Run("bounded to the history size", func(t *testing.T) {
		ts := newServer(t, server.ScopeGlobal, newStore(t))
		c := client(t)
		var last string
		for range 15 {
			last = generated(t, postJSON(t, c, ts.URL, `{}`))
		}
		if got := listOf(t, do(t, c, "GET", ts.URL+"/api/senhas", "", "")); len(got) != 10 || got[0] != last {
			t.Fatalf("listed %d, newest %q; want 10, newest %q", len(got), got[0], last)
		}
	})
}

func TestScopesMemory(t *testing.T) {
	testScopes(t, func(*testing.T) server.History { return memoryStore() })
}

func TestScopesRedis(t *testing.T) {
	testScopes(t, func(t *testing.T) server.History { s, _, _ := redisStore(t); return s })
}

// A forged cookie cannot point the session at another Redis key.
func TestSessionCookieCannotChooseKey(t *testing.T) {
	hist, _, rc := redisStore(t)
	ts := newServer(t, server.ScopeSession, hist)
	c := client(t)
	req, _ := http.NewRequest("POST", ts.URL+"/api/gerar-senha", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "giropops_sessao", Value: "x:../../senhas"})
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	keys, _ := rc.Keys(t.Context(), "*").Result()
	if len(keys) != 1 || !regexp.MustCompile(`^senhas:sessao:[0-9a-f]{32}$`).MatchString(keys[0]) {
		t.Fatalf("keys after a forged cookie: %q", keys)
	}
}

// A session lives ten minutes until its cookie comes back (a read or a write),
// so clients that drop cookies do not fill Redis with day-long lists; then it
// lives SESSION_TTL; the global list never expires.
func TestHistoryTTLs(t *testing.T) {
	hist, _, rc := redisStore(t)
	// The store key derives from the cookie one way: the test finds a client's
	// list as the one key its first request added.
	newKey := func(t *testing.T, first func()) string {
		t.Helper()
		before, _ := rc.Keys(t.Context(), "*").Result()
		first()
		after, _ := rc.Keys(t.Context(), "*").Result()
		for _, k := range after {
			if !slices.Contains(before, k) {
				return k
			}
		}
		t.Fatal("the request stored nothing")
		return ""
	}
	ts := newServer(t, server.ScopeSession, hist) // SessionTTL is an hour here
	api := client(t)
	apiKey := newKey(t, func() { generated(t, postJSON(t, api, ts.URL, `{}`)) })
	if ttl := rc.TTL(t.Context(), apiKey).Val(); ttl <= 0 || ttl > 10*time.Minute {
		t.Fatalf("a session started by the API lives %v, want at most 10m", ttl)
	}
	generated(t, postJSON(t, api, ts.URL, `{}`))
	if ttl := rc.TTL(t.Context(), apiKey).Val(); ttl <= 50*time.Minute {
		t.Fatalf("a session whose cookie came back lives %v, want SESSION_TTL (1h)", ttl)
	}
	// The form's session too, until the browser follows the redirect with its cookie.
	browser := client(t)
	browserKey := newKey(t, func() { do(t, browser, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=8") })
	if ttl := rc.TTL(t.Context(), browserKey).Val(); ttl <= 0 || ttl > 10*time.Minute {
		t.Fatalf("a session started by the form lives %v, want at most 10m", ttl)
	}
	do(t, browser, "GET", ts.URL+"/", "", "")
	if ttl := rc.TTL(t.Context(), browserKey).Val(); ttl <= 50*time.Minute {
		t.Fatalf("a browser's session lives %v after its page, want SESSION_TTL (1h)", ttl)
	}
	global := newServer(t, server.ScopeGlobal, hist)
	generated(t, postJSON(t, client(t), global.URL, `{}`))
	if ttl := rc.TTL(t.Context(), "senhas").Val(); ttl != -1 {
		t.Fatalf("the global list has TTL %v, want none", ttl)
	}
}
