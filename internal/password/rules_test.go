package password

import (
	"strings"
	"testing"
)

// The cases follow Apple's PasswordRulesParserTest.js where this parser
// agrees with it, and say where it refuses what Apple's drops silently.
func TestParseRules(t *testing.T) {
	type want struct {
		required  []string // each line's characters, sorted
		allowed   string
		minLength int
		maxLength int
		maxConsec int
	}
	for _, c := range []struct {
		in   string
		want want
	}{
		{"", want{}},
		{"    required: upper", want{required: []string{Uppercase}}},
		{"required: uPPeR", want{required: []string{Uppercase}}},
		{"MaxLength: 7", want{maxLength: 7}}, // Apple's parser ignores a mixed-case name; this one reads it
		{"allowed:upper", want{allowed: Uppercase}},
		{"required: upper; allowed: upper; allowed: lower", want{required: []string{Uppercase}, allowed: Letters[26:] + Letters[:26]}},
		{"max-consecutive: 5; max-consecutive: 3", want{maxConsec: 3}},
		{"max-consecutive: 3; max-consecutive: 1; max-consecutive: 5", want{maxConsec: 1}},
		{"required: [*&^]; allowed: upper", want{required: []string{"&*^"}, allowed: Uppercase}},
		{"required: ; required: upper", want{required: []string{Uppercase}}},
		{"minlength: 12; minlength: 7; minlength: 23", want{minLength: 23}},
		{"maxlength: 10; maxlength: 7; maxlength: 12", want{maxLength: 7}},
		{"required: upper; allowed: upper; allowed: lower; minlength: 12; maxlength: 73;", want{required: []string{Uppercase}, allowed: Uppercase + Lowercase, minLength: 12, maxLength: 73}},
		{"required: upper;;", want{required: []string{Uppercase}}},
		{"required: upper; ;", want{required: []string{Uppercase}}},
		{"required: upper ; ", want{required: []string{Uppercase}}},
		{"minlength:        12", want{minLength: 12}},
		{"minlength: 12 ;", want{minLength: 12}},
		{"required: upper, lower", want{required: []string{Letters}}},
		{"required: upper,  \tlower", want{required: []string{Letters}}},
		{"required: digit; required: special", want{required: []string{Digits, rulesSpecial}}},
		{"required: ascii-printable", want{required: []string{rulesASCIIPrintable}}},
		{"required: [], [b]", want{required: []string{"b"}}},
		{"required: []", want{}},
		{"allowed: [ ]", want{allowed: " "}},
		{"allowed: [-]", want{allowed: "-"}},
		{"allowed: [-ab]", want{allowed: "-ab"}},
		{"allowed: []]", want{allowed: "]"}},
		{"allowed: [a]]", want{allowed: "]a"}},
		{"allowed: [-a]], [b]", want{allowed: "-]ab"}},
		{`required: [-().&@?'#,/"+]; maxlength: 16`, want{required: []string{`"#&'()+,-./?@`}, maxLength: 16}},
		{"max-consecutive:2", want{maxConsec: 2}},
		{"minlength: 99999999999999", want{minLength: 1_000_000_000}},
	} {
		got, err := parseRules(c.in)
		if err != nil {
			t.Errorf("parseRules(%q): %v", c.in, err)
			continue
		}
		var required []string
		for _, s := range got.required {
			required = append(required, s.String())
		}
		allowed := setOf(c.want.allowed).String()
		var sorted []string
		for _, s := range c.want.required {
			sorted = append(sorted, setOf(s).String())
		}
		if strings.Join(required, "|") != strings.Join(sorted, "|") || got.allowed.String() != allowed ||
			got.minLength != c.want.minLength || got.maxLength != c.want.maxLength || got.maxConsec != c.want.maxConsec {
			t.Errorf("parseRules(%q) = required %q allowed %q min %d max %d consecutive %d, want %+v",
				c.in, required, got.allowed, got.minLength, got.maxLength, got.maxConsec, c.want)
		}
	}
}

func TestParseRulesErrors(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{"required: foo", `regras: posição 11: classe desconhecida "foo"`},
		{"minlength: 8; required: upper, foo", `regras: posição 32: classe desconhecida "foo"`},
		{"dummy: upper", `regras: posição 1: propriedade desconhecida "dummy" (use minlength, maxlength, max-consecutive, required ou allowed)`},
		{"upper: lower", `regras: posição 1: propriedade desconhecida "upper" (use minlength, maxlength, max-consecutive, required ou allowed)`},
		{"max-repeating: 2", `regras: posição 1: propriedade desconhecida "max-repeating" (use minlength, maxlength, max-consecutive, required ou allowed)`},
		{"required", `regras: posição 9: faltou ":" depois de required`},
		{"required upper", `regras: posição 10: faltou ":" depois de required`},
		{"☃", `regras: posição 1: esperava o nome de uma propriedade (minlength, maxlength, max-consecutive, required ou allowed)`},
		{"1", `regras: posição 1: esperava o nome de uma propriedade (minlength, maxlength, max-consecutive, required ou allowed)`},
		{"required: unicode", `regras: posição 11: a classe unicode não é aceita: as senhas daqui são ASCII (use ascii-printable)`},
		{"allowed: upper,,", `regras: posição 16: esperava uma classe: upper, lower, digit, special, ascii-printable ou [caracteres]`},
		{"allowed: upper,;", `regras: posição 16: esperava uma classe depois de ","`},
		{"allowed: upper,", `regras: posição 16: esperava uma classe depois de ","`},
		{"allowed: upper [a]", `regras: posição 16: esperava "," ou ";"`},
		{"required: upper d", `regras: posição 17: esperava "," ou ";"`},
		{"max-consecutive: [ABC]", `regras: posição 18: max-consecutive espera um número inteiro`},
		{"max-consecutive: upper", `regras: posição 18: max-consecutive espera um número inteiro`},
		{"max-consecutive: 1+1", `regras: posição 19: esperava ";" depois do valor de max-consecutive`},
		{"max-consecutive: 0", `regras: posição 18: max-consecutive deve ser pelo menos 1`},
		{"maxlength: 0", `regras: posição 12: maxlength deve ser pelo menos 1`},
		{"minlength: -1", `regras: posição 12: minlength espera um número inteiro`},
		{"required: 1", `regras: posição 11: esperava uma classe: upper, lower, digit, special, ascii-printable ou [caracteres]`},
		{"required: A", `regras: posição 11: classe desconhecida "A"`},
		{"allowed: 1+1", `regras: posição 10: esperava uma classe: upper, lower, digit, special, ascii-printable ou [caracteres]`},
		{"allowed: [", `regras: posição 10: falta o "]" que fecha esta classe`},
		{"allowed: [a", `regras: posição 10: falta o "]" que fecha esta classe`},
		{"allowed: []a]", `regras: posição 12: depois de "]" só cabe "," ou ";" (um "]" dentro dos colchetes vai no fim, escrito "]]")`},
		{"allowed: [a]b]", `regras: posição 13: depois de "]" só cabe "," ou ";" (um "]" dentro dos colchetes vai no fim, escrito "]]")`},
		{"allowed: [a]]]", `regras: posição 14: depois de "]" só cabe "," ou ";" (um "]" dentro dos colchetes vai no fim, escrito "]]")`},
		{"allowed: [a-b]", `regras: posição 12: "-" entre colchetes só pode ser o primeiro caractere`},
		{"allowed: [a-]", `regras: posição 12: "-" entre colchetes só pode ser o primeiro caractere`},
		{"allowed: [a☃]", `regras: posição 12: "☃" não é um caractere ASCII visível`},
		{"allowed: [a\tb]", `regras: posição 12: "\t" não é um caractere ASCII visível`},
	} {
		if _, err := parseRules(c.in); err == nil || err.Error() != c.err {
			t.Errorf("parseRules(%q): error %v\n want %s", c.in, err, c.err)
		}
	}
}

// TestRulesLength: 20 clamped into [minlength, maxlength] and [4, 128].
func TestRulesLength(t *testing.T) {
	for _, c := range []struct {
		in  string
		n   int
		err string
	}{
		{"", 20, ""},
		{"minlength: 8", 20, ""},
		{"maxlength: 12", 12, ""},
		{"minlength: 30", 30, ""},
		{"minlength: 4; maxlength: 4", 4, ""},
		{"maxlength: 500", 20, ""},
		{"minlength: 128", 128, ""},
		{"minlength: 129", 0, "regras: minlength (129) passa do máximo de 128"},
		{"maxlength: 3", 0, "regras: maxlength (3) fica abaixo do mínimo de 4"},
		{"minlength: 30; maxlength: 20", 0, "regras: minlength (30) passa de maxlength (20)"},
	} {
		rs, err := parseRules(c.in)
		if err != nil {
			t.Fatal(err)
		}
		p, err := rs.problem()
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || p.n != c.n {
			t.Errorf("%q: length %d, %v; want %d", c.in, p.n, err, c.n)
		}
	}
	// No required or allowed line: all 95 printable ASCII characters.
	rs, _ := parseRules("minlength: 8")
	if p, _ := rs.problem(); p.alphabet.size() != 95 || setOf(rulesSpecial).size() != 33 {
		t.Errorf("default alphabet %d characters, special %d", p.alphabet.size(), setOf(rulesSpecial).size())
	}
}

// TestRulesLimits: what the engine refuses, and that a realistic site rule
// (Apple's quirks list style) is far from it.
func TestRulesLimits(t *testing.T) {
	many := "required: [a]; required: [b]; required: [c]; required: [d]; required: [e]; required: [f]; required: [g]; required: [h]; required: [i]"
	if _, err := mustRequestErr(many); err == nil || err.Error() != "regras: no máximo 8 linhas required diferentes" {
		t.Errorf("nine required lines: %v", err)
	}
	// Seven lines that cut the 95 characters into 95 atoms: line i holds the
	// characters whose index has bit i set.
	overlap := "minlength: 128"
	for i := range 7 {
		var line []byte
		for j := 0; j < len(rulesASCIIPrintable); j++ {
			if j>>i&1 == 1 {
				line = append(line, rulesASCIIPrintable[j])
			}
		}
		overlap += "; required: " + bracket(string(line))
	}
	if _, err := mustRequestErr(overlap); err == nil || err.Error() != "regras: classes sobrepostas demais para gerar com exatidão; simplifique as linhas required" {
		t.Errorf("overlapping lines: %v", err)
	}
	// Duplicates and implied lines do not count.
	dup := "required: [a]; required: [a]; required: [ab]; required: lower; required: [b]; required: [c]; required: [d]; required: [e]; required: [f]; required: [g]; required: [h]"
	if _, err := mustRequestErr(dup); err != nil {
		t.Errorf("duplicate lines: %v", err)
	}
}

func mustRequestErr(rules string) (*Generator, error) {
	r, err := ParseRequest(fields{"regras": rules}.get)
	if err != nil {
		return nil, err
	}
	return r.Generator()
}

// bracket writes chars as a passwordrules class: "-" first, "]" last as "]]".
func bracket(chars string) string {
	var b strings.Builder
	b.WriteByte('[')
	if strings.Contains(chars, "-") {
		b.WriteByte('-')
	}
	for _, c := range chars {
		if c != '-' && c != ']' {
			b.WriteRune(c)
		}
	}
	if strings.Contains(chars, "]") {
		b.WriteByte(']')
	}
	b.WriteByte(']')
	return b.String()
}
