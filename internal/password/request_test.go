package password

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// requestCases are accepted and refused values of every field. want is the
// Request an accepted case gives (compared whole); err the exact message of
// a refused one.
var requestCases = []struct {
	name string
	f    fields
	want func(r *Request) // changes DefaultRequest into the expected Request
	err  string
}{
	{name: "no fields", f: fields{}, want: func(*Request) {}},
	// tipo
	{name: "tipo senha", f: fields{"tipo": "senha"}, want: func(*Request) {}},
	{name: "tipo empty", f: fields{"tipo": ""}, want: func(*Request) {}},
	{name: "tipo frase", f: fields{"tipo": " FRASE "}, want: phrase(nil)},
	{name: "tipo unknown", f: fields{"tipo": "pin"}, err: `tipo deve ser "senha" ou "frase"`},
	// quantidade
	{name: "quantidade 100", f: fields{"quantidade": "100"}, want: func(r *Request) { r.Count = 100 }},
	{name: "quantidade 1", f: fields{"quantidade": " 1 "}, want: func(*Request) {}},
	{name: "quantidade 0", f: fields{"quantidade": "0"}, err: "quantidade deve ser um número inteiro entre 1 e 100"},
	{name: "quantidade 101", f: fields{"quantidade": "101"}, err: "quantidade deve ser um número inteiro entre 1 e 100"},
	{name: "quantidade empty", f: fields{"quantidade": ""}, err: "quantidade deve ser um número inteiro entre 1 e 100"},
	{name: "quantidade text", f: fields{"quantidade": "dez"}, err: "quantidade deve ser um número inteiro entre 1 e 100"},
	// tamanho
	{name: "tamanho 4", f: fields{"tamanho": "4"}, want: func(r *Request) { r.Length = 4 }},
	{name: "tamanho 128", f: fields{"tamanho": " 128 "}, want: func(r *Request) { r.Length = 128 }},
	{name: "tamanho 3", f: fields{"tamanho": "3"}, err: "tamanho deve ser um número inteiro entre 4 e 128"},
	{name: "tamanho 129", f: fields{"tamanho": "129"}, err: "tamanho deve ser um número inteiro entre 4 e 128"},
	{name: "tamanho fraction", f: fields{"tamanho": "8.5"}, err: "tamanho deve ser um número inteiro entre 4 e 128"},
	{name: "tamanho empty", f: fields{"tamanho": ""}, err: "tamanho deve ser um número inteiro entre 4 e 128"},
	{name: "tamanho huge", f: fields{"tamanho": "99999999999999999999"}, err: "tamanho deve ser um número inteiro entre 4 e 128"},
	// booleans
	{name: "incluir_minusculas off", f: fields{"incluir_minusculas": "off"}, want: func(r *Request) { r.Lower = false }},
	{name: "incluir_maiusculas 0", f: fields{"incluir_maiusculas": "0"}, want: func(r *Request) { r.Upper = false }},
	{name: "incluir_numeros ON", f: fields{"incluir_numeros": " ON "}, want: func(r *Request) { r.Digits, r.MinDigits = true, 1 }},
	{name: "incluir_caracteres_especiais 1", f: fields{"incluir_caracteres_especiais": "1"}, want: func(r *Request) { r.Special, r.MinSpecial = true, 1 }},
	{name: "incluir_numeros false", f: fields{"incluir_numeros": "False"}, want: func(*Request) {}},
	{name: "incluir_minusculas yes", f: fields{"incluir_minusculas": "yes"}, err: "incluir_minusculas deve ser true ou false"},
	{name: "incluir_maiusculas empty", f: fields{"incluir_maiusculas": ""}, err: "incluir_maiusculas deve ser true ou false"},
	{name: "incluir_numeros 2", f: fields{"incluir_numeros": "2"}, err: "incluir_numeros deve ser true ou false"},
	{name: "incluir_caracteres_especiais sim", f: fields{"incluir_caracteres_especiais": "sim"}, err: "incluir_caracteres_especiais deve ser true ou false"},
	{name: "evitar_ambiguos true", f: fields{"evitar_ambiguos": "true"}, want: func(r *Request) { r.AvoidAmbiguous = true }},
	{name: "evitar_ambiguos maybe", f: fields{"evitar_ambiguos": "maybe"}, err: "evitar_ambiguos deve ser true ou false"},
	{name: "no class", f: fields{"incluir_minusculas": "false", "incluir_maiusculas": "false"}, err: "selecione ao menos uma classe: incluir_minusculas, incluir_maiusculas, incluir_numeros ou incluir_caracteres_especiais"},
	{name: "digits only", f: fields{"incluir_minusculas": "false", "incluir_maiusculas": "false", "incluir_numeros": "true"}, want: func(r *Request) { r.Lower, r.Upper, r.Digits, r.MinDigits = false, false, true, 1 }},
	// minimums
	{name: "minimo_minusculas 3", f: fields{"minimo_minusculas": "3"}, want: func(r *Request) { r.MinLower = 3 }},
	{name: "minimo_maiusculas 8", f: fields{"minimo_maiusculas": "8"}, want: func(r *Request) { r.MinUpper = 8 }},
	{name: "minimo_numeros 0", f: fields{"incluir_numeros": "true", "minimo_numeros": "0"}, want: func(r *Request) { r.Digits = true }},
	{name: "minimo_numeros 0 unselected", f: fields{"minimo_numeros": "0"}, want: func(*Request) {}},
	{name: "minimo_especiais 2", f: fields{"incluir_caracteres_especiais": "true", "minimo_especiais": "2"}, want: func(r *Request) { r.Special, r.MinSpecial = true, 2 }},
	{name: "minimo_minusculas -1", f: fields{"minimo_minusculas": "-1"}, err: "minimo_minusculas deve ser um número inteiro entre 0 e 128"},
	{name: "minimo_maiusculas 129", f: fields{"minimo_maiusculas": "129"}, err: "minimo_maiusculas deve ser um número inteiro entre 0 e 128"},
	{name: "minimo_numeros x", f: fields{"minimo_numeros": "x"}, err: "minimo_numeros deve ser um número inteiro entre 0 e 128"},
	{name: "minimo_especiais empty", f: fields{"minimo_especiais": ""}, err: "minimo_especiais deve ser um número inteiro entre 0 e 128"},
	{name: "minimo_numeros unselected", f: fields{"minimo_numeros": "2"}, err: "minimo_numeros exige incluir_numeros"},
	{name: "minimo_especiais unselected", f: fields{"minimo_especiais": "1"}, err: "minimo_especiais exige incluir_caracteres_especiais"},
	{name: "minimo_minusculas unselected", f: fields{"incluir_minusculas": "false", "minimo_minusculas": "1"}, err: "minimo_minusculas exige incluir_minusculas"},
	{name: "minimo_maiusculas unselected", f: fields{"incluir_maiusculas": "false", "minimo_maiusculas": "1"}, err: "minimo_maiusculas exige incluir_maiusculas"},
	{name: "minimums add up to tamanho", f: fields{"incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_minusculas": "2", "minimo_maiusculas": "2", "minimo_numeros": "2", "minimo_especiais": "2"},
		want: func(r *Request) {
			r.Digits, r.Special, r.MinLower, r.MinUpper, r.MinDigits, r.MinSpecial = true, true, 2, 2, 2, 2
		}},
	{name: "minimums too many", f: fields{"incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_minusculas": "3", "minimo_maiusculas": "3", "minimo_numeros": "3", "minimo_especiais": "3"}, err: "a soma dos mínimos (12) passa de tamanho (8)"},
	{name: "minimums leave no letter", f: fields{"tamanho": "4", "incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_numeros": "2", "minimo_especiais": "2"}, err: "a soma dos mínimos (4) mais a letra obrigatória passa de tamanho (4)"},
	// caracteres_especiais
	{name: "caracteres_especiais", f: fields{"incluir_caracteres_especiais": "true", "caracteres_especiais": "@!#!"}, want: func(r *Request) { r.Special, r.MinSpecial, r.SpecialChars = true, 1, "!#@" }},
	{name: "caracteres_especiais all", f: fields{"incluir_caracteres_especiais": "true", "caracteres_especiais": Punctuation}, want: func(r *Request) { r.Special, r.MinSpecial = true, 1 }},
	{name: "caracteres_especiais letter", f: fields{"incluir_caracteres_especiais": "true", "caracteres_especiais": "!a"}, err: `caracteres_especiais: "a" não é um dos 32 caracteres especiais (` + Punctuation + ")"},
	{name: "caracteres_especiais space", f: fields{"incluir_caracteres_especiais": "true", "caracteres_especiais": "! "}, err: `caracteres_especiais: " " não é um dos 32 caracteres especiais (` + Punctuation + ")"},
	{name: "caracteres_especiais unselected", f: fields{"caracteres_especiais": "!"}, err: "caracteres_especiais exige incluir_caracteres_especiais"},
	{name: "caracteres_especiais long", f: fields{"incluir_caracteres_especiais": "true", "caracteres_especiais": strings.Repeat("!", 129)}, err: "caracteres_especiais deve ter no máximo 128 caracteres"},
	// excluir
	{name: "excluir", f: fields{"excluir": "zyx z"}, want: func(r *Request) { r.Exclude = " xyz" }},
	{name: "excluir non-ASCII", f: fields{"excluir": "aé"}, err: `excluir: "é" não é um caractere ASCII visível`},
	{name: "excluir tab", f: fields{"excluir": "a\tb"}, err: `excluir: "\t" não é um caractere ASCII visível`},
	{name: "excluir every digit", f: fields{"incluir_numeros": "true", "excluir": Digits}, err: "excluir tira todos os caracteres de incluir_numeros"},
	{name: "excluir long", f: fields{"excluir": strings.Repeat("a", 129)}, err: "excluir deve ter no máximo 128 caracteres"},
	{name: "ambiguous empties specials", f: fields{"incluir_caracteres_especiais": "true", "caracteres_especiais": "|", "evitar_ambiguos": "true"}, err: "evitar_ambiguos tira todos os caracteres de incluir_caracteres_especiais"},
	{name: "both empty specials", f: fields{"incluir_caracteres_especiais": "true", "caracteres_especiais": "|!", "evitar_ambiguos": "true", "excluir": "!"}, err: "excluir e evitar_ambiguos tiram todos os caracteres de incluir_caracteres_especiais"},
	// regras
	{name: "regras", f: fields{"regras": "minlength: 12; required: upper", "quantidade": "3"}, want: func(r *Request) { *r = Request{Kind: KindPassword, Count: 3, Rules: "minlength: 12; required: upper"} }},
	{name: "regras empty", f: fields{"regras": "", "tamanho": "10"}, want: func(r *Request) { r.Length = 10 }},
	{name: "regras with tamanho", f: fields{"regras": "minlength: 12", "tamanho": "8"}, err: "regras não pode ser combinada com tamanho"},
	{name: "regras with incluir_numeros", f: fields{"regras": "minlength: 12", "incluir_numeros": "false"}, err: "regras não pode ser combinada com incluir_numeros"},
	{name: "regras with minimo_especiais", f: fields{"regras": "minlength: 12", "minimo_especiais": "0"}, err: "regras não pode ser combinada com minimo_especiais"},
	{name: "regras with excluir", f: fields{"regras": "minlength: 12", "excluir": "a"}, err: "regras não pode ser combinada com excluir"},
	{name: "regras with caracteres_especiais", f: fields{"regras": "minlength: 12", "caracteres_especiais": "!"}, err: "regras não pode ser combinada com caracteres_especiais"},
	{name: "regras unknown class", f: fields{"regras": "required:[x],foo"}, err: `regras: posição 14: classe desconhecida "foo"`},
	{name: "regras nothing fits", f: fields{"regras": "maxlength: 4; required: [a]; required: [b]; required: [c]; required: [d]; required: [e]"}, err: "regras: nenhuma senha de 4 caracteres atende a estas regras"},
	{name: "regras one character", f: fields{"regras": "allowed: [a]; max-consecutive: 1"}, err: "regras: nenhuma senha de 20 caracteres atende a estas regras"},
	{name: "regras long", f: fields{"regras": "minlength: 8;" + strings.Repeat(" ", 500)}, err: "regras deve ter no máximo 512 caracteres"},
	// passphrase
	{name: "palavras 3", f: fields{"tipo": "frase", "palavras": "3"}, want: phrase(func(r *Request) { r.Words = 3 })},
	{name: "palavras 20", f: fields{"tipo": "frase", "palavras": "20"}, want: phrase(func(r *Request) { r.Words = 20 })},
	{name: "palavras 2", f: fields{"tipo": "frase", "palavras": "2"}, err: "palavras deve ser um número inteiro entre 3 e 20"},
	{name: "palavras 21", f: fields{"tipo": "frase", "palavras": "21"}, err: "palavras deve ser um número inteiro entre 3 e 20"},
	{name: "separador space", f: fields{"tipo": "frase", "separador": " "}, want: phrase(func(r *Request) { r.Separator = " " })},
	{name: "separador three", f: fields{"tipo": "frase", "separador": "-.-"}, want: phrase(func(r *Request) { r.Separator = "-.-" })},
	{name: "separador empty", f: fields{"tipo": "frase", "separador": ""}, want: phrase(nil)},
	{name: "separador letter", f: fields{"tipo": "frase", "separador": "e"}, err: "separador deve ter de 1 a 3 caracteres ASCII visíveis ou espaços, sem letras nem algarismos"},
	{name: "separador digit", f: fields{"tipo": "frase", "separador": "-1"}, err: "separador deve ter de 1 a 3 caracteres ASCII visíveis ou espaços, sem letras nem algarismos"},
	{name: "separador four", f: fields{"tipo": "frase", "separador": "----"}, err: "separador deve ter de 1 a 3 caracteres ASCII visíveis ou espaços, sem letras nem algarismos"},
	{name: "separador non-ASCII", f: fields{"tipo": "frase", "separador": "·"}, err: "separador deve ter de 1 a 3 caracteres ASCII visíveis ou espaços, sem letras nem algarismos"},
	{name: "capitalizar", f: fields{"tipo": "frase", "capitalizar": "on"}, want: phrase(func(r *Request) { r.Capitalize = true })},
	{name: "capitalizar bad", f: fields{"tipo": "frase", "capitalizar": "x"}, err: "capitalizar deve ser true ou false"},
	{name: "frase incluir_numeros", f: fields{"tipo": "frase", "incluir_numeros": "true"}, want: phrase(func(r *Request) { r.Digits = true })},
	{name: "frase incluir_numeros bad", f: fields{"tipo": "frase", "incluir_numeros": "x"}, err: "incluir_numeros deve ser true ou false"},
	{name: "idioma EN", f: fields{"tipo": "frase", "idioma": " EN "}, want: phrase(nil)},
	{name: "idioma pt", f: fields{"tipo": "frase", "idioma": "pt"}, err: `idioma deve ser "en" (a lista de palavras em português ainda não está disponível)`},
	{name: "frase quantidade", f: fields{"tipo": "frase", "quantidade": "5"}, want: phrase(func(r *Request) { r.Count = 5 })},
	// fields of the other kind
	{name: "frase tamanho", f: fields{"tipo": "frase", "tamanho": "8"}, err: "tamanho não se aplica a tipo=frase"},
	{name: "frase incluir_minusculas", f: fields{"tipo": "frase", "incluir_minusculas": "false"}, err: "incluir_minusculas não se aplica a tipo=frase"},
	{name: "frase regras", f: fields{"tipo": "frase", "regras": "minlength: 8"}, err: "regras não se aplica a tipo=frase"},
	{name: "frase excluir empty", f: fields{"tipo": "frase", "excluir": ""}, want: phrase(nil)},
	{name: "senha palavras", f: fields{"palavras": "5"}, err: "palavras exige tipo=frase"},
	{name: "senha separador", f: fields{"tipo": "senha", "separador": "-"}, err: "separador exige tipo=frase"},
	{name: "senha idioma", f: fields{"idioma": "en"}, err: "idioma exige tipo=frase"},
	// the first problem, in the order of Fields, is the one reported
	{name: "first problem", f: fields{"incluir_numeros": "x", "tamanho": "2"}, err: "tamanho deve ser um número inteiro entre 4 e 128"},
}

// phrase returns the change of DefaultRequest into the default passphrase
// request, then change.
func phrase(change func(*Request)) func(*Request) {
	return func(r *Request) {
		*r = Request{Kind: KindPassphrase, Count: 1, Words: DefaultWords, Separator: DefaultSeparator, Language: DefaultLanguage}
		if change != nil {
			change(r)
		}
	}
}

func TestParseRequest(t *testing.T) {
	for _, c := range requestCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseRequest(c.f.get)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultRequest()
			c.want(&want)
			if got != want {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
			// Every accepted request generates, and renders back to itself.
			g, err := got.Generator()
			if err != nil {
				t.Fatal(err)
			}
			if p := g.Generate(); !satisfies(got, p) {
				t.Fatalf("%q does not satisfy %+v", p, got)
			}
			back, err := ParseRequest(valuesGet(got.Values()))
			if err != nil || back != got {
				t.Fatalf("Values %v parse back to %+v, %v", got.Values(), back, err)
			}
		})
	}
}

func valuesGet(v url.Values) func(string) (string, bool) {
	return func(name string) (string, bool) { return v.Get(name), v.Has(name) }
}

// TestFieldsTable: every field is named once, parses its own default, and is
// exercised by requestCases.
func TestFieldsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields() {
		if seen[f.Name] || f.Help == "" || f.Kind < Bool || f.Kind > String {
			t.Errorf("field %+v: duplicate, no help or no kind", f)
		}
		seen[f.Name] = true
		if f.Default != "" {
			fs := fields{f.Name: f.Default}
			if f.For == KindPassphrase {
				fs["tipo"] = KindPassphrase
			}
			r, err := ParseRequest(fs.get)
			want := DefaultRequest()
			if f.For == KindPassphrase {
				phrase(nil)(&want)
			}
			if err != nil || r != want {
				t.Errorf("%s=%q gives %+v, %v; want the default request", f.Name, f.Default, r, err)
			}
		}
		if !slices.ContainsFunc(requestCases, func(c struct {
			name string
			f    fields
			want func(r *Request)
			err  string
		}) bool {
			_, ok := c.f[f.Name]
			return ok && c.err == ""
		}) {
			t.Errorf("no accepted case sets %s", f.Name)
		}
	}
	Fields()[0].Name = "changed"
	if Fields()[0].Name != "tipo" {
		t.Error("Fields shares its table with callers")
	}
	if fmt.Sprint(Bool, Int, String) != "bool int string" {
		t.Error("FieldKind.String")
	}
}

// TestValuesLeavesDefaultsOut: a default request renders to no fields, so the
// page's redirect keeps a short query.
func TestValuesLeavesDefaultsOut(t *testing.T) {
	if v := DefaultRequest().Values(); len(v) != 0 {
		t.Errorf("DefaultRequest().Values() = %v", v)
	}
	r := mustRequest(t, fields{"incluir_numeros": "true", "tamanho": "12"})
	if got := r.Values().Encode(); got != "incluir_numeros=true&tamanho=12" {
		t.Errorf("Values = %q", got)
	}
}

// TestGeneratorValidates: a Request built by hand is checked too.
func TestGeneratorValidates(t *testing.T) {
	for _, c := range []struct {
		r   Request
		err string
	}{
		{Request{}, "quantidade deve ser um número inteiro entre 1 e 100"},
		{Request{Count: 1}, `tipo deve ser "senha" ou "frase"`},
		{Request{Kind: KindPassword, Count: 1}, "tamanho deve ser um número inteiro entre 4 e 128"},
		{Request{Kind: KindPassword, Count: 1, Length: 8}, "selecione ao menos uma classe: incluir_minusculas, incluir_maiusculas, incluir_numeros ou incluir_caracteres_especiais"},
		{Request{Kind: KindPassword, Count: 1, Length: 8, Lower: true, MinLower: -1}, "minimo_minusculas deve ser um número inteiro entre 0 e 128"},
		{Request{Kind: KindPassphrase, Count: 1}, "palavras deve ser um número inteiro entre 3 e 20"},
		{Request{Kind: KindPassphrase, Count: 1, Words: 3}, "separador deve ter de 1 a 3 caracteres ASCII visíveis ou espaços, sem letras nem algarismos"},
		{Request{Kind: KindPassphrase, Count: 1, Words: 3, Separator: "-"}, `idioma deve ser "en" (a lista de palavras em português ainda não está disponível)`},
		{Request{Kind: KindPassword, Count: 1, Rules: "unicode"}, `regras: posição 1: propriedade desconhecida "unicode" (use minlength, maxlength, max-consecutive, required ou allowed)`},
	} {
		if _, err := c.r.Generator(); err == nil || err.Error() != c.err {
			t.Errorf("%+v: error %v, want %q", c.r, err, c.err)
		}
	}
}
