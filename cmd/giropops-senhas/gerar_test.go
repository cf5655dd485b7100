package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/giropops/giropops-senhas/internal/password"
	"github.com/giropops/giropops-senhas/internal/server"
)

// gerarOut runs `giropops-senhas gerar args...` and returns its lines.
func gerarOut(t *testing.T, args ...string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"gerar"}, args...), func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("gerar %q: %v\n%s", args, err, errOut.String())
	}
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

func count(s string, f func(rune) bool) int {
	n := 0
	for _, r := range s {
		if f(r) {
			n++
		}
	}
	return n
}

func isPunct(r rune) bool { return strings.ContainsRune(password.Punctuation, r) }

// Every flag of gerar does what its API field does.
func TestGerarFlags(t *testing.T) {
	each := func(check func(p string) bool) func([]string) bool {
		return func(ps []string) bool {
			for _, p := range ps {
				if !check(p) {
					return false
				}
			}
			return len(ps) > 0
		}
	}
	tests := []struct {
		args []string
		ok   func([]string) bool
	}{
		{nil, each(func(p string) bool { return len(p) == 8 && count(p, unicode.IsLetter) == 8 })},
		{[]string{"-tamanho", "20"}, each(func(p string) bool { return len(p) == 20 })},
		{[]string{"-quantidade", "5"}, func(ps []string) bool { return len(ps) == 5 }},
		{[]string{"-quantidade", "20", "-incluir-numeros"}, each(func(p string) bool { return count(p, unicode.IsDigit) >= 1 })},
		{[]string{"-quantidade", "20", "-incluir-caracteres-especiais"}, each(func(p string) bool { return count(p, isPunct) >= 1 })},
		{[]string{"-quantidade", "20", "-incluir-minusculas=false"}, each(func(p string) bool { return count(p, unicode.IsLower) == 0 })},
		{[]string{"-quantidade", "20", "-incluir-maiusculas=false"}, each(func(p string) bool { return count(p, unicode.IsUpper) == 0 })},
		{[]string{"-tamanho", "12", "-minimo-minusculas", "10"}, each(func(p string) bool { return count(p, unicode.IsLower) >= 10 })},
		{[]string{"-tamanho", "12", "-minimo-maiusculas", "10"}, each(func(p string) bool { return count(p, unicode.IsUpper) >= 10 })},
		{[]string{"-incluir-numeros", "-minimo-numeros", "5"}, each(func(p string) bool { return count(p, unicode.IsDigit) >= 5 })},
		{[]string{"-incluir-caracteres-especiais", "-minimo-especiais", "5"}, each(func(p string) bool { return count(p, isPunct) >= 5 })},
		{[]string{"-quantidade", "50", "-evitar-ambiguos", "-incluir-numeros"}, each(func(p string) bool { return !strings.ContainsAny(p, password.Ambiguous) })},
		{[]string{"-quantidade", "20", "-incluir-caracteres-especiais", "-caracteres-especiais", "#@"}, each(func(p string) bool {
			return count(p, isPunct) == strings.Count(p, "#")+strings.Count(p, "@") && count(p, isPunct) >= 1
		})},
		{[]string{"-quantidade", "50", "-excluir", "abcXYZ"}, each(func(p string) bool { return !strings.ContainsAny(p, "abcXYZ") })},
		{[]string{"-regras", "minlength: 30; required: digit"}, each(func(p string) bool { return len(p) == 30 && count(p, unicode.IsDigit) == 30 })},
		{[]string{"-tipo", "frase", "-palavras", "6"}, each(func(p string) bool { return len(strings.Split(p, "-")) >= 6 })},
		{[]string{"-tipo", "frase", "-separador", ".", "-palavras", "3"}, each(func(p string) bool { return strings.Count(p, ".") == 2 })},
		{[]string{"-tipo", "frase", "-capitalizar", "-separador", " "}, each(func(p string) bool {
			for _, w := range strings.Fields(p) {
				if !unicode.IsUpper(rune(w[0])) {
					return false
				}
			}
			return true
		})},
		{[]string{"-tipo", "frase", "-incluir-numeros", "-idioma", "en"}, each(func(p string) bool { return count(p, unicode.IsDigit) == 1 })},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if ps := gerarOut(t, tt.args...); !tt.ok(ps) {
				t.Fatalf("gerar %q printed %q", tt.args, ps)
			}
		})
	}
}

// -json prints what the API answers.
func TestGerarJSON(t *testing.T) {
	out := strings.Join(gerarOut(t, "-json", "-quantidade", "3", "-tamanho", "10"), "\n")
	var a server.Answer
	if err := json.Unmarshal([]byte(out), &a); err != nil || len(a.Senhas) != 3 || a.Senha != a.Senhas[0] || len(a.Senha) != 10 || a.Bits != 57.0 {
		t.Fatalf("gerar -json: %s (%v); want 3 passwords of 10 letters and entropia_bits 57 (10·log2 52 = 57.00)", out, err)
	}
}

// A bad command line exits 2, with the very message the API answers.
func TestGerarErrors(t *testing.T) {
	api := server.New(server.Deps{
		Config: server.Config{Scope: server.ScopeOff, HistorySize: 10}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(),
	})
	tests := []struct {
		args []string
		body string // the same request to the API; "" for command-line errors only
	}{
		{[]string{"-tamanho", "2"}, `{"tamanho": 2}`},
		{[]string{"-incluir-numeros=talvez"}, `{"incluir_numeros": "talvez"}`},
		{[]string{"-minimo-numeros", "2"}, `{"minimo_numeros": 2}`},
		{[]string{"-regras", "required: upper", "-tamanho", "12"}, `{"regras": "required: upper", "tamanho": 12}`},
		{[]string{"-regras", "required: unicode"}, `{"regras": "required: unicode"}`},
		{[]string{"-tipo", "frase", "-excluir", "a"}, `{"tipo": "frase", "excluir": "a"}`},
		{[]string{"-quantidade", "101"}, `{"quantidade": 101}`},
		{[]string{"-nada"}, ""},
		{[]string{"solto"}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"gerar"}, tt.args...), func(string) string { return "" }, &out, &errOut)
			e, ok := errors.AsType[*exitCode](err)
			if !ok || e.code != 2 || out.Len() != 0 {
				t.Fatalf("gerar %q: %v, printed %q; want exit 2 and nothing printed", tt.args, err, out.String())
			}
			if tt.body == "" {
				return
			}
			req := httptest.NewRequest("POST", "/api/gerar-senha", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			api.ServeHTTP(w, req)
			var apiErr struct{ Erro string }
			json.Unmarshal(w.Body.Bytes(), &apiErr)
			if w.Code != http.StatusBadRequest || apiErr.Erro != err.Error() {
				t.Fatalf("gerar %q says %q; the API (%d) says %q", tt.args, err, w.Code, apiErr.Erro)
			}
		})
	}
}
