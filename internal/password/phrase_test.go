package password

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestWordList checks the premises of the injectivity argument in the package
// documentation on the real list.
func TestWordList(t *testing.T) {
	words := effWords()
	if len(words) != 7776 || words[0] != "abacus" || words[7775] != "zoom" {
		t.Fatalf("%d words, first %q, last %q", len(words), words[0], words[len(words)-1])
	}
	if len(slices.Compact(slices.Sorted(slices.Values(words)))) != len(words) {
		t.Fatal("the list repeats a word")
	}
	shape := regexp.MustCompile(`^[a-z]+(-[a-z]+)?$`)
	var hyphenated []string
	for _, w := range words {
		if !shape.MatchString(w) {
			t.Errorf("%q is not lowercase letters with at most one inner hyphen", w)
		}
		if strings.Contains(w, "-") {
			hyphenated = append(hyphenated, w)
		}
	}
	if want := []string{"drop-down", "felt-tip", "t-shirt", "yo-yo"}; !slices.Equal(hyphenated, want) {
		t.Errorf("hyphenated words %v, want %v", hyphenated, want)
	}
	// With "-" as separator the tokens of the words must form a prefix code:
	// no word is the first half of a hyphenated one.
	for _, w := range hyphenated {
		if first, _, _ := strings.Cut(w, "-"); slices.Contains(words, first) {
			t.Errorf("%q is a word and begins %q: separator \"-\" would be ambiguous", first, w)
		}
	}
}

// dangerous are the words most likely to collide: the hyphenated ones, the
// words that begin with a first half of length 2 or more or end with a second
// half, and two ordinary ones.
func dangerous(t *testing.T) []string {
	words := effWords()
	out := []string{"abacus", "zoom"}
	for _, w := range words {
		for _, h := range []string{"drop-down", "felt-tip", "t-shirt", "yo-yo"} {
			first, second, _ := strings.Cut(h, "-")
			if w == h || len(first) > 1 && strings.HasPrefix(w, first) || strings.HasSuffix(w, second) {
				out = append(out, w)
				break
			}
		}
	}
	if len(out) < 15 || len(out) > 30 {
		t.Fatalf("%d dangerous words: %v", len(out), out)
	}
	return out
}

// TestPassphraseInjective: for every kind of separator allowed, every choice
// of three words from the dangerous ones, with each capitalization and each
// digit placement, gives a string no other choice gives.
func TestPassphraseInjective(t *testing.T) {
	words := dangerous(t)
	for _, sep := range []string{"-", " ", "-.-"} {
		for _, capitalize := range []bool{false, true} {
			seen := map[string][4]int{}
			for a := range words {
				for b := range words {
					for c := range words {
						ws := []string{words[a], words[b], words[c]}
						for digitAt := -1; digitAt < 3; digitAt++ {
							for _, d := range []byte("07") {
								if digitAt < 0 && d != '0' {
									break
								}
								s := joinPhrase(ws, sep, capitalize, digitAt, d)
								choice := [4]int{a, b, c, (digitAt+1)*256 + int(d)}
								if prev, ok := seen[s]; ok && prev != choice {
									t.Fatalf("separator %q: %q comes from two choices %v and %v", sep, s, prev, choice)
								}
								seen[s] = choice
							}
						}
					}
				}
			}
		}
	}
}

func joinPhrase(words []string, sep string, capitalize bool, digitAt int, digit byte) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(sep)
		}
		if capitalize {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		if i == digitAt {
			b.WriteByte(digit)
		}
	}
	return b.String()
}

// TestPassphraseParsesOnce: generated passphrases, and crafted ones full of
// hyphenated words, have exactly one reading over the whole list.
func TestPassphraseParsesOnce(t *testing.T) {
	for _, f := range []fields{
		{"tipo": "frase"},
		{"tipo": "frase", "separador": " ", "capitalizar": "true", "incluir_numeros": "true"},
		{"tipo": "frase", "separador": "-", "incluir_numeros": "true", "palavras": "7"},
		{"tipo": "frase", "separador": "--", "capitalizar": "true"},
	} {
		r := mustRequest(t, f)
		g := mustGenerator(t, r, auto)
		for range 200 {
			if p := g.Generate(); len(phraseParses(p, r, 2)) != 1 {
				t.Fatalf("%v: %q reads %d ways", f, p, len(phraseParses(p, r, 2)))
			}
		}
	}
	r := mustRequest(t, fields{"tipo": "frase", "palavras": "6", "incluir_numeros": "true"})
	for _, p := range []string{
		"drop-down-down-t-shirt-shirt-yo-yo-felt-tip7",
		"yo-yo-yo-yo-drop-down-shirt-t-shirt-down3",
		"t-shirt1-shirt-down-drop-down-yo-yo-felt-tip",
	} {
		if got := phraseParses(p, r, 3); len(got) != 1 {
			t.Errorf("%q reads %d ways: %v", p, len(got), got)
		}
	}
}

func TestPassphraseEntropy(t *testing.T) {
	for _, c := range []struct {
		f    fields
		want float64
	}{
		{fields{"tipo": "frase"}, 5 * math.Log2(7776)},
		{fields{"tipo": "frase", "palavras": "3", "incluir_numeros": "true"}, 3*math.Log2(7776) + math.Log2(30)},
		{fields{"tipo": "frase", "palavras": "20", "capitalizar": "true", "incluir_numeros": "true"}, 20*math.Log2(7776) + math.Log2(200)},
	} {
		if got := mustGenerator(t, mustRequest(t, c.f), auto).Entropy(); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%v: %.12f bits, want %.12f", c.f, got, c.want)
		}
	}
}
