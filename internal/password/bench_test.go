package password

import (
	"testing"
)

// benchmarkCases are typical and the most constrained requests.
var benchmarkCases = []struct {
	name string
	f    fields
}{
	{"default-8-letters", fields{}},
	{"16-digits-specials", fields{"tamanho": "16", "incluir_numeros": "true", "incluir_caracteres_especiais": "true"}},
	{"128-all-classes", fields{"tamanho": "128", "incluir_numeros": "true", "incluir_caracteres_especiais": "true"}},
	{"8-minimums-2-2-2-2", fields{"tamanho": "8", "incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_minusculas": "2", "minimo_maiusculas": "2", "minimo_numeros": "2", "minimo_especiais": "2"}},
	{"128-minimums-60-60-exact", fields{"tamanho": "128", "incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_numeros": "60", "minimo_especiais": "60"}},
	{"regras-site", fields{"regras": "minlength: 12; maxlength: 20; required: lower; required: upper; required: digit; required: [-!#$]; max-consecutive: 2"}},
	{"regras-2-chars-max-consecutive-1-exact", fields{"regras": "allowed: [ab]; max-consecutive: 1; minlength: 128"}},
	{"regras-rare-required-exact", fields{"regras": "required: [a]; required: [b]; required: [c]; required: [d]; allowed: ascii-printable; maxlength: 6"}},
	{"frase-5-words", fields{"tipo": "frase"}},
}

// BenchmarkGenerator measures what a server does per request: prepare the
// Generator (count included), draw one output, read the entropy.
func BenchmarkGenerator(b *testing.B) {
	for _, c := range benchmarkCases {
		r := mustRequest(b, c.f)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g, err := r.Generator()
				if err != nil {
					b.Fatal(err)
				}
				_ = g.Generate()
				_ = g.Entropy()
			}
		})
	}
}

// BenchmarkCachedGenerator is the same through a Cache, as a server that
// keeps one sees it after the first request.
func BenchmarkCachedGenerator(b *testing.B) {
	cache := NewCache(64 << 20)
	for _, c := range benchmarkCases {
		r := mustRequest(b, c.f)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g, err := cache.Generator(r)
				if err != nil {
					b.Fatal(err)
				}
				_ = g.Generate()
				_ = g.Entropy()
			}
		})
	}
}

// BenchmarkParseRequest is the parsing that comes before.
func BenchmarkParseRequest(b *testing.B) {
	f := benchmarkCases[1].f
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequest(f.get); err != nil {
			b.Fatal(err)
		}
	}
}
