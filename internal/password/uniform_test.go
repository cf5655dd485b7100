package password

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// A uniformity case: a small request whose valid outputs are enumerated, so
// the exact distribution of every statistic is known.
type uniformCase struct {
	name    string
	r       Request
	n       int // length of every output
	valid   []string
	classes []string // for the class-count vector
	// biased is a generator in the style of bitwarden/jslib#718: the required
	// characters placed first, the rest drawn from the alphabet, then
	// optionally shuffled. The tests must reject it.
	required []string
	alphabet string
}

func newUniformCase(t *testing.T, name string, f fields, classes, required []string) uniformCase {
	r := mustRequest(t, f)
	o := newPasswordOracle(r)
	return uniformCase{name: name, r: r, n: r.Length, valid: bruteForce(o.alphabet(), r.Length, o.ok), classes: classes, required: required, alphabet: o.alphabet()}
}

// classVector names the number of characters of each class in p.
func (c uniformCase) classVector(p string) string {
	var b strings.Builder
	for _, cl := range c.classes {
		n := 0
		for _, ch := range p {
			if strings.ContainsRune(cl, ch) {
				n++
			}
		}
		fmt.Fprintf(&b, "%d,", n)
	}
	return b.String()
}

func position(i int) func(string) string { return func(p string) string { return p[i : i+1] } }

func identity(p string) string { return p }

// biased draws in the style of jslib#718.
func (c uniformCase) biased(shuffle bool) func() string {
	return func() string {
		out := make([]byte, 0, c.n)
		for _, req := range c.required {
			out = append(out, req[rand.IntN(len(req))])
		}
		for len(out) < c.n {
			out = append(out, c.alphabet[rand.IntN(len(c.alphabet))])
		}
		if shuffle {
			rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		}
		return string(out)
	}
}

// minimumsCase asks for minimums above 1 on small classes, where placing the
// required characters first skews everything: 5 characters over a b c X Y 2 3
// with at least two digits and one letter (class engine).
func minimumsCase(t *testing.T) uniformCase {
	return newUniformCase(t, "minimums", fields{"tamanho": "5", "incluir_numeros": "true", "minimo_numeros": "2", "excluir": except(Letters+Digits, "abcXY23")},
		[]string{"abc", "XY", "23"}, []string{"23", "23", "abcXY"})
}

// TestClassCountsMatchCombinatorics: the distribution of class-count vectors
// that the statistical tests expect, taken from enumeration, is the
// combinatorial one, n!/(kL! kU! kD!) * 3^kL 2^kU 2^kD / N.
func TestClassCountsMatchCombinatorics(t *testing.T) {
	c := minimumsCase(t)
	want := distribution(c.valid, c.classVector)
	n := big.NewInt(int64(len(c.valid)))
	for kD := 2; kD <= 5; kD++ {
		for kL := 0; kL <= 5-kD; kL++ {
			kU := 5 - kD - kL
			if kL+kU == 0 {
				continue
			}
			ways := new(big.Int).MulRange(1, 5)
			for _, k := range []int{kL, kU, kD} {
				ways.Quo(ways, new(big.Int).MulRange(1, int64(max(k, 1))))
			}
			for _, f := range []struct{ base, k int }{{3, kL}, {2, kU}, {2, kD}} {
				ways.Mul(ways, new(big.Int).Exp(big.NewInt(int64(f.base)), big.NewInt(int64(f.k)), nil))
			}
			p, _ := new(big.Rat).SetFrac(ways, n).Float64()
			key := fmt.Sprintf("%d,%d,%d,", kL, kU, kD)
			if d := want[key] - p; d > 1e-12 || d < -1e-12 {
				t.Errorf("vector %s: enumeration %g, formula %g", key, want[key], p)
			}
			delete(want, key)
		}
	}
	if len(want) != 0 {
		t.Errorf("vectors outside the formula: %v", want)
	}
}

// TestUniformPasswords: (a) class-count vectors, (b) each position's
// character and (c) whole outputs follow the exact distribution, for each
// sampling method; the jslib#718 samplers fail the same tests.
func TestUniformPasswords(t *testing.T) {
	cases := []uniformCase{
		minimumsCase(t),
		// 4 characters over a B 1 2 with a digit and a letter: 224 outputs
		// (inclusion–exclusion engine).
		newUniformCase(t, "one-of-each", fields{"tamanho": "4", "incluir_numeros": "true", "excluir": except(Letters+Digits, "aB12")},
			[]string{"a", "B", "12"}, []string{"12", "aB"}),
		// 4 characters over a B 1 2 with two digits: 160 outputs (class engine).
		newUniformCase(t, "two-digits", fields{"tamanho": "4", "incluir_numeros": "true", "minimo_numeros": "2", "excluir": except(Letters+Digits, "aB12")},
			[]string{"a", "B", "12"}, []string{"12", "12", "aB"}),
	}
	for _, c := range cases {
		for _, m := range []mode{forceRejection, forceExact} {
			t.Run(fmt.Sprintf("%s/%v", c.name, m), func(t *testing.T) {
				g := mustGenerator(t, c.r, m)
				if g.count.Cmp(big.NewInt(int64(len(c.valid)))) != 0 {
					t.Fatalf("count %v, enumeration %d", g.count, len(c.valid))
				}
				checkUniform(t, c, g.Generate, false)
			})
		}
		t.Run(c.name+"/jslib#718", func(t *testing.T) {
			checkUniform(t, c, c.biased(false), true)
			checkUniform(t, c, c.biased(true), true)
		})
	}
}

func (m mode) String() string { return [...]string{"auto", "rejection", "exact", "count"}[m] }

// checkUniform runs the three tests; with biased, it wants at least one of
// them to reject.
func checkUniform(t *testing.T, c uniformCase, draw func() string, biased bool) {
	t.Helper()
	const samples = 20000
	var results []chiTest
	outputs := make([]string, samples)
	for i := range outputs {
		outputs[i] = draw()
	}
	replay := func() func() string {
		i := 0
		return func() string { i++; return outputs[i-1] }
	}
	if len(c.classes) > 0 {
		results = append(results, categoryTest(t, distribution(c.valid, c.classVector), samples, replay(), c.classVector))
	}
	for i := range c.n {
		results = append(results, categoryTest(t, distribution(c.valid, position(i)), samples, replay(), position(i)))
	}
	if perOutput := 100; len(c.valid) <= 400 {
		n := perOutput * len(c.valid)
		results = append(results, categoryTest(t, distribution(c.valid, identity), n, draw, identity))
	}
	rejected := false
	for _, r := range results {
		if r.p < alpha {
			rejected = true
			if !biased {
				t.Errorf("not uniform: %v", r)
			}
		}
	}
	if biased && !rejected {
		t.Errorf("the biased sampler passed every test: %v", results)
	}
	if testing.Verbose() {
		t.Logf("%v", results)
	}
}

// TestUniformRules: the same for regras with overlapping lines and
// max-consecutive, where exact sampling unranks: 4 characters over a b c d,
// one of a b, one of b c, no run longer than 2 (162 outputs).
func TestUniformRules(t *testing.T) {
	o := rulesOracle{4, "abcd", []string{"ab", "bc"}, 2}
	c := uniformCase{name: "rules", r: mustRequest(t, fields{"regras": "maxlength: 4; required: [ab]; required: [bc]; allowed: [d]; max-consecutive: 2"}),
		n: o.n, valid: bruteForce(o.alphabet, o.n, o.ok)}
	for _, m := range []mode{forceRejection, forceExact} {
		t.Run(m.String(), func(t *testing.T) {
			g := mustGenerator(t, c.r, m)
			if g.count.Cmp(big.NewInt(int64(len(c.valid)))) != 0 {
				t.Fatalf("count %v, enumeration %d", g.count, len(c.valid))
			}
			checkUniform(t, c, g.Generate, false)
		})
	}
}

// TestHardRequestsUseExactSampling: where few random strings are valid, auto
// mode draws exactly and returns at once.
func TestHardRequestsUseExactSampling(t *testing.T) {
	for _, f := range []fields{
		{"regras": "allowed: [ab]; max-consecutive: 1; minlength: 128"},                                                  // 2 valid of 2^128
		{"regras": "required: [a]; required: [b]; required: [c]; required: [d]; allowed: ascii-printable; maxlength: 6"}, // rare letters
		{"tamanho": "8", "incluir_maiusculas": "false", "incluir_numeros": "true", "minimo_numeros": "7", "excluir": except(Lowercase+Digits, "ab1")},
		{"tamanho": "128", "incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_numeros": "60", "minimo_especiais": "60"},
		{"tamanho": "8", "incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_minusculas": "2", "minimo_maiusculas": "2", "minimo_numeros": "2", "minimo_especiais": "2"}, // 1 in 52
	} {
		r := mustRequest(t, f)
		g := mustGenerator(t, r, auto)
		if g.chars.reject {
			t.Errorf("%v: rejection sampling, expected exact", f)
		}
		for range 20 {
			if p := g.Generate(); !satisfies(r, p) {
				t.Fatalf("%v: %q does not satisfy the request", f, p)
			}
		}
	}
	// And the usual ones draw by rejection.
	for _, f := range []fields{{}, {"tamanho": "16", "incluir_numeros": "true", "incluir_caracteres_especiais": "true"}, {"tamanho": "4", "incluir_numeros": "true", "incluir_caracteres_especiais": "true"}, {"regras": "required: upper; required: digit; required: [!#$]"}} {
		if g := mustGenerator(t, mustRequest(t, f), auto); !g.chars.reject {
			t.Errorf("%v: exact sampling, expected rejection", f)
		}
	}
}

// TestUniformPassphrases: each word position, the digit's place and value.
// The position test uses contiguous buckets of the word index (index/486),
// which a modulo-biased word draw skews, and the index mod 16.
func TestUniformPassphrases(t *testing.T) {
	r := mustRequest(t, fields{"tipo": "frase", "palavras": "4", "separador": " ", "incluir_numeros": "true"})
	g := mustGenerator(t, r, auto)
	index := map[string]int{}
	for i, w := range effWords() {
		index[w] = i
	}
	const samples = 20000
	phrases := make([][]string, samples)
	for i := range phrases {
		phrases[i] = strings.Split(g.Generate(), " ")
	}
	uniform := func(k int) map[string]float64 {
		want := map[string]float64{}
		for i := range k {
			want[fmt.Sprint(i)] = 1 / float64(k)
		}
		return want
	}
	next := 0
	word := func(pos int, view func(int) int) func() string {
		next = 0
		return func() string {
			next++
			w := strings.TrimRight(phrases[next-1][pos], Digits)
			return fmt.Sprint(view(index[w]))
		}
	}
	var results []chiTest
	for pos := range 4 {
		results = append(results,
			categoryTest(t, uniform(16), samples, word(pos, func(i int) int { return i / 486 }), identity),
			categoryTest(t, uniform(16), samples, word(pos, func(i int) int { return i % 16 }), identity))
	}
	next = 0
	digitPlace := func() string {
		next++
		for i, w := range phrases[next-1] {
			if strings.ContainsAny(w, Digits) {
				return fmt.Sprint(i)
			}
		}
		return "none"
	}
	results = append(results, categoryTest(t, uniform(4), samples, digitPlace, identity))
	next = 0
	digitValue := func() string {
		next++
		for _, w := range phrases[next-1] {
			if i := strings.IndexAny(w, Digits); i >= 0 {
				return w[i:]
			}
		}
		return "none"
	}
	results = append(results, categoryTest(t, uniform(10), samples, digitValue, identity))
	for _, res := range results {
		if res.p < alpha {
			t.Errorf("not uniform: %v", res)
		}
	}
	if testing.Verbose() {
		t.Logf("%v", results)
	}

	// A word drawn as a 16-bit number modulo 7776 favours the first 3328
	// words by 9 to 8: the bucket test must see it.
	biased := func() string {
		return fmt.Sprint(int(rand.Uint32()&0xffff) % 7776 / 486)
	}
	if res := categoryTest(t, uniform(16), 100000, biased, identity); res.p >= alpha {
		t.Errorf("the modulo-biased word draw passed: %v", res)
	} else if testing.Verbose() {
		t.Logf("modulo-biased word draw: %v", res)
	}
}

func TestIntnUnbiased(t *testing.T) {
	// 3 does not divide 256: a plain b%3 would favour 0 by 86 to 85.
	var s source
	counts := map[string]float64{"0": 1. / 3, "1": 1. / 3, "2": 1. / 3}
	if res := categoryTest(t, counts, 300_000, func() string { return fmt.Sprint(s.intn(3)) }, identity); res.p < alpha {
		t.Errorf("intn(3) is biased: %v", res)
	}
	if res := categoryTest(t, counts, 100_000, func() string { return fmt.Sprint(s.intn16(7776) % 3) }, identity); res.p < alpha {
		t.Errorf("intn16(7776) is biased: %v", res)
	}
}
