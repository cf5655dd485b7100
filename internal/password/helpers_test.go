package password

import (
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fields is a form-like source for ParseRequest.
type fields map[string]string

func (f fields) get(name string) (string, bool) {
	s, ok := f[name]
	return s, ok
}

func mustRequest(t testing.TB, f fields) Request {
	t.Helper()
	r, err := ParseRequest(f.get)
	if err != nil {
		t.Fatalf("ParseRequest(%v): %v", f, err)
	}
	return r
}

func mustGenerator(t testing.TB, r Request, m mode) *Generator {
	t.Helper()
	g, err := r.generator(m)
	if err != nil {
		t.Fatalf("generator(%+v): %v", r, err)
	}
	return g
}

// except returns the characters of all that are not in keep: an excluir value
// that leaves only keep.
func except(all, keep string) string {
	var b strings.Builder
	for _, c := range all {
		if !strings.ContainsRune(keep, c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// passwordOracle says, straight from the fields of a request without regras,
// which characters a password may hold and whether it satisfies the request.
// It shares no code with the generator.
type passwordOracle struct {
	r       Request
	classes []string // selected classes after exclusions
	mins    []int
	letters bool
}

func newPasswordOracle(r Request) passwordOracle {
	o := passwordOracle{r: r}
	specials := r.SpecialChars
	if specials == "" {
		specials = Punctuation
	}
	for _, c := range []struct {
		on    bool
		chars string
		min   int
	}{{r.Lower, Lowercase, r.MinLower}, {r.Upper, Uppercase, r.MinUpper}, {r.Digits, Digits, r.MinDigits}, {r.Special, specials, r.MinSpecial}} {
		if !c.on {
			continue
		}
		var kept strings.Builder
		for _, ch := range c.chars {
			if !strings.ContainsRune(r.Exclude, ch) && !(r.AvoidAmbiguous && strings.ContainsRune("0Oo1lI|", ch)) {
				kept.WriteRune(ch)
			}
		}
		o.classes = append(o.classes, kept.String())
		o.mins = append(o.mins, c.min)
	}
	o.letters = r.Lower || r.Upper
	return o
}

func (o passwordOracle) alphabet() string { return strings.Join(o.classes, "") }

func (o passwordOracle) ok(p string) bool {
	if len(p) != o.r.Length {
		return false
	}
	counts := make([]int, len(o.classes))
	letters := 0
	for _, ch := range p {
		found := false
		for i, c := range o.classes {
			if strings.ContainsRune(c, ch) {
				counts[i]++
				found = true
			}
		}
		if !found {
			return false
		}
		if strings.ContainsRune(Letters, ch) {
			letters++
		}
	}
	for i, m := range o.mins {
		if counts[i] < m {
			return false
		}
	}
	return !o.letters || letters >= 1
}

// rulesOracle is a passwordrules request spelled out by hand: the expected
// length, allowed characters, required lines and run limit.
type rulesOracle struct {
	n        int
	alphabet string
	required []string
	maxRun   int
}

func (o rulesOracle) ok(p string) bool {
	if len(p) != o.n {
		return false
	}
	for _, req := range o.required {
		if !strings.ContainsAny(p, req) {
			return false
		}
	}
	run := 0
	for i := range len(p) {
		if !strings.ContainsRune(o.alphabet, rune(p[i])) {
			return false
		}
		if i > 0 && p[i] == p[i-1] {
			run++
		} else {
			run = 1
		}
		if o.maxRun > 0 && run > o.maxRun {
			return false
		}
	}
	return true
}

// enumerate calls f with every string of length n over alphabet.
func enumerate(alphabet string, n int, f func(string)) {
	buf := make([]byte, n)
	idx := make([]int, n)
	for i := range buf {
		buf[i] = alphabet[0]
	}
	for {
		f(string(buf))
		i := n - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(alphabet) {
				buf[i] = alphabet[idx[i]]
				break
			}
			idx[i] = 0
			buf[i] = alphabet[0]
		}
		if i < 0 {
			return
		}
	}
}

// bruteForce returns the valid strings of length n over alphabet.
func bruteForce(alphabet string, n int, ok func(string) bool) []string {
	var valid []string
	enumerate(alphabet, n, func(s string) {
		if ok(s) {
			valid = append(valid, s)
		}
	})
	return valid
}

func bigOf(n int) *big.Int { return big.NewInt(int64(n)) }

// satisfies reports whether p is an output r allows, by oracles that share no
// code with the generator (regras goes through parseRules, tested apart).
func satisfies(r Request, p string) bool {
	switch {
	case r.Kind == KindPassphrase:
		return len(phraseParses(p, r, 2)) == 1
	case r.Rules != "":
		rs, err := parseRules(r.Rules)
		return err == nil && rulesOK(rs, p)
	}
	return newPasswordOracle(r).ok(p)
}

// rulesOK checks p against parsed rules: length within the bounds, only
// allowed characters, every required line, runs.
func rulesOK(rs *rules, p string) bool {
	n := len(p)
	if n < MinLength || n > MaxLength || n < rs.minLength || rs.maxLength > 0 && n > rs.maxLength {
		return false
	}
	allowed := rs.allowed.String()
	var required []string
	for _, s := range rs.required {
		allowed += s.String()
		required = append(required, s.String())
	}
	if allowed == "" {
		allowed = rulesASCIIPrintable
	}
	return rulesOracle{n: n, alphabet: allowed, required: required, maxRun: rs.maxConsec}.ok(p)
}

// wordSet is the word list as a set, built once for all tests.
var wordSet = sync.OnceValue(func() map[string]bool {
	words := map[string]bool{}
	for _, w := range effWords() {
		words[w] = true
	}
	return words
})

// phraseParses returns up to limit ways to read p as r.Words words of the
// list joined by r.Separator, with the capitalization r asks and exactly one
// digit after some word when r.Digits: every split, not only the obvious one.
func phraseParses(p string, r Request, limit int) [][]string {
	words := wordSet()
	var found [][]string
	var walk func(rest string, got []string, digit bool)
	walk = func(rest string, got []string, digit bool) {
		if len(found) >= limit {
			return
		}
		if len(got) == r.Words {
			if rest == "" && digit == r.Digits {
				found = append(found, slices.Clone(got))
			}
			return
		}
		if len(got) > 0 {
			if !strings.HasPrefix(rest, r.Separator) {
				return
			}
			rest = rest[len(r.Separator):]
		}
		for end := 1; end <= len(rest); end++ {
			token, d := rest[:end], false
			if r.Digits && !digit && strings.IndexByte(Digits, token[len(token)-1]) >= 0 {
				token, d = token[:len(token)-1], true
			}
			if token == "" {
				continue
			}
			if r.Capitalize {
				if token[0] < 'A' || token[0] > 'Z' {
					continue
				}
				token = string(token[0]-'A'+'a') + token[1:]
			}
			if words[token] {
				walk(rest[end:], append(got, rest[:end]), digit || d)
			}
		}
	}
	walk(p, nil, false)
	return found
}
