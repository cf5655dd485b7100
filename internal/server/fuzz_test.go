package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/password"
)

// Whatever the body, the API answers 200 with a valid password or a 4xx with
// an erro, never a 5xx or a panic.
func FuzzGenerateBody(f *testing.F) {
	for _, s := range []string{`{}`, `{"tamanho": 16, "incluir_numeros": true}`, `null`, `{"tamanho": "12"}`,
		`{"tamanho": 1e400}`, `{"incluir_numeros": "on"}`, `[`, `{"a":[[[[[[[[[]]]]]]]]]}`, `"\u0000"`,
		`{"tipo": "frase", "palavras": 6, "capitalizar": true}`, `{"regras": "minlength: 5; required: [ab"}`,
		`{"quantidade": 3, "minimo_numeros": 2, "incluir_numeros": true, "excluir": "abc"}`, `{"caracteres_especiais": "é"}`} {
		f.Add(s)
	}
	h := fuzzHandler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/gerar-senha", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch {
		case w.Code == http.StatusOK:
			var got struct {
				Senha        string
				Senhas       []string
				EntropiaBits float64 `json:"entropia_bits"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got.Senha) < password.MinLength ||
				len(got.Senhas) == 0 || got.Senhas[0] != got.Senha || got.EntropiaBits <= 0 {
				t.Fatalf("200 with %q", w.Body.String())
			}
		case w.Code >= 400 && w.Code < 500:
			var e struct{ Erro string }
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Erro == "" {
				t.Fatalf("%d without an erro: %q", w.Code, w.Body.String())
			}
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}

// The form answers a redirect or a 400 page, never a 5xx.
func FuzzFormBody(f *testing.F) {
	for _, s := range []string{"tamanho=8", "tamanho=16&incluir_numeros=on&incluir_caracteres_especiais=on", "tamanho=-1", "%zz", "tamanho=8&tamanho=9",
		"tipo=frase&palavras=4&separador=+", "regras=required:+upper&tamanho=8", "quantidade=100&tamanho=128"} {
		f.Add(s)
	}
	h := fuzzHandler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusSeeOther && w.Code != http.StatusBadRequest && w.Code != http.StatusOK {
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}

// Whatever a client puts in its session cookie, the server takes it only if it
// minted that very text (no twin of a real cookie opens the same list), and
// the store key is the fixed prefix and 32 hex characters: a cookie cannot
// choose another key.
func FuzzSessionCookie(f *testing.F) {
	s := newSessions(Config{Scope: ScopeSession, SessionTTL: time.Hour}, nil)
	real := s.encode(s.mint())
	f.Add(real)
	f.Add(real[:len(real)-1] + "B")
	f.Add("x:../../senhas")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add(strings.Repeat("A", len(real)))
	key := regexp.MustCompile(`^senhas:sessao:[0-9a-f]{32}$`)
	f.Fuzz(func(t *testing.T, v string) {
		sess, ok := s.decode(v)
		if !ok {
			return
		}
		if v != real {
			t.Fatalf("cookie %q taken, but the server minted only %q", v, real)
		}
		if !key.MatchString(sess.key) {
			t.Fatalf("cookie %q gave store key %q", v, sess.key)
		}
	})
}
