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
		`{"tamanho": 1e400}`, `{"incluir_numeros": "on"}`, `[`, `{"a":[[[[[[[[[]]]]]]]]]}`, `"\u0000"`} {
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
			var got struct{ Senha string }
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got.Senha) < password.MinLength || len(got.Senha) > password.MaxLength {
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
	for _, s := range []string{"tamanho=8", "tamanho=16&incluir_numeros=on&incluir_caracteres_especiais=on", "tamanho=-1", "%zz", "tamanho=8&tamanho=9"} {
		f.Add(s)
	}
	h := fuzzHandler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusSeeOther && w.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}

func FuzzParseLength(f *testing.F) {
	for _, s := range []string{"8", " 128 ", "-1", "0x10", "1e2", "", "999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseLength(s)
		if err == nil && (n < password.MinLength || n > password.MaxLength) {
			t.Fatalf("parseLength(%q) = %d, out of bounds", s, n)
		}
	})
}

func FuzzParseBool(f *testing.F) {
	for _, s := range []string{"on", "true", "1", "false", "0", "off", "TRUE", "sim", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBool(s, "campo")
		if err != nil {
			if !strings.Contains(err.Error(), "campo deve ser true ou false") {
				t.Fatalf("unclear error %q", err)
			}
			return
		}
		// Only the listed words are accepted, and each means one thing.
		want := map[string]bool{"true": true, "on": true, "1": true, "false": false, "off": false, "0": false}
		if w, ok := want[strings.ToLower(strings.TrimSpace(s))]; !ok || w != b {
			t.Fatalf("parseBool(%q) = %v", s, b)
		}
	})
}

// Whatever a client puts in its session cookie, the store key is the fixed
// prefix and 32 hex characters: a cookie cannot choose another key.
func FuzzSessionCookie(f *testing.F) {
	f.Add("x:../../senhas")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	key := regexp.MustCompile(`^senhas:sessao:[0-9a-f]{32}$`)
	s := newSessions(Config{Scope: ScopeSession, SessionTTL: time.Hour})
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
		if sess, ok := s.get(r); ok && !key.MatchString(sess.key) {
			t.Fatalf("cookie %q gave store key %q", v, sess.key)
		}
	})
}
