package password

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"testing"
)

// smallPasswordCases are password requests small enough to enumerate: every
// string of the alphabet is checked by passwordOracle.
var smallPasswordCases = []fields{
	{"tamanho": "4", "excluir": except(Letters, "abCD")},
	{"tamanho": "4", "incluir_numeros": "true", "excluir": except(Letters+Digits, "abCD12")},
	{"tamanho": "5", "incluir_numeros": "true", "minimo_numeros": "2", "minimo_maiusculas": "1", "excluir": except(Letters+Digits, "abC12")},
	{"tamanho": "6", "incluir_numeros": "true", "minimo_numeros": "2", "minimo_minusculas": "2", "minimo_maiusculas": "2", "excluir": except(Letters+Digits, "abCD12")},
	{"tamanho": "5", "incluir_maiusculas": "false", "incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_especiais": "2", "caracteres_especiais": "!@|", "evitar_ambiguos": "true", "excluir": except(Lowercase+Digits, "ab0123")},
	{"tamanho": "6", "incluir_minusculas": "false", "incluir_maiusculas": "false", "incluir_numeros": "true", "excluir": "0456789"},
	{"tamanho": "6", "incluir_maiusculas": "false", "minimo_minusculas": "3", "incluir_caracteres_especiais": "true", "caracteres_especiais": "#%", "excluir": except(Lowercase, "xyz")},
	{"tamanho": "5", "incluir_minusculas": "false", "incluir_caracteres_especiais": "true", "caracteres_especiais": "-", "minimo_especiais": "0", "excluir": except(Uppercase, "QR")},
	{"tamanho": "4", "incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_numeros": "1", "minimo_especiais": "1", "minimo_minusculas": "1", "minimo_maiusculas": "1", "excluir": except(Letters+Digits, "aB7"), "caracteres_especiais": "?"},
}

// smallRulesCases are regras requests small enough to enumerate, with the
// problem spelled out by hand: overlapping required lines, max-consecutive.
var smallRulesCases = []struct {
	rules  string
	oracle rulesOracle
}{
	{"minlength: 4; maxlength: 4; required: [ab]; required: [bc]; allowed: [d]", rulesOracle{4, "abcd", []string{"ab", "bc"}, 0}},
	{"maxlength: 6; required: [ab]; required: [b]; max-consecutive: 2; allowed: [xyz]", rulesOracle{6, "abxyz", []string{"ab", "b"}, 2}},
	{"maxlength: 5; required: [-a], [b]; max-consecutive: 1; allowed: [c]", rulesOracle{5, "-abc", []string{"-ab"}, 1}},
	{"maxlength: 6; allowed: [ab]; max-consecutive: 1", rulesOracle{6, "ab", nil, 1}},
	{"maxlength: 6; required: [a]; required: [b]; required: [c]; allowed: [de]; max-consecutive: 2", rulesOracle{6, "abcde", []string{"a", "b", "c"}, 2}},
	{"minlength: 5; maxlength: 5; required: digit; max-consecutive: 3; allowed: [ab]", rulesOracle{5, "ab0123456789", []string{Digits}, 3}},
	{"maxlength: 4; required: [ab]; required: [bc]; required: [ca]; required: [d]", rulesOracle{4, "abcd", []string{"ab", "bc", "ca", "d"}, 0}},
	{"maxlength: 5; required: [ab], [c]; required: [cd]; allowed: [e]; max-consecutive: 2", rulesOracle{5, "abcde", []string{"abc", "cd"}, 2}},
}

// TestCountBruteForce: the entropy is log2 of the number of valid strings,
// found by checking every string over the alphabet.
func TestCountBruteForce(t *testing.T) {
	for _, f := range smallPasswordCases {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			r := mustRequest(t, f)
			o := newPasswordOracle(r)
			want := len(bruteForce(o.alphabet(), r.Length, o.ok))
			g := mustGenerator(t, r, auto)
			if g.count.Cmp(bigOf(want)) != 0 {
				t.Fatalf("count %v, brute force %d", g.count, want)
			}
			if got := g.Entropy(); math.Abs(got-math.Log2(float64(want))) > 1e-9 {
				t.Fatalf("entropy %.12f, want log2(%d) = %.12f", got, want, math.Log2(float64(want)))
			}
		})
	}
	for _, c := range smallRulesCases {
		t.Run(c.rules, func(t *testing.T) {
			r := mustRequest(t, fields{"regras": c.rules})
			want := len(bruteForce(c.oracle.alphabet, c.oracle.n, c.oracle.ok))
			g := mustGenerator(t, r, auto)
			if g.count.Cmp(bigOf(want)) != 0 {
				t.Fatalf("count %v, brute force %d", g.count, want)
			}
			if string(g.chars.alphabet) != string(setOf(c.oracle.alphabet).bytes()) || g.chars.n != c.oracle.n {
				t.Fatalf("alphabet %q length %d, want %q %d", g.chars.alphabet, g.chars.n, c.oracle.alphabet, c.oracle.n)
			}
		})
	}
}

// TestUnrankIsBijection: unranking every rank of a small case gives every
// valid password exactly once, so a uniform rank gives a uniform password.
func TestUnrankIsBijection(t *testing.T) {
	check := func(t *testing.T, g *Generator, valid []string) {
		e := g.chars.eng.(*ieEngine)
		if e.terms == nil {
			e.prepareExact()
		}
		if g.count.Int64() > 30000 {
			return // enumerated by TestCountBruteForce; too many to unrank here
		}
		slices.Sort(valid)
		var got []string
		out := make([]byte, g.chars.n)
		for i := range g.count.Int64() {
			e.unrank(big.NewInt(i), out)
			got = append(got, string(out))
		}
		slices.Sort(got)
		if !slices.Equal(got, valid) {
			t.Fatalf("unranked %d passwords, %d valid; first difference near %v", len(got), len(valid), firstDiff(got, valid))
		}
	}
	for _, c := range smallRulesCases {
		t.Run(c.rules, func(t *testing.T) {
			g := mustGenerator(t, mustRequest(t, fields{"regras": c.rules}), forceExact)
			check(t, g, bruteForce(c.oracle.alphabet, c.oracle.n, c.oracle.ok))
		})
	}
	for _, f := range smallPasswordCases {
		r := mustRequest(t, f)
		g := mustGenerator(t, r, forceExact)
		if _, ok := g.chars.eng.(*ieEngine); !ok {
			continue // minimums above 1: the class engine does not unrank
		}
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			o := newPasswordOracle(r)
			check(t, g, bruteForce(o.alphabet(), r.Length, o.ok))
		})
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " / " + b[i]
		}
	}
	return "the end"
}

// TestEnginesAgree: with minimums of 0 and 1 both engines apply; they must
// agree on lengths too long to enumerate.
func TestEnginesAgree(t *testing.T) {
	for _, n := range []int{4, 7, 16, 33, 128} {
		for _, f := range []fields{
			{"incluir_numeros": "true"},
			{"incluir_numeros": "true", "incluir_caracteres_especiais": "true"},
			{"incluir_maiusculas": "false", "incluir_numeros": "true", "incluir_caracteres_especiais": "true", "minimo_minusculas": "1", "excluir": "abcdef!"},
			{"incluir_minusculas": "false", "incluir_numeros": "true", "minimo_numeros": "0", "minimo_maiusculas": "1"},
		} {
			f["tamanho"] = fmt.Sprint(n)
			p, err := mustRequest(t, f).passwordProblem()
			if err != nil {
				t.Fatal(err)
			}
			ie, err := newIEEngine(p)
			if err != nil {
				t.Fatal(err)
			}
			if ce := newClassEngine(p); ce.count.Cmp(ie.count) != 0 {
				t.Errorf("%v: class engine %v, inclusion–exclusion %v", f, ce.count, ie.count)
			}
		}
	}
}

// oldEntropy is the original package's formula, kept here to compare.
func oldEntropy(length int, classes []string) float64 {
	total := 0
	for _, c := range classes {
		total += len(c)
	}
	ratio := 0.0
	for mask := 0; mask < 1<<len(classes); mask++ {
		missing, sign := 0, 1.0
		for i, c := range classes {
			if mask&(1<<i) != 0 {
				missing += len(c)
				sign = -sign
			}
		}
		ratio += sign * math.Pow(float64(total-missing)/float64(total), float64(length))
	}
	return float64(length)*math.Log2(float64(total)) + math.Log2(ratio)
}

// TestEntropyOfTodaysRequests: the original's fields give the original's
// passwords, so the original's entropies.
func TestEntropyOfTodaysRequests(t *testing.T) {
	g := mustGenerator(t, mustRequest(t, fields{}), auto)
	if got, want := g.Entropy(), 8*math.Log2(52); math.Abs(got-want) > 1e-12 {
		t.Errorf("default: %.15f bits, want 8*log2(52) = %.15f", got, want)
	}
	if want := new(big.Int).Exp(bigOf(52), bigOf(8), nil); g.count.Cmp(want) != 0 || !g.chars.reject || g.chars.check {
		t.Errorf("default: count %v (want 52^8 = %v), reject %v, check %v", g.count, want, g.chars.reject, g.chars.check)
	}
	for n := MinLength; n <= MaxLength; n++ {
		for _, c := range []struct {
			digits, special bool
			classes         []string
		}{
			{false, false, []string{Letters}},
			{true, false, []string{Letters, Digits}},
			{false, true, []string{Letters, Punctuation}},
			{true, true, []string{Letters, Digits, Punctuation}},
		} {
			r := mustRequest(t, fields{"tamanho": fmt.Sprint(n), "incluir_numeros": fmt.Sprint(c.digits), "incluir_caracteres_especiais": fmt.Sprint(c.special)})
			got := mustGenerator(t, r, auto).Entropy()
			if want := oldEntropy(n, c.classes); math.Abs(got-want) > 1e-9*want {
				t.Errorf("tamanho %d %v: %.12f bits, old formula %.12f", n, c.classes, got, want)
			}
		}
	}
	// Exactly, at the largest length: 94^128 - 84^128 - 42^128 - 62^128 + 10^128 + 52^128 + 32^128 - 0.
	r := mustRequest(t, fields{"tamanho": "128", "incluir_numeros": "true", "incluir_caracteres_especiais": "true"})
	want := new(big.Int)
	for _, term := range []struct{ base, sign int64 }{{94, 1}, {84, -1}, {42, -1}, {62, -1}, {10, 1}, {52, 1}, {32, 1}} {
		x := new(big.Int).Exp(big.NewInt(term.base), bigOf(128), nil)
		want.Add(want, x.Mul(x, big.NewInt(term.sign)))
	}
	if got := mustGenerator(t, r, auto).count; got.Cmp(want) != 0 {
		t.Errorf("128 characters, all classes: count %v, want %v", got, want)
	}
}

func TestLog2(t *testing.T) {
	for _, c := range []struct {
		x    *big.Int
		want float64
	}{
		{bigOf(1), 0},
		{bigOf(1024), 10},
		{new(big.Int).Lsh(bigOf(3), 700), 700 + math.Log2(3)},
		{new(big.Int).Exp(bigOf(95), bigOf(128), nil), 128 * math.Log2(95)},
	} {
		if got := log2(c.x); math.Abs(got-c.want) > 1e-12*max(1, c.want) {
			t.Errorf("log2(%v) = %.15f, want %.15f", c.x, got, c.want)
		}
	}
}

func TestPow(t *testing.T) {
	for _, s := range []int{0, 1, 2, 10, 52, 94, 95, 255} {
		for _, n := range []int{0, 1, 4, 8, 9, 10, 63, 64, 65, 128} {
			want := new(big.Int).Exp(bigOf(s), bigOf(n), nil)
			if got := pow(new(big.Int), s, n); got.Cmp(want) != 0 {
				t.Errorf("pow(%d, %d) = %v, want %v", s, n, got, want)
			}
		}
	}
}
