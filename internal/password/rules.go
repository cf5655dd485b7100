package password

import (
	"fmt"
	"strings"
)

// The character classes of the passwordrules language. Its special class is
// every printable ASCII character that is not a letter or digit, the space
// included (33 characters), and ascii-printable is all 95 of them.
const (
	rulesSpecial        = " " + Punctuation
	rulesASCIIPrintable = Letters + Digits + rulesSpecial
)

// ruleLength is the length picked for regras before clamping into
// [minlength, maxlength] and [MinLength, MaxLength]: long enough to be strong,
// short enough for the sites whose rules cap the length.
const ruleLength = 20

// rules is a parsed passwordrules string, with repeated properties combined
// the way Apple's parser combines them.
type rules struct {
	minLength int       // 0 when absent; the largest minlength
	maxLength int       // 0 when absent; the smallest maxlength
	maxConsec int       // 0 when absent; the smallest max-consecutive
	required  []charset // one per required line, in order
	allowed   charset   // union of the allowed lines
}

// parseRules reads a passwordrules string as Apple's PasswordRulesParser.js
// (apple/password-manager-resources) and the WHATWG proposal whatwg/html#3518
// define it:
//
//	rules    = property *( ";" property ) [ ";" ]
//	property = name ":" [ value ]        ; an empty value is ignored
//	name     = "minlength" / "maxlength" / "max-consecutive" / "required" / "allowed"
//	value    = integer / class *( "," class )
//	class    = "upper" / "lower" / "digit" / "special" / "ascii-printable" / "[" chars "]"
//
// with whitespace (space, tab, CR, LF, FF) allowed around the tokens. Class
// names are case-insensitive, as Apple's. Inside brackets every printable
// ASCII character stands for itself, a "-" only as the first one and a "]"
// only as the last, written "]]"; "[]" is empty and adds nothing.
//
// Where Apple's parser drops a malformed string silently (and generates from
// its default), this one refuses it with the 1-based position of the fault:
// unknown properties, a "-" that is not first, non-ASCII characters, trailing
// tokens. It also accepts property names in any case, and "unicode" is refused
// because this generator only makes ASCII passwords.
func parseRules(s string) (*rules, error) {
	p := ruleParser{in: []rune(s)}
	return p.parse()
}

type ruleParser struct {
	in  []rune
	pos int
}

func (p *ruleParser) errorf(pos int, format string, args ...any) error {
	return fmt.Errorf("regras: posição %d: %s", pos+1, fmt.Sprintf(format, args...))
}

func isRuleSpace(c rune) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isIdentChar(c rune) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' }

func (p *ruleParser) skipSpace() {
	for p.pos < len(p.in) && isRuleSpace(p.in[p.pos]) {
		p.pos++
	}
}

func (p *ruleParser) ident() string {
	start := p.pos
	for p.pos < len(p.in) && isIdentChar(p.in[p.pos]) {
		p.pos++
	}
	return string(p.in[start:p.pos])
}

// atEnd reports whether the current value ends here: at the end of the input
// or at ";".
func (p *ruleParser) atEnd() bool { return p.pos >= len(p.in) || p.in[p.pos] == ';' }

func (p *ruleParser) parse() (*rules, error) {
	var r rules
	for {
		p.skipSpace()
		for p.pos < len(p.in) && p.in[p.pos] == ';' { // empty properties, as Apple allows
			p.pos++
			p.skipSpace()
		}
		if p.pos >= len(p.in) {
			return &r, nil
		}
		start := p.pos
		if !isIdentChar(p.in[p.pos]) {
			return nil, p.errorf(start, "esperava o nome de uma propriedade (minlength, maxlength, max-consecutive, required ou allowed)")
		}
		name := strings.ToLower(p.ident())
		switch name {
		case "minlength", "maxlength", "max-consecutive", "required", "allowed":
		default:
			return nil, p.errorf(start, "propriedade desconhecida %q (use minlength, maxlength, max-consecutive, required ou allowed)", string(p.in[start:p.pos]))
		}
		p.skipSpace()
		if p.pos >= len(p.in) || p.in[p.pos] != ':' {
			return nil, p.errorf(p.pos, "faltou \":\" depois de %s", name)
		}
		p.pos++
		p.skipSpace()
		if !p.atEnd() {
			if err := p.value(name, &r); err != nil {
				return nil, err
			}
		}
		p.skipSpace()
		if p.pos < len(p.in) && p.in[p.pos] != ';' {
			return nil, p.errorf(p.pos, "esperava \";\" depois do valor de %s", name)
		}
	}
}

func (p *ruleParser) value(name string, r *rules) error {
	switch name {
	case "required", "allowed":
		set, err := p.classes()
		if err != nil {
			return err
		}
		if name == "allowed" {
			r.allowed = r.allowed.or(set)
		} else if !set.isEmpty() {
			r.required = append(r.required, set)
		}
		return nil
	}
	start := p.pos
	n, err := p.integer(name)
	if err != nil {
		return err
	}
	switch name {
	case "minlength":
		r.minLength = max(r.minLength, n)
	case "maxlength":
		if r.maxLength == 0 || n < r.maxLength {
			r.maxLength = n
		}
		if n == 0 {
			return p.errorf(start, "maxlength deve ser pelo menos 1")
		}
	case "max-consecutive":
		if n == 0 {
			return p.errorf(start, "max-consecutive deve ser pelo menos 1")
		}
		if r.maxConsec == 0 || n < r.maxConsec {
			r.maxConsec = n
		}
	}
	return nil
}

// integer reads a decimal number; values past a billion count as a billion,
// which every bound treats alike.
func (p *ruleParser) integer(name string) (int, error) {
	start := p.pos
	n := 0
	for p.pos < len(p.in) && '0' <= p.in[p.pos] && p.in[p.pos] <= '9' {
		n = min(n*10+int(p.in[p.pos]-'0'), 1_000_000_000)
		p.pos++
	}
	if p.pos == start {
		return 0, p.errorf(start, "%s espera um número inteiro", name)
	}
	return n, nil
}

// classes reads a comma-separated list of classes and returns their union.
func (p *ruleParser) classes() (charset, error) {
	var set charset
	for {
		start := p.pos
		switch c := p.in[p.pos]; {
		case isIdentChar(c):
			name := p.ident()
			switch strings.ToLower(name) {
			case "upper":
				set = set.or(setOf(Uppercase))
			case "lower":
				set = set.or(setOf(Lowercase))
			case "digit":
				set = set.or(setOf(Digits))
			case "special":
				set = set.or(setOf(rulesSpecial))
			case "ascii-printable":
				set = set.or(setOf(rulesASCIIPrintable))
			case "unicode":
				return set, p.errorf(start, "a classe unicode não é aceita: as senhas daqui são ASCII (use ascii-printable)")
			default:
				return set, p.errorf(start, "classe desconhecida %q", name)
			}
		case c == '[':
			custom, err := p.custom()
			if err != nil {
				return set, err
			}
			set = set.or(custom)
		default:
			return set, p.errorf(start, "esperava uma classe: upper, lower, digit, special, ascii-printable ou [caracteres]")
		}
		p.skipSpace()
		if p.atEnd() {
			return set, nil
		}
		if p.in[p.pos] != ',' {
			return set, p.errorf(p.pos, "esperava \",\" ou \";\"")
		}
		p.pos++
		p.skipSpace()
		if p.atEnd() {
			return set, p.errorf(p.pos, "esperava uma classe depois de \",\"")
		}
	}
}

// custom reads a bracketed class: "-" only first, "]" only last as "]]".
func (p *ruleParser) custom() (charset, error) {
	open := p.pos
	p.pos++
	var set charset
	for first := true; ; first = false {
		if p.pos >= len(p.in) {
			return set, p.errorf(open, "falta o \"]\" que fecha esta classe")
		}
		c := p.in[p.pos]
		if c == ']' {
			if p.pos+1 < len(p.in) && p.in[p.pos+1] == ']' {
				set.add(']')
				p.pos += 2
			} else {
				p.pos++
			}
			if p.pos < len(p.in) && !isRuleSpace(p.in[p.pos]) && p.in[p.pos] != ',' && p.in[p.pos] != ';' {
				return set, p.errorf(p.pos, "depois de \"]\" só cabe \",\" ou \";\" (um \"]\" dentro dos colchetes vai no fim, escrito \"]]\")")
			}
			return set, nil
		}
		if c < ' ' || c > '~' {
			return set, p.errorf(p.pos, "%q não é um caractere ASCII visível", string(c))
		}
		if c == '-' && !first {
			return set, p.errorf(p.pos, "\"-\" entre colchetes só pode ser o primeiro caractere")
		}
		set.add(byte(c))
		p.pos++
	}
}

// problem turns the rules into a counting problem: the allowed characters are
// those of every required and allowed line (all printable ASCII when there
// are none), and the length is ruleLength clamped into [minlength, maxlength]
// and into [MinLength, MaxLength].
func (r *rules) problem() (problem, error) {
	if r.minLength > MaxLength {
		return problem{}, fmt.Errorf("regras: minlength (%d) passa do máximo de %d", r.minLength, MaxLength)
	}
	if r.maxLength != 0 && r.maxLength < MinLength {
		return problem{}, fmt.Errorf("regras: maxlength (%d) fica abaixo do mínimo de %d", r.maxLength, MinLength)
	}
	if r.maxLength != 0 && r.minLength > r.maxLength {
		return problem{}, fmt.Errorf("regras: minlength (%d) passa de maxlength (%d)", r.minLength, r.maxLength)
	}
	n := max(ruleLength, r.minLength)
	if r.maxLength != 0 {
		n = min(n, r.maxLength)
	}
	p := problem{n: min(max(n, MinLength), MaxLength), alphabet: r.allowed, maxRun: r.maxConsec}
	for _, s := range r.required {
		p.alphabet = p.alphabet.or(s)
		p.reqs = append(p.reqs, requirement{set: s, min: 1})
	}
	if p.alphabet.isEmpty() {
		p.alphabet = setOf(rulesASCIIPrintable)
	}
	return p, nil
}
