package password

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseRules: no input panics, every refusal is a regras message, and
// every accepted string (once clamped to a length) generates passwords that
// satisfy it, by rejection and by exact sampling.
func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		"", "required: upper; required: lower; required: digit; minlength: 8; maxlength: 16",
		"required: lower, upper; required: digit; allowed: [-().&@?'#,/\"+]; max-consecutive: 2",
		"allowed: []]; required: [-a]]", "required: [a]; required: [ab]; required: [b]", "allowed: [ab]; max-consecutive: 1",
		"minlength: 128; maxlength: 4", "required: unicode", "max-consecutive: 0", "required: special; allowed: ascii-printable; minlength: 30",
		"MINLENGTH: 6; Required: Digit;;; maxlength:6", "allowed: [a-b]", "required: [☃]", "required: upper,,lower",
		"Allowed:[0]", // one possible password: refused
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := parseRules(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "regras: posição ") {
				t.Fatalf("parseRules(%q): %v", s, err)
			}
			return
		}
		p, err := rs.problem()
		if err != nil {
			if !strings.HasPrefix(err.Error(), "regras: ") {
				t.Fatalf("problem(%q): %v", s, err)
			}
			return
		}
		for _, m := range []mode{forceRejection, forceExact} {
			g, err := newCharGenerator(p, m)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "regras: ") && !errors.Is(err, errOneOutput) {
					t.Fatalf("generator(%q): %v", s, err)
				}
				return
			}
			if m == forceRejection && !acceptable(g.count, len(g.chars.alphabet), g.chars.n) {
				continue // could take long; the exact mode covers it
			}
			if out := g.Generate(); !rulesOK(rs, out) {
				t.Fatalf("%q generated %q (%v)", s, out, m)
			}
		}
	})
}

// FuzzParseRequest: any query string either is refused with a message or
// gives a request whose outputs satisfy it and that renders back to itself.
func FuzzParseRequest(f *testing.F) {
	for _, q := range []string{
		"", "tamanho=12&incluir_numeros=true&incluir_caracteres_especiais=on",
		"tamanho=5&incluir_numeros=1&minimo_numeros=2&excluir=cdefghijklmnopqrstuvwxyzABDEFGHIJKLMNOPQRSTUVWXYZ01456789",
		"tamanho=8&incluir_numeros=true&incluir_caracteres_especiais=true&minimo_minusculas=2&minimo_maiusculas=2&minimo_numeros=2&minimo_especiais=2",
		"incluir_caracteres_especiais=true&caracteres_especiais=%21%40&evitar_ambiguos=true",
		"regras=required%3A+upper%3B+max-consecutive%3A+2&quantidade=3",
		"tipo=frase&palavras=4&separador=+&capitalizar=true&incluir_numeros=true",
		"tipo=frase&tamanho=8", "palavras=3", "tamanho=3", "incluir_numeros=talvez", "tipo=frase&idioma=pt",
		"incluir_minusculas=false&incluir_maiusculas=false&incluir_numeros=true&minimo_numeros=128&tamanho=128",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		r, err := ParseRequest(valuesGet(v))
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q: empty message", q)
			}
			return
		}
		g, err := r.Generator()
		if errors.Is(err, errOneOutput) {
			return // valid options whose only output is one password: refused by counting them
		}
		if err != nil {
			t.Fatalf("%q: accepted as %+v, but Generator: %v", q, r, err)
		}
		if out := g.Generate(); !satisfies(r, out) {
			t.Fatalf("%q: %q does not satisfy %+v", q, out, r)
		}
		if back, err := ParseRequest(valuesGet(r.Values())); err != nil || back != r {
			t.Fatalf("%q: Values %v parse back to %+v, %v", q, r.Values(), back, err)
		}
	})
}
