package password

import (
	"math"
	"strings"
	"testing"
)

// The deprecated Options API gives what it always gave.
func TestOptions(t *testing.T) {
	for _, o := range []Options{{Length: 8}, {Length: 4, Digits: true}, {Length: 4, Special: true}, {Length: 128, Digits: true, Special: true}} {
		for range 200 {
			p, err := Generate(o)
			if err != nil {
				t.Fatal(err)
			}
			allowed := Letters
			if o.Digits {
				allowed += Digits
			}
			if o.Special {
				allowed += Punctuation
			}
			if len(p) != o.Length || strings.Trim(p, allowed) != "" || !strings.ContainsAny(p, Letters) ||
				o.Digits && !strings.ContainsAny(p, Digits) || o.Special && !strings.ContainsAny(p, Punctuation) {
				t.Fatalf("%+v: %q", o, p)
			}
		}
	}
	for _, n := range []int{-1, 0, 3, 129} {
		if _, err := Generate(Options{Length: n}); err == nil || (Options{Length: n}).Validate() == nil || Entropy(Options{Length: n}) != 0 {
			t.Errorf("Length %d accepted", n)
		}
	}
	if got, want := Entropy(Options{Length: 8}), 8*math.Log2(52); math.Abs(got-want) > 1e-12 {
		t.Errorf("Entropy = %f, want %f", got, want)
	}
	if got, want := EntropyOf("ab1!"), Entropy(Options{Length: 4, Digits: true, Special: true}); math.Abs(got-want) > 1e-9 {
		t.Errorf("EntropyOf(ab1!) = %f, want %f", got, want)
	}
	if EntropyOf("") != 0 {
		t.Error("EntropyOf(\"\") != 0")
	}
}

func TestCharset(t *testing.T) {
	c := setOf("cab\x80")
	if c.String() != "abc" || c.size() != 3 || !c.has('a') || c.has('d') || c.has(200) {
		t.Errorf("setOf: %q", c)
	}
	if !setOf("ab").within(c) || c.within(setOf("ab")) || c.minus(setOf("a")).String() != "bc" || !(charset{}).isEmpty() {
		t.Error("set operations")
	}
}
